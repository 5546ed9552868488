"""The anomaly scores of diff-based detectors, in numpy and pandas only (no scikit-learn).

:class:`DiffScoring` holds ``anomaly()``; the fitted
:class:`~gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector` and its
light twin used by the server (:mod:`gordo.machine.model.light`) both inherit
it, so the two compute the same frame by the same code.

>>> smooth(np.array([[1.0], [3.0], [2.0]]), 2, "sma").ravel().tolist()
[nan, 2.0, 2.5]
"""

from __future__ import annotations

import abc
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from gordo.machine.model.checks import as_float_array, check_finite
from gordo.machine.model.utils import frame_from_blocks

SMOOTHING_METHODS = ("smm", "sma", "ewma")


def smooth(values: np.ndarray, window: int, method: str) -> np.ndarray:
    """Smooth the columns of ``values`` over ``window`` rows: moving median, average, or EWMA.

    The first ``window - 1`` rows of ``smm`` and ``sma`` are NaN (incomplete windows).

    >>> smooth(np.array([[1.0], [3.0], [5.0]]), 2, "smm").ravel().tolist()
    [nan, 2.0, 4.0]
    """
    frame = pd.DataFrame(values)
    if method == "smm":
        out = frame.rolling(window).median()
    elif method == "sma":
        out = frame.rolling(window).mean()
    elif method == "ewma":
        out = frame.ewm(span=window).mean()
    else:
        raise ValueError(f"smoothing_method must be one of {SMOOTHING_METHODS}, got {method!r}")
    return out.to_numpy()


class DiffScoring(abc.ABC):
    """``anomaly()`` from ``base_estimator.predict``, a scaler and the fitted thresholds.

    Subclasses have the attributes ``base_estimator``, ``require_thresholds``,
    ``window`` and ``smoothing_method`` (and the thresholds once
    cross-validated), and implement :meth:`_scale`.
    """

    base_estimator: Any
    require_thresholds: bool
    window: int | None
    smoothing_method: str | None

    @abc.abstractmethod
    def _scale(self, values: np.ndarray) -> np.ndarray:
        """``values`` (float64, one column per target) transformed by the fitted scaler."""

    @property
    def _owner(self) -> str:
        """The class name that error messages give."""
        return type(self).__name__

    @property
    def _smoothing(self) -> str:
        return self.smoothing_method or "smm"

    def _thresholds(self) -> tuple[np.ndarray, float] | None:
        """(per tag, aggregate) thresholds matching the confidence's anomalies, if known."""
        prefix = "smooth_" if self.window is not None else ""
        tags = getattr(self, f"{prefix}feature_thresholds_", None)
        if tags is None:
            return None
        return tags.to_numpy(dtype="float64"), getattr(self, f"{prefix}aggregate_threshold_")

    def anomaly(
        self, X: pd.DataFrame, y: pd.DataFrame, frequency: timedelta | None = None
    ) -> pd.DataFrame:
        """A frame of model input and output, per-tag and total anomalies (scaled and unscaled).

        Columns are two-level: ``model-input``, ``model-output``,
        ``tag-anomaly-scaled``, ``tag-anomaly-unscaled`` over tag names,
        ``total-anomaly-scaled``, ``total-anomaly-unscaled``; with ``window``,
        the ``smooth-`` variants; with thresholds, ``anomaly-confidence`` per tag
        and ``total-anomaly-confidence`` (anomaly / threshold, smoothed anomaly
        when ``window`` is set); with ``frequency``, ``start`` and ``end``.
        """
        owner = self._owner
        if self.require_thresholds and not hasattr(self, "feature_thresholds_"):
            raise AttributeError(
                f"{owner} has no thresholds: call cross_validate(X=..., y=...) before anomaly(), "
                "or set require_thresholds=False"
            )
        X_arr, x_columns = as_float_array(X, "X", dtype="float64")
        y_arr, y_columns = as_float_array(y, "y", dtype="float64")
        check_finite(X_arr, x_columns, "X", owner)
        check_finite(y_arr, y_columns, "y", owner)
        if len(X_arr) != len(y_arr):
            raise ValueError(f"{owner}: X has {len(X_arr)} rows but y has {len(y_arr)}")
        y_pred = np.asarray(self.base_estimator.predict(X), dtype="float64")
        if y_pred.ndim == 1:
            y_pred = y_pred.reshape(-1, 1)
        n = len(y_pred)
        y_true = y_arr[len(y_arr) - n :]
        x_names = x_columns or [str(i) for i in range(X_arr.shape[1])]
        y_names = y_columns or [str(i) for i in range(y_arr.shape[1])]
        unscaled = np.abs(y_pred - y_true)
        scaled = np.abs(self._scale(y_pred) - self._scale(y_true))
        total_scaled = np.linalg.norm(scaled, axis=1)
        total_unscaled = np.linalg.norm(unscaled, axis=1)
        blocks = [
            ("model-input", x_names, X_arr[len(X_arr) - n :]),
            ("model-output", y_names, y_pred),
            ("tag-anomaly-scaled", y_names, scaled),
            ("tag-anomaly-unscaled", y_names, unscaled),
            ("total-anomaly-scaled", ["total-anomaly-scaled"], total_scaled),
            ("total-anomaly-unscaled", ["total-anomaly-unscaled"], total_unscaled),
        ]
        confidence_tags, confidence_total = scaled, total_scaled
        if self.window is not None:
            method = self._smoothing
            smooth_scaled = smooth(scaled, self.window, method)
            smooth_total_scaled = smooth(total_scaled[:, None], self.window, method)
            blocks += [
                ("smooth-tag-anomaly-scaled", y_names, smooth_scaled),
                ("smooth-tag-anomaly-unscaled", y_names, smooth(unscaled, self.window, method)),
                (
                    "smooth-total-anomaly-scaled",
                    ["smooth-total-anomaly-scaled"],
                    smooth_total_scaled,
                ),
                (
                    "smooth-total-anomaly-unscaled",
                    ["smooth-total-anomaly-unscaled"],
                    smooth(total_unscaled[:, None], self.window, method),
                ),
            ]
            confidence_tags, confidence_total = smooth_scaled, smooth_total_scaled[:, 0]
        thresholds = self._thresholds()
        if thresholds is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                blocks += [
                    ("anomaly-confidence", y_names, confidence_tags / thresholds[0]),
                    (
                        "total-anomaly-confidence",
                        ["total-anomaly-confidence"],
                        confidence_total / thresholds[1],
                    ),
                ]
        index = X.index[len(X) - n :] if isinstance(X, pd.DataFrame) else None
        return frame_from_blocks(blocks, index, frequency)
