"""Fast conversions between data frames and the server's JSON shapes.

Vectorised numpy: no per-cell Python loops. The JSON shape of a frame with
two-level columns is ``{top: {sub: {index-key: value}}}``; index keys are the
index rendered as ``DatetimeIndex.astype(str)`` renders it (``'2019-01-01'``,
``'2019-01-01 00:10:00+00:00'``), or row numbers for a plain index.

>>> import pandas as pd
>>> idx = pd.date_range("2020-01-01", periods=2, freq="10min", tz="UTC")
>>> index_keys(idx)
['2020-01-01 00:00:00+00:00', '2020-01-01 00:10:00+00:00']
>>> iso_strings(idx)
['2020-01-01T00:00:00+00:00', '2020-01-01T00:10:00+00:00']
>>> to_offset_lenient("10T")
<10 * Minutes>
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

_LEGACY_ALIASES = {"T": "min", "S": "s", "L": "ms", "U": "us", "N": "ns", "H": "h"}


def to_offset_lenient(resolution: str | None) -> pd.DateOffset | None:
    """A pandas offset from a resolution string; accepts the legacy aliases (``10T``)."""
    if not resolution:
        return None
    text = str(resolution).strip()
    match = re.fullmatch(r"(\d*)([A-Za-z]+)", text)
    if match and match.group(2) in _LEGACY_ALIASES:
        text = match.group(1) + _LEGACY_ALIASES[match.group(2)]
    try:
        return pd.tseries.frequencies.to_offset(text)
    except ValueError:
        return None


def index_keys(index: pd.Index) -> list:
    """The JSON object keys for ``index``: datetimes as strings, else row labels."""
    if isinstance(index, pd.DatetimeIndex):
        return index.astype(str).tolist()
    return [str(key) for key in index.tolist()]


def iso_strings(index: pd.DatetimeIndex) -> list[str]:
    """ISO 8601 strings of a DatetimeIndex, as ``Timestamp.isoformat`` writes them."""
    if len(index) == 0:
        return []
    naive = index.tz_localize(None) if index.tz is not None else index
    values = naive.values.astype("datetime64[ns]")
    ns = values.view("int64")
    unit = "s" if not (ns % 1_000_000_000).any() else "us" if not (ns % 1000).any() else "ns"
    text = np.datetime_as_string(values, unit=unit)
    if index.tz is None:
        return text.tolist()
    offsets = (naive.asi8 - index.tz_convert("UTC").tz_localize(None).asi8) // 1_000_000_000
    if (offsets == offsets[0]).all():
        return np.char.add(text, _offset_suffix(int(offsets[0]))).tolist()
    return [t + _offset_suffix(int(o)) for t, o in zip(text.tolist(), offsets.tolist(), strict=True)]


def _offset_suffix(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def column_payload(keys: list, values: np.ndarray | pd.DatetimeIndex) -> dict:
    """``{key: value}`` for one column; NaN and NaT become ``None`` (JSON null)."""
    if isinstance(values, pd.DatetimeIndex) or values.dtype.kind == "M":
        times = pd.DatetimeIndex(values)
        text = iso_strings(times)
        if times.hasnans:
            text = [None if missing else t for t, missing in zip(text, times.isna(), strict=True)]
        return dict(zip(keys, text, strict=True))
    if values.dtype.kind == "f":
        if np.isfinite(values).all():
            return dict(zip(keys, values.tolist(), strict=True))
        cleaned = np.where(np.isfinite(values), values, np.nan).astype(object)
        cleaned[~np.isfinite(values)] = None
        return dict(zip(keys, cleaned.tolist(), strict=True))
    return dict(zip(keys, [_plain(v) for v in values.tolist()], strict=True))


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is pd.NaT or (isinstance(value, float) and not np.isfinite(value)):
        return None
    return value


def frame_payload(df: pd.DataFrame) -> dict:
    """The JSON-ready dict of a frame (two-level columns nest one level deeper)."""
    keys = index_keys(df.index)
    if isinstance(df.columns, pd.MultiIndex):
        out: dict = {}
        for position, (top, sub) in enumerate(df.columns):
            out.setdefault(str(top), {})[str(sub)] = column_payload(
                keys, _column_values(df, position)
            )
        return out
    return {
        str(name): column_payload(keys, _column_values(df, position))
        for position, name in enumerate(df.columns)
    }


def _column_values(df: pd.DataFrame, position: int) -> np.ndarray | pd.DatetimeIndex:
    column = df.iloc[:, position]
    if isinstance(column.dtype, pd.DatetimeTZDtype) or column.dtype.kind == "M":
        return pd.DatetimeIndex(column)
    return column.to_numpy()
