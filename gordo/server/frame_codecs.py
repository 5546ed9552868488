"""The frame codecs: data frames to and from the server's JSON shapes and parquet bytes.

>>> import pandas as pd
>>> X = pd.DataFrame({"TAG-1": [1.0, 2.0]},
...                  index=pd.date_range("2019-01-01", periods=2, freq="8h"))
>>> dataframe_to_dict(X)
{'TAG-1': {'2019-01-01 00:00:00': 1.0, '2019-01-01 08:00:00': 2.0}}
>>> dataframe_from_parquet_bytes(dataframe_into_parquet_bytes(X)).equals(X)
True
"""

from __future__ import annotations

import datetime
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from gordo.server.frames import frame_payload, remember_keys


def dataframe_to_dict(df: pd.DataFrame) -> dict:
    """A dict of ``df``; two-level columns nest by their top level.

    A time index is written as strings (JSON-ready); any other index keeps its
    labels, as ``df.to_dict()`` does (an integer index keeps integer keys).

    >>> import pprint
    >>> columns = pd.MultiIndex.from_tuples(
    ...     (f"feature{i}", f"sub-feature-{ii}") for i in range(2) for ii in range(2))
    >>> index = pd.date_range('2019-01-01', '2019-02-01', periods=2)
    >>> df = pd.DataFrame(np.arange(8).reshape((2, 4)), columns=columns, index=index)
    >>> pprint.pprint(dataframe_to_dict(df))
    {'feature0': {'sub-feature-0': {'2019-01-01': 0, '2019-02-01': 4},
                  'sub-feature-1': {'2019-01-01': 1, '2019-02-01': 5}},
     'feature1': {'sub-feature-0': {'2019-01-01': 2, '2019-02-01': 6},
                  'sub-feature-1': {'2019-01-01': 3, '2019-02-01': 7}}}
    >>> dataframe_to_dict(pd.DataFrame({"a": [1.5, 2.5]}))
    {'a': {0: 1.5, 1: 2.5}}
    """
    if isinstance(df.index, pd.DatetimeIndex):
        return frame_payload(df)
    if isinstance(df.columns, pd.MultiIndex):
        return {top: df[top].to_dict() for top in df.columns.get_level_values(0).unique()}
    return df.to_dict()


def dataframe_from_dict(
    data: dict | list, parsed_labels: dict | None = None, object_columns: bool = False
) -> pd.DataFrame:
    """The frame of a dict made by :func:`dataframe_to_dict` (or a plain record dict).

    Index keys that are datetimes become a DatetimeIndex, integers an integer
    index; the result is sorted by its index. ``parsed_labels`` (a dict the
    caller keeps, e.g. for the X and y of one request) remembers parsed row
    labels, so frames with the same labels parse them once. With
    ``object_columns``, the columns of ``{column: {key: number}}`` dicts are
    labelled by an object Index (the server's request frames: inferring pandas'
    string dtype for ten names costs more than reading a hundred rows).

    >>> serialized = {
    ...   'feature0': {'sub-feature-0': {'2019-01-01': 0, '2019-02-01': 4},
    ...                'sub-feature-1': {'2019-01-01': 1, '2019-02-01': 5}},
    ...   'feature1': {'sub-feature-0': {'2019-01-01': 2, '2019-02-01': 6},
    ...                'sub-feature-1': {'2019-01-01': 3, '2019-02-01': 7}}
    ... }
    >>> dataframe_from_dict(serialized)
                    feature0                    feature1
               sub-feature-0 sub-feature-1 sub-feature-0 sub-feature-1
    2019-01-01             0             1             2             3
    2019-02-01             4             5             6             7
    """
    if (
        isinstance(data, dict)
        and data
        and all(
            isinstance(column, dict)
            and column
            and all(isinstance(v, dict) for v in column.values())
            for column in data.values()
        )
    ):
        parts = [pd.DataFrame.from_dict(data[key]) for key in data]
        df = pd.concat(parts, axis=1, keys=list(data))
    elif isinstance(data, dict) and data and all(isinstance(c, dict) for c in data.values()):
        labels = {} if parsed_labels is None else parsed_labels
        df = _numeric_columns_frame(data, labels, object_columns)
    else:
        df = pd.DataFrame(data) if isinstance(data, list) else pd.DataFrame.from_dict(data)
    index = _parse_index(df.index)
    if index is not df.index:
        df.index = index
    return df if index.is_monotonic_increasing else df.sort_index()


