"""Anomaly detection from the difference between a model's output and the target.

The per-tag anomaly is ``|y - yhat|``, unscaled and scaled by a scaler fitted to
y; the total anomaly of a row is the Euclidean norm of its tag anomalies.
Thresholds come from the validation errors of cross-validation folds.

>>> import numpy as np, pandas as pd
>>> from sklearn.linear_model import LinearRegression
>>> index = pd.date_range("2020-01-01", periods=60, freq="10min", tz="UTC")
>>> X = pd.DataFrame(np.random.rand(60, 2), index=index, columns=["a", "b"])
>>> model = DiffBasedAnomalyDetector(base_estimator=LinearRegression())
>>> _ = model.cross_validate(X=X, y=X)
>>> frame = model.fit(X, X).anomaly(X, X, frequency=pd.Timedelta("10min"))
>>> frame.columns.get_level_values(0).unique().tolist()  # doctest: +NORMALIZE_WHITESPACE
['start', 'end', 'model-input', 'model-output', 'tag-anomaly-scaled', 'tag-anomaly-unscaled',
 'total-anomaly-scaled', 'total-anomaly-unscaled', 'anomaly-confidence',
 'total-anomaly-confidence']
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import explained_variance_score
from sklearn.model_selection import KFold, TimeSeriesSplit
from sklearn.model_selection import cross_validate as sk_cross_validate
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils import shuffle as sk_shuffle

from gordo.machine.model.anomaly.base import AnomalyDetectorBase
from gordo.machine.model.checks import as_float_array, check_finite
from gordo.machine.model.models import KerasAutoEncoder
from gordo.machine.model.utils import frame_from_blocks

SMOOTHING_METHODS = ("smm", "sma", "ewma")

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


class DiffBasedAnomalyDetector(AnomalyDetectorBase):
    """Wraps ``base_estimator`` and scores anomalies by the difference of its output from y.

    ``scaler`` is fitted to y after the base estimator, and only used for the
    scaled errors. ``cross_validate`` sets the thresholds: per tag and for the
    total, the maximum of a rolling minimum (over THRESHOLD_ROLLING_ROWS rows)
    of the errors on the last fold's validation rows; with ``window``, also
    thresholds of errors smoothed by ``smoothing_method`` (default ``smm``).

    Parameters
    ----------
    base_estimator
        Model whose ``fit``/``predict`` are used; default
        ``KerasAutoEncoder(kind="feedforward_hourglass")``.
    scaler
        Transformer for the scaled errors (default ``MinMaxScaler()``).
    require_thresholds
        If set, ``anomaly()`` raises AttributeError unless ``cross_validate()`` ran.
    shuffle
        Shuffle the rows before fitting the base estimator.
    window
        Rows of the smoothing window for smoothed anomalies and thresholds.
    smoothing_method
        ``smm`` (moving median), ``sma`` (moving average) or ``ewma``.
    """

    def __init__(
        self,
        base_estimator: BaseEstimator = KerasAutoEncoder(kind="feedforward_hourglass"),
        scaler: TransformerMixin = MinMaxScaler(),
        require_thresholds: bool = True,
        shuffle: bool = False,
        window: int | None = None,
        smoothing_method: str | None = None,
    ):
        self.base_estimator = base_estimator
        self.scaler = scaler
        self.require_thresholds = require_thresholds
        self.shuffle = shuffle
        self.window = window
        self.smoothing_method = smoothing_method

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        """The detector's own parameters (as documented for ``GordoBase``); ``deep=True`` adds
        the nested ``base_estimator__…`` ones.

        >>> sorted(DiffBasedAnomalyDetector().get_params())  # doctest: +NORMALIZE_WHITESPACE
        ['base_estimator', 'require_thresholds', 'scaler', 'shuffle', 'smoothing_method',
         'window']
        """
        return super().get_params(deep=deep)

    @property
    def _smoothing(self) -> str:
        return self.smoothing_method or "smm"

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

    # --- fitting ------------------------------------------------------------------------

    def fit(self, X: Any, y: Any) -> DiffBasedAnomalyDetector:
        """Fit the base estimator to X, y (shuffled first if ``shuffle``), then the scaler to y."""
        self._check_params()
        owner = type(self).__name__
        y_arr, y_columns = as_float_array(y, "y", dtype="float64")
        check_finite(as_float_array(X, "X", dtype="float64")[0], columns_of(X), "X", owner)
        check_finite(y_arr, y_columns, "y", owner)
        if self.shuffle:
            X, y = sk_shuffle(X, y)
        self.base_estimator.fit(X, y)
        self.scaler.fit(y_arr)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The base estimator's output for X."""
        return self.base_estimator.predict(X)

    def score(
        self,
        X: np.ndarray | pd.DataFrame,
        y: np.ndarray | pd.DataFrame,
        sample_weight: np.ndarray | None = None,
    ) -> float:
        """The base estimator's score, or the explained variance of its output."""
        if hasattr(self.base_estimator, "score"):
            return self.base_estimator.score(X, y, sample_weight=sample_weight)
        out = self.predict(X)
        y_arr = as_float_array(y, "y", dtype="float64")[0][-len(out) :]
        return float(explained_variance_score(y_arr, out, sample_weight=sample_weight))

    # --- cross-validation and thresholds --------------------------------------------------

    def cross_validate(
        self,
        *,
        X: pd.DataFrame | np.ndarray,
        y: pd.DataFrame | np.ndarray,
        cv: Any = TimeSeriesSplit(n_splits=3),
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Cross-validate and set the thresholds from the folds' validation errors.

        ``kwargs`` go to :func:`sklearn.model_selection.cross_validate`; the
        estimators and indices of the folds are always returned.
        """
        self._check_params()
        kwargs = {**kwargs, "return_estimator": True, "return_indices": True}
        cv_output = sk_cross_validate(self, X=X, y=y, cv=cv, **kwargs)
        folds = [
            _validation_errors(estimator, X, y, test)
            for estimator, test in zip(
                cv_output["estimator"], cv_output["indices"]["test"], strict=True
            )
        ]
        self._set_thresholds(folds, columns_of(y))
        return cv_output

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

    # --- anomaly --------------------------------------------------------------------------

    def _scale(self, values: np.ndarray) -> np.ndarray:
        """``values`` (float64, one column per target) transformed by the fitted scaler."""
        return np.asarray(self.scaler.transform(values), dtype="float64")

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
        owner = type(self).__name__
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
        y_pred = np.asarray(self.predict(X), dtype="float64")
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


class DiffBasedKFCVAnomalyDetector(DiffBasedAnomalyDetector):
    """A diff-based detector whose thresholds are percentiles of smoothed K-fold validation errors.

    The out-of-fold errors of all folds, in time order, are smoothed over
    ``window`` rows with ``smoothing_method``; the thresholds (per tag and for
    the total) are their ``threshold_percentile`` quantiles.

    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> X = pd.DataFrame(np.random.rand(50, 2), columns=["a", "b"])
    >>> model = DiffBasedKFCVAnomalyDetector(base_estimator=LinearRegression(), window=5)
    >>> _ = model.cross_validate(X=X, y=X)
    >>> sorted(model.get_metadata()["feature-thresholds"])
    ['a', 'b']
    """

    def __init__(
        self,
        base_estimator: BaseEstimator = KerasAutoEncoder(kind="feedforward_hourglass"),
        scaler: TransformerMixin = MinMaxScaler(),
        require_thresholds: bool = True,
        shuffle: bool = True,
        window: int = 144,
        smoothing_method: str = "smm",
        threshold_percentile: float = 0.99,
    ):
        super().__init__(
            base_estimator=base_estimator,
            scaler=scaler,
            require_thresholds=require_thresholds,
            shuffle=shuffle,
            window=window,
            smoothing_method=smoothing_method,
        )
        self.threshold_percentile = threshold_percentile

    def cross_validate(
        self,
        *,
        X: pd.DataFrame | np.ndarray,
        y: pd.DataFrame | np.ndarray,
        cv: Any = KFold(n_splits=5, shuffle=True, random_state=0),
        **kwargs: Any,
    ) -> dict[str, Any]:
        """K-fold cross-validation; sets the thresholds from the percentiles of smoothed errors."""
        if not 0 <= self.threshold_percentile <= 1:
            raise ValueError(
                f"threshold_percentile must be within [0, 1], got {self.threshold_percentile}"
            )
        return super().cross_validate(X=X, y=y, cv=cv, **kwargs)

    def _set_thresholds(self, folds: list[dict[str, Any]], columns: list[str]) -> None:
        rows = np.concatenate([f["rows"] for f in folds])
        order = np.argsort(rows, kind="stable")
        tag = np.concatenate([f["tag"] for f in folds])[order]
        total = np.linalg.norm(tag, axis=1)[:, None]
        method = self._smoothing
        q = self.threshold_percentile
        tag_thresholds = np.nanquantile(nan_safe(smooth(tag, self.window, method)), q, axis=0)
        total_threshold = float(np.nanquantile(nan_safe(smooth(total, self.window, method)), q))
        names = columns or [str(i) for i in range(tag.shape[1])]
        self.feature_thresholds_ = pd.Series(tag_thresholds, index=names)
        self.aggregate_threshold_ = total_threshold
        self.smooth_feature_thresholds_ = self.feature_thresholds_
        self.smooth_aggregate_threshold_ = total_threshold

    def get_metadata(self) -> dict[str, Any]:
        """The detector's metadata plus ``threshold-percentile``."""
        return {**super().get_metadata(), "threshold-percentile": self.threshold_percentile}


def _validation_errors(estimator: Any, X: Any, y: Any, test: np.ndarray) -> dict[str, Any]:
    """A fold estimator on its test rows: scaled tag errors, raw residuals ``y - output``,
    their row positions, and the estimator."""
    X_test = X.iloc[test] if isinstance(X, pd.DataFrame) else np.asarray(X)[test]
    y_test = as_float_array(y, "y", dtype="float64")[0][test]
    y_pred = np.asarray(estimator.predict(X_test), dtype="float64")
    y_test = y_test[-len(y_pred) :]
    tag = np.abs(estimator._scale(y_pred) - estimator._scale(y_test))
    return {
        "tag": tag,
        "residuals": y_test - y_pred.reshape(y_test.shape),
        "rows": np.asarray(test)[-len(y_pred) :],
        "estimator": estimator,
    }


def smooth(values: np.ndarray, window: int, method: str) -> np.ndarray:
    """Smooth the columns of ``values`` over ``window`` rows: moving median, average, or EWMA.

    The first ``window - 1`` rows of ``smm`` and ``sma`` are NaN (incomplete windows).

    >>> smooth(np.array([[1.0], [3.0], [5.0]]), 2, "smm").ravel().tolist()
    [nan, 2.0, 4.0]
    >>> smooth(np.array([[1.0], [3.0], [2.0]]), 2, "sma").ravel().tolist()
    [nan, 2.0, 2.5]
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


def nan_safe(values: np.ndarray) -> np.ndarray:
    """``values``, or one NaN row if it has no finite value (too few rows for the window)."""
    return values if np.isfinite(values).any() else np.full((1, *values.shape[1:]), np.nan)


def columns_of(data: Any) -> list[str]:
    """The column names of a frame as strings; [] for an array."""
    return [str(c) for c in data.columns] if isinstance(data, pd.DataFrame) else []


def _nan_to_none(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def to_json(value: Any) -> Any:
    """Thresholds as plain JSON values (NaN as None).

    >>> to_json(pd.Series([0.5, np.nan], index=["a", "b"]))
    {'a': 0.5, 'b': None}
    """
    if isinstance(value, pd.DataFrame):
        return {str(i): to_json(row) for i, row in value.iterrows()}
    if isinstance(value, pd.Series):
        return {str(k): _nan_to_none(v) for k, v in value.items()}
    return _nan_to_none(value)
