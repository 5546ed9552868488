"""Scoring helpers of the model builder: metric lookup, scorers, splits and fold scores.

>>> import pandas as pd
>>> from sklearn.model_selection import TimeSeriesSplit
>>> [m.__name__ for m in metrics_from_list(["r2_score", "sklearn.metrics.max_error"])]
['r2_score', 'max_error']
>>> X = pd.DataFrame({"a": range(8)}, index=pd.date_range("2020", periods=8, freq="h", tz="UTC"))
>>> build_split_dict(X, TimeSeriesSplit(n_splits=2))["fold-2-n-train"]
6
>>> fold_scores({"test_r2-score": [0.5, 0.7]}, ["r2-score"])["r2-score"]["fold-mean"]
0.6
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from gordo.exceptions import DefinitionImportError, MetricImportError
from gordo.serializer.import_paths import import_locate

#: A fitted or unfitted scaler, or its definition.
Scaler = Any

#: The metrics used when the evaluation config names none.
DEFAULT_METRICS = [
    "sklearn.metrics.explained_variance_score",
    "sklearn.metrics.r2_score",
    "sklearn.metrics.mean_squared_error",
    "sklearn.metrics.mean_absolute_error",
]


def metrics_from_list(metric_list: list[str] | None = None) -> list[Callable]:
    """Load metric functions from import paths; a bare name is looked up in ``sklearn.metrics``.

    ``None`` gives :data:`DEFAULT_METRICS`. An unknown name raises
    :class:`gordo.exceptions.MetricImportError` (an ``AttributeError``, as
    documented) naming it.

    >>> metrics_from_list(["no_such_metric"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gordo.exceptions.MetricImportError: evaluation.metrics: Cannot import ...no_such_metric...
    """
    paths = DEFAULT_METRICS if metric_list is None else metric_list
    found = []
    for path in paths:
        try:
            found.append(import_locate(path if "." in path else f"sklearn.metrics.{path}"))
        except DefinitionImportError as exc:
            raise MetricImportError(f"evaluation.metrics: {exc}") from exc
    return found


def metric_name(metric: Callable) -> str:
    """``r2_score`` -> ``r2-score``: the key of a metric in the scores metadata."""
    return getattr(metric, "__name__", type(metric).__name__).replace("_", "-")


def _column_metric(y_true: Any, y_pred: Any, *, metric: Callable, index: int) -> float:
    """``metric`` on column ``index`` of ``y_true`` and ``y_pred`` only."""
    return metric(np.asarray(y_true)[:, index], np.asarray(y_pred)[:, index])


def build_metrics_dict(
    metrics_list: list[Callable],
    y: pd.DataFrame,
    scaler: Scaler = None,
) -> dict[str, Callable]:
    """Scorers for ``sklearn.model_selection.cross_validate``, keyed as in the scores metadata.

    For each metric, ``{metric}`` scores all target tags together and
    ``{metric}-{tag}`` one tag (spaces in tag names become ``-``). If
    ``scaler`` is given (an instance or a definition), it is fitted on ``y`` and
    both ``y`` and the prediction are scaled before scoring, so tags of
    different amplitude weigh the same.

    >>> import pandas as pd
    >>> from sklearn.metrics import r2_score
    >>> y = pd.DataFrame({"Tag 1": [1.0, 2.0], "Tag 2": [3.0, 5.0]})
    >>> sorted(build_metrics_dict([r2_score], y, scaler="sklearn.preprocessing.MinMaxScaler"))
    ['r2-score', 'r2-score-Tag-1', 'r2-score-Tag-2']
    """
    from sklearn.metrics import make_scorer

    from gordo.machine.model.utils import metric_wrapper

    scaler = _fitted_scaler(scaler, y)
    scorers: dict[str, Callable] = {}
    for metric in metrics_list:
        name = metric_name(metric)
        scorers[name] = make_scorer(metric_wrapper(metric, scaler=scaler))
        for index, column in enumerate(y.columns):
            tag = _tag_name(column)
            column_metric = functools.partial(_column_metric, metric=metric, index=index)
            scorers[f"{name}-{tag}"] = make_scorer(metric_wrapper(column_metric, scaler=scaler))
    return scorers


def _tag_name(column: Any) -> str:
    return str(column).replace(" ", "-")


def _fitted_scaler(scaler: Scaler, y: Any) -> Any:
    from gordo import serializer

    if isinstance(scaler, str | Mapping):
        scaler = serializer.from_definition(scaler)
    return None if scaler is None else scaler.fit(y)


def _per_column(metric: Callable, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``metric`` of each column: one ``multioutput="raw_values"`` call when supported."""
    try:
        takes_multioutput = "multioutput" in inspect.signature(metric).parameters
    except (TypeError, ValueError):
        takes_multioutput = False
    if takes_multioutput:
        values = np.atleast_1d(metric(y_true, y_pred, multioutput="raw_values"))
        if values.shape == (y_true.shape[1],):
            return values
    return np.array([metric(y_true[:, i], y_pred[:, i]) for i in range(y_true.shape[1])])


class MultiMetricScorer:
    """One scorer for ``cross_validate`` giving every score of :func:`build_metrics_dict`.

    Same names and values as the scorers of :func:`build_metrics_dict`, but it
    predicts, aligns and scales once per fold and scores all tags of a metric
    in one call, instead of once per (metric, tag) pair.

    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.metrics import r2_score
    >>> y = pd.DataFrame({"Tag 1": [1.0, 2.0, 4.0], "Tag 2": [3.0, 5.0, 4.0]})
    >>> scorer = MultiMetricScorer([r2_score], y, scaler="sklearn.preprocessing.MinMaxScaler")
    >>> scorer.names
    ['r2-score', 'r2-score-Tag-1', 'r2-score-Tag-2']
    >>> scorer(LinearRegression().fit(y, y), y, y)
    {'r2-score': 1.0, 'r2-score-Tag-1': 1.0, 'r2-score-Tag-2': 1.0}
    """

    def __init__(
        self,
        metrics_list: list[Callable],
        y: pd.DataFrame,
        scaler: Scaler = None,
    ):
        self.metrics_list = list(metrics_list)
        self.tags = [_tag_name(c) for c in y.columns]
        self.scaler = _fitted_scaler(scaler, np.asarray(y, dtype="float64"))
        self.names = [
            key
            for metric in self.metrics_list
            for key in (metric_name(metric), *(f"{metric_name(metric)}-{t}" for t in self.tags))
        ]

    def __call__(self, estimator: Any, X: Any, y: Any) -> dict[str, float]:
        y_pred = np.asarray(estimator.predict(X), dtype="float64")
        if y_pred.ndim == 1:
            y_pred = y_pred.reshape(-1, 1)
        y_true = np.asarray(y, dtype="float64")[-len(y_pred) :]
        if self.scaler is not None:
            y_true, y_pred = self.scaler.transform(y_true), self.scaler.transform(y_pred)
        scores: dict[str, float] = {}
        for metric in self.metrics_list:
            name = metric_name(metric)
            scores[name] = _guarded(metric, name, y_true, y_pred)
            for tag, value in zip(self.tags, _per_column(metric, y_true, y_pred), strict=True):
                scores[f"{name}-{tag}"] = float(value)
        return scores


def _guarded(metric: Callable, name: str, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """``metric(y_true, y_pred)``, or NaN with a warning if it fails (as sklearn's scorers do)."""
    try:
        return float(metric(y_true, y_pred))
    except Exception as exc:
        warnings.warn(f"Scoring {name!r} failed, its score is NaN: {exc}", stacklevel=2)
        return float("nan")


def build_split_dict(X: pd.DataFrame, split_obj: Any) -> dict[str, Any]:
    """Start, end and size of the train and test part of each cross-validation fold."""
    splits: dict[str, Any] = {}
    for fold, (train, test) in enumerate(split_obj.split(X), start=1):
        for part, rows in (("train", train), ("test", test)):
            splits[f"fold-{fold}-{part}-start"] = str(X.index[rows[0]])
            splits[f"fold-{fold}-{part}-end"] = str(X.index[rows[-1]])
            splits[f"fold-{fold}-n-{part}"] = len(rows)
    return splits


def fold_scores(cv_results: Mapping[str, Any], names: Iterable[str]) -> dict[str, dict[str, float]]:
    """``{name: {fold-1..n, fold-min, fold-max, fold-mean, fold-std}}`` from ``cross_validate`` results."""
    scores = {}
    for name in names:
        values = np.asarray(cv_results[f"test_{name}"], dtype=float)
        folds = {f"fold-{i}": float(v) for i, v in enumerate(values, start=1)}
        folds.update(
            {
                "fold-min": float(values.min()),
                "fold-max": float(values.max()),
                "fold-mean": float(values.mean()),
                "fold-std": float(values.std()),
            }
        )
        scores[name] = folds
    return scores
