"""Resample one tag's series to a regular grid, interpolate short gaps, and join tags.

Buckets are left-closed and left-labelled (``[t, t + resolution)`` is ``t``)
on pandas' default origin (midnight of the first day). A NaN point is put at
the window's start and end so the grid covers the whole window; a tag with
data over ``[start, end]`` gives ``(end - start) / resolution + 1`` rows.

>>> import numpy as np
>>> start, end = pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2020-01-01 01:00", tz="UTC")
>>> raw = pd.Series([1.0, 3.0], pd.to_datetime(["2020-01-01 00:05", "2020-01-01 00:25"], utc=True), name="T")
>>> out, meta = resample_series(raw, start, end, "10min", "mean", "linear_interpolation", "1h")
>>> out.tolist()
[1.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0]
>>> out, meta = resample_series(raw, start, end, "10min", "mean", "linear_interpolation", "10min")
>>> out.tolist()
[1.0, 2.0, 3.0, 3.0]
>>> meta["original_length"], meta["resampled_length"], meta["gaps"]
(2, 4, {'start': [1577838600.0], 'end': [1577840400.0]})
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from gordo.dataset.frequency import to_pandas_freq, to_timedelta
from gordo.exceptions import ConfigException

INTERPOLATION_METHODS = ("linear_interpolation", "ffill")
Aggregation = str | Callable | Sequence[str | Callable]


def epoch_seconds(index: pd.DatetimeIndex) -> np.ndarray:
    """Unix seconds (float) of a DatetimeIndex, whatever its unit.

    >>> epoch_seconds(pd.DatetimeIndex(["1970-01-01 00:00:01.5"], tz="UTC")).tolist()
    [1.5]
    """
    return index.as_unit("ns").asi8 / 1e9


def interpolation_limit_steps(resolution: str, interpolation_limit: str | None) -> int | None:
    """How many empty buckets in a row interpolation may fill (None: no limit).

    >>> interpolation_limit_steps("10T", "48H")
    288
    >>> interpolation_limit_steps("1h", "10min")
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: Interpolation limit must be larger than given resolution: interpolation_limit='10min' < resolution='1h'
    """
    if interpolation_limit is None:
        return None
    steps = to_timedelta(interpolation_limit, "interpolation_limit") // to_timedelta(resolution)
    if steps < 1:
        raise ConfigException(
            "Interpolation limit must be larger than given resolution: "
            f"interpolation_limit={interpolation_limit!r} < resolution={resolution!r}"
        )
    return int(steps)


def loading_metadata(
    original_length: int,
    seconds: np.ndarray,
    start: pd.Timestamp,
    end: pd.Timestamp,
    step: pd.Timedelta,
) -> dict:
    """One tag's ``tag_loading_metadata`` entry from the epoch seconds of its kept buckets.

    A gap is a jump longer than ``step`` between the window's start, the buckets
    and the window's end.

    >>> t0 = pd.Timestamp("2020-01-01", tz="UTC")
    >>> loading_metadata(3, np.array([t0.timestamp() + 600]), t0, t0 + pd.Timedelta("1h"),
    ...                  pd.Timedelta("10min"))["gaps"]
    {'start': [1577837400.0], 'end': [1577840400.0]}
    """
    meta: dict = {"original_length": original_length, "resampled_length": len(seconds)}
    if len(seconds):
        meta["first_timestamp"] = float(seconds[0])
        meta["last_timestamp"] = float(seconds[-1])
    edges = np.concatenate([[start.timestamp()], seconds, [end.timestamp()]])
    jumps = np.flatnonzero(np.diff(edges) > step.total_seconds())
    meta["gaps"] = (
        {"start": edges[jumps].tolist(), "end": edges[jumps + 1].tolist()} if len(jumps) else {}
    )
    return meta


def check_window(series: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """ValueError naming the tag if the (non-empty, sorted) ``series`` leaves [start, end].

    >>> index = pd.date_range("2020-01-01", periods=2, freq="h", tz="UTC")
    >>> check_window(pd.Series([1.0, 2.0], index=index, name="t"), index[1], index[1])
    Traceback (most recent call last):
    ...
    ValueError: Error - for t, first timestamp 2020-01-01 00:00:00+00:00 is before the \
