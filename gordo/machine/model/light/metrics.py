"""scikit-learn's regression metrics that gordo scores builds with, in numpy alone.

Each function computes what its namesake in ``sklearn.metrics`` computes for
2D float targets without sample weights, operation for operation (so the
scores are the same numbers), with the same ``multioutput`` choices.

>>> y_true = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 7.0]])
>>> y_pred = np.array([[1.0, 2.5], [2.5, 4.0], [3.0, 6.0]])
>>> mean_absolute_error(y_true, y_pred)
0.3333333333333333
>>> r2_score(y_true, y_pred, multioutput="raw_values").round(4).tolist()
[0.875, 0.9013]
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np


def _targets(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype="float64")
    y_pred = np.asarray(y_pred, dtype="float64")
    y_true, y_pred = (a.reshape(-1, 1) if a.ndim == 1 else a for a in (y_true, y_pred))
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different shapes: {y_true.shape} and {y_pred.shape}"
        )
    return y_true, y_pred


def _average_outputs(values: np.ndarray, multioutput: Any) -> Any:
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return values
        if multioutput != "uniform_average":
            raise ValueError(f"multioutput {multioutput!r} is not supported here")
        multioutput = None
    return float(np.average(values, weights=multioutput))


def mean_absolute_error(y_true: Any, y_pred: Any, *, multioutput: Any = "uniform_average") -> Any:
    """Mean of ``|y_true - y_pred|`` per output, then over the outputs."""
    y_true, y_pred = _targets(y_true, y_pred)
    return _average_outputs(np.average(np.abs(y_pred - y_true), axis=0), multioutput)


def mean_squared_error(y_true: Any, y_pred: Any, *, multioutput: Any = "uniform_average") -> Any:
    """Mean of ``(y_true - y_pred) ** 2`` per output, then over the outputs."""
    y_true, y_pred = _targets(y_true, y_pred)
    return _average_outputs(np.average((y_true - y_pred) ** 2, axis=0), multioutput)


def _fraction_explained(numerator: np.ndarray, denominator: np.ndarray, multioutput: Any) -> Any:
    """``1 - numerator / denominator`` per output: 1 where the numerator is 0, 0 where only
    the denominator is."""
    nonzero_numerator, nonzero_denominator = numerator != 0, denominator != 0
    scores = np.ones(numerator.shape, dtype=numerator.dtype)
    valid = nonzero_numerator & nonzero_denominator
    scores[valid] = 1 - (numerator[valid] / denominator[valid])
    scores[nonzero_numerator & ~nonzero_denominator] = 0.0
    if multioutput == "variance_weighted":
        multioutput = denominator if nonzero_denominator.any() else "uniform_average"
    return _average_outputs(scores, multioutput)


def r2_score(y_true: Any, y_pred: Any, *, multioutput: Any = "uniform_average") -> Any:
    """The coefficient of determination, per output and then averaged."""
    y_true, y_pred = _targets(y_true, y_pred)
    if len(y_pred) < 2:
        warnings.warn(
            "R^2 score is not well-defined with less than two samples.", UserWarning, stacklevel=2
        )
        return float("nan")
    numerator = np.sum(1.0 * (y_true - y_pred) ** 2, axis=0)
    denominator = np.sum(1.0 * (y_true - np.average(y_true, axis=0)) ** 2, axis=0)
    return _fraction_explained(numerator, denominator, multioutput)


def explained_variance_score(
    y_true: Any, y_pred: Any, *, multioutput: Any = "uniform_average"
) -> Any:
    """The explained variance, per output and then averaged."""
    y_true, y_pred = _targets(y_true, y_pred)
    diff_mean = np.average(y_true - y_pred, axis=0)
    numerator = np.average((y_true - y_pred - diff_mean) ** 2, axis=0)
    denominator = np.average((y_true - np.average(y_true, axis=0)) ** 2, axis=0)
    return _fraction_explained(numerator, denominator, multioutput)


#: The metric functions, by the import paths of their scikit-learn namesakes.
METRICS = {
    f"sklearn.metrics.{f.__name__}": f
    for f in (explained_variance_score, r2_score, mean_squared_error, mean_absolute_error)
}
