"""Resolve dataset and data-provider ``type`` names to classes.

A ``type`` is a short name (``TimeSeriesDataset``, ``RandomDataProvider``), a
legacy path of the original packages (``gordo_dataset.*``, ``gordo_core.*``)
or the import path of any class (custom providers). Names are followed through
one alias table, then imported.

>>> resolve_path("RandomDataProvider", "provider")
'gordo.dataset.data_provider.providers.RandomDataProvider'
>>> resolve_path("gordo_core.time_series.TimeSeriesDataset", "dataset")
'gordo.dataset.datasets.TimeSeriesDataset'
>>> resolve_path("my_pkg.readers.MyProvider", "provider")
'my_pkg.readers.MyProvider'
"""

from __future__ import annotations

from typing import Literal

from gordo.exceptions import ConfigException

Kind = Literal["dataset", "provider"]

_DATASETS = "gordo.dataset.datasets"
_PROVIDERS = "gordo.dataset.data_provider.providers"

#: short name -> canonical import path
SHORT_NAMES: dict[Kind, dict[str, str]] = {
    "dataset": {
        "TimeSeriesDataset": f"{_DATASETS}.TimeSeriesDataset",
        "RandomDataset": f"{_DATASETS}.RandomDataset",
        "GordoBaseDataset": "gordo.dataset.base.GordoBaseDataset",
    },
    "provider": {
        name: f"{_PROVIDERS}.{name}"
        for name in (
            "RandomDataProvider",
            "InfluxDataProvider",
            "FileSystemDataProvider",
            "PostgresDataProvider",
            "CSVDataProvider",
            "GordoBaseDataProvider",
        )
    }
    | {"DataLakeProvider": f"{_PROVIDERS}.FileSystemDataProvider"},
}

#: legacy module prefixes of the original packages, per kind
_LEGACY_MODULES: dict[Kind, tuple[str, ...]] = {
    "dataset": (
        "gordo_dataset.datasets",
        "gordo_dataset.time_series",
        "gordo_dataset.base",
        "gordo_core.time_series",
        "gordo_core.base",
        "gordo.machine.dataset.datasets",
    ),
    "provider": (
        "gordo_dataset.data_provider.providers",
        "gordo_dataset.data_providers.providers",
        "gordo_dataset.data_provider.base",
        "gordo_dataset.data_providers.base",
        "gordo_dataset.data_providers.dl.providers",
        "gordo_core.data_providers",
        "gordo_core.data_providers.providers",
        "gordo_core.data_providers.base",
        "gordo_core.data_providers.contrib",
        "gordo_core.data_providers.contrib.csv_provider",
        "gordo.machine.dataset.data_provider.providers",
    ),
}


def resolve_path(name: str, kind: Kind) -> str:
    """The canonical import path of ``name`` (a short, legacy or full path)."""
    if not isinstance(name, str) or not name.strip():
        raise ConfigException(f"{kind} type must be a non-empty string, not {name!r}")
    module, _, cls = name.strip().rpartition(".")
    short = SHORT_NAMES[kind]
    if not module or module in _LEGACY_MODULES[kind]:
        if cls in short:
            return short[cls]
        if not module:
            raise ConfigException(
                f"Unknown {kind} type {name!r}; known short names: {', '.join(sorted(short))}, "
                "or give the full import path of a class"
            )
    return name.strip()


def import_class(name: str, kind: Kind) -> type:
    """Import the class that ``name`` resolves to, as a model definition's paths are
    (:func:`gordo.serializer.import_paths.import_locate`: within the allow-list, and a
    DefinitionImportError, an ImportError, naming the closest names if it does not resolve).
    """
    from gordo.serializer.import_paths import import_locate

    return import_locate(resolve_path(name, kind))


def canonical_type(cls: type, kind: Kind) -> str:
    """The ``type`` written by ``to_dict``: the registered name of a built-in, else the class path.

    Registered names are what the original writes, so any gordo-compatible
    reader (the original's client and its gordo-core included) resolves them.

    >>> from gordo.dataset.data_provider.random_provider import RandomDataProvider
    >>> canonical_type(RandomDataProvider, "provider")
    'RandomDataProvider'
    >>> canonical_type(ConfigException, "provider")
    'gordo.exceptions.ConfigException'
    """
    name = cls.__name__
    registered = SHORT_NAMES[kind].get(name)
    if registered and registered.rpartition(".")[2] == name:
        try:
            if import_class(registered, kind) is cls:
                return name
        except (ImportError, AttributeError):
            pass
    return f"{cls.__module__}.{cls.__qualname__}"
