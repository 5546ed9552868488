"""The recommended detector: per-tag normalised errors, calibrated thresholds and events.

:class:`RobustEventAnomalyDetector` is a
:class:`~gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector` (its frame
keeps every documented column) that also

- normalises each tag's error ``y - model-output`` by the median and robust
  spread of that tag's errors on the training data, so a noisy tag does not
  drown a quiet one and every tag's score is in "normal spreads";
- clips each input tag to its training range before the model, so one tag far
  outside it does not distort the model's output for the other tags;
- finds tags whose level wanders (a random walk, a slow drift): in the
  training data's own time-series split, their later rows leave the range of the
  earlier ones. Such a tag's level on new data is no evidence of a fault, so its
  error is taken relative to its trailing median over ``drift_rows`` rows: a
  slow level change is not scored, a fast deviation still is;
- scores a tag by the root mean square of its normalised error over the last
  ``smoothing_rows`` rows, and a row by its highest tag score (one faulty tag
  among twelve is not averaged away);
- turns scores into events with :mod:`gordo.machine.model.anomaly.events`,
  with thresholds calibrated with cross-validation (never on labels): the
  ``1 - false_alarm_rate`` quantile of the training scores, times how much
  higher that quantile runs on held-out rows than on training rows in the folds;
- says which tags drive a row's score (``tag-anomaly-attribution``).

Tags constant in training cannot be normalised: they are left out of the
score, logged, and listed in the metadata (``events.excluded-tags``).

>>> import numpy as np, pandas as pd
>>> from sklearn.linear_model import LinearRegression
>>> rng = np.random.default_rng(0)
>>> index = pd.date_range("2020-01-01", periods=3000, freq="10min", tz="UTC")
>>> X = pd.DataFrame(rng.normal(size=(3000, 3)), index=index, columns=["a", "b", "c"])
>>> model = RobustEventAnomalyDetector(base_estimator=LinearRegression())
>>> _ = model.cross_validate(X=X, y=X)
>>> frame = model.fit(X, X).anomaly(X, X)
>>> frame["anomaly-event"].dtypes.tolist()
[dtype('bool')]
>>> sorted(model.get_metadata()["events"])  # doctest: +NORMALIZE_WHITESPACE
['drift-rows', 'excluded-tags', 'false-alarm-rate', 'generalisation-ratio', 'merge-gap-rows',
 'min-event-rows', 'smoothing-rows', 'tag-thresholds', 'threshold', 'wandering-tags']
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import RobustScaler, StandardScaler

from gordo.exceptions import InsufficientDataError
from gordo.machine.model.anomaly.diff import DiffBasedAnomalyDetector, to_json
from gordo.machine.model.anomaly.events import (
    EventSettings,
    calibrate,
    calibrate_robust,
    event_rows,
    smooth_trailing,
)
from gordo.machine.model.checks import as_float_array
from gordo.machine.model.models import KerasAutoEncoder

logger = logging.getLogger(__name__)

#: Scales a median absolute deviation to a standard deviation for normal errors.
MAD_TO_STD = 1.4826


def robust_spread(errors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column: the median of ``errors`` and their spread (scaled MAD, else the standard
    deviation if the MAD is 0; 0 for a constant column).

    >>> center, spread = robust_spread(np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 2.0]]))
    >>> center.tolist(), spread.round(4).tolist()
    ([3.0, 2.0], [2.9652, 0.0])
    """
    center = np.median(errors, axis=0)
    spread = MAD_TO_STD * np.median(np.abs(errors - center), axis=0)
    fallback = np.std(errors, axis=0)
    return center, np.where(spread > 0, spread, fallback)


#: A tag wanders if, in the training data's time-series split, on average more than this
#: share of a part's later rows lie outside the range of the rows before it (a stationary
#: tag: about 1 / rows before, under 0.1 % here).
WANDERING_SHARE = 0.01


