"""Anomaly events: from per-row anomaly scores to alarms a plant engineer can act on.

A score above a threshold is not yet an alarm. The event layer

1. smooths a score with a trailing moving average over ``smoothing_rows`` rows
   (each row only uses itself and the rows before it, as a live alarm would);
2. compares it with a threshold calibrated so that about ``false_alarm_rate``
   of normal rows are above it (:func:`calibrate`, :func:`calibrate_robust`;
   :meth:`RobustEventAnomalyDetector.event_thresholds
   <gordo.machine.model.anomaly.robust.RobustEventAnomalyDetector.event_thresholds>`
   scales the training scores' quantile by what cross-validation shows of unseen data);
3. joins runs of rows above it that are fewer than ``merge_gap_rows`` rows
   apart, and drops runs shorter than ``min_event_rows`` rows.

>>> score = np.array([0, 0, 5, 0, 5, 5, 0, 0, 0, 9, 0, 0], dtype=float)
>>> event_rows(score > 1, min_event_rows=3, merge_gap_rows=2).astype(int).tolist()
[0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gordo.machine.model.anomaly.evaluation import events


@dataclass(frozen=True)
class EventSettings:
    """How scores become events (all in rows of the model's resolution).

    ``drift_rows`` is the window of the trailing median taken off the error of a tag
    whose level wanders (0: none; see :mod:`gordo.machine.model.anomaly.robust`).
    ``false_alarm_rate`` is the share of held-out normal rows whose smoothed
    score is above the calibrated threshold; the event filter lowers the share
    flagged further.

    >>> EventSettings(smoothing_rows=0).check()
    Traceback (most recent call last):
    ...
    ValueError: smoothing_rows must be an int >= 1, got 0
    """

    smoothing_rows: int = 6
    min_event_rows: int = 3
    merge_gap_rows: int = 6
    false_alarm_rate: float = 0.002
    drift_rows: int = 144

    def check(self) -> EventSettings:
        """``self`` if every setting is valid, else a ValueError naming the setting."""
        for name in ("smoothing_rows", "min_event_rows"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        for name in ("merge_gap_rows", "drift_rows"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be an int >= 0, got {value!r}")
        rate = self.false_alarm_rate
        if not isinstance(rate, float | int) or not 0 < rate < 1:
            raise ValueError(f"false_alarm_rate must be a number in (0, 1), got {rate!r}")
        return self

    def min_calibration_rows(self) -> int:
        """Held-out rows needed to calibrate: at least one row above the quantile, and ten
        smoothing windows.

        >>> EventSettings().min_calibration_rows()
        500
        """
        return max(int(np.ceil(1 / self.false_alarm_rate)), 10 * self.smoothing_rows)

    def to_metadata(self) -> dict[str, float | int]:
        """The settings under their YAML names (``smoothing-rows``, ...)."""
        return {key.replace("_", "-"): value for key, value in self.__dict__.items()}


def smooth_trailing(values: np.ndarray, rows: int) -> np.ndarray:
    """Trailing moving average of the columns of ``values`` over ``rows`` rows (fewer at the start).

    >>> smooth_trailing(np.array([[2.0], [4.0], [6.0]]), 2).ravel().tolist()
    [2.0, 3.0, 5.0]
    """
    return pd.DataFrame(values).rolling(rows, min_periods=1).mean().to_numpy()


def event_rows(above: np.ndarray, min_event_rows: int, merge_gap_rows: int) -> np.ndarray:
    """Rows in an event: runs of ``above`` joined over gaps < ``merge_gap_rows`` rows, then
    those at least ``min_event_rows`` rows long.

    >>> event_rows(np.array([1, 0, 1, 0, 0, 1], bool), 3, 2).astype(int).tolist()
    [1, 1, 1, 0, 0, 0]
    """
    above = np.asarray(above, dtype=bool)
    out = np.zeros_like(above)
    runs = events(above)
    if not len(runs):
        return out
    # a run starts a new event when the gap before it is at least merge_gap_rows
    new = np.concatenate([[True], runs[1:, 0] - runs[:-1, 1] >= max(merge_gap_rows, 1)])
    group = np.cumsum(new) - 1
    starts = runs[new, 0]
    ends = np.zeros(len(starts), dtype=int)
    np.maximum.at(ends, group, runs[:, 1])
    for start, end in zip(starts, ends, strict=True):
        if end - start >= min_event_rows:
            out[start:end] = True
    return out


def calibrate(scores: np.ndarray, false_alarm_rate: float) -> np.ndarray:
    """Per column, the ``1 - false_alarm_rate`` quantile of held-out normal ``scores``.

    >>> calibrate(np.arange(1001.0)[:, None], 0.01).tolist()
    [990.0]
    """
    with warnings.catch_warnings():  # a tag left out of the score has only NaN: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(np.asarray(scores, dtype="float64"), 1 - false_alarm_rate, axis=0)


#: Most contiguous blocks :func:`calibrate_robust` splits the scores into.
MAX_BLOCKS = 5
#: Fewest rows a block has, in units of ``1 / false_alarm_rate`` (its expected alarms).
ROWS_PER_BLOCK = 4
#: A block whose quantile is this many times the median block's holds an episode.
EPISODE_FACTOR = 3.0


def calibrate_robust(scores: np.ndarray, false_alarm_rate: float) -> np.ndarray:
    """:func:`calibrate`, leaving out blocks of rows that hold an episode.

    Training data is rarely all normal: a short episode in it (a few hours of a
    spiking sensor) can hold the top ``false_alarm_rate`` of the rows and set the
    threshold at its own height. The rows are split into up to
    :data:`MAX_BLOCKS` contiguous blocks of at least
    ``ROWS_PER_BLOCK / false_alarm_rate`` rows; a block whose own quantile is
    over :data:`EPISODE_FACTOR` times the median block's is left out, per
    column. On data without such an episode (or with fewer than three blocks)
    this is :func:`calibrate`.

    >>> scores = np.ones((5000, 1)); scores[::50] = 2.0  # 2 % of the rows at 2
    >>> calibrate_robust(scores, 0.01).tolist()
    [2.0]
    >>> scores[1000:1080] = 90.0                          # an 80-row episode
    >>> calibrate(scores, 0.01).tolist(), calibrate_robust(scores, 0.01).tolist()
    ([90.0], [2.0])
    """
    scores = np.asarray(scores, dtype="float64")
    blocks = min(MAX_BLOCKS, int(len(scores) * false_alarm_rate // ROWS_PER_BLOCK))
    whole = calibrate(scores, false_alarm_rate)
    if blocks < 3:
        return whole
    parts = np.array_split(np.arange(len(scores)), blocks)
    per_block = np.array([calibrate(scores[part], false_alarm_rate) for part in parts])
    with warnings.catch_warnings():  # NaN for a tag left out of the score
        warnings.simplefilter("ignore", RuntimeWarning)
        episode = per_block > EPISODE_FACTOR * np.nanmedian(per_block, axis=0)
    for column in np.flatnonzero(episode.any(axis=0)):
        kept = np.concatenate([p for p, e in zip(parts, episode[:, column], strict=True) if not e])
        whole[column] = calibrate(scores[kept, column][:, None], false_alarm_rate)[0]
    return whole