def _numeric_columns_frame(
    data: dict[str, dict], parsed_labels: dict, object_columns: bool
) -> pd.DataFrame:
    """``{column: {key: number}}`` as a float frame, fast when every column has the same keys."""
    columns = list(data.values())
    keys = list(columns[0])
    numbers = {float, int}
    if all(list(column) == keys for column in columns[1:]) and all(
        set(map(type, column.values())) <= numbers for column in columns
    ):
        # one row per column: pandas' own block layout, so the frame takes it without a copy
        values = np.empty((len(columns), len(keys)))
        for position, column in enumerate(columns):
            values[position] = np.fromiter(column.values(), dtype=np.float64, count=len(keys))
        labels = tuple(keys)
        if labels not in parsed_labels:
            parsed_labels[labels] = parse_labels(keys)
        names = pd.Index(list(data), dtype=object) if object_columns else list(data)
        return pd.DataFrame(values.T, index=parsed_labels[labels], columns=names, copy=False)
    return pd.DataFrame.from_dict(data)


def _parse_index(index: pd.Index) -> pd.Index:
    """Row labels as integers if they all are, else as times if they all parse."""
    if isinstance(index, pd.DatetimeIndex) or index.dtype.kind in "iu" or len(index) == 0:
        return index
    return parse_labels(index.astype(str).tolist(), fallback=index)


def parse_labels(labels: list[str], fallback: pd.Index | None = None) -> pd.Index:
    """Integer labels as an integer index, ISO times as a DatetimeIndex, else as given.

    >>> parse_labels(["0", "1"])
    Index([0, 1], dtype='int64')
    >>> parse_labels(["2020-01-01 00:10:00+00:00"])[0].isoformat()
    '2020-01-01T00:10:00+00:00'
    """
    if labels and str(labels[0]).lstrip("-").isdigit():
        try:
            return pd.Index(np.array(labels).astype(np.int64))
        except (ValueError, TypeError, OverflowError):
            pass
    else:
        uniform = uniform_iso_times(labels)
        if uniform is not None:
            return uniform
        try:
            return pd.DatetimeIndex(pd.to_datetime(labels, format="ISO8601"))
        except (ValueError, TypeError):
            pass
    return fallback if fallback is not None else pd.Index(labels)


#: the characters allowed at each position of ``YYYY-MM-DD HH:MM:SS`` (``T`` or a space
#: in the middle; numpy's parser refuses anything else there), as code point bounds
_LOW = np.array([ord(c) for c in "0000-00-00 00:00:00"], dtype=np.uint32)
_HIGH = np.array([ord(c) for c in "9999-99-99T99:99:99"], dtype=np.uint32)
_OFFSET = re.compile(r"[+-]\d\d:\d\d")


def uniform_iso_times(labels: list[str]) -> pd.DatetimeIndex | None:
    """``pd.to_datetime(labels, format="ISO8601")`` for labels of one layout, parsed by numpy.

    Each label must be ``YYYY-MM-DD HH:MM:SS`` (``T`` or a space in the middle),
    all with the same UTC offset ``±HH:MM`` or all without; anything else is
    None (the caller asks pandas). numpy parses the wall times in C (pandas
    spends 5-10x longer on a list of strings); invalid dates raise there too.

    >>> uniform_iso_times(["2020-01-01 00:10:00+01:00", "2020-01-01T00:20:00+01:00"])
    DatetimeIndex(['2020-01-01 00:10:00+01:00', '2020-01-01 00:20:00+01:00'], dtype='datetime64[us, UTC+01:00]', freq=None)
    >>> uniform_iso_times(["2020-01-01 00:10:00+01:00", "2020-01-01 00:20:00+02:00"]) is None
    True
    """
    text = np.array(labels)
    width = text.dtype.itemsize // 4
    if text.dtype.kind != "U" or text.ndim != 1 or not len(text) or width not in (19, 25):
        return None
    chars = text.view(np.uint32).reshape(len(text), width)
    if not ((chars[:, :19] >= _LOW) & (chars[:, :19] <= _HIGH)).all():
        return None
    suffix = labels[0][19:]
    if width == 25 and not (_OFFSET.fullmatch(suffix) and (chars[:, 19:] == chars[0, 19:]).all()):
        return None
    try:
        index = pd.DatetimeIndex(text.astype("U19").astype("M8[us]"))
    except ValueError:
        return None
    if suffix:
        tz = datetime.datetime.fromisoformat(f"2000-01-01T00:00:00{suffix}").tzinfo
        index = index.tz_localize(tz)
    if (chars[:, 10] == ord(" ")).all():
        remember_keys(index, labels)
    return index


