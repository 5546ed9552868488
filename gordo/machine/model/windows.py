"""Windows of consecutive rows: the samples an LSTM model reads (numpy only).

A window is ``lookback_window`` rows; its target is the row ``lookahead`` rows
after its last one, so n rows give ``n - lookback_window + 1 - lookahead``
samples.

>>> X = np.arange(10.0).reshape(5, 2)
>>> window_input(X, lookback_window=2, lookahead=1, owner="KerasLSTMForecast").shape
(3, 2, 2)
>>> window_input(X, lookback_window=2, lookahead=1, owner="KerasLSTMForecast")[0].tolist()
[[0.0, 1.0], [2.0, 3.0]]
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def n_windows(n_rows: int, lookback_window: int, lookahead: int, owner: str) -> int:
    """Number of samples ``n_rows`` give; ValueError naming both counts if there are none."""
    needed = lookback_window + lookahead
    if lookback_window < 1:
        raise ValueError(f"{owner}: lookback_window must be >= 1, got {lookback_window}")
    if n_rows < needed:
        raise ValueError(
            f"{owner}: got {n_rows} rows, but at least {needed} are needed "
            f"(lookback_window={lookback_window}, lookahead={lookahead})"
        )
    return n_rows - needed + 1


def windows(X: np.ndarray, lookback_window: int, n_out: int) -> np.ndarray:
    """The first ``n_out`` windows of ``lookback_window`` consecutive rows of X, (n_out, lookback, f)."""
    return sliding_window_view(X, lookback_window, axis=0)[:n_out].transpose(0, 2, 1)


def window_input(X: np.ndarray, lookback_window: int, lookahead: int, owner: str) -> np.ndarray:
    """Every window of ``X`` that has a target ``lookahead`` rows after it."""
    return windows(X, lookback_window, n_windows(len(X), lookback_window, lookahead, owner))