def wandering_tags(y: np.ndarray, splits: int = 3) -> np.ndarray:
    """Per column of ``y`` (rows in time order): does its level wander? True if in
    ``TimeSeriesSplit(splits)`` of the rows, on average more than :data:`WANDERING_SHARE`
    of a test part's rows are outside the range of the training part before it.

    >>> rng = np.random.default_rng(0)
    >>> y = np.column_stack([rng.normal(size=3000), np.cumsum(rng.normal(size=3000))])
    >>> wandering_tags(y).tolist()
    [False, True]
    """
    if len(y) <= splits:  # too few rows to split: no evidence of wandering
        return np.zeros(y.shape[1], dtype=bool)
    shares = []
    for train, test in TimeSeriesSplit(n_splits=splits).split(y):
        low, high = y[train].min(axis=0), y[train].max(axis=0)
        shares.append(((y[test] < low) | (y[test] > high)).mean(axis=0))
    return np.mean(shares, axis=0) > WANDERING_SHARE


def default_base_estimator() -> BaseEstimator:
    """An autoencoder learning standardised tags -> standardised targets."""
    return TransformedTargetRegressor(
        transformer=StandardScaler(),
        regressor=Pipeline(
            [
                ("scale", StandardScaler()),
                ("autoencoder", KerasAutoEncoder(kind="feedforward_hourglass")),
            ]
        ),
    )


