"""Light fitting: the same parameters, fits, scores and pickles as the scikit-learn originals."""

from __future__ import annotations

import inspect
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn import compose, model_selection, pipeline, preprocessing

from gordo import serializer
from gordo.builder.metrics import MultiMetricScorer
from gordo.machine.model.anomaly import diff
from gordo.machine.model.light import fitting, metrics
from gordo.machine.model.light.estimators import Unsupported
from gordo.machine.model.light.writer import stub_dumps
from gordo.machine.model.models import KerasAutoEncoder, KerasLSTMAutoEncoder, KerasLSTMForecast
from tests.machine.model.light.test_writer import _state

ORIGINALS = {
    fitting.MinMaxScaler: preprocessing.MinMaxScaler,
    fitting.Pipeline: pipeline.Pipeline,
    fitting.TransformedTargetRegressor: compose.TransformedTargetRegressor,
    fitting.KerasAutoEncoder: KerasAutoEncoder,
    fitting.KerasLSTMAutoEncoder: KerasLSTMAutoEncoder,
    fitting.KerasLSTMForecast: KerasLSTMForecast,
    fitting.DiffBasedAnomalyDetector: diff.DiffBasedAnomalyDetector,
    fitting.TimeSeriesSplit: model_selection.TimeSeriesSplit,
}

DETECTOR = {
    "gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {
        "base_estimator": {
            "sklearn.pipeline.Pipeline": {
                "steps": [
                    "sklearn.preprocessing.MinMaxScaler",
                    {
                        "gordo.machine.model.models.KerasAutoEncoder": {
                            "kind": "feedforward_hourglass",
                            "epochs": 3,
                            "batch_size": 16,
                        }
                    },
                ]
            }
        },
        "window": 6,
    }
}


#: The model of the documentation's examples: a target regressor around the pipeline.
TARGET_DETECTOR = {
    "gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {
        "base_estimator": {
            "sklearn.compose.TransformedTargetRegressor": {
                "transformer": "sklearn.preprocessing.MinMaxScaler",
                "regressor": DETECTOR["gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector"][
                    "base_estimator"
                ],
            }
        }
    }
}


def _frame(rows: int = 150, seed: int = 1) -> pd.DataFrame:
    index = pd.date_range("2020-01-01", periods=rows, freq="10min", tz="UTC")
    values = np.random.default_rng(seed).random((rows, 4))
    return pd.DataFrame(values, index=index, columns=[f"tag {i}" for i in range(4)])


@pytest.mark.parametrize("light", list(ORIGINALS), ids=lambda c: c.__name__)
def test_parameters_are_the_originals(light):
    def described(cls):
        params = inspect.signature(cls).parameters.values()
        return [(p.name, p.kind) for p in params]

    assert described(light) == described(ORIGINALS[light])
    assert light.path == f"{ORIGINALS[light].__module__}.{ORIGINALS[light].__qualname__}"


def test_defaults_are_the_originals():
    for light, original in ORIGINALS.items():
        for name, param in inspect.signature(original).parameters.items():
            default = inspect.signature(light).parameters[name].default
            if param.kind is param.VAR_KEYWORD or name == "kind":
                continue
            if light is fitting.TransformedTargetRegressor:  # regressor None: LinearRegression
                assert default == param.default
                continue
            if hasattr(param.default, "get_params"):  # an estimator: light builds the same
                assert default is None
                built = light().get_params()[name]
                assert built.path.endswith(type(param.default).__name__)
                assert built.get_params() == param.default.get_params()
            else:
                assert default == param.default, (light, name)


