"""All tags' bucket means on one regular grid, as one 2D array: the default resampling path.

:func:`resample_mean` gives what :func:`~gordo.dataset.resample.resample_series`
per tag followed by :func:`~gordo.dataset.resample.join_series` gives for the
``mean`` aggregation, bit for bit, without a pandas object per tag: the means
of every tag go into one ``(tags, buckets)`` array, gaps are filled along its
rows, and one DataFrame is built at the end. The grid runs from the earliest
look-back point's bucket to the window's end bucket; buckets before a tag's own
first point stay NaN, as interpolation fills nothing before a first value.

>>> from gordo.dataset.sensor_tag import SensorTag
>>> start, end = pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2020-01-01 00:30", tz="UTC")
>>> stamps = pd.to_datetime(["2020-01-01 00:05", "2020-01-01 00:25"], utc=True)
>>> loaded = [(pd.Series([1.0, 3.0], stamps, name="A"), SensorTag("A"))]
>>> data, meta, aggregate = resample_mean(loaded, {}, start, end, "10min", "linear_interpolation", None)
>>> data["A"].tolist(), meta["A"]["resampled_length"], aggregate
([1.0, 2.0, 3.0, 3.0], 4, {'joined_length': 4, 'dropped_na_length': 4})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from gordo.dataset.data_provider.base import utc_index
from gordo.dataset.frequency import to_timedelta
from gordo.dataset.resample import (
    bucket_means,
    check_window,
    interpolation_limit_steps,
    loading_metadata,
)
from gordo.dataset.sensor_tag import SensorTag


def grid_unit(
    loaded: Sequence[tuple[pd.Series, SensorTag]], lookback: Mapping[str, pd.Series]
) -> str | None:
    """The one index unit of every series and look-back series, or None (then use the
    per-tag path): empty series, mixed units or a non-datetime index leave the grid path.

    >>> s = pd.Series([1.0], pd.DatetimeIndex(["2020-01-01"], tz="UTC").as_unit("s"))
    >>> grid_unit([(s, SensorTag("A"))], {}), grid_unit([(s.iloc[:0], SensorTag("A"))], {})
    ('s', None)
    """
    series = [s for s, _ in loaded] + list(lookback.values())
    if not series or not all(len(s) and isinstance(s.index, pd.DatetimeIndex) for s in series):
        return None
    units = {s.index.unit for s in series}
    return units.pop() if len(units) == 1 else None


def resample_mean(
    loaded: Sequence[tuple[pd.Series, SensorTag]],
    lookback: Mapping[str, pd.Series],
    start: pd.Timestamp,
    end: pd.Timestamp,
    resolution: str,
    interpolation_method: str,
    interpolation_limit: str | None,
) -> tuple[pd.DataFrame, dict[str, dict], dict[str, int]]:
    """The joined frame (rows where every tag has a value), each tag's loading
    metadata and ``aggregate_metadata``, for series that :func:`grid_unit` accepts."""
    start, end = start.tz_convert("UTC"), end.tz_convert("UTC")
    unit = loaded[0][0].index.unit
    per_unit = pd.Timedelta(1, unit).value
    step = to_timedelta(resolution)
    origin, step_u = start.normalize().value // per_unit, step.value // per_unit
    columns = [_tag_points(series, lookback.get(tag.name), start, end) for series, tag in loaded]
    first = min((stamps[0] - origin) // step_u for stamps, _ in columns)
    window_first = (start.value // per_unit - origin) // step_u
    first = min(first, window_first)
    n = (end.value // per_unit - origin) // step_u - first + 1
    bounds = (first + np.arange(n + 1)) * step_u + origin
    means = np.empty((len(columns), n))
    for row, (stamps, values) in zip(means, columns, strict=True):
        row[:] = bucket_means(stamps, values, bounds)
    fill_gaps(
        means, interpolation_method, interpolation_limit_steps(resolution, interpolation_limit)
    )
    skip = window_first - first  # the look-back buckets, left out from here on
    labels = bounds[skip:-1]
    valid = ~np.isnan(means[:, skip:])
    seconds = labels * per_unit / 1e9
    meta = {
        tag.name: loading_metadata(len(series), seconds[ok], start, end, step)
        for (series, tag), ok in zip(loaded, valid, strict=True)
    }
    rows, narrowed = _joined_rows(valid)
    index = utc_index(labels[rows].view(f"datetime64[{unit}]"))
    if narrowed:
        index = pd.DatetimeIndex(index, freq="infer")
    # (tags, rows) C-ordered: X.to_numpy() is then column-major, as after a concat of tags
    data = pd.DataFrame(
        means.take(rows + skip, axis=1).T,  # take from the whole (contiguous) array: fast
        index=index,
        columns=pd.Index([tag.name for _, tag in loaded]),
        copy=False,
    )
    return data, meta, {"joined_length": len(rows), "dropped_na_length": len(rows)}


def _joined_rows(valid: np.ndarray) -> tuple[np.ndarray, bool]:
    """The buckets where every tag has a value, and whether an inner join of the tags'
    indexes would have narrowed one (pandas then infers the joined index's ``freq``).

    >>> _joined_rows(np.array([[True, True, False], [True, True, True]]))
    (array([0, 1]), True)
    """
    joined, narrowed = valid[0], False
    for ok in valid[1:]:
        if not np.array_equal(ok, joined):
            joined, narrowed = joined & ok, True
    return np.flatnonzero(joined), narrowed


def _tag_points(
    series: pd.Series, lookback: pd.Series | None, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray]:
    """A tag's stamps and float values, with its last look-back point prepended if any."""
    check_window(series, start, end)
    stamps, values = series.index.asi8, series.to_numpy(dtype="float64")
    if lookback is not None and lookback.index[-1] < start:
        stamps = np.concatenate([lookback.index.asi8[-1:], stamps])
        values = np.concatenate([lookback.to_numpy(dtype="float64")[-1:], values])
    return stamps, values


def fill_gaps(values: np.ndarray, method: str, limit: int | None) -> None:
    """Fill each row's NaN runs in place as pandas' ``interpolate(limit=limit,
    limit_direction="forward")`` (``linear_interpolation``: ``np.interp`` over the
    bucket positions) or ``ffill(limit=limit)`` would: nothing before a row's
    first value, at most ``limit`` buckets after each value.

    >>> values = np.array([[np.nan, 1.0, np.nan, np.nan, 4.0, np.nan, np.nan]])
    >>> fill_gaps(values, "linear_interpolation", 1)
    >>> values.tolist()
    [[nan, 1.0, 2.0, nan, 4.0, 4.0, nan]]
    """
    n = values.shape[1]
    positions = np.arange(n, dtype="float64")  # np.interp's x, converted once
    for row in values:
        ok = ~np.isnan(row)
        known = np.flatnonzero(ok)
        if not len(known):
            continue
        first = known[0]
        if method == "ffill":
            row[first:] = row[known[np.cumsum(ok[first:]) - 1]]
        else:  # at a known position np.interp gives that value back, bit for bit
            row[first:] = np.interp(positions[first:], positions[known], row[known])
        if limit is not None:
            _unfill_beyond(row, known, limit)


def _unfill_beyond(row: np.ndarray, known: np.ndarray, limit: int) -> None:
    """Put NaN back in each filled run past ``limit`` buckets after its value."""
    stops = np.append(known[1:], len(row))  # the next value or the row's end
    long = np.flatnonzero(stops - known - 1 > limit)
    if not len(long):
        return
    edges = np.zeros(len(row) + 1, dtype=np.int8)
    edges[known[long] + limit + 1] = 1  # the runs are disjoint: no index repeats
    edges[stops[long]] = -1
    row[np.cumsum(edges[:-1]) > 0] = np.nan
