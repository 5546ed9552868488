"""Fast conversions between response tables, data frames and the server's JSON shapes.

Vectorised numpy, no per-cell Python loops. The JSON shape of a table with
two-level columns is ``{top: {sub: {index-key: value}}}``; index keys render a
time index as ``DatetimeIndex.astype(str)`` does (``'2019-01-01'``,
``'2019-01-01 00:10:00+00:00'``) and any other index as strings of its labels.

>>> import pandas as pd
>>> idx = pd.date_range("2020-01-01", periods=2, freq="10min", tz="UTC")
>>> index_keys(idx)
['2020-01-01 00:00:00+00:00', '2020-01-01 00:10:00+00:00']
>>> iso_strings(idx)
['2020-01-01T00:00:00+00:00', '2020-01-01T00:10:00+00:00']
>>> to_offset_lenient("10T")
<10 * Minutes>
>>> table = Table(idx, [("model-output", "a")], [np.array([1.0, np.nan])])
>>> table.to_payload()
{'model-output': {'a': {'2020-01-01 00:00:00+00:00': 1.0, '2020-01-01 00:10:00+00:00': None}}}
>>> table.to_arrow().to_pandas().columns.tolist()
[('model-output', 'a')]
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gordo.dataset.frequency import to_offset
from gordo.exceptions import ConfigException

_UNITS = ("s", "ms", "us", "ns")
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_NAT = np.iinfo(np.int64).min


def to_offset_lenient(resolution: str | None) -> pd.DateOffset | None:
    """A pandas offset from a resolution string; accepts the legacy aliases (``10T``)."""
    if not resolution:
        return None
    try:
        return to_offset(str(resolution).strip())
    except ConfigException:
        return None


def _is_utc(tz) -> bool:
    return tz is not None and str(tz) == "UTC"


def _wall_values(index: pd.DatetimeIndex) -> np.ndarray:
    """Local wall times of ``index`` as a datetime64 array in the index's own unit."""
    if index.tz is not None and not _is_utc(index.tz):
        index = index.tz_localize(None)
    return index.asi8.view(f"M8[{index.unit}]")