def _fit_both(light, original, X, y=None):
    ours, theirs = light.fit(X, y), original.fit(X, y)
    return pickle.loads(stub_dumps(ours.stub())), theirs


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        "float64",
        st.tuples(st.integers(1, 30), st.integers(1, 4)),
        elements=st.floats(-1e6, 1e6) | st.just(np.nan),
    ),
    st.sampled_from([(0, 1), (-1, 1), (0.5, 2.5)]),
)
def test_minmax_scaler_fits_as_the_original(X, feature_range):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        ours, theirs = _fit_both(
            fitting.MinMaxScaler(feature_range),
            preprocessing.MinMaxScaler(feature_range=feature_range),
            X,
        )
    assert _state(ours) == _state(theirs)
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))


def test_minmax_scaler_records_the_feature_names():
    X = _frame()
    ours, theirs = _fit_both(fitting.MinMaxScaler(), preprocessing.MinMaxScaler(), X)
    assert ours.feature_names_in_.tolist() == theirs.feature_names_in_.tolist()
    assert ours.feature_names_in_.dtype == object


@settings(max_examples=60, deadline=None)
@given(
    n_samples=st.integers(1, 40),
    n_splits=st.integers(2, 6),
    max_train_size=st.none() | st.integers(1, 20),
    test_size=st.none() | st.integers(1, 8),
    gap=st.integers(0, 3),
)
def test_time_series_split_splits_as_the_original(
    n_samples, n_splits, max_train_size, test_size, gap
):
    kwargs = {"max_train_size": max_train_size, "test_size": test_size, "gap": gap}
    X = np.zeros((n_samples, 1))
    try:
        theirs = [
            (a.tolist(), b.tolist())
            for a, b in model_selection.TimeSeriesSplit(n_splits, **kwargs).split(X)
        ]
    except ValueError as exc:
        with pytest.raises(ValueError, match=str(exc).split(" ")[0]):
            list(fitting.TimeSeriesSplit(n_splits, **kwargs).split(X))
        return
    ours = [
        (a.tolist(), b.tolist()) for a, b in fitting.TimeSeriesSplit(n_splits, **kwargs).split(X)
    ]
    assert ours == theirs


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        "float64", st.tuples(st.integers(1, 12), st.integers(1, 3)), elements=st.floats(-100, 100)
    ),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["raw_values", "uniform_average"]),
)
def test_metrics_score_as_the_originals(y_true, seed, multioutput):
    noise = np.random.default_rng(seed).normal(size=y_true.shape).round(1)
    y_pred = y_true + noise * (np.random.default_rng(seed).random() < 0.8)
    for path, ours in metrics.METRICS.items():
        theirs = getattr(sklearn.metrics, path.rpartition(".")[2])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = theirs(y_true, y_pred, multioutput=multioutput)
            got = ours(y_true, y_pred, multioutput=multioutput)
        np.testing.assert_array_equal(got, expected, err_msg=path)


def test_metrics_weight_outputs_by_variance_as_the_originals():
    y_true, y_pred = _frame().to_numpy(), _frame(seed=2).to_numpy()
    for name in ("r2_score", "explained_variance_score"):
        theirs = getattr(sklearn.metrics, name)(y_true, y_pred, multioutput="variance_weighted")
        ours = getattr(metrics, name)(y_true, y_pred, multioutput="variance_weighted")
        assert ours == theirs


def _lstm_detector(model: str) -> dict:
    return {
        "gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {
            "base_estimator": {
                f"gordo.machine.model.models.{model}": {
                    "kind": "lstm_hourglass",
                    "lookback_window": 4,
                    "epochs": 2,
                    "batch_size": 32,
                    "encoding_layers": 1,
                }
            }
        }
    }


