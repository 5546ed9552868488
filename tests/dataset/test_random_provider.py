"""RandomDataProvider: the series it draws, and its shortcut for the last point."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gordo.dataset.data_provider.base import GordoBaseDataProvider
from gordo.dataset.data_provider.providers import RandomDataProvider
from gordo.dataset.sensor_tag import SensorTag

DAY = pd.Timestamp("2020-01-01", tz="UTC")


def drawn_with_pandas(provider, start, end, name) -> pd.Series:
    """The provider's documented draw, written with ``pd.to_datetime``."""
    key = f"{provider.seed}|{name}|{start.value}|{end.value}".encode()
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(key).digest()[:8], "little"))
    n = int(rng.integers(provider.min_size, provider.max_size, endpoint=True))
    seconds = np.sort(rng.integers(start.value // 10**9, end.value // 10**9, size=n))
    index = pd.DatetimeIndex(pd.to_datetime(seconds, unit="s", utc=True))
    return pd.Series(rng.random(n), index=index, name=name)


windows = st.tuples(
    st.integers(0, 10**6 * 3600 * 24 * 30),  # start offset, microseconds
    st.integers(1, 10**6 * 3600 * 24 * 60),  # length, microseconds
)


@settings(max_examples=60, deadline=None)
@given(window=windows, seed=st.integers(0, 5), sizes=st.sampled_from([(1, 3), (100, 300)]))
@example(window=(500_000, 700_000), seed=0, sizes=(1, 3))  # every draw before the start
@example(window=(0, 2_000_000), seed=1, sizes=(100, 300))  # duplicate stamps
def test_draws_and_last_points(window, seed, sizes):
    start = DAY + pd.Timedelta(microseconds=window[0])
    end = start + pd.Timedelta(microseconds=window[1])
    provider = RandomDataProvider(min_size=sizes[0], max_size=sizes[1], seed=seed)
    tags = [SensorTag("A"), SensorTag("B-2")]
    if end.value // 10**9 > start.value // 10**9:  # at least one whole second to draw from
        drawn = provider.load_tag(start, end, tags[0])
        expected = drawn_with_pandas(provider, start, end, "A")
        pd.testing.assert_series_equal(drawn, expected, check_exact=True)
        assert drawn.index.dtype == "datetime64[us, UTC]"
        full = dict(
            (tag.name, series.iloc[-1:]) for series, tag in provider.load_series(start, end, tags)
        )
        fallback = dict(
            (tag.name, series)
            for series, tag in GordoBaseDataProvider.load_last_points(provider, start, end, tags)
        )
        for last, tag in provider.load_last_points(start, end, tags):
            pd.testing.assert_series_equal(last, full[tag.name], check_exact=True)
            pd.testing.assert_series_equal(last, fallback[tag.name], check_exact=True)
