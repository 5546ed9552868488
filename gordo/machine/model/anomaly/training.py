"""How diff-based detectors fit and cross-validate, and their thresholds, without scikit-learn.

:class:`DiffTraining` fits the base estimator and the scaler, turns the fold
estimators of a cross-validation into thresholds and writes the detector's
metadata. The diff-based detectors of :mod:`gordo.machine.model.anomaly.diff`
and their light counterparts fitted in numpy
(:mod:`gordo.machine.model.light.fitting`) share it, so both set the same
thresholds from the same folds; they differ in how the folds are run
(:meth:`DiffTraining._run_folds`) and how rows are shuffled.

>>> to_json(pd.Series([0.5, np.nan], index=["a", "b"]))
{'a': 0.5, 'b': None}
"""

from __future__ import annotations

import abc
from typing import Any

import numpy as np
import pandas as pd

from gordo.machine.model.anomaly.scoring import SMOOTHING_METHODS, smooth
from gordo.machine.model.checks import as_float_array, check_finite

#: Rows of the rolling minimum taken over validation errors for the thresholds.
THRESHOLD_ROLLING_ROWS = 6

#: Metadata key -> attribute of a cross-validated detector.
THRESHOLD_METADATA = {
    "feature-thresholds": "feature_thresholds_",
    "aggregate-threshold": "aggregate_threshold_",
    "feature-thresholds-per-fold": "feature_thresholds_per_fold_",
    "aggregate-thresholds-per-fold": "aggregate_thresholds_per_fold_",
    "smooth-feature-thresholds": "smooth_feature_thresholds_",
    "smooth-aggregate-threshold": "smooth_aggregate_threshold_",
    "smooth-feature-thresholds-per-fold": "smooth_feature_thresholds_per_fold_",
    "smooth-aggregate-thresholds-per-fold": "smooth_aggregate_thresholds_per_fold_",
}


