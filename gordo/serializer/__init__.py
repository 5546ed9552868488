"""Model definitions to estimators and back, and built models to disk and back.

>>> from gordo import serializer
>>> scaler = serializer.from_definition({"sklearn.preprocessing.MinMaxScaler": {"clip": True}})
>>> serializer.into_definition(scaler, prune_default_params=True)
{'sklearn.preprocessing._data.MinMaxScaler': {'clip': True}}
>>> serializer.loads(serializer.dumps(scaler))
MinMaxScaler(clip=True)
"""

from gordo.serializer.from_definition import (
    check_definition,
    from_definition,
    import_locate,
    load_params_from_definition,
)
from gordo.serializer.into_definition import into_definition, load_definition_from_params
from gordo.serializer.serializer import (
    dump,
    dump_pickled,
    dumps,
    load,
    load_metadata,
    loads,
    read_model_bytes,
)

__all__ = [
    "check_definition",
    "dump",
    "dump_pickled",
    "dumps",
    "from_definition",
    "import_locate",
    "into_definition",
    "load",
    "load_definition_from_params",
    "load_metadata",
    "load_params_from_definition",
    "loads",
    "read_model_bytes",
]
