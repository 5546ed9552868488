"""Property tests: the numpy bucket mean agrees with pandas' resample."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from gordo.dataset.resample import _bucket_mean, _pandas_resample

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
