"""The one-grid mean path against the per-tag path (bit for bit) and against plain pandas.

Random tags with gaps, duplicate and unsorted stamps, NaN, other time zones and
index units, points before the window (look-back), off-grid window starts, every
interpolation method and limit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gordo.dataset.data_provider.base import GordoBaseDataProvider, clean_series
from gordo.dataset.datasets import NotEnoughDataWarning, TimeSeriesDataset
from gordo.dataset.frequency import to_pandas_freq, to_timedelta
from gordo.dataset.grid import fill_gaps, grid_unit, resample_mean
from gordo.dataset.resample import interpolation_limit_steps, join_series, resample_series
from gordo.dataset.sensor_tag import SensorTag

DAY = pd.Timestamp("2020-01-01", tz="UTC")


class Store(GordoBaseDataProvider):
    """Serves fixed raw series cut to the asked window (a storage stand-in)."""

    def __init__(self, data: dict[str, pd.Series], **kwargs):
        super().__init__(**kwargs)
        self.data = data
        self._params = {}

    def load_tag(self, start, end, tag):
        series = self.data[tag.name]
        return series[(series.index >= start) & (series.index < end)] if len(series) else series


def raw_series(rng: np.random.Generator, start, end, unit: str, tz: str) -> pd.Series:
    """Points at random times from 3 h before ``start`` to ``end``: dense, sparse or in bursts."""
    span = (end - start).value + 3 * 3600 * 10**9
    kind = rng.integers(0, 3)
    if kind == 0:  # every minute, some dropped
        offsets = np.arange(0, span, 60 * 10**9)
        offsets = offsets[rng.random(len(offsets)) > rng.random() * 0.9]
    else:
        offsets = rng.integers(0, span, size=int(rng.integers(1, 1500)))
        if kind == 2:  # bursts with long holes
            offsets = offsets[(offsets % (span // 3)) < span // 6]
    index = pd.DatetimeIndex(start - pd.Timedelta(hours=3) + pd.to_timedelta(offsets, unit="ns"))
    values = rng.normal(size=len(index)) * 10.0 ** int(rng.integers(-3, 4))
    if len(values) and rng.random() < 0.3:
        values[rng.integers(0, len(values), size=3)] = np.nan
    if rng.random() < 0.3:  # duplicate stamps
        index = index[np.sort(rng.integers(0, len(index), size=len(index)))]
    series = pd.Series(values, index=index.as_unit(unit).tz_convert(tz))
    return series if rng.random() < 0.5 else series.sort_index()


def window(rng: np.random.Generator) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = DAY + pd.Timedelta(minutes=int(rng.choice([0, 7, 13 * 60 + 3, 3 * 1440])))
    return start, start + pd.Timedelta(hours=int(rng.integers(2, 24 * 5)))


settings_for_data = settings(max_examples=40, deadline=None)
options = {
    "seed": st.integers(0, 2**32 - 1),
    "resolution": st.sampled_from(["10T", "1min", "7min", "1H", "30S"]),
    "method": st.sampled_from(["linear_interpolation", "ffill"]),
    "limit": st.sampled_from([None, "48H", "30T", "3H"]),
    "unit": st.sampled_from(["s", "ms", "us", "ns"]),
    "tz": st.sampled_from(["UTC", "Europe/Oslo"]),
}


def loaded_tags(seed, unit, tz, n_tags=None):
    rng = np.random.default_rng(seed)
    start, end = window(rng)
    names = [f"T{i}" for i in range(n_tags or int(rng.integers(1, 5)))]
    raw = {name: raw_series(rng, start, end, unit, tz) for name in names}
    return raw, start, end


def usable(resolution, limit):
    return limit is None or to_timedelta(limit, "l") >= to_timedelta(resolution)


@settings_for_data
@given(**options)
def test_grid_is_bit_for_bit_the_per_tag_path(seed, resolution, method, limit, unit, tz):
    if not usable(resolution, limit):
        limit = None
    raw, start, end = loaded_tags(seed, unit, tz)
    provider = Store(raw)
    tags = [SensorTag(name) for name in raw]
    loaded = list(provider.load_series(start, end, tags))
    lookback = {}
    if limit is not None:
        late = [t for s, t in loaded if len(s) and s.index[0] > start]
        since = start - to_timedelta(limit, "l")
        lookback = {t.name: s for s, t in provider.load_last_points(since, start, late) if len(s)}
    if grid_unit(loaded, lookback) is None:  # an empty tag: the per-tag path reports it
        assert any(not len(s) for s, _ in loaded)
        return
    fast, fast_meta, fast_aggregate = resample_mean(
        loaded, lookback, start, end, resolution, method, limit
    )
    frames, meta = [], {}
    for series, tag in loaded:
        out, meta[tag.name] = resample_series(
            series, start, end, resolution, "mean", method, limit, lookback.get(tag.name)
        )
        frames.append(out)
    slow, aggregate = join_series(frames)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True, check_freq=True)
    assert fast.index.dtype == slow.index.dtype and fast.columns.dtype == slow.columns.dtype
    np.testing.assert_array_equal(fast.to_numpy(), slow.to_numpy())  # same bits
    assert fast.to_numpy().flags.f_contiguous == slow.to_numpy().flags.f_contiguous
    assert fast_meta == meta and fast_aggregate == aggregate


def pandas_reference(raw, start, end, resolution, method, limit):
    """Resample, fill and join with plain pandas calls, tag by tag (None: a tag has no data)."""
    freq, step = to_pandas_freq(resolution), to_timedelta(resolution)
    steps = interpolation_limit_steps(resolution, limit)
    origin = start.normalize()
    first_bucket = origin + ((start - origin) // step) * step
    last_bucket = origin + ((end - origin) // step) * step
    frames, meta = [], {}
    for name, series in raw.items():
        series = series.tz_convert("UTC").sort_index(kind="stable")
        series = series[~series.index.duplicated(keep="last")].dropna()
        points = series[(series.index >= start) & (series.index < end)]
        if not len(points):
            return None, meta
        original_length = len(points)
        if limit is not None and points.index[0] > start:
            since = start - to_timedelta(limit, "interpolation_limit")
            before = series[(series.index < start) & (series.index >= since)]
            points = pd.concat([before.iloc[-1:], points])
        grid_start = min(first_bucket, origin + ((points.index[0] - origin) // step) * step)
        grid = pd.date_range(grid_start, last_bucket, freq=freq).as_unit(series.index.unit)
        means = points.resample(freq, origin=origin, closed="left", label="left").mean()
        means = means.reindex(grid)
        filled = (
            means.interpolate(limit=steps, limit_direction="forward")
            if method == "linear_interpolation"
            else means.ffill(limit=steps)
        )
        out = filled[filled.index >= first_bucket].dropna().rename(name)
        out.index = pd.DatetimeIndex(out.index, freq=None)
        seconds = out.index.as_unit("ns").asi8 / 1e9
        edges = np.concatenate([[start.timestamp()], seconds, [end.timestamp()]])
        jumps = np.flatnonzero(np.diff(edges) > step.total_seconds())
        meta[name] = {
            "original_length": original_length,
            "resampled_length": len(out),
            **({"first_timestamp": seconds[0], "last_timestamp": seconds[-1]} if len(out) else {}),
            "gaps": {"start": list(edges[jumps]), "end": list(edges[jumps + 1])}
            if len(jumps)
            else {},
        }
        frames.append(out)
    return pd.concat(frames, axis=1, join="inner").dropna(), meta


@settings_for_data
@given(**options)
def test_dataset_matches_plain_pandas(seed, resolution, method, limit, unit, tz):
    if not usable(resolution, limit):
        limit = None
    raw, start, end = loaded_tags(seed, unit, tz)
    ds = TimeSeriesDataset(
        train_start_date=start.isoformat(),
        train_end_date=end.isoformat(),
        tag_list=list(raw),
        data_provider=Store(raw, threads=2),
        resolution=resolution,
        interpolation_method=method,
        interpolation_limit=limit,
    )
    expected, expected_meta = pandas_reference(raw, start, end, resolution, method, limit)
    if expected is None or expected.empty:
        return  # no data for a tag, or no row with every tag: errors tested elsewhere
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X, _ = ds.get_data()
    warned = any(issubclass(w.category, NotEnoughDataWarning) for w in caught)
    assert warned == any(m["gaps"] for m in expected_meta.values())
    assert list(X.index) == list(expected.index)
    assert X.index.dtype == expected.index.dtype and X.index.freq == expected.index.freq
    assert list(X.columns) == list(expected.columns)
    scale = np.abs(expected.to_numpy()).max()
    np.testing.assert_allclose(X.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-12 * scale)
    meta = ds.get_metadata()["tag_loading_metadata"]
    for name, want in expected_meta.items():
        assert meta[name] == want


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    limit=st.sampled_from([None, 1, 2, 5, 50]),
    method=st.sampled_from(["linear_interpolation", "ffill"]),
)
def test_fill_gaps_is_pandas_bit_for_bit(seed, limit, method):
    rng = np.random.default_rng(seed)
    rows, n = int(rng.integers(1, 5)), int(rng.integers(1, 300))
    values = rng.normal(size=(rows, n)) * 10.0 ** int(rng.integers(-5, 9))
    values[rng.random((rows, n)) < rng.random()] = np.nan
    if rng.random() < 0.3:  # infinities take np.interp's fall-backs
        values[rng.random((rows, n)) < 0.05] = rng.choice([np.inf, -np.inf, 1e308])
    filled = values.copy()
    fill_gaps(filled, method, limit)
    for row, got in zip(values, filled, strict=True):
        series = pd.Series(row)
        want = (
            series.interpolate(limit=limit, limit_direction="forward")
            if method == "linear_interpolation"
            else series.ffill(limit=limit)
        )
        np.testing.assert_array_equal(got, want.to_numpy())


def test_mixed_units_and_empty_tags_take_the_per_tag_path():
    t = pd.DatetimeIndex(["2020-01-01 00:05"], tz="UTC")
    a = pd.Series([1.0], t.as_unit("s"))
    b = pd.Series([1.0], t.as_unit("us"))
    assert grid_unit([(a, SensorTag("A")), (b, SensorTag("B"))], {}) is None
    assert grid_unit([(a, SensorTag("A"))], {"A": b}) is None
    assert grid_unit([(a, SensorTag("A")), (a.iloc[:0], SensorTag("B"))], {}) is None
    assert grid_unit([(a, SensorTag("A"))], {"A": a}) == "s"


def test_points_outside_the_window_are_refused_by_name():
    start, end = DAY, DAY + pd.Timedelta("1h")
    early = pd.Series([1.0], pd.DatetimeIndex([DAY - pd.Timedelta("1min")]), name="T1")
    with pytest.raises(ValueError, match="for T1, first timestamp .* is before the resampling"):
        resample_mean([(early, SensorTag("T1"))], {}, start, end, "10min", "ffill", None)
    late = pd.Series([1.0], pd.DatetimeIndex([end + pd.Timedelta("1min")]), name="T1")
    with pytest.raises(ValueError, match="for T1, last timestamp .* is later than the resampling"):
        resample_mean([(late, SensorTag("T1"))], {}, start, end, "10min", "ffill", None)


def test_clean_series_matches_pandas_sort_and_dedupe():
    rng = np.random.default_rng(3)
    for _ in range(30):
        stamps = rng.integers(0, 50, size=int(rng.integers(0, 60)))
        if rng.random() < 0.5:
            stamps = np.sort(stamps)
        index = pd.DatetimeIndex(DAY + pd.to_timedelta(stamps, unit="min")).as_unit("us")
        values = rng.normal(size=len(index))
        values[rng.random(len(values)) < 0.1] = np.nan
        raw = pd.Series(values, index)
        got = clean_series(raw, "T", DAY + pd.Timedelta("5min"), DAY + pd.Timedelta("45min"))
        want = raw.sort_index(kind="stable")
        want = want[~want.index.duplicated(keep="last")].dropna()
        inside = (want.index >= DAY + pd.Timedelta("5min")) & (
            want.index < DAY + pd.Timedelta("45min")
        )
        want = want[inside]
        pd.testing.assert_series_equal(got, want.rename("T"), check_freq=False)
        assert got.index.dtype == "datetime64[us, UTC]"
        if len(got):  # a series of its own: writable, the provider's data untouched
            before = raw.copy()
            got.iloc[0] = 1e9
            pd.testing.assert_series_equal(raw, before)


def test_a_clean_series_is_copied_not_shared():
    raw = pd.Series([1.0, 2.0], pd.DatetimeIndex([DAY, DAY + pd.Timedelta("1min")]))
    got = clean_series(raw, "T", DAY, DAY + pd.Timedelta("1h"))
    got.iloc[0] = 5.0
    assert raw.tolist() == [1.0, 2.0] and got.tolist() == [5.0, 2.0]
