"""What the server reads from a built model's metadata (``machine.to_dict()``).

>>> meta = {"dataset": {"tag_list": ["a", {"name": "b", "asset": "x"}], "resolution": "10T"}}
>>> tag_names(meta), target_tag_names(meta)
(['a', 'b'], ['a', 'b'])
>>> resolution(meta)
<10 * Minutes>
"""

from __future__ import annotations

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
