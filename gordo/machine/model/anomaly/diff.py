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

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import explained_variance_score
from sklearn.model_selection import KFold, TimeSeriesSplit
from sklearn.model_selection import cross_validate as sk_cross_validate
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils import shuffle as sk_shuffle

from gordo.machine.model.anomaly.base import AnomalyDetectorBase
from gordo.machine.model.anomaly.scoring import DiffScoring, smooth
from gordo.machine.model.anomaly.training import DiffTraining, nan_safe
from gordo.machine.model.checks import as_float_array
from gordo.machine.model.light.estimators import LightMinMaxScaler, LightStandardScaler
from gordo.machine.model.models import KerasAutoEncoder


class DiffBasedAnomalyDetector(DiffScoring, DiffTraining, AnomalyDetectorBase):
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

    # --- fitting ------------------------------------------------------------------------

    def _shuffled(self, X: Any, y: Any) -> tuple[Any, Any]:
        return sk_shuffle(X, y)

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
        return self._cross_validate(X, y, cv, kwargs)

    def _run_folds(self, X: Any, y: Any, cv: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs = {**kwargs, "return_estimator": True, "return_indices": True}
        return sk_cross_validate(self, X=X, y=y, cv=cv, **kwargs)

    # --- anomaly (computed by DiffScoring.anomaly) --------------------------------------

    def _scale(self, values: np.ndarray) -> np.ndarray:
        return _scale(self.scaler, values)


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


def _scale(scaler: Any, values: np.ndarray) -> np.ndarray:
    """``scaler.transform(values)`` of a float64 array; fitted Min-Max and standard scalers
    are applied by their light twins (the same arithmetic without scikit-learn's validation).

    >>> scaler = MinMaxScaler().fit([[0.0], [4.0]])
    >>> _scale(scaler, np.array([[1.0], [2.0]])).ravel().tolist()
    [0.25, 0.5]
    """
    twin = _SCALER_TWINS.get(type(scaler))
    if (
        twin is None
        or getattr(scaler, "_sklearn_output_config", None)
        or not hasattr(scaler, "n_features_in_")
    ):
        return scaler.transform(values)
    return twin(scaler.__dict__).transform(values)


_SCALER_TWINS = {MinMaxScaler: LightMinMaxScaler, StandardScaler: LightStandardScaler}
