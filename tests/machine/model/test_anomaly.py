"""Diff-based anomaly detectors: thresholds, the anomaly frame, metadata and definitions."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, TimeSeriesSplit

from gordo import serializer
from gordo.machine.model.anomaly.diff import DiffBasedAnomalyDetector, DiffBasedKFCVAnomalyDetector
from tests.machine.model.conftest import TAGS

TEN_MINUTES = pd.Timedelta("10min")


def _detector(**kwargs) -> DiffBasedAnomalyDetector:
    return DiffBasedAnomalyDetector(base_estimator=Ridge(alpha=10.0), **kwargs)


def test_cross_validate_defaults():
    cv = inspect.signature(DiffBasedAnomalyDetector.cross_validate).parameters["cv"].default
    assert isinstance(cv, TimeSeriesSplit) and cv.n_splits == 3
    cv = inspect.signature(DiffBasedKFCVAnomalyDetector.cross_validate).parameters["cv"].default
    assert isinstance(cv, KFold) and (cv.n_splits, cv.shuffle, cv.random_state) == (5, True, 0)
    defaults = DiffBasedKFCVAnomalyDetector().get_params(deep=False)
    assert (defaults["window"], defaults["smoothing_method"], defaults["shuffle"]) == (
        144,
        "smm",
        True,
    )
    assert defaults["threshold_percentile"] == 0.99


def test_get_params_returns_the_detectors_own_parameters_as_documented():
    """``GordoBase.get_params(deep=False)``: no ``base_estimator__…`` keys by default."""
    own = [
        "base_estimator",
        "require_thresholds",
        "scaler",
        "shuffle",
        "smoothing_method",
        "window",
    ]
    base = Ridge(alpha=2.0)
    params = DiffBasedAnomalyDetector(base_estimator=base).get_params()
    assert sorted(params) == own and params["base_estimator"] is base
    kfcv = DiffBasedKFCVAnomalyDetector(base_estimator=base, window=12).get_params()
    assert sorted(kfcv) == sorted([*own, "threshold_percentile"]) and kfcv["window"] == 12
    assert (
        DiffBasedAnomalyDetector(base_estimator=base).get_params(deep=True)["base_estimator__alpha"]
        == 2.0
    )


def test_thresholds_from_cross_validation(frame):
    model = _detector()
    output = model.cross_validate(X=frame, y=frame, scoring="explained_variance")
    assert len(output["test_score"]) == 3
    assert list(model.feature_thresholds_.index) == TAGS
    assert model.feature_thresholds_per_fold_.shape == (3, 3)
    # The last fold's thresholds are the model's.
    np.testing.assert_allclose(
        model.feature_thresholds_, model.feature_thresholds_per_fold_.iloc[-1]
    )
    assert model.aggregate_threshold_ == model.aggregate_thresholds_per_fold_.iloc[-1] > 0
    metadata = model.get_metadata()
    json.dumps(metadata)
    assert set(metadata["feature-thresholds"]) == set(TAGS)
    assert metadata["aggregate-threshold"] == pytest.approx(model.aggregate_threshold_)
    assert "smooth-feature-thresholds" not in metadata


def test_anomaly_frame(frame):
    model = _detector()
    model.cross_validate(X=frame, y=frame)
    result = model.fit(frame, frame).anomaly(frame, frame, frequency=TEN_MINUTES)
    assert result.columns.nlevels == 2
    assert list(result["start"]["start"]) == list(frame.index)
    assert list(result["end"]["end"]) == list(frame.index + TEN_MINUTES)
    pred = model.predict(frame)
    np.testing.assert_allclose(result["model-output"].to_numpy(), pred)
    unscaled = np.abs(pred - frame.to_numpy())
    np.testing.assert_allclose(result["tag-anomaly-unscaled"].to_numpy(), unscaled)
    np.testing.assert_allclose(
        result["total-anomaly-unscaled"]["total-anomaly-unscaled"], np.linalg.norm(unscaled, axis=1)
    )
    scaled = result["tag-anomaly-scaled"].to_numpy()
    np.testing.assert_allclose(
        result["anomaly-confidence"].to_numpy(), scaled / model.feature_thresholds_.to_numpy()
    )
    np.testing.assert_allclose(
        result["total-anomaly-confidence"]["total-anomaly-confidence"],
        result["total-anomaly-scaled"]["total-anomaly-scaled"] / model.aggregate_threshold_,
    )
    assert list(result["model-input"].columns) == TAGS
    assert "start" not in model.anomaly(frame, frame).columns.get_level_values(0)


@pytest.mark.parametrize("method", ["smm", "sma", "ewma"])
def test_window_adds_smoothed_columns_and_thresholds(frame, method):
    model = _detector(window=4, smoothing_method=method)
    model.cross_validate(X=frame, y=frame)
    result = model.fit(frame, frame).anomaly(frame, frame)
    tops = set(result.columns.get_level_values(0))
    assert {
        "smooth-tag-anomaly-scaled",
        "smooth-tag-anomaly-unscaled",
        "smooth-total-anomaly-scaled",
        "smooth-total-anomaly-unscaled",
    } <= tops
    expected = (
        result["smooth-tag-anomaly-scaled"].to_numpy() / model.smooth_feature_thresholds_.to_numpy()
    )
    np.testing.assert_allclose(result["anomaly-confidence"].to_numpy(), expected)
    assert model.get_metadata()["smoothing-method"] == method
    assert set(model.get_metadata()["smooth-feature-thresholds"]) == set(TAGS)


def test_thresholds_required_before_anomaly(frame):
    model = _detector().fit(frame, frame)
    with pytest.raises(AttributeError, match="call cross_validate"):
        model.anomaly(frame, frame)
    result = _detector(require_thresholds=False).fit(frame, frame).anomaly(frame, frame)
    assert "anomaly-confidence" not in result.columns.get_level_values(0)


def test_bad_input_and_parameters(frame):
    model = _detector(require_thresholds=False).fit(frame, frame)
    bad = frame.copy()
    bad.iloc[3, 2] = np.nan
    with pytest.raises(ValueError, match="y has NaN or infinite values in column 'tag-c'"):
        model.anomaly(frame, bad)
    with pytest.raises(ValueError, match="smoothing_method must be one of smm, sma, ewma"):
        _detector(window=3, smoothing_method="median").fit(frame, frame)


def test_kfcv_thresholds_are_percentiles_of_smoothed_errors(frame):
    model = DiffBasedKFCVAnomalyDetector(
        base_estimator=Ridge(alpha=10.0), window=6, threshold_percentile=0.5
    )
    model.cross_validate(X=frame, y=frame)
    low = model.feature_thresholds_.copy()
    model.set_params(threshold_percentile=1.0).cross_validate(X=frame, y=frame)
    assert (model.feature_thresholds_ >= low).all()
    result = model.fit(frame, frame).anomaly(frame, frame)
    assert "smooth-total-anomaly-scaled" in result.columns.get_level_values(0)
    assert model.get_metadata()["threshold-percentile"] == 1.0


def _model_definition(final_step: dict) -> dict:
    return {
        "gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {
            "base_estimator": {
                "sklearn.pipeline.Pipeline": {
                    "steps": ["sklearn.preprocessing.MinMaxScaler", final_step]
                }
            },
            "window": 4,
        }
    }


KERAS_STEPS = {
    "autoencoder": {
        "gordo.machine.model.models.KerasAutoEncoder": {
            "kind": "feedforward_hourglass",
            "epochs": 2,
            "batch_size": 16,
        }
    },
    "lstm-autoencoder": {
        "gordo.machine.model.models.KerasLSTMAutoEncoder": {
            "kind": "lstm_hourglass",
            "encoding_layers": 1,
            "lookback_window": 5,
            "epochs": 1,
            "batch_size": 16,
        }
    },
    "lstm-forecast": {
        "gordo.machine.model.models.KerasLSTMForecast": {
            "kind": "lstm_hourglass",
            "encoding_layers": 1,
            "lookback_window": 5,
            "epochs": 1,
            "batch_size": 16,
        }
    },
    "raw": {
        "gordo.machine.model.models.KerasRawModelRegressor": {
            "kind": {
                "compile": {"loss": "mse", "optimizer": "adam"},
                "spec": {
                    "keras.models.Sequential": {"layers": [{"keras.layers.Dense": {"units": 3}}]}
                },
            },
            "epochs": 1,
        }
    },
}


@pytest.mark.parametrize("name", sorted(KERAS_STEPS))
def test_each_model_class_builds_from_a_config_and_round_trips(frame, name):
    model = serializer.from_definition(_model_definition(KERAS_STEPS[name]))
    model.cross_validate(X=frame, y=frame)
    model.fit(frame, frame)
    result = model.anomaly(frame, frame, frequency=TEN_MINUTES)
    n_out = len(model.predict(frame))
    assert len(result) == n_out <= len(frame)
    assert result.index.equals(frame.index[len(frame) - n_out :])
    restored = serializer.loads(serializer.dumps(model))
    np.testing.assert_array_equal(restored.predict(frame), model.predict(frame))
    pd.testing.assert_frame_equal(restored.anomaly(frame, frame), model.anomaly(frame, frame))
    assert "history" in model.get_metadata()
    definition = serializer.into_definition(model)
    assert (
        serializer.from_definition(definition).get_params(deep=False).keys()
        == model.get_params(deep=False).keys()
    )


def test_kfcv_detector_with_a_keras_model_round_trips(frame):
    definition = {
        "gordo.machine.model.anomaly.diff.DiffBasedKFCVAnomalyDetector": {
            "base_estimator": KERAS_STEPS["autoencoder"],
            "window": 4,
        }
    }
    model = serializer.from_definition(definition)
    model.cross_validate(X=frame, y=frame)
    model.fit(frame, frame)
    restored = serializer.loads(serializer.dumps(model))
    pd.testing.assert_frame_equal(restored.anomaly(frame, frame), model.anomaly(frame, frame))
    assert (
        restored.get_metadata()["feature-thresholds"] == model.get_metadata()["feature-thresholds"]
    )