def _wall_strings(values: np.ndarray) -> np.ndarray:
    """ISO strings (``T`` separated) of datetime64 ``values``, at the coarsest exact unit.

    Formatted in the values' own unit, so times outside the nanosecond range
    (year 2262 and later) format too. NaT does not take part in choosing the unit.
    """
    unit = np.datetime_data(values.dtype)[0]
    ticks = values.view(np.int64)
    ticks = ticks[ticks != _NAT]
    for coarser in _UNITS[: _UNITS.index(unit)]:
        if not (ticks % (_PER_SECOND[unit] // _PER_SECOND[coarser])).any():
            return np.datetime_as_string(values, unit=coarser)
    return np.datetime_as_string(values, unit=unit)


def _offsets(index: pd.DatetimeIndex) -> np.ndarray | str:
    """The UTC offset suffix of each time (one string when they are all equal)."""
    if _is_utc(index.tz):
        return "+00:00"
    wall = index.tz_localize(None).asi8
    seconds = (wall - index.asi8) // _PER_SECOND[index.unit]
    if (seconds == seconds[0]).all():
        return _offset_suffix(int(seconds[0]))
    return np.array([_offset_suffix(int(s)) for s in seconds.tolist()])


def _offset_suffix(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _time_texts(index: pd.DatetimeIndex, separator: str) -> list[str]:
    """Wall time strings of ``index`` with ``separator`` between date and time and,
    for a tz-aware index, each time's UTC offset appended.

    When every string has the same length (4-digit years, no NaT) and one
    offset, the separator and the offset are written into numpy's own strings
    in one pass, without a Python string operation per time.
    """
    text = _wall_strings(_wall_values(index))
    offsets = _offsets(index) if index.tz is not None else ""
    lengths = np.strings.str_len(text)
    width = int(lengths[0])
    if isinstance(offsets, str) and width > 10 and (lengths == width).all():
        size = len(text)
        out = np.empty(size, dtype=f"<U{width + len(offsets)}")
        chars = out.view("U1").reshape(size, -1)
        chars[:, :width] = text.view("U1").reshape(size, -1)[:, :width]
        if (chars[:, 10] == "T").all():
            chars[:, 10] = separator
            if offsets:
                chars[:, width:] = list(offsets)
            return out.tolist()
    strings = text.tolist()
    if separator != "T":
        strings = [t.replace("T", separator) for t in strings]
    if isinstance(offsets, str):
        return [t + offsets for t in strings] if offsets else strings
    return [t + o for t, o in zip(strings, offsets.tolist(), strict=True)]


class _KnownKeys:
    """Time indexes parsed from request labels that :func:`index_keys` would write back as they were.

    An answer's rows are usually the request's rows, so its keys are the
    request's own labels: they are kept here, by the memory of the index's
    values (a view of it, such as a model's output frame's index, shares it),
    and handed back instead of formatting every time again. The index is kept
    alive with its labels, so its memory cannot be reused meanwhile; only the
    last few are kept.
    """

    def __init__(self, size: int):
        self._size = size
        self._items: OrderedDict[tuple, tuple[pd.DatetimeIndex, list[str]]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(index: pd.DatetimeIndex) -> tuple:
        ticks = index.asi8
        return (ticks.__array_interface__["data"][0], ticks.strides, len(index), str(index.dtype))

    def remember(self, index: pd.DatetimeIndex, labels: list[str]) -> None:
        with self._lock:
            self._items[self._key(index)] = (index, labels)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def get(self, index: pd.DatetimeIndex) -> list[str] | None:
        with self._lock:
            known = self._items.get(self._key(index))
        return known[1] if known is not None else None


_KNOWN_KEYS = _KnownKeys(8)


def remember_keys(index: pd.DatetimeIndex, labels: list[str]) -> None:
    """Remember that ``index_keys(index)`` is ``labels`` (when it is; see :class:`_KnownKeys`).

    ``labels`` must be the labels ``index`` was parsed from, all written
    ``YYYY-MM-DD HH:MM:SS`` with a space in the middle (the caller checks that)
    and, for a tz-aware index, each followed by the offset; if the offset is
    not written as ``index_keys`` writes it (``+HH:MM``), or the keys of the
    index would be dates only, nothing is remembered.
    """
    if not labels or len(labels) != len(index) or len(labels[0]) not in (19, 25):
        return
    if (index.tz is None) != (len(labels[0]) == 19):
        return
    if index.tz is None and not (index.asi8 % (86_400 * _PER_SECOND[index.unit])).any():
        return  # all midnight: index_keys writes dates only
    if index.tz is not None and _offsets(index) != labels[0][19:]:
        return
    _KNOWN_KEYS.remember(index, labels)


def shifted_times(index: pd.DatetimeIndex, step: pd.DateOffset) -> pd.DatetimeIndex:
    """``index + step``; if ``index`` has remembered keys and its rows are ``step``
    apart, so has the result: the same keys one row up, only the last written anew.

    >>> index = pd.DatetimeIndex(["2020-01-01 00:00", "2020-01-01 00:10"], tz="UTC")
    >>> remember_keys(index, ["2020-01-01 00:00:00+00:00", "2020-01-01 00:10:00+00:00"])
    >>> index_keys(shifted_times(index, pd.tseries.frequencies.to_offset("10min")))
    ['2020-01-01 00:10:00+00:00', '2020-01-01 00:20:00+00:00']
    """
    shifted = index + step
    known = _KNOWN_KEYS.get(index)
    if known is None or len(index) < 2 or shifted.unit != index.unit:
        return shifted
    if not (shifted.asi8[:-1] == index.asi8[1:]).all():
        return shifted
    last = shifted[-1].isoformat(sep=" ")  # as index_keys writes whole seconds and offsets
    if len(last) == len(known[0]) and last[19:] == known[0][19:]:
        remember_keys(shifted, [*known[1:], last])
    return shifted


def iso_strings(index: pd.DatetimeIndex) -> list:
    """ISO 8601 strings of a DatetimeIndex as ``Timestamp.isoformat`` writes them; NaT -> None."""
    if len(index) == 0:
        return []
    known = _KNOWN_KEYS.get(index)
    if known is not None:  # the same times, a "T" in the middle
        return [f"{key[:10]}T{key[11:]}" for key in known]
    out = _time_texts(index, "T")
    if index.hasnans:
        out = [None if missing else t for t, missing in zip(out, index.isna(), strict=True)]
    return out


def index_keys(index: pd.Index) -> list:
    """The JSON object keys for ``index``: times as strings, other labels as strings."""
    if not isinstance(index, pd.DatetimeIndex):
        return [str(key) for key in index.tolist()]
    if len(index) == 0:
        return []
    known = _KNOWN_KEYS.get(index)
    if known is not None:
        return known
    if index.tz is None:
        ticks = index.asi8
        per_day = 86_400 * _PER_SECOND[index.unit]
        if not (ticks % per_day).any():
            return np.datetime_as_string(_wall_values(index), unit="D").tolist()
    return _time_texts(index, " ")


Column = np.ndarray | pd.DatetimeIndex | None


@dataclass
class Table:
    """A response table: an index and two-level named columns of arrays.

    A column is a float/int array, a DatetimeIndex (written as ISO strings) or
    ``None`` (all null).
    """

    index: pd.Index
    columns: list[tuple[str, str]] = field(default_factory=list)
    values: list[Column] = field(default_factory=list)

    def add(self, top: str, sub: str, column: Column) -> None:
        self.columns.append((top, sub))
        self.values.append(column)

    def tops(self) -> set[str]:
        return {top for top, _ in self.columns}

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Table:
        """The table of a frame with two-level (or plain) columns.

        A frame of floats is read as one array; any other column by column.
        """
        columns = df.columns
        if isinstance(columns, pd.MultiIndex):
            tops, subs = (
                [str(label) for label in columns.get_level_values(level).tolist()]
                for level in (0, 1)
            )
        else:
            tops = subs = [str(c) for c in columns.tolist()]
        if all(dtype.kind == "f" for dtype in df.dtypes):
            arrays = list(df.to_numpy(dtype=np.float64, na_value=np.nan).T)
        else:
            arrays = [series.array for _, series in df.items()]
        values = [_column(array) for array in arrays]
        return cls(df.index, list(zip(tops, subs, strict=True)), values)

    def to_payload(self) -> dict:
        """The JSON-ready ``{top: {sub: {key: value}}}`` dict; NaN/NaT become null."""
        keys = index_keys(self.index)
        floats = [i for i, v in enumerate(self.values) if _is_float_array(v)]
        cells: list = [None] * len(self.values)
        if floats:
            rows = _float_cells([self.values[i] for i in floats])
            for position, row in zip(floats, rows, strict=True):
                cells[position] = row
        out: dict = {}
        nulls = None
        for (top, sub), column, column_cells in zip(self.columns, self.values, cells, strict=True):
            if column is None:
                nulls = nulls if nulls is not None else dict.fromkeys(keys)
                out.setdefault(top, {})[sub] = nulls
                continue
            if column_cells is None:
                column_cells = (
                    iso_strings(column)
                    if isinstance(column, pd.DatetimeIndex)
                    else _json_cells(column)
                )
            out.setdefault(top, {})[sub] = dict(zip(keys, column_cells, strict=True))
        return out

    def to_arrow(self):
        """The table as a ``pyarrow.Table`` that reads back with two-level columns.

        The first table of a layout (column names and types, a time index's
        type) goes through pandas (:meth:`_arrow_via_pandas`); its schema, pandas
        metadata included, is kept, and later tables of that layout are built
        from their numpy arrays with it: the same table, without pandas' per
        column conversion.
        """
        import pyarrow as pa

        layout = self._arrow_layout()
        schema = _ARROW_SCHEMAS.get(layout) if layout is not None else None
        if schema is None:
            table = self._arrow_via_pandas()
            if layout is not None and len(_ARROW_SCHEMAS) < _MAX_ARROW_SCHEMAS:
                _ARROW_SCHEMAS[layout] = table.schema
            return table
        size = len(self.index)
        columns = [*self.values, self.index]
        arrays = [
            pa.nulls(size) if column is None else _arrow_array(column, field.type)
            for column, field in zip(_contiguous_floats(columns), schema, strict=True)
        ]
        return pa.Table.from_arrays(arrays, schema=schema)

    def _arrow_layout(self) -> tuple | None:
        """What the arrow schema of this table depends on; None if more than that.

        A time index and float, integer, time or empty columns: pyarrow's
        schema and pandas metadata depend only on their names and dtypes (not
        on the values or the number of rows).
        """
        index = self.index
        if not isinstance(index, pd.DatetimeIndex) or not _hashable(index.name):
            return None
        types: list = []
        for column in self.values:
            if column is None:
                types.append(None)
            elif isinstance(column, pd.DatetimeIndex) or column.dtype.kind in "fiu":
                types.append(column.dtype)
            else:
                return None
        return (index.dtype, index.name, index.freqstr, tuple(self.columns), tuple(types))

    def _arrow_via_pandas(self):
        """The arrow table through a frame with flat column names (``"('top', 'sub')"``).

        The pandas metadata then marks the columns as two-level: much faster
        than converting a frame with MultiIndex columns.
        """
        import json

        import pyarrow as pa

        size = len(self.index)
        flat = pd.DataFrame(
            {
                str(key): column if column is not None else np.full(size, None, dtype=object)
                for key, column in zip(self.columns, self.values, strict=True)
            },
            index=self.index,
        )
        table = pa.Table.from_pandas(flat, nthreads=1)
        meta = json.loads(table.schema.metadata[b"pandas"])
        meta["column_indexes"] = meta["column_indexes"][:1] * 2
        return table.replace_schema_metadata(
            {**table.schema.metadata, b"pandas": json.dumps(meta).encode()}
        )


#: arrow schemas by table layout (see ``Table._arrow_layout``), per process
_ARROW_SCHEMAS: dict[tuple, object] = {}
_MAX_ARROW_SCHEMAS = 256


def _contiguous_floats(columns: list[Column]) -> list[Column]:
    """``columns`` with the float64 arrays as rows of one C-ordered block.

    A model's output columns are strided views of its 2-D array; arrow would
    copy each one element by element, while one ``vstack`` copies them all and
    leaves arrow contiguous rows it can wrap as they are.
    """
    floats = [i for i, c in enumerate(columns) if _is_float_array(c) and c.dtype == np.float64]
    if len(floats) < 2:
        return columns
    block = np.vstack([columns[i] for i in floats])
    out = list(columns)
    for row, position in enumerate(floats):
        out[position] = block[row]
    return out


def _arrow_array(column: np.ndarray | pd.DatetimeIndex, arrow_type):
    """The arrow array of a column as ``pa.Table.from_pandas`` makes it (NaN/NaT as null)."""
    import pyarrow as pa

    if isinstance(column, pd.DatetimeIndex):
        if not column.hasnans:
            return pa.array(column.asi8, pa.int64()).view(arrow_type)
    elif column.dtype.kind != "f" or not np.isnan(column).any():
        return pa.array(column, arrow_type)
    return pa.array(column, arrow_type, from_pandas=True)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _column(array) -> Column:
    """A table column of a frame's column values (see :class:`Table`)."""
    kind = array.dtype.kind
    if kind == "f":
        return np.asarray(array, dtype=np.float64)
    if kind in "iu":
        return np.asarray(array, dtype=np.int64)
    if kind == "M":
        return pd.DatetimeIndex(array)
    column = np.asarray(array)
    return None if pd.isna(column).all() else column


def _is_float_array(column: Column) -> bool:
    return isinstance(column, np.ndarray) and column.dtype.kind == "f"


def _float_cells(columns: list[np.ndarray]) -> list[list]:
    """The JSON cells of float columns of one length, in one pass: NaN/inf become null."""
    block = np.vstack(columns, dtype=np.float64)
    finite = np.isfinite(block)
    if finite.all():
        return block.tolist()
    cells = block.astype(object)
    cells[~finite] = None
    return cells.tolist()


def _json_cells(column: np.ndarray) -> list:
    return [None if _is_missing(v) else v for v in column.tolist()]


def _is_missing(value) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and value != value)


def frame_payload(df: pd.DataFrame) -> dict:
    """The JSON-ready dict of a frame; two-level columns nest one level deeper.

    >>> frame_payload(pd.DataFrame({"a": [1.5]}))
    {'a': {'0': 1.5}}
    """
    if isinstance(df.columns, pd.MultiIndex):
        return Table.from_frame(df).to_payload()
    nested = Table.from_frame(df).to_payload()
    return {top: subs[top] for top, subs in nested.items()}