def dataframe_into_parquet_bytes(df: pd.DataFrame, compression: str = "snappy") -> bytes:
    """Bytes of a parquet table holding ``df`` (index and two-level columns kept).

    Dictionary encoding is off: sensor floats rarely repeat, and trying it
    doubles the write time.
    """
    return arrow_into_parquet_bytes(pa.Table.from_pandas(df, nthreads=1), compression)


def arrow_into_parquet_bytes(
    table: pa.Table, compression: str = "snappy", write_statistics: bool = True
) -> bytes:
    """Bytes of a parquet file holding an arrow ``table``.

    Written into an arrow buffer, not a Python file object: no Python call and
    copy per written piece. The buffer comes from the C library's allocator, not
    arrow's default pool (mimalloc), which kept up to 50 MB of freed answers
    mapped in a worker; ``malloc_trim`` returns the former.
    """
    sink = pa.BufferOutputStream(memory_pool=pa.system_memory_pool())
    pq.write_table(
        table,
        sink,
        compression=compression,
        use_dictionary=False,
        write_statistics=write_statistics,
    )
    return sink.getvalue().to_pybytes()


def answer_parquet_bytes(table: pa.Table) -> bytes:
    """The server's parquet answer: plain pages, no column statistics.

    A model's floats barely compress (snappy saved 6 % of a 10 000-row anomaly
    answer) but compressing them was 45 % of the write; statistics serve
    readers that skip row groups, and an answer is read whole.
    """
    return arrow_into_parquet_bytes(table, compression="none", write_statistics=False)


def dataframe_from_parquet_bytes(buf: bytes) -> pd.DataFrame:
    """The frame stored in parquet bytes, e.g. from :func:`dataframe_into_parquet_bytes`."""
    table = pq.ParquetFile(pa.BufferReader(buf)).read(use_threads=False)
    frame = _float_frame(table)
    return frame if frame is not None else table.to_pandas(use_threads=False)


def parquet_shape(buf: bytes | memoryview) -> tuple[int, int]:
    """(rows, data columns) of parquet bytes, read from the file's footer only.

    A stored pandas index is not counted as a data column.

    >>> parquet_shape(dataframe_into_parquet_bytes(pd.DataFrame({"a": [1.0, 2.0]})))
    (2, 1)
    """
    metadata = pq.ParquetFile(pa.BufferReader(buf)).metadata
    pandas = json.loads((metadata.metadata or {}).get(b"pandas", b"null")) or {}
    stored_index = [c for c in pandas.get("index_columns", []) if isinstance(c, str)]
    return metadata.num_rows, max(metadata.num_columns - len(stored_index), 0)


def _float_frame(table: pa.Table) -> pd.DataFrame | None:
    """``table.to_pandas()`` for float columns over a stored time index, else None.

    That is what :func:`dataframe_into_parquet_bytes` writes for a request's X
    or y; pyarrow's general conversion spends a millisecond on its metadata.
    """
    meta = json.loads((table.schema.metadata or {}).get(b"pandas", b"null"))
    if not meta or len(meta.get("index_columns", [])) != 1:
        return None
    index_field = meta["index_columns"][0]
    described = {c["field_name"]: c for c in meta.get("columns", [])}
    column_index = meta.get("column_indexes") or [{}]
    if not isinstance(index_field, str) or len(column_index) != 1:
        return None
    if column_index[0].get("name") is not None or column_index[0].get("pandas_type") != "unicode":
        return None
    if set(described) != set(table.column_names):
        return None
    names, columns = [], []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if name == index_field:
            continue
        entry = described[name]
        if (
            column.type != pa.float64()
            or entry["name"] != name
            or entry["pandas_type"] != "float64"
        ):
            return None
        names.append(name)
        columns.append(column.to_numpy())
    stored = table.column(index_field)
    if not pa.types.is_timestamp(stored.type) or not names:
        return None
    index = pd.DatetimeIndex(stored.to_numpy(), name=described[index_field]["name"])
    if stored.type.tz is not None:
        index = index.tz_localize("UTC").tz_convert(pa.lib.string_to_tzinfo(stored.type.tz))
    return pd.DataFrame(np.vstack(columns).T, index=index, columns=names, copy=False)