class DiffTraining(abc.ABC):
    """Fitting, cross-validation thresholds and metadata of a diff-based detector.

    Thresholds, per tag and for the total: the maximum of a rolling minimum
    (over :data:`THRESHOLD_ROLLING_ROWS` rows) of the scaled errors on the last
    fold's validation rows; with ``window``, also thresholds of the errors
    smoothed by the smoothing method. Subclasses have the parameters
    ``base_estimator``, ``scaler``, ``shuffle``, ``window`` and ``smoothing_method``, and
    ``_smoothing``/``_scale`` (see :class:`~gordo.machine.model.anomaly.scoring.DiffScoring`).
    """

    base_estimator: Any
    scaler: Any
    shuffle: bool
    window: int | None
    smoothing_method: str | None
    _smoothing: str

    @abc.abstractmethod
    def _run_folds(self, X: Any, y: Any, cv: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Cross-validate clones of this detector: ``cross_validate``'s results, with the
        fitted ``estimator`` and the ``indices`` of each fold."""

    @abc.abstractmethod
    def _shuffled(self, X: Any, y: Any) -> tuple[Any, Any]:
        """``X`` and ``y`` with their rows shuffled alike."""

    def _check_params(self) -> None:
        if self.window is not None and (not isinstance(self.window, int) or self.window < 1):
            raise ValueError(
                f"{type(self).__name__}: window must be a positive int, got {self.window!r}"
            )
        if self.smoothing_method is not None and self.smoothing_method not in SMOOTHING_METHODS:
            raise ValueError(
                f"{type(self).__name__}: smoothing_method must be one of "
                f"{', '.join(SMOOTHING_METHODS)}, got {self.smoothing_method!r}"
            )

    def fit(self, X: Any, y: Any) -> Any:
        """Fit the base estimator to X, y (shuffled first if ``shuffle``), then the scaler to y."""
        self._check_params()
        owner = type(self).__name__
        y_arr, y_columns = as_float_array(y, "y", dtype="float64")
        check_finite(as_float_array(X, "X", dtype="float64")[0], columns_of(X), "X", owner)
        check_finite(y_arr, y_columns, "y", owner)
        if self.shuffle:
            X, y = self._shuffled(X, y)
        self.base_estimator.fit(X, y)
        self.scaler.fit(y_arr)
        return self

    def _cross_validate(self, X: Any, y: Any, cv: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Cross-validate and set the thresholds from the folds' validation errors."""
        self._check_params()
        cv_output = self._run_folds(X, y, cv, kwargs)
        folds = [
            self._validation_errors(estimator, X, y, test)
            for estimator, test in zip(
                cv_output["estimator"], cv_output["indices"]["test"], strict=True
            )
        ]
        self._set_thresholds(folds, columns_of(y))
        return cv_output

    @staticmethod
    def _validation_errors(estimator: Any, X: Any, y: Any, test: np.ndarray) -> dict[str, Any]:
        """Scaled tag errors (and their row positions) of a fold estimator on its test rows."""
        X_test = X.iloc[test] if isinstance(X, pd.DataFrame) else np.asarray(X)[test]
        y_test = as_float_array(y, "y", dtype="float64")[0][test]
        y_pred = np.asarray(estimator.predict(X_test), dtype="float64")
        y_test = y_test[-len(y_pred) :]
        tag = np.abs(estimator._scale(y_pred) - estimator._scale(y_test))
        return {"tag": tag, "rows": np.asarray(test)[-len(y_pred) :]}

    def _set_thresholds(self, folds: list[dict[str, Any]], columns: list[str]) -> None:
        per_fold_tags, per_fold_total, smooth_tags, smooth_total = [], [], [], []
        for fold in folds:
            tag = pd.DataFrame(fold["tag"])
            total = pd.Series(np.linalg.norm(fold["tag"], axis=1))
            per_fold_tags.append(tag.rolling(THRESHOLD_ROLLING_ROWS).min().max().to_numpy())
            per_fold_total.append(total.rolling(THRESHOLD_ROLLING_ROWS).min().max())
            if self.window is not None:
                smooth_tags.append(
                    np.nanmax(nan_safe(smooth(fold["tag"], self.window, self._smoothing)), axis=0)
                )
                smooth_total.append(
                    np.nanmax(
                        nan_safe(smooth(total.to_numpy()[:, None], self.window, self._smoothing))
                    )
                )
        names = columns or [str(i) for i in range(len(per_fold_tags[-1]))]
        self._set_fold_thresholds("", per_fold_tags, per_fold_total, names)
        if self.window is not None:
            self._set_fold_thresholds("smooth_", smooth_tags, smooth_total, names)

    def _set_fold_thresholds(
        self, prefix: str, tags: list[np.ndarray], totals: list[float], names: list[str]
    ) -> None:
        """The ``{prefix}`` thresholds: the last fold's, and every fold's."""
        fold_names = [f"fold-{i}" for i in range(len(tags))]
        setattr(self, f"{prefix}feature_thresholds_", pd.Series(tags[-1], index=names))
        setattr(self, f"{prefix}aggregate_threshold_", float(totals[-1]))
        setattr(
            self,
            f"{prefix}feature_thresholds_per_fold_",
            pd.DataFrame(tags, index=fold_names, columns=names),
        )
        setattr(
            self,
            f"{prefix}aggregate_thresholds_per_fold_",
            pd.Series(totals, index=fold_names, dtype="float64"),
        )

    def get_metadata(self) -> dict[str, Any]:
        """Thresholds (when cross-validated), smoothing settings and the base estimator's metadata."""
        metadata: dict[str, Any] = {}
        base = self.base_estimator
        final = base.steps[-1][1] if hasattr(base, "steps") else base
        if hasattr(final, "get_metadata"):
            metadata.update(final.get_metadata())
        metadata.update({"window": self.window, "smoothing-method": self.smoothing_method})
        for key, attr in THRESHOLD_METADATA.items():
            if hasattr(self, attr):
                metadata[key] = to_json(getattr(self, attr))
        return metadata


def nan_safe(values: np.ndarray) -> np.ndarray:
    """``values``, or one NaN row if it has no finite value (too few rows for the window)."""
    return values if np.isfinite(values).any() else np.full((1, *values.shape[1:]), np.nan)


def columns_of(data: Any) -> list[str]:
    """The column names of a frame as strings; [] for an array."""
    return [str(c) for c in data.columns] if isinstance(data, pd.DataFrame) else []


def _nan_to_none(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def to_json(value: Any) -> Any:
    """Thresholds as plain JSON values (NaN as None)."""
    if isinstance(value, pd.DataFrame):
        return {str(i): to_json(row) for i, row in value.iterrows()}
    if isinstance(value, pd.Series):
        return {str(k): _nan_to_none(v) for k, v in value.items()}
    return _nan_to_none(value)
