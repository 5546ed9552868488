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
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import TransformerMixin
from sklearn.metrics import make_scorer

from gordo.serializer.import_paths import import_locate

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
    :class:`gordo.exceptions.DefinitionImportError` naming it.
    """
    paths = DEFAULT_METRICS if metric_list is None else metric_list
    return [import_locate(p if "." in p else f"sklearn.metrics.{p}") for p in paths]


def metric_name(metric: Callable) -> str:
    """``r2_score`` -> ``r2-score``: the key of a metric in the scores metadata."""
    return getattr(metric, "__name__", type(metric).__name__).replace("_", "-")


def _column_metric(y_true: Any, y_pred: Any, *, metric: Callable, index: int) -> float:
    """``metric`` on column ``index`` of ``y_true`` and ``y_pred`` only."""
    return metric(np.asarray(y_true)[:, index], np.asarray(y_pred)[:, index])


def build_metrics_dict(
    metrics_list: list[Callable],
    y: pd.DataFrame,
    scaler: TransformerMixin | str | dict | None = None,
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
    from gordo import serializer
    from gordo.machine.model.utils import metric_wrapper

    if isinstance(scaler, str | Mapping):
        scaler = serializer.from_definition(scaler)
    if scaler is not None:
        scaler.fit(y)
    scorers: dict[str, Callable] = {}
    for metric in metrics_list:
        name = metric_name(metric)
        scorers[name] = make_scorer(metric_wrapper(metric, scaler=scaler))
        for index, column in enumerate(y.columns):
            tag = str(column).replace(" ", "-")
            column_metric = functools.partial(_column_metric, metric=metric, index=index)
            scorers[f"{name}-{tag}"] = make_scorer(metric_wrapper(column_metric, scaler=scaler))
    return scorers


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
