"""The data-lake file layout (spec §3.7): where a tag's files are and how they are named.

Inside a tag's directory ``{asset_dir}/{Q(tag)}``, one partition is one file:

=================  ===========================================  =========
layout             path (relative to the tag directory)         partition
=================  ===========================================  =========
``parquet``        ``parquet/{YYYY}/{Q(tag)}_{YYYYMM}.parquet``  month
``yearly_parquet`` ``parquet/{Q(tag)}_{YYYY}.parquet``           year
``csv``            ``{Q(tag)}_{YYYY}.csv``                       year
=================  ===========================================  =========

``Q(tag)`` percent-encodes the tag name except spaces (``/`` → ``%2F``).
Parquet files have columns ``Time`` (timestamp), ``Value`` (double) and
``Status`` (int32); CSV files have no header and ``Sensor;Value;Time;Status``.
:func:`write_lake` writes this layout (for tests, demos and the example plant).

>>> quote_tag("CT/1 A:B#2")
'CT%2F1 A%3AB%232'
>>> relative_path("TRC-1", "parquet", 2020, 3)
'parquet/2020/TRC-1_202003.parquet'
>>> classify("TRC-1", "parquet/TRC-1_2020.parquet")
('yearly_parquet', 2020, None)
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from gordo.dataset.sensor_tag import SensorTag

LAYOUTS = ("parquet", "yearly_parquet", "csv")
MONTHLY = ("parquet",)
#: status codes dropped when reading (as the original reader)
DEFAULT_REMOVE_STATUS_CODES = (0, 64, 60, 8, 24, 3, 32768)
#: status written by :func:`write_lake` (a "good" value in the reference data)
GOOD_STATUS = 192


def quote_tag(name: str) -> str:
    """The tag name as a directory/file name: percent-encoded, spaces kept."""
    return quote(name, safe=" ")


def relative_path(tag: str, layout: str, year: int, month: int | None = None) -> str:
    """Path of one partition file relative to the tag directory."""
    q = quote_tag(tag)
    if layout == "parquet":
        return f"parquet/{year:04d}/{q}_{year:04d}{month:02d}.parquet"
    if layout == "yearly_parquet":
        return f"parquet/{q}_{year:04d}.parquet"
    if layout == "csv":
        return f"{q}_{year:04d}.csv"
    raise ValueError(f"unknown lake layout {layout!r}; known: {', '.join(LAYOUTS)}")


def classify(tag: str, relative: str) -> tuple[str, int, int | None] | None:
    """``(layout, year, month)`` of a file path relative to the tag directory, or None.

    File names are compared without regard to case.
    """
    q = re.escape(quote_tag(tag).lower())
    rel = relative.lower().lstrip("/")
    if m := re.fullmatch(rf"parquet/(\d{{4}})/{q}_(\d{{4}})(\d{{2}})\.parquet", rel):
        if m.group(1) == m.group(2):
            return "parquet", int(m.group(2)), int(m.group(3))
        return None
    if m := re.fullmatch(rf"parquet/{q}_(\d{{4}})\.parquet", rel):
        return "yearly_parquet", int(m.group(1)), None
    if m := re.fullmatch(rf"{q}_(\d{{4}})\.csv", rel):
        return "csv", int(m.group(1)), None
    return None


def months_in(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[int, int]]:
    """``(year, month)`` of every month touched by ``[start, end)``.

    >>> months_in(pd.Timestamp("2020-11-15", tz="UTC"), pd.Timestamp("2021-01-01", tz="UTC"))
    [(2020, 11), (2020, 12)]
    """
    last = end - pd.Timedelta(1, "ns")
    out, (y, m) = [], (start.year, start.month)
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _frame(series: pd.Series, status: int) -> pd.DataFrame:
    index = pd.DatetimeIndex(series.index)
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    return pd.DataFrame(
        {
            "Time": index.as_unit("us"),
            "Value": series.to_numpy(dtype="float64"),
            "Status": np.full(len(series), status, dtype="int32"),
        }
    ).sort_values("Time", kind="stable")


def write_lake(
    root: str,
    data: Mapping[str | SensorTag, pd.Series] | pd.DataFrame,
    layout: str = "parquet",
    asset: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    status: int = GOOD_STATUS,
    row_group_size: int = 50_000,
) -> list[str]:
    """Write series into the lake layout under ``root`` (any fsspec URL); return the file paths.

    ``data`` maps tags (names or SensorTags, whose ``asset`` wins over
    ``asset``) to series with a DatetimeIndex (naive means UTC). Without an
    asset, tag directories go straight under ``root``.

    >>> import fsspec
    >>> s = pd.Series([1.0, 2.0], pd.to_datetime(["2020-01-31 23:00", "2020-02-01 01:00"], utc=True))
    >>> [p.split("/lake/")[1] for p in write_lake("memory://lake", {"T 1": s}, asset="a")]
    ['a/T 1/parquet/2020/T 1_202001.parquet', 'a/T 1/parquet/2020/T 1_202002.parquet']
    """
    import fsspec
    import pyarrow as pa
    import pyarrow.parquet as pq

    if layout not in LAYOUTS:
        raise ValueError(f"unknown lake layout {layout!r}; known: {', '.join(LAYOUTS)}")
    fs, base = fsspec.core.url_to_fs(root, **dict(storage_options or {}))
    written = []
    for tag, series in data.items():
        name = tag.name if isinstance(tag, SensorTag) else str(tag)
        tag_asset = tag.asset if isinstance(tag, SensorTag) and tag.asset else asset
        tag_dir = "/".join(p for p in (base.rstrip("/"), tag_asset, quote_tag(name)) if p)
        frame = _frame(series.dropna(), status)
        times = pd.DatetimeIndex(frame["Time"])
        keys = [times.year, times.month] if layout in MONTHLY else [times.year]
        for key, part in frame.groupby(keys, sort=True):
            key = key if isinstance(key, tuple) else (key,)
            path = f"{tag_dir}/{relative_path(name, layout, *(int(k) for k in key))}"
            fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            if layout == "csv":
                text = io.StringIO()
                pd.DataFrame(
                    {
                        "Sensor": name,
                        "Value": part["Value"].to_numpy(),
                        "Time": pd.DatetimeIndex(part["Time"]).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                        "Status": part["Status"].to_numpy(),
                    }
                ).to_csv(text, sep=";", header=False, index=False)
                with fs.open(path, "w") as handle:
                    handle.write(text.getvalue())
            else:
                table = pa.Table.from_pandas(part, preserve_index=False)
                with fs.open(path, "wb") as handle:
                    pq.write_table(
                        table,
                        handle,
                        row_group_size=row_group_size,
                        use_dictionary=["Status"],
                        column_encoding={"Time": "DELTA_BINARY_PACKED"},  # small, fast to decode
                    )
            written.append(fs.unstrip_protocol(path) if "://" in root else path)
    return written