class RobustEventAnomalyDetector(DiffBasedAnomalyDetector):
    """A diff-based detector with per-tag normalised errors, calibrated thresholds and events.

    Parameters
    ----------
    base_estimator
        Model predicting y from X (default: :func:`default_base_estimator`).
    scaler
        Scaler of the documented ``tag-anomaly-scaled`` columns (default RobustScaler),
        fitted to the training errors rather than to y: a tag's scaled error is in
        units of its usual error, so ``total-anomaly-scaled`` ranks rows as well.
    smoothing_rows, min_event_rows, merge_gap_rows, false_alarm_rate
        The event settings (see :class:`~gordo.machine.model.anomaly.events.EventSettings`).
    drift_rows
        Rows of the trailing median subtracted from a wandering tag's error (see
        :func:`wandering_tags`; 0 scores every tag on its level).
    require_thresholds, shuffle, window, smoothing_method
        As for :class:`~gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector`.

    ``fit`` also sets each tag's error centre and spread (``error_center_``,
    ``error_spread_``) and the training scores' quantiles (``train_quantile_``,
    ``tag_train_quantiles_``); ``cross_validate``, besides the documented
    thresholds, the held-out / training ratios of those quantiles
    (``generalisation_ratio_``, ``tag_generalisation_ratios_``).
    :meth:`event_thresholds` combines them.
    """

    def __init__(
        self,
        base_estimator: BaseEstimator | None = None,
        scaler: TransformerMixin | None = None,
        smoothing_rows: int = EventSettings.smoothing_rows,
        min_event_rows: int = EventSettings.min_event_rows,
        merge_gap_rows: int = EventSettings.merge_gap_rows,
        false_alarm_rate: float = EventSettings.false_alarm_rate,
        drift_rows: int = EventSettings.drift_rows,
        require_thresholds: bool = True,
        shuffle: bool = False,
        window: int | None = None,
        smoothing_method: str | None = None,
    ):
        super().__init__(
            base_estimator=default_base_estimator() if base_estimator is None else base_estimator,
            scaler=RobustScaler() if scaler is None else scaler,
            require_thresholds=require_thresholds,
            shuffle=shuffle,
            window=window,
            smoothing_method=smoothing_method,
        )
        self.smoothing_rows = smoothing_rows
        self.min_event_rows = min_event_rows
        self.merge_gap_rows = merge_gap_rows
        self.false_alarm_rate = false_alarm_rate
        self.drift_rows = drift_rows

    @property
    def event_settings(self) -> EventSettings:
        """The event settings of the parameters (ValueError naming the detector and a bad one)."""
        settings = EventSettings(
            smoothing_rows=self.smoothing_rows,
            min_event_rows=self.min_event_rows,
            merge_gap_rows=self.merge_gap_rows,
            false_alarm_rate=self.false_alarm_rate,
            drift_rows=self.drift_rows,
        )
        try:
            return settings.check()
        except ValueError as exc:
            raise ValueError(f"{type(self).__name__}: {exc}") from None

    def fit(self, X: Any, y: Any) -> RobustEventAnomalyDetector:
        """Fit the base estimator; then, on its training errors ``y - model-output``, the
        scaler (so ``tag-anomaly-scaled`` is in units of their spread), each tag's centre
        and spread (tags constant in them are left out of the score) and the training
        scores' quantiles."""
        super().fit(X, y)  # checks the parameters and event settings first
        settings = self.event_settings
        X_arr = as_float_array(X, "X", dtype="float64")[0]
        self.input_range_ = (X_arr.min(axis=0), X_arr.max(axis=0))
        y_arr, columns = as_float_array(y, "y", dtype="float64")
        names = columns or [str(i) for i in range(y_arr.shape[1])]
        pred = np.asarray(self.predict(X), dtype="float64").reshape(-1, len(names))
        residuals = y_arr[len(y_arr) - len(pred) :] - pred
        # the documented scaled errors in units of the training errors' spread
        self.scaler.fit(residuals)
        if settings.drift_rows:
            wandering = wandering_tags(y_arr)
        else:
            wandering = np.zeros(len(names), dtype=bool)
        self.wandering_ = wandering
        self.wandering_tags_ = [name for name, w in zip(names, wandering, strict=True) if w]
        if self.wandering_tags_:
            logger.info(
                "Tags whose level wanders, scored relative to their trailing median: %s",
                self.wandering_tags_,
            )
        center, spread = robust_spread(self._deviations(residuals))
        constant = [name for name, s in zip(names, spread, strict=True) if not s > 0]
        if len(constant) == len(names):
            raise ValueError(f"{type(self).__name__}: every target tag is constant: {constant}")
        if constant:
            logger.warning("Tags constant in training, left out of the anomaly score: %s", constant)
        self.error_center_ = pd.Series(center, index=names)
        self.error_spread_ = pd.Series(spread, index=names)
        self.excluded_tags_ = constant
        rate = settings.false_alarm_rate
        total, tags, _ = self._scores(residuals)
        self.train_quantile_ = float(calibrate_robust(total[:, None], rate)[0])
        self.tag_train_quantiles_ = pd.Series(calibrate_robust(tags, rate), index=names)
        return self

    def _check_params(self) -> None:
        """The detector's parameters and the event settings, before any training."""
        super()._check_params()
        _ = self.event_settings

    def _set_thresholds(self, folds: list[dict[str, Any]], columns: list[str]) -> None:
        """The documented thresholds, then the generalisation ratios of the event thresholds
        from the folds' held-out residuals (InsufficientDataError if they are too few for
        the event settings).

        A fold model scores its held-out rows in spreads of its own training errors, as the
        final model scores new data in spreads of its training errors: the thresholds include
        how much worse a model does on data it did not see.
        """
        super()._set_thresholds(folds, columns)
        settings = self.event_settings
        ratios, tag_ratios, n_rows = [], [], 0
        for fold in folds:
            estimator = fold["estimator"]
            # a fold's held-out rows are contiguous: smoothing within them is meaningful
            total, tags, _ = estimator._scores(fold["residuals"])
            n_rows += len(total)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios.append(
                    calibrate(total[:, None], settings.false_alarm_rate)[0]
                    / estimator.train_quantile_
                )
                tag_ratios.append(
                    calibrate(tags, settings.false_alarm_rate)
                    / estimator.tag_train_quantiles_.to_numpy()
                )
        needed = settings.min_calibration_rows()
        if n_rows < needed:
            raise InsufficientDataError(
                f"{type(self).__name__}: cross-validation held out {n_rows} rows, too few to "
                f"calibrate false_alarm_rate={settings.false_alarm_rate} with "
                f"smoothing_rows={settings.smoothing_rows} (needs {needed}): train on more "
                "data or raise false_alarm_rate"
            )
        # how much higher held-out scores run than training ones; never below 1
        self.generalisation_ratio_ = max(1.0, float(np.nanmedian(ratios)))
        with warnings.catch_warnings():  # NaN for a tag left out of the score
            warnings.simplefilter("ignore", RuntimeWarning)
            tag_ratio = np.nanmedian(np.array(tag_ratios), axis=0)
        names = columns or [str(i) for i in range(len(tag_ratio))]
        self.tag_generalisation_ratios_ = pd.Series(np.fmax(1.0, tag_ratio), index=names)

    def predict(self, X: Any) -> np.ndarray:
        """The base estimator's output for X clipped to the training range of each input tag
        (once fitted): a tag far outside it does not distort the output for the others, and
        its own error is its excursion."""
        if not hasattr(self, "input_range_"):
            return super().predict(X)
        low, high = self.input_range_
        if isinstance(X, pd.DataFrame):
            return super().predict(X.clip(low, high, axis=1))
        return super().predict(np.clip(np.asarray(X, dtype="float64"), low, high))

    def event_thresholds(self) -> tuple[float, np.ndarray] | None:
        """The thresholds of the total and of each tag's score, once fitted and
        cross-validated: the training scores' ``1 - false_alarm_rate`` quantiles times
        the generalisation ratios found in cross-validation."""
        if not hasattr(self, "generalisation_ratio_") or not hasattr(self, "train_quantile_"):
            return None
        return (
            self.train_quantile_ * self.generalisation_ratio_,
            self.tag_train_quantiles_.to_numpy() * self.tag_generalisation_ratios_.to_numpy(),
        )

    def _deviations(self, residuals: np.ndarray) -> np.ndarray:
        """The residuals, with a wandering tag's trailing median over ``drift_rows`` rows
        subtracted from its residual."""
        wandering = np.flatnonzero(self.wandering_)
        if not len(wandering):
            return residuals
        out = residuals.copy()
        baseline = pd.DataFrame(residuals[:, wandering]).rolling(self.drift_rows, min_periods=1)
        out[:, wandering] -= baseline.median().to_numpy()
        return out

    def _scores(self, residuals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Smoothed total score, smoothed per-tag scores (NaN for excluded tags) and per-tag
        shares of the total, from the residuals ``y - model-output``."""
        residuals = self._deviations(residuals)
        rows = self.smoothing_rows
        spread = self.error_spread_.to_numpy()
        used = spread > 0
        z = np.full(residuals.shape, np.nan)
        z[:, used] = (residuals[:, used] - self.error_center_.to_numpy()[used]) / spread[used]
        squares = np.where(used, np.square(z), 0.0)
        smoothed = smooth_trailing(squares, rows)
        total = np.sqrt(smoothed[:, used].max(axis=1))
        tags = np.sqrt(smoothed)
        tags[:, ~used] = np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.nan_to_num(smoothed / smoothed.sum(axis=1, keepdims=True))
        return total, tags, shares

    def anomaly(
        self, X: pd.DataFrame, y: pd.DataFrame, frequency: timedelta | None = None
    ) -> pd.DataFrame:
        """The documented anomaly frame plus the event columns (see docs/api.md):
        ``anomaly-score``, ``anomaly-event``, and per tag ``tag-anomaly-score``,
        ``tag-anomaly-event`` and ``tag-anomaly-attribution``."""
        frame = super().anomaly(X, y, frequency=frequency)
        thresholds = self.event_thresholds()
        if thresholds is None:
            return frame
        settings = self.event_settings
        names = list(self.error_center_.index)
        y_arr = as_float_array(y, "y", dtype="float64")[0]
        residuals = y_arr[len(y_arr) - len(frame) :] - frame["model-output"].to_numpy()
        total, tags, shares = self._scores(residuals)
        threshold, tag_thresholds = thresholds
        event = event_rows(total > threshold, settings.min_event_rows, settings.merge_gap_rows)
        tag_events = np.column_stack(
            [
                event_rows(
                    tags[:, i] > tag_thresholds[i], settings.min_event_rows, settings.merge_gap_rows
                )
                for i in range(tags.shape[1])
            ]
        )
        extra = {
            ("anomaly-score", "anomaly-score"): total,
            ("anomaly-event", "anomaly-event"): event,
        }
        for top, values in (
            ("tag-anomaly-score", tags),
            ("tag-anomaly-event", tag_events),
            ("tag-anomaly-attribution", shares),
        ):
            extra.update({(top, name): values[:, i] for i, name in enumerate(names)})
        return pd.concat([frame, pd.DataFrame(extra, index=frame.index)], axis=1)

    def get_metadata(self) -> dict[str, Any]:
        """The diff-based metadata plus ``events``: the settings and the fitted thresholds."""
        metadata = super().get_metadata()
        thresholds = self.event_thresholds()
        if thresholds is not None:
            metadata["events"] = {
                **self.event_settings.to_metadata(),
                "threshold": thresholds[0],
                "tag-thresholds": to_json(pd.Series(thresholds[1], index=self.error_spread_.index)),
                "generalisation-ratio": self.generalisation_ratio_,
                "excluded-tags": list(self.excluded_tags_),
                "wandering-tags": list(self.wandering_tags_),
            }
        return metadata