@pytest.mark.parametrize(
    "definition",
    [
        DETECTOR,
        TARGET_DETECTOR,
        _lstm_detector("KerasLSTMAutoEncoder"),
        _lstm_detector("KerasLSTMForecast"),
    ],
    ids=["dense", "target-regressor", "lstm-autoencoder", "lstm-forecast"],
)
def test_a_detector_fits_cross_validates_and_pickles_as_the_original(definition):
    X = _frame()
    cv_ours = serializer.from_definition(
        "sklearn.model_selection.TimeSeriesSplit", locate=fitting.locate
    )
    ours = serializer.from_definition(definition, locate=fitting.locate)
    theirs = serializer.from_definition(definition)
    assert isinstance(ours, fitting.DiffBasedAnomalyDetector)
    scorer_ours = MultiMetricScorer(
        [metrics.r2_score, metrics.mean_squared_error],
        X,
        scaler="sklearn.preprocessing.MinMaxScaler",
        locate=fitting.locate,
    )
    scorer_theirs = MultiMetricScorer(
        [sklearn.metrics.r2_score, sklearn.metrics.mean_squared_error],
        X,
        scaler="sklearn.preprocessing.MinMaxScaler",
    )
    np.random.seed(7)
    results_ours = ours.cross_validate(X=X, y=X, cv=cv_ours, scoring=scorer_ours)
    ours.fit(X, X)
    np.random.seed(7)
    results_theirs = theirs.cross_validate(
        X=X, y=X, cv=model_selection.TimeSeriesSplit(), scoring=scorer_theirs
    )
    theirs.fit(X, X)
    for key in results_theirs:
        if key.startswith("test_"):
            np.testing.assert_array_equal(results_ours[key], results_theirs[key], err_msg=key)
    assert ours.get_metadata() == theirs.get_metadata()
    loaded = pickle.loads(stub_dumps(ours.stub()))
    assert type(loaded) is diff.DiffBasedAnomalyDetector
    assert _state(loaded) == _state(theirs)
    pd.testing.assert_frame_equal(loaded.anomaly(X, X), theirs.anomaly(X, X), check_exact=True)


@pytest.mark.parametrize(
    "definition",
    [
        "sklearn.decomposition.PCA",
        "sklearn.preprocessing.StandardScaler",
        {"gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {"shuffle": True}},
        {
            "sklearn.pipeline.Pipeline": {
                "steps": ["sklearn.preprocessing.MinMaxScaler", "passthrough"]
            }
        },
        {
            "gordo.machine.model.models.KerasAutoEncoder": {
                "kind": "feedforward_hourglass",
                "optimizer": "RMSprop",
            }
        },
        {
            "gordo.machine.model.models.KerasAutoEncoder": {
                "kind": "feedforward_hourglass",
                "callbacks": [{"keras.callbacks.EarlyStopping": {"patience": 1}}],
            }
        },
        {
            "gordo.machine.model.models.KerasLSTMAutoEncoder": {
                "kind": "lstm_hourglass",
                "optimizer": "Adagrad",
            }
        },
        {
            "gordo.machine.model.models.KerasRawModelRegressor": {
                "kind": {
                    "compile": {"loss": "mse"},
                    "spec": {
                        "tensorflow.keras.models.Sequential": {
                            "layers": [{"tensorflow.keras.layers.Dense": {"units": 2}}]
                        }
                    },
                }
            }
        },
    ],
    ids=[
        "pca",
        "standard-scaler",
        "shuffle",
        "passthrough",
        "rmsprop",
        "callbacks",
        "lstm-adagrad",
        "raw",
    ],
)
def test_what_is_not_fitted_light_says_so(definition):
    with pytest.raises(Unsupported):
        serializer.from_definition(definition, locate=fitting.locate)
    serializer.from_definition(definition)  # and builds for real


def test_bad_parameters_get_the_originals_errors():
    bad = {
        "gordo.machine.model.models.KerasAutoEncoder": {
            "kind": "feedforward_hourglass",
            "n_layers": 3,
        }
    }
    with pytest.raises(Exception) as theirs:
        serializer.from_definition(bad)
    with pytest.raises(type(theirs.value), match="n_layers"):
        serializer.from_definition(bad, locate=fitting.locate)
    with pytest.raises(Exception, match="feature_rnage"):
        serializer.from_definition(
            {"sklearn.preprocessing.MinMaxScaler": {"feature_rnage": [0, 2]}}, locate=fitting.locate
        )
