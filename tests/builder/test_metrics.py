"""The fast multi-metric scorer agrees with the documented per-(metric, tag) scorers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.model_selection import TimeSeriesSplit, cross_validate

from gordo.builder import ModelBuilder, metrics
from gordo.exceptions import MetricImportError


class _ShortOutput(BaseEstimator, RegressorMixin):
    """Predicts all but the first 3 rows, like an LSTM with a lookback."""

    def fit(self, X, y):
        self.mean_ = np.asarray(y).mean(axis=0)
        return self

    def predict(self, X):
        return np.asarray(X)[3:] * 0.5 + self.mean_ * 0.5


def _data():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((60, 3)), columns=["a", "tag b", "c"])
    y = X * [1.0, 10.0, 100.0] + rng.random((60, 3))
    return X, y


@pytest.mark.parametrize("model", [Ridge(), _ShortOutput()])
@pytest.mark.parametrize("scaler", [None, "sklearn.preprocessing.MinMaxScaler"])
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_same_scores_as_documented_scorers(model, scaler):
    X, y = _data()
    metric_list = metrics.metrics_from_list(None) + metrics.metrics_from_list(["max_error"])
    cv = TimeSeriesSplit(3)
    slow = metrics.build_metrics_dict(metric_list, y, scaler=scaler)
    fast = metrics.MultiMetricScorer(metric_list, y, scaler=scaler)
    assert fast.names == list(slow)
    expected = metrics.fold_scores(cross_validate(model, X, y, cv=cv, scoring=slow), slow)
    got = metrics.fold_scores(cross_validate(model, X, y, cv=cv, scoring=fast), fast.names)
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name] == pytest.approx(expected[name], rel=1e-9, abs=1e-12, nan_ok=True), name
    assert np.isnan(got["max-error"]["fold-1"])  # max_error takes one column only
    assert got["max-error-tag-b"]["fold-1"] > 0


def test_unknown_metric():
    with pytest.raises(MetricImportError, match="no_such_score"):
        metrics.metrics_from_list(["no_such_score"])


def test_unknown_metric_is_the_documented_attribute_error():
    """``metrics_from_list`` is documented to raise AttributeError; the message names the metric."""
    with pytest.raises(AttributeError, match="no_such_metric"):
        metrics.metrics_from_list(["no_such_metric"])
    with pytest.raises(AttributeError, match="no_such_metric"):
        ModelBuilder.metrics_from_list(["no_such_metric"])
