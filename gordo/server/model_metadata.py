"""What the server reads from a built model's metadata (``machine.to_dict()``).

>>> meta = {"dataset": {"tag_list": ["a", {"name": "b", "asset": "x"}], "resolution": "10T"}}
>>> tag_names(meta), target_tag_names(meta)
(['a', 'b'], ['a', 'b'])
>>> resolution(meta)
<10 * Minutes>
>>> info = serving_info(meta)
>>> info.tag_names, info.frequency
(['a', 'b'], Timedelta('0 days 00:10:00'))
>>> serving_info(meta) is info
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from gordo.dataset.sensor_tag import SensorTag
from gordo.server.frames import to_offset_lenient


def as_tag(entry: Any) -> SensorTag:
    """A SensorTag from a tag as metadata stores it (name, dict or [name, asset])."""
    if isinstance(entry, SensorTag):
        return entry
    if isinstance(entry, dict):
        return SensorTag.from_json(entry)
    if isinstance(entry, list | tuple) and entry:
        return SensorTag(str(entry[0]), *(entry[1:2]))
    return SensorTag(str(entry))


def dataset_config(metadata: dict) -> dict:
    """The dataset part of a built model's metadata."""
    dataset = metadata.get("dataset")
    return dataset if isinstance(dataset, dict) else {}


def tags(metadata: dict) -> list[SensorTag]:
    """The model's input tags."""
    return [as_tag(t) for t in dataset_config(metadata).get("tag_list") or []]


def target_tags(metadata: dict) -> list[SensorTag]:
    """The model's target tags (its input tags if it has none)."""
    targets = dataset_config(metadata).get("target_tag_list") or []
    return [as_tag(t) for t in targets] or tags(metadata)


def tag_names(metadata: dict) -> list[str]:
    return [t.name for t in tags(metadata)]


def target_tag_names(metadata: dict) -> list[str]:
    return [t.name for t in target_tags(metadata)]


def resolution(metadata: dict) -> pd.DateOffset | None:
    """The resolution the model's data was resampled to, as a pandas offset."""
    return to_offset_lenient(dataset_config(metadata).get("resolution"))


@dataclass(frozen=True)
class ServingInfo:
    """What every prediction request of a model needs from its metadata."""

    tag_names: list[str]
    target_names: list[str]
    resolution: pd.DateOffset | None
    #: the resolution as the ``frequency`` passed to ``anomaly``
    frequency: pd.Timedelta | None


#: id(metadata) -> (metadata, its ServingInfo); holding the dict keeps its id unique
_SERVING_INFO: dict[int, tuple[dict, ServingInfo]] = {}
_MAX_SERVING_INFO = 4096


def serving_info(metadata: dict) -> ServingInfo:
    """The :class:`ServingInfo` of a (cached, unchanging) metadata dict, worked out once."""
    cached = _SERVING_INFO.get(id(metadata))
    if cached is not None and cached[0] is metadata:
        return cached[1]
    offset = resolution(metadata)
    info = ServingInfo(
        tag_names(metadata),
        target_tag_names(metadata),
        offset,
        pd.Timedelta(offset) if offset else None,
    )
    if len(_SERVING_INFO) >= _MAX_SERVING_INFO:
        _SERVING_INFO.clear()
    _SERVING_INFO[id(metadata)] = (metadata, info)
    return info
