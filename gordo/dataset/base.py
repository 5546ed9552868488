"""The dataset interface: ``get_data() -> (X, y)``, ``get_metadata()``, ``to_dict``/``from_dict``.

>>> ds = GordoBaseDataset.from_dict({
...     "type": "RandomDataset",
...     "train_start_date": "2020-01-01T00:00:00+00:00",
...     "train_end_date": "2020-01-03T00:00:00+00:00",
...     "tags": ["T1", "T2"],
... })
>>> X, y = ds.get_data()
>>> list(X.columns), X.index.tz is not None, X.equals(y)
(['T1', 'T2'], True, True)
>>> GordoBaseDataset.from_dict(ds.to_dict()).to_dict() == ds.to_dict()
True
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

import pandas as pd

from gordo.dataset.params import to_plain
from gordo.dataset.registry import canonical_type, import_class
from gordo.exceptions import ConfigException

#: legacy key -> current key, applied before anything else
RENAMED_KEYS = {"from_ts": "train_start_date", "to_ts": "train_end_date", "tags": "tag_list"}


class GordoBaseDataset(abc.ABC):
    """Base of every dataset."""

    _params: dict[str, Any]

    @abc.abstractmethod
    def get_data(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """``(X, y)``: frames with a tz-aware DatetimeIndex."""

    @abc.abstractmethod
    def get_metadata(self) -> dict[str, Any]:
        """Metadata collected by :meth:`get_data` (a copy)."""

    def get_client_data(
        self, build_dataset_metadata: Mapping[str, Any]
    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Data for prediction from a built model's dataset metadata; by default :meth:`get_data`."""
        return self.get_data()

    def to_dict(self) -> dict[str, Any]:
        """The constructor arguments (defaults and extra keys included) plus ``type``.

        Tag lists are written as given (strings stay strings), datetimes as ISO
        strings, the provider as its own ``to_dict()``.
        """
        return {**to_plain(self._params), "type": canonical_type(type(self), "dataset")}

    @classmethod
    def from_dict(
        cls, config: Mapping[str, Any], default_data_provider: str | Mapping | None = None
    ) -> GordoBaseDataset:
        """Build a dataset from config; ``type`` defaults to TimeSeriesDataset.

        ``default_data_provider`` (the CLI's ``--default-data-provider``) fills in a
        missing ``data_provider`` or its missing ``type``.
        """
        if isinstance(config, GordoBaseDataset):
            return config
        if isinstance(config, str):  # a YAML string holding the mapping (`dataset: |`)
            config = _load_yaml(config)
        if not isinstance(config, Mapping):
            raise ConfigException(f"dataset must be a mapping, not {config!r}")
        params = rename_keys(config)
        type_name = params.pop("type", None) or "TimeSeriesDataset"
        try:
            dataset_cls = import_class(type_name, "dataset")
        except (ImportError, AttributeError, ConfigException) as err:
            raise ConfigException(f'Dataset type "{type_name}" is not supported: {err}') from None
        if not (isinstance(dataset_cls, type) and issubclass(dataset_cls, GordoBaseDataset)):
            raise ConfigException(
                f'Dataset class "{type_name}" is not a subclass of "gordo.dataset.base.GordoBaseDataset"'
            )
        provider = params.get("data_provider")
        if default_data_provider is not None:
            default = (
                {"type": default_data_provider}
                if isinstance(default_data_provider, str)
                else dict(default_data_provider)
            )
            if provider is None:
                params["data_provider"] = default
            elif isinstance(provider, Mapping) and not provider.get("type"):
                params["data_provider"] = {**default, **provider, "type": default["type"]}
        try:
            return dataset_cls(**params)
        except TypeError as err:
            raise ConfigException(
                f'Unable to create dataset "{dataset_cls.__module__}.{dataset_cls.__name__}": {err}'
            ) from None


def _load_yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigException(f"Error loading YAML from 'dataset': {err}") from None


def rename_keys(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with legacy keys renamed (an old name overwrites a new one).

    >>> sorted(rename_keys({"tags": ["A"], "from_ts": "2020-01-01T00:00Z"}).items())
    [('tag_list', ['A']), ('train_start_date', '2020-01-01T00:00Z')]
    """
    params = dict(config)
    for old, new in RENAMED_KEYS.items():
        if old in params:
            params[new] = params.pop(old)
    return params
