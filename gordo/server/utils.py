"""The documented import path of the views' helpers; each lives in its own layer.

- frame codecs (JSON dicts and parquet bytes): :mod:`gordo.server.frame_codecs`;
- view decorators (``extract_X_y``, ``model_required``): :mod:`gordo.server.decorators`;
- WSGI and body reading: :mod:`gordo.server.wsgi`;
- model loading: :mod:`gordo.server.model_store`.

>>> import pandas as pd
>>> X = pd.DataFrame({"TAG-1": [1.0, 2.0]},
...                  index=pd.date_range("2019-01-01", periods=2, freq="8h"))
>>> dataframe_to_dict(X)
{'TAG-1': {'2019-01-01 00:00:00': 1.0, '2019-01-01 08:00:00': 2.0}}
"""

from __future__ import annotations

import datetime
from typing import Any

from gordo.server.decorators import extract_X_y, metadata_required, model_required
from gordo.server.frame_codecs import (
    answer_parquet_bytes,
    dataframe_from_dict,
    dataframe_from_parquet_bytes,
    dataframe_into_parquet_bytes,
    dataframe_to_dict,
)
from gordo.server.model_store import load_metadata, load_model

__all__ = [
    "dataframe_from_dict",
    "dataframe_from_parquet_bytes",
    "dataframe_into_parquet_bytes",
    "dataframe_to_dict",
    "answer_parquet_bytes",
    "extract_X_y",
    "find_path_in_dict",
    "load_metadata",
    "load_model",
    "metadata_required",
    "model_required",
    "parse_iso_datetime",
]


def find_path_in_dict(path: list[str], data: dict) -> Any:
    """The value at ``path`` in nested dicts; ``KeyError`` naming the missing key.

    >>> find_path_in_dict(["parent", "child"], {"parent": {"child": 42}})
    42
    """
    value: Any = data
    for depth, key in enumerate(path):
        if not isinstance(value, dict) or key not in value:
            raise KeyError(f"{'.'.join(path[: depth + 1])} not found")
        value = value[key]
    return value


def parse_iso_datetime(datetime_str: str) -> datetime.datetime:
    """A timezone-aware datetime from an ISO 8601 string; ``ValueError`` if naive.

    >>> parse_iso_datetime("2019-01-01T00:00:00+00:00").isoformat()
    '2019-01-01T00:00:00+00:00'
    """
    parsed = datetime.datetime.fromisoformat(datetime_str)
    if parsed.tzinfo is None:
        raise ValueError(f"Provide timezone to timestamp {datetime_str!r}")
    return parsed
