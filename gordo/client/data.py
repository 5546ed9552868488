"""The client's input data: X (and y) of a served machine for a period.

The dataset config comes from the machine's own metadata (``metadata["dataset"]``,
i.e. ``Machine.to_dict()``), with the period replaced and, optionally, the data
provider replaced. When the build metadata recorded the tags it loaded
(``build_metadata.dataset.dataset_meta.tag_loading_metadata.tags``), the
dataset's :meth:`get_client_data` reads exactly those tags; otherwise the
dataset reads its tags without the training filters (row filters, filter
periods, minimum sample counts), since every timestamp is to be scored.

>>> metadata = {"name": "m-1", "dataset": {
...     "type": "TimeSeriesDataset", "tag_list": ["T1", "T2"], "resolution": "10T",
...     "train_start_date": "2020-01-01T00:00:00+00:00",
...     "train_end_date": "2020-01-02T00:00:00+00:00", "row_filter": "T1 > 10"}}
>>> X, y = machine_data(metadata, "2021-01-01T00:00:00+00:00", "2021-01-01T02:00:00+00:00",
...                     data_provider={"type": "RandomDataProvider"})
>>> list(X.columns), str(X.index[0]), X.equals(y)
(['T1', 'T2'], '2021-01-01 00:00:00+00:00', True)
>>> str(X.index[-1])
'2021-01-01 01:50:00+00:00'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from gordo.dataset.base import GordoBaseDataset
from gordo.dataset.data_provider.base import GordoBaseDataProvider
from gordo.exceptions import ConfigException

#: training-only dataset keys dropped when scoring a period
_TRAINING_FILTERS = ("row_filter", "known_filter_periods", "filter_periods", "n_samples_threshold")


def dataset_config(
    metadata: Mapping[str, Any],
    start: datetime | str,
    end: datetime | str,
    data_provider: GordoBaseDataProvider | Mapping | None = None,
) -> dict[str, Any]:
    """The machine's dataset config for [start, end), with ``data_provider`` if given.

    A ``data_provider`` mapping without ``type`` only overrides arguments of the
    machine's own provider.

    >>> metadata = {"dataset": {"tag_list": ["T1"],
    ...                         "data_provider": {"type": "RandomDataProvider", "seed": 0}}}
    >>> dataset_config(metadata, "2020-01-01", "2020-01-02", {"seed": 3})["data_provider"]
    {'type': 'RandomDataProvider', 'seed': 3}
    """
    name = metadata.get("name", "?")
    config = metadata.get("dataset")
    if not isinstance(config, Mapping):
        raise ConfigException(f"Machine {name!r}: its metadata has no 'dataset' mapping")
    config = {
        key: value
        for key, value in config.items()
        if key not in ("from_ts", "to_ts", *_TRAINING_FILTERS)
    }
    config["train_start_date"] = start
    config["train_end_date"] = end
    if isinstance(data_provider, Mapping) and not data_provider.get("type"):
        own = config.get("data_provider")
        data_provider = {**own, **data_provider} if isinstance(own, Mapping) else data_provider
    if data_provider:
        config["data_provider"] = data_provider
    return config


def loaded_tags_known(metadata: Mapping[str, Any]) -> bool:
    """Whether the build metadata lists the tags the model was built with."""
    build = (metadata.get("metadata") or {}).get("build_metadata") or {}
    dataset_meta = (build.get("dataset") or {}).get("dataset_meta") or {}
    return bool((dataset_meta.get("tag_loading_metadata") or {}).get("tags"))


def machine_data(
    metadata: Mapping[str, Any],
    start: datetime | str,
    end: datetime | str,
    data_provider: GordoBaseDataProvider | Mapping | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``(X, y)`` of the machine described by ``metadata`` for [start, end)."""
    name = metadata.get("name", "?")
    try:
        dataset = GordoBaseDataset.from_dict(dataset_config(metadata, start, end, data_provider))
    except ConfigException as exc:
        raise ConfigException(f"Machine {name!r}: dataset: {exc}") from None
    if loaded_tags_known(metadata):
        X, y = dataset.get_client_data(metadata["metadata"]["build_metadata"]["dataset"])
    else:
        X, y = dataset.get_data()
    # resampling may label a row exactly at ``end``: it belongs to the next period
    end_time = pd.Timestamp(end)
    return X[X.index < end_time], (y[y.index < end_time] if y is not None else None)
