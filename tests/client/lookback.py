"""A look-back regressor for the client tests: one output per full window of rows."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin


class WindowMean(RegressorMixin, BaseEstimator):
    """Predicts the mean of each window of ``lookback_window`` rows (answers fewer rows).

    >>> WindowMean(lookback_window=2).fit(np.zeros((3, 1))).predict(np.arange(4.0)[:, None])
    array([[0.5],
           [1.5],
           [2.5]])
    """

    def __init__(self, lookback_window: int = 5):
        self.lookback_window = lookback_window

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        values = np.asarray(X, dtype=np.float64)
        sums = np.cumsum(np.vstack([np.zeros((1, values.shape[1])), values]), axis=0)
        window = self.lookback_window
        return (sums[window:] - sums[:-window]) / window
