"""The ``filter_periods`` noise filter: find and drop periods of outlying rows.

Methods: ``median`` (outside a rolling median ± ``n_iqr`` rolling IQRs),
``quantile`` (outside the column median ± ``n_iqr`` (q_upper - q_lower)),
``iforest`` (IsolationForest outliers) and ``all``. A row is flagged when any
column is; runs of flagged rows no further apart than the resolution form one
drop period.

>>> import numpy as np, pandas as pd
>>> idx = pd.date_range("2020-01-01", periods=200, freq="10min", tz="UTC")
>>> df = pd.DataFrame({"T": np.sin(np.arange(200) / 10)}, index=idx)
>>> df.iloc[100, 0] = 40.0
>>> kept, periods = filter_periods(df, "10min", {"filter_method": "median", "window": 24, "n_iqr": 3})
>>> len(kept), periods
(199, {'median': [{'drop_start': '2020-01-01 16:40:00+00:00', 'drop_end': '2020-01-01 16:40:00+00:00'}]})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from gordo.dataset.frequency import to_timedelta
from gordo.exceptions import ConfigException

DEFAULTS: dict[str, Any] = {
    "filter_method": "median",
    "window": 144,
    "n_iqr": 5,
    "iforest_smooth": False,
    "contamination": 0.03,
    "quantile_lower": 0.05,
    "quantile_upper": 0.95,
}
METHODS = ("median", "quantile", "iforest")


class WrongFilterMethodType(TypeError):
    """``filter_periods.filter_method`` is not one of median, quantile, iforest, all."""


def check_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` merged over the defaults and checked.

    >>> check_options({"filter_method": "wavelet"})
    Traceback (most recent call last):
    ...
    gordo.dataset.filters.periods.WrongFilterMethodType: filter_periods.filter_method: 'wavelet' is not one of median, quantile, iforest, all
    """
    if not isinstance(options, Mapping):
        raise ConfigException(f"filter_periods must be a mapping, not {options!r}")
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise ConfigException(
            f"filter_periods: unknown key(s) {sorted(unknown)}; known: {sorted(DEFAULTS)}"
        )
    merged = {**DEFAULTS, **options}
    if merged["filter_method"] not in (*METHODS, "all"):
        raise WrongFilterMethodType(
            f"filter_periods.filter_method: {merged['filter_method']!r} is not one of "
            f"{', '.join(METHODS)}, all"
        )
    if not isinstance(merged["window"], int) or merged["window"] < 2:
        raise ConfigException(
            f"filter_periods.window must be an integer >= 2, not {merged['window']!r}"
        )
    return merged


def _flag_median(values: pd.DataFrame, window: int, n_iqr: float) -> np.ndarray:
    rolling = values.rolling(window, center=True)
    median = rolling.median()
    iqr = rolling.quantile(0.75) - rolling.quantile(0.25)
    outside = (values < median - n_iqr * iqr) | (values > median + n_iqr * iqr)
    return outside.to_numpy().any(axis=1)


def _flag_quantile(values: pd.DataFrame, n_iqr: float, lower: float, upper: float) -> np.ndarray:
    spread = values.quantile(upper) - values.quantile(lower)
    median = values.median()
    outside = (values < median - n_iqr * spread) | (values > median + n_iqr * spread)
    return outside.to_numpy().any(axis=1)


def _flag_iforest(values: pd.DataFrame, contamination: float, smooth: bool) -> np.ndarray:
    from sklearn.ensemble import IsolationForest

    data = values.ewm(halflife=6).mean() if smooth else values
    forest = IsolationForest(
        n_estimators=300,
        max_samples=min(1000, len(data)),
        contamination=contamination,
        max_features=1.0,
        bootstrap=False,
        random_state=42,
    )
    return forest.fit(data.to_numpy()).predict(data.to_numpy()) == -1


def flagged_periods(
    index: pd.DatetimeIndex, flags: np.ndarray, granularity: pd.Timedelta
) -> list[dict]:
    """Runs of flagged timestamps, split where consecutive ones are more than ``granularity`` apart.

    >>> idx = pd.date_range("2020", periods=6, freq="10min", tz="UTC")
    >>> [p["drop_start"][11:16] + "-" + p["drop_end"][11:16] for p in flagged_periods(
    ...     idx, np.array([1, 1, 0, 0, 1, 0], bool), pd.Timedelta("10min"))]
    ['00:00-00:10', '00:40-00:40']
    """
    times = index[flags]
    if not len(times):
        return []
    step = pd.Timedelta(minutes=int(granularity.total_seconds() // 60))
    jumps = np.flatnonzero(np.asarray(times[1:] - times[:-1]) > step.to_timedelta64())
    starts = np.concatenate([[0], jumps + 1])
    ends = np.concatenate([jumps, [len(times) - 1]])
    return [
        {"drop_start": str(times[s]), "drop_end": str(times[e])}
        for s, e in zip(starts, ends, strict=True)
    ]


def drop_periods(df: pd.DataFrame, periods: list[dict]) -> pd.DataFrame:
    """``df`` without the rows inside any ``[drop_start, drop_end]`` period."""
    keep = np.ones(len(df), dtype=bool)
    for period in periods:
        lo = df.index.searchsorted(pd.Timestamp(period["drop_start"]), "left")
        hi = df.index.searchsorted(pd.Timestamp(period["drop_end"]), "right")
        keep[lo:hi] = False
    return df[keep]


def filter_periods(
    df: pd.DataFrame, resolution: str, options: Mapping[str, Any]
) -> tuple[pd.DataFrame, dict[str, list[dict]]]:
    """``df`` without its noisy periods, and the periods per method (``filtered_periods``)."""
    opts = check_options(options)
    granularity = to_timedelta(resolution)
    methods = METHODS if opts["filter_method"] == "all" else (opts["filter_method"],)
    values = df.astype("float64")
    found: dict[str, list[dict]] = {}
    for method in methods:
        if method == "median":
            flags = _flag_median(values, opts["window"], opts["n_iqr"])
        elif method == "quantile":
            flags = _flag_quantile(
                values, opts["n_iqr"], opts["quantile_lower"], opts["quantile_upper"]
            )
        else:
            flags = _flag_iforest(values, opts["contamination"], opts["iforest_smooth"])
        found[method] = flagged_periods(df.index, flags, granularity)
    for periods in found.values():
        df = drop_periods(df, periods)
    return df, found
