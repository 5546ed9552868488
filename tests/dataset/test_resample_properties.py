"""Property tests: the numpy bucket mean agrees with pandas' resample."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gordo.dataset.resample import _bucket_mean, _pandas_resample, bucket_means

START = pd.Timestamp("2020-01-01 00:07", tz="UTC")


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.integers(0, 3 * 3600 - 1), max_size=200),
    step_minutes=st.sampled_from([1, 7, 10, 60]),
    with_nan=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_bucket_mean_matches_pandas(offsets, step_minutes, with_nan, seed):
    end = START + pd.Timedelta(hours=3)
    rng = np.random.default_rng(seed)
    index = pd.DatetimeIndex(START + pd.to_timedelta(offsets, unit="s")).as_unit("us")
    values = rng.normal(size=len(index))
    if with_nan and len(values):
        values[rng.integers(0, len(values))] = np.nan
    series = pd.Series(values, index=index, name="T")
    origin = START.normalize()
    fast = _bucket_mean(series, START, end, pd.Timedelta(minutes=step_minutes), origin)
    slow = _pandas_resample(series.sort_index(), START, end, f"{step_minutes}min", "mean", origin)
    assert list(fast.index) == list(slow.index)
    np.testing.assert_allclose(fast.to_numpy(), slow.to_numpy(), rtol=1e-9, atol=1e-12)


def reduceat_reference(stamps, values, bounds):
    """Bucket means as first written: every bucket's start position, ``np.add.reduceat``
    over the values plus a trailing 0.0, empty buckets masked."""
    values, stamps = values[~np.isnan(values)], stamps[~np.isnan(values)]
    positions = np.searchsorted(stamps, bounds, side="left")
    counts = np.diff(positions)
    sums = np.add.reduceat(np.append(values, 0.0), positions[:-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


@settings(max_examples=80, deadline=None)
@given(
    per_bucket=st.lists(st.integers(0, 20), min_size=1, max_size=40),
    seed=st.integers(0, 2**16),
    with_nan=st.booleans(),
)
@example(per_bucket=[3, 8], seed=1, with_nan=False)  # 8 or 16 points in the last bucket:
@example(per_bucket=[0, 5, 16], seed=2, with_nan=False)  # the trailing 0.0 changes the sum
def test_bucket_means_keep_their_summation_order(per_bucket, seed, with_nan):
    """Same bits as the first implementation, also for 8, 16, ... points in the last bucket."""
    rng = np.random.default_rng(seed)
    step = 600
    stamps = np.concatenate(
        [np.sort(rng.integers(i * step, (i + 1) * step, n)) for i, n in enumerate(per_bucket)]
    )
    values = rng.normal(size=len(stamps)) * 1e3
    if with_nan and len(values):
        values[rng.integers(0, len(values))] = np.nan
    bounds = np.arange(len(per_bucket) + 1) * step
    if not (~np.isnan(values)).any():
        return
    np.testing.assert_array_equal(
        bucket_means(stamps, values, bounds), reduceat_reference(stamps, values, bounds)
    )
