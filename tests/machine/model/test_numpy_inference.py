"""Loaded dense networks predict in numpy as Keras does, and build Keras only when needed."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from gordo import serializer
from gordo.machine.model import fast_path
from gordo.machine.model.anomaly.diff import DiffBasedAnomalyDetector
from gordo.machine.model.backend import keras_module
from gordo.machine.model.factories.feedforward_autoencoder import feedforward_symmetric
from gordo.machine.model.models import KerasAutoEncoder, KerasRawModelRegressor
from gordo.machine.model.nn_basics import ACTIVATIONS, DENSE_FORMAT, KERAS_ARCHIVE_FORMAT
from gordo.machine.model.numpy_inference import plan_from_state
from tests.machine.model.helpers import batch_norm_model

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

X = np.random.default_rng(3).normal(size=(64, 5))


def _assert_like_keras(out: np.ndarray, reference: np.ndarray) -> None:
    """Equal up to float32 rounding: 1e-6 of the output's scale (the sums' order differs)."""
    assert out.dtype == np.float32 and out.shape == reference.shape
    scale = float(np.max(np.abs(reference))) or 1.0
    np.testing.assert_allclose(out, reference, rtol=1e-6, atol=2e-6 * scale)


def _unbuilt(model: KerasAutoEncoder) -> bool:
    return "_built_model" not in vars(model) and vars(model).get("_inference_plan") is not None


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "feedforward_hourglass"},
        {"kind": "feedforward_symmetric", "dims": [4, 2], "funcs": ["relu", "selu"]},
        {
            "kind": "feedforward_model",
            "encoding_dim": [6, 3],
            "encoding_func": ["elu", "sigmoid"],
            "decoding_dim": [4],
            "decoding_func": ["softplus"],
            "out_func": "swish",
        },
    ],
    ids=lambda p: p["kind"],
)
def test_loaded_factory_models_predict_in_numpy_as_keras(params):
    model = KerasAutoEncoder(epochs=1, batch_size=16, **params).fit(X)
    reference = fast_path.predict(model.model, X.astype("float32"))
    loaded = pickle.loads(pickle.dumps(model))
    assert _unbuilt(loaded)
    _assert_like_keras(loaded.predict(X), reference)
    assert isinstance(loaded.score(X, X), float)
    assert _unbuilt(loaded)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_matches_keras(activation):
    layers = {"dims": [4, 3], "funcs": [activation, activation]}
    np.random.seed(0)
    keras_model = feedforward_symmetric(5, **layers)
    plan = plan_from_state(
        feedforward_symmetric.spec(5, **layers).to_state(keras_model.get_weights())
    )
    x = (X / (16 if activation == "exponential" else 2)).astype("float32")  # exp(exp) stays small
    reference = keras_module().ops.convert_to_numpy(keras_model(x, training=False))
    _assert_like_keras(plan.predict(x), reference)


def test_a_network_with_an_activation_numpy_lacks_is_served_by_keras():
    model = KerasAutoEncoder(
        kind="feedforward_model",
        encoding_dim=[3],
        encoding_func=["tanh"],
        decoding_dim=[3],
        decoding_func=["tanh"],
        out_func="softmax",
        epochs=1,
    )
    model.fit(X[:20])
    state = model.__getstate__()["model_"]
    assert state["format"] == DENSE_FORMAT and plan_from_state(state) is None
    loaded = pickle.loads(pickle.dumps(model))
    assert "_built_model" in vars(loaded)
    np.testing.assert_allclose(loaded.predict(X[:20]), model.predict(X[:20]), rtol=1e-6)


def test_unsupported_models_are_rebuilt_with_keras_on_load():
    model = KerasRawModelRegressor(kind=batch_norm_model(5), epochs=1).fit(X[:20], X[:20])
    assert model.__getstate__()["model_"]["format"] == KERAS_ARCHIVE_FORMAT
    loaded = pickle.loads(pickle.dumps(model))
    assert "_built_model" in vars(loaded) and vars(loaded)["_inference_plan"] is None
    np.testing.assert_allclose(loaded.predict(X[:20]), model.predict(X[:20]), rtol=1e-6)


@pytest.fixture(scope="module")
def fitted() -> KerasAutoEncoder:
    return KerasAutoEncoder(kind="feedforward_hourglass", epochs=1).fit(X)


def test_keras_model_is_built_when_needed_and_then_used(fitted):
    loaded = pickle.loads(pickle.dumps(fitted))
    light = loaded.predict(X)
    with fast_path.quiet_variable_numpy():
        weights, expected = loaded.model.get_weights(), fitted.model.get_weights()
    assert "_built_model" in vars(loaded) and "_inference_plan" not in vars(loaded)
    for got, want in zip(weights, expected, strict=True):
        np.testing.assert_array_equal(got, want)
    loaded.model.set_weights([w * 0 for w in weights])
    assert not loaded.predict(X).any()
    _assert_like_keras(light, fast_path.predict(fitted.model, X.astype("float32")))


def test_predictions_follow_the_weights_of_a_keras_model_handed_out():
    model = KerasAutoEncoder(kind="feedforward_hourglass", epochs=1).fit(X)
    before = model.predict(X)
    keras_model = model.model
    np.testing.assert_array_equal(model.predict(X), before)
    with fast_path.quiet_variable_numpy():
        keras_model.set_weights([w * 0 for w in keras_model.get_weights()])
    assert not model.predict(X).any()


def test_lazy_model_pickles_again_without_building_keras(fitted):
    loaded = pickle.loads(pickle.dumps(fitted))
    again = pickle.loads(pickle.dumps(loaded))
    assert _unbuilt(loaded) and _unbuilt(again)
    np.testing.assert_array_equal(again.predict(X), loaded.predict(X))
    assert serializer.into_definition(again) == serializer.into_definition(fitted)
    assert clone(again).get_params() == fitted.get_params()


@pytest.mark.parametrize("optimizer, keras_fit", [("Adam", False), ("RMSprop", True)])
def test_fitting_a_loaded_model_replaces_its_model_and_plan(optimizer, keras_fit):
    model = KerasAutoEncoder(kind="feedforward_hourglass", epochs=1, optimizer=optimizer)
    loaded = pickle.loads(pickle.dumps(model.fit(X)))
    before = loaded.predict(X)
    loaded.fit(X[:32] * 2)
    assert ("_built_model" in vars(loaded)) is keras_fit  # else trained in numpy, not built
    assert not np.allclose(loaded.predict(X), before)
    _assert_like_keras(loaded.predict(X), fast_path.predict(loaded.model, X.astype("float32")))


def test_unfitted_model_is_not_fitted():
    model = KerasAutoEncoder(kind="feedforward_hourglass")
    with pytest.raises(NotFittedError):
        model.predict(X)
    with pytest.raises(AttributeError, match="model_"):
        _ = model.model_


@pytest.mark.integration
def test_loading_and_scoring_a_dumped_anomaly_model_imports_no_keras(tmp_path, frame):
    pipeline = Pipeline(
        [
            ("scale", MinMaxScaler()),
            ("model", KerasAutoEncoder(kind="feedforward_hourglass", epochs=1)),
        ]
    )
    detector = DiffBasedAnomalyDetector(base_estimator=pipeline, require_thresholds=False)
    serializer.dump(detector.fit(frame, frame), tmp_path / "model")
    frame.to_pickle(tmp_path / "frame.pkl")
    code = (
        "import json, sys, pandas as pd\n"
        "from gordo import serializer\n"
        f"model = serializer.load({str(tmp_path / 'model')!r})\n"
        f"frame = pd.read_pickle({str(tmp_path / 'frame.pkl')!r})\n"
        "out = model.anomaly(frame, frame)\n"
        "print(json.dumps([len(out), sorted({m.split('.')[0] for m in sys.modules}"
        " & {'keras', 'jax', 'tensorflow', 'torch'})]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [len(frame), []]
