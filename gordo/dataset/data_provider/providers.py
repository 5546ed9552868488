"""Every built-in data provider, under the path ``to_dict()`` writes.

Short names (``RandomDataProvider``) and the original packages' paths resolve
here (:mod:`gordo.dataset.registry`). Each provider's module is imported when
its name is first looked up here, so reading random data does not import the
file-store or database providers (nor their client libraries).

>>> sorted(n for n in __all__ if n.endswith("Provider"))  # doctest: +NORMALIZE_WHITESPACE
['CSVDataProvider', 'FileSystemDataProvider', 'GordoBaseDataProvider', 'InfluxDataProvider',
 'PostgresDataProvider', 'RandomDataProvider']
>>> from gordo.dataset.data_provider.providers import InfluxDataProvider
>>> InfluxDataProvider.__module__
'gordo.dataset.data_provider.influx'
"""

import importlib

_PACKAGE = "gordo.dataset.data_provider"

#: provider name -> the module defining it
_MODULES = {
    "CSVDataProvider": f"{_PACKAGE}.csv_provider",
    "FileSystemDataProvider": f"{_PACKAGE}.file_system",
    "GordoBaseDataProvider": f"{_PACKAGE}.base",
    "InfluxDataProvider": f"{_PACKAGE}.influx",
    "PostgresDataProvider": f"{_PACKAGE}.postgres",
    "RandomDataProvider": f"{_PACKAGE}.random_provider",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str) -> type:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    provider = getattr(importlib.import_module(_MODULES[name]), name)
    globals()[name] = provider  # later lookups are plain attribute reads
    return provider


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES})