resampling start point 2020-01-01 01:00:00+00:00
    """
    if series.index[0] < start:
        raise ValueError(
            f"Error - for {series.name}, first timestamp {series.index[0]} is before the "
            f"resampling start point {start}"
        )
    if series.index[-1] > end:
        raise ValueError(
            f"Error - for {series.name}, last timestamp {series.index[-1]} is later than the "
            f"resampling end point {end}"
        )


def resample_series(
    series: pd.Series,
    start: pd.Timestamp,
    end: pd.Timestamp,
    resolution: str,
    aggregation_methods: Aggregation,
    interpolation_method: str,
    interpolation_limit: str | None,
    lookback: pd.Series | None = None,
) -> tuple[pd.Series | pd.DataFrame, dict]:
    """One tag resampled and interpolated, NaN rows dropped, plus its loading metadata.

    A list of aggregation methods gives a frame with ``(tag, method)`` columns.
    ``lookback`` (the tag's last point before ``start``, if any) lets interpolation
    fill the window's first buckets, within the limit, as the original's look-back fill.
    """
    start, end = start.tz_convert("UTC"), end.tz_convert("UTC")
    original_length = len(series)
    limit = interpolation_limit_steps(resolution, interpolation_limit)
    step = to_timedelta(resolution)
    if len(series):
        check_window(series, start, end)
    origin, grid_start = start.normalize(), start
    if lookback is not None and len(lookback) and len(series) and lookback.index[-1] < start:
        point = lookback.iloc[-1:].astype("float64")
        series = pd.concat([point.set_axis(point.index.as_unit(series.index.unit)), series])
        grid_start = point.index[0]
    if isinstance(aggregation_methods, str) and aggregation_methods == "mean":
        out = _bucket_mean(series, grid_start, end, step, origin)
    else:
        out = _pandas_resample(series, grid_start, end, resolution, aggregation_methods, origin)
    if interpolation_method == "linear_interpolation":
        out = out.interpolate(limit=limit, limit_direction="forward")
    else:
        out = out.ffill(limit=limit)
    if grid_start < start:  # keep the window's buckets only
        out = out[out.index >= origin + ((start - origin) // step) * step]
    out = out.dropna()
    return out, loading_metadata(original_length, epoch_seconds(out.index), start, end, step)


def _bucket_mean(
    series: pd.Series,
    start: pd.Timestamp,
    end: pd.Timestamp,
    step: pd.Timedelta,
    origin: pd.Timestamp,
) -> pd.Series:
    """Mean per ``[t, t + step)`` bucket over the whole window, with numpy (the hot path).

    Buckets are anchored at ``origin`` (midnight of the dataset's start day, as
    pandas' default), labelled by their left edge.
    """
    unit = series.index.unit if isinstance(series.index, pd.DatetimeIndex) else "ns"
    per_unit = pd.Timedelta(1, unit).value  # nanoseconds per index unit
    origin = origin.value // per_unit
    step_u = step.value // per_unit
    first = start.value // per_unit - origin
    first, n = first // step_u, (end.value // per_unit - origin) // step_u - first // step_u + 1
    bounds = (first + np.arange(n + 1)) * step_u + origin
    means = bucket_means(series.index.asi8, series.to_numpy(dtype="float64"), bounds)
    labels = bounds[:-1].astype(f"datetime64[{unit}]")
    index = pd.DatetimeIndex(labels, dtype=f"datetime64[{unit}, UTC]")
    return pd.Series(means, index=index, name=series.name)


def bucket_means(stamps: np.ndarray, values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Mean of the ``values`` whose ``stamps`` fall in each ``[bounds[i], bounds[i + 1])``.

    ``bounds`` is a regular grid covering every stamp. NaN values are ignored; an
    empty bucket is NaN. Sorted stamps are summed per bucket with
    ``np.add.reduceat`` (pairwise), unsorted ones in input order.

    >>> bucket_means(np.array([0, 1, 5]), np.array([1.0, 3.0, 7.0]), np.array([0, 2, 4, 6])).tolist()
    [2.0, nan, 7.0]
    """
    valid = ~np.isnan(values)
    if not valid.all():
        values, stamps = values[valid], stamps[valid]
    n = len(bounds) - 1
    buckets = (stamps - bounds[0]) // (bounds[1] - bounds[0])
    if not (len(stamps) and (stamps[1:] >= stamps[:-1]).all()):  # summed in input order
        counts = np.bincount(buckets, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(
                counts > 0, np.bincount(buckets, weights=values, minlength=n) / counts, np.nan
            )
    # sorted: one np.add.reduceat segment per filled bucket
    starts = np.concatenate([[0], np.flatnonzero(buckets[1:] != buckets[:-1]) + 1])
    counts = np.diff(np.append(starts, len(values)))
    # the last bucket's sum ends with a 0.0 (a summand of the pairwise sum, as ever)
    if buckets[-1] == n - 1:
        values = np.append(values, 0.0)
    means = np.full(n, np.nan)
    means[buckets[starts]] = np.add.reduceat(values, starts) / counts
    return means


def _pandas_resample(
    series: pd.Series,
    start: pd.Timestamp,
    end: pd.Timestamp,
    resolution: str,
    aggregation_methods: Aggregation,
    origin: pd.Timestamp,
) -> pd.Series | pd.DataFrame:
    """Any aggregation through pandas, NaN points added at the window's edges."""
    name = series.name
    head = start if not len(series) or series.index[0] > start else None
    tail = end if not len(series) or series.index[-1] < end else None
    unit = series.index.unit if isinstance(series.index, pd.DatetimeIndex) else "ns"

    def nan_at(t):
        return pd.Series(
            [np.nan] if t is not None else [],
            dtype="float64",
            index=pd.DatetimeIndex([t] if t is not None else [], tz="UTC").as_unit(unit),
        )

    series = pd.concat([nan_at(head), series.astype("float64"), nan_at(tail)])
    resampled = series.resample(
        to_pandas_freq(resolution), closed="left", label="left", origin=origin
    )
    if isinstance(aggregation_methods, str | Callable):
        out = resampled.agg(aggregation_methods)
        out.name = name
    else:
        out = resampled.agg(list(aggregation_methods))
        out.columns = pd.MultiIndex.from_product(
            [[name], list(out.columns)], names=["tag", "aggregation_method"]
        )
    return out


def join_series(resampled: list[pd.Series | pd.DataFrame]) -> tuple[pd.DataFrame, dict]:
    """Inner join of resampled tags, rows with a NaN dropped; plus ``aggregate_metadata``."""
    joined = pd.concat(resampled, axis=1, join="inner")
    dropped = joined.dropna()
    return dropped, {"joined_length": len(joined), "dropped_na_length": len(dropped)}
