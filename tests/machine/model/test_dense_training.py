"""The numpy engine trains the dense autoencoders as Keras 3 (JAX) does, without importing Keras."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

from gordo import serializer
from gordo.machine.model import dense_training
from gordo.machine.model.backend import keras_module
from gordo.machine.model.dense_spec import TRAINABLE_ACTIVATIONS, DenseSpec, numpy_training
from gordo.machine.model.factories.feedforward_autoencoder import (
    feedforward_hourglass,
    feedforward_model,
)
from gordo.machine.model.models import KerasAutoEncoder
from gordo.machine.model.nn_basics import DENSE_FORMAT
from gordo.machine.model.numpy_inference import plan_from_state
from tests.machine.model.helpers import assert_same_training, keras_and_engine, keras_draws

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

X = np.random.default_rng(0).random((70, 4)).astype("float32")
Y = np.random.default_rng(1).random((70, 3)).astype("float32")
FIT = {"epochs": 3, "batch_size": 16, "shuffle": True, "validation_split": 0.2}


def _layers(func: str = "tanh", **kwargs) -> dict:
    return {"encoding_dim": (3,), "encoding_func": (func,), "decoding_dim": (5,)} | {
        "decoding_func": (func,),
        **kwargs,
    }


def _both(params: dict, fit: dict) -> tuple[tuple, tuple]:
    """(weights, history) from numpy and from Keras' ``model.fit``, with the same numpy seed."""
    spec = feedforward_model.spec(4, 3, **params)
    return keras_and_engine(
        lambda: dense_training.fit(spec, X, Y, weights=keras_draws(spec, len(X), fit), **fit),
        lambda: feedforward_model(4, 3, **params),
        X,
        Y,
        fit,
    )


OPTIMIZERS = [
    {},
    {
        "optimizer": {
            "keras.optimizers.Adam": {"learning_rate": 0.02, "beta_1": 0.8, "amsgrad": True}
        }
    },
    {"optimizer": "SGD"},
    {"optimizer": "SGD", "optimizer_kwargs": {"lr": 0.05, "momentum": 0.9}},
    {"optimizer": "sgd", "optimizer_kwargs": {"momentum": 0.5, "nesterov": True}},
    {"compile_kwargs": {"loss": "mae"}, "optimizer_kwargs": {"epsilon": 1e-5}},
]


@pytest.mark.parametrize("settings", OPTIMIZERS, ids=lambda s: json.dumps(s))
def test_one_step_and_a_few_epochs_match_keras(settings):
    params = _layers(**settings)
    assert_same_training(*_both(params, {"epochs": 1, "batch_size": 70, "shuffle": False}))
    assert_same_training(*_both(params, FIT))


def test_every_activation_trains_as_keras():
    funcs = sorted(dense_training.GRADIENTS)
    assert set(funcs) == TRAINABLE_ACTIVATIONS
    half = len(funcs) // 2
    params = {
        "encoding_dim": [4] * half,
        "encoding_func": funcs[:half],
        "decoding_dim": [4] * (len(funcs) - half),
        "decoding_func": funcs[half:],
        "optimizer_kwargs": {"learning_rate": 0.05},
    }
    assert_same_training(*_both(params, FIT))


@pytest.mark.parametrize("loss", ["mse", "mae"])
def test_loss_and_gradient_are_keras_ones_even_at_ties(loss):
    import jax

    keras = keras_module()
    out, y = X[:8, :3].copy(), Y[:8]
    out[0] = y[0]  # exact ties: abs is differentiated as JAX does there
    fn = keras.losses.get(loss)
    expected = jax.value_and_grad(lambda p: keras.ops.mean(fn(y, p)))(out)
    value, grad = dense_training._loss_and_grad(loss, out, y)
    np.testing.assert_allclose(value, float(expected[0]), rtol=1e-6)
    np.testing.assert_allclose(grad, np.asarray(expected[1]), rtol=1e-6)


def test_short_last_batch_and_no_validation_match_keras():
    assert_same_training(*_both(_layers(), {"epochs": 2, "batch_size": 32, "shuffle": False}))


@pytest.mark.parametrize(
    "settings",
    [
        {"optimizer": "RMSprop"},
        {"optimizer_kwargs": {"clipnorm": 1.0}},
        {"optimizer_kwargs": {"learning_rate": {"class_name": "ExponentialDecay"}}},
        {"compile_kwargs": {"loss": "huber"}},
        {"compile_kwargs": {"metrics": ["mae"]}},
        {"func": "gelu"},
    ],
    ids=lambda s: json.dumps(s),
)
def test_unsupported_settings_are_left_to_keras(settings):
    spec = feedforward_model.spec(4, **_layers(**settings))
    assert numpy_training(spec) is None
    with pytest.raises(ValueError, match="not trainable in numpy"):
        dense_training.fit(spec, X, X)


def test_unsupported_settings_fit_with_keras():
    model = KerasAutoEncoder(kind="feedforward_hourglass", optimizer="RMSprop", epochs=1)
    assert model.fits_with_keras()
    model.fit(X)
    assert "_built_model" in vars(model)
    callbacks = [{"keras.callbacks.EarlyStopping": {"monitor": "loss"}}]
    assert KerasAutoEncoder(kind="feedforward_hourglass", callbacks=callbacks).fits_with_keras()


def test_fit_is_reproducible_with_a_numpy_seed():
    def fit() -> np.ndarray:
        np.random.seed(3)
        return KerasAutoEncoder(kind="feedforward_hourglass", epochs=2).fit(X).predict(X)

    np.testing.assert_array_equal(fit(), fit())


def test_bad_arguments_are_reported():
    spec = feedforward_hourglass.spec(4)
    with pytest.raises(ValueError, match="validation_split"):
        dense_training.fit(spec, X, X, validation_split=1.0)
    with pytest.raises(ValueError, match="no rows to train on"):
        dense_training.fit(spec, X[:1], X[:1], validation_split=0.5)


def test_fitted_model_round_trips_and_builds_its_keras_model_lazily(tmp_path):
    model = KerasAutoEncoder(kind="feedforward_hourglass", epochs=2, validation_split=0.1)
    model.fit(X)
    state = model.__getstate__()
    assert state["model_"]["format"] == DENSE_FORMAT
    assert (state["n_features_in_"], state["n_features_out_"]) == (4, 4)
    np.testing.assert_array_equal(plan_from_state(state["model_"]).predict(X), model.predict(X))
    serializer.dump(model, tmp_path / "model")
    loaded = serializer.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert "_built_model" not in vars(loaded)
    keras_model = loaded.model_
    assert isinstance(keras_model, keras_module().Model)
    np.testing.assert_allclose(keras_model.predict(X, verbose=0), model.predict(X), atol=1e-6)
    assert sorted(loaded.get_metadata()["history"]) == ["loss", "params", "val_loss"]


def test_dense_state_is_plain_data():
    spec = DenseSpec(2, ((3, "relu"), (2, "linear")), "SGD", {"momentum": 0.5}, {"loss": "mae"})
    state = spec.to_state(dense_training.initial_weights(spec))
    assert DenseSpec.from_dict(pickle.loads(pickle.dumps(state))["spec"]) == spec


BUILD = """
import sys
from gordo.builder.build_model import ModelBuilder
from tests.builder.helpers import KERAS_ANOMALY, make_machine
ModelBuilder(make_machine(model=KERAS_ANOMALY)).build(output_dir=sys.argv[1])
print(sorted(m for m in ("keras", "jax", "tensorflow") if m in sys.modules))
"""


@pytest.mark.integration
def test_building_a_dense_autoencoder_imports_no_keras(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", BUILD, str(tmp_path / "model")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "model" / "model.pkl").exists()
