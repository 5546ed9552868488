"""The JAX engine trains the built-in LSTM networks as Keras 3 (JAX) does, without importing Keras."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

from gordo import serializer
from gordo.machine.model import keras_io, lstm_training
from gordo.machine.model.backend import keras_module
from gordo.machine.model.factories.lstm_autoencoder import lstm_model
from gordo.machine.model.lstm_spec import LSTMSpec, jax_training
from gordo.machine.model.models import KerasLSTMAutoEncoder, KerasLSTMForecast
from gordo.machine.model.nn_basics import LSTM_FORMAT
from gordo.machine.model.numpy_inference import RecurrentStack, plan_from_state
from gordo.machine.model.windows import window_input
from tests.machine.model.helpers import assert_same_training, keras_and_engine, keras_draws

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

ROWS = np.random.default_rng(0).random((60, 3)).astype("float32")
LOOKBACK = 3
LAYERS = {"encoding_dim": (4,), "encoding_func": ("relu",)} | {
    "decoding_dim": (3,),
    "decoding_func": ("tanh",),
}
#: One step (16 windows, one batch), then a few epochs with validation, shuffle and a short batch.
ONE_STEP = {"epochs": 1, "batch_size": 16, "shuffle": False}
EPOCHS = {"epochs": 3, "batch_size": 16, "shuffle": True, "validation_split": 0.2}


def _data(lookahead: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows and targets as KerasLSTMAutoEncoder (lookahead 0) / KerasLSTMForecast (1) make them."""
    x = window_input(ROWS, LOOKBACK, lookahead, "test")
    return x, ROWS[LOOKBACK - 1 + lookahead :, :2]


def _both(settings: dict, x: np.ndarray, y: np.ndarray, fit: dict) -> tuple[tuple, tuple]:
    """(weights, history) from the JAX engine and from Keras' ``model.fit``, same numpy seed."""
    params = {**LAYERS, **settings}
    spec = lstm_model.spec(3, 2, LOOKBACK, **params)
    return keras_and_engine(
        lambda: lstm_training.fit(spec, x, y, weights=keras_draws(spec, len(x), fit), **fit),
        lambda: lstm_model(3, 2, LOOKBACK, **params),
        x,
        y,
        fit,
    )


CASES = [
    (0, {}),
    (
        1,
        {
            "optimizer": "SGD",
            "optimizer_kwargs": {"lr": 0.05, "momentum": 0.9, "nesterov": True},
            "compile_kwargs": {"loss": "mae"},
        },
    ),
    (0, {"optimizer": {"keras.optimizers.Adam": {"learning_rate": 0.02, "amsgrad": True}}}),
]


@pytest.mark.parametrize(
    "lookahead, settings", CASES, ids=lambda c: json.dumps(c) if isinstance(c, dict) else str(c)
)
def test_one_step_and_a_few_epochs_match_keras(lookahead, settings):
    x, y = _data(lookahead)
    assert_same_training(*_both(settings, x[:16], y[:16], ONE_STEP))
    assert_same_training(*_both(settings, x, y, EPOCHS))


def test_trained_state_predicts_in_numpy_as_its_keras_model():
    x, y = _data(0)
    spec = lstm_model.spec(3, 2, LOOKBACK, **LAYERS)
    weights, _ = lstm_training.fit(spec, x, y, epochs=2, batch_size=16)
    state = pickle.loads(pickle.dumps(spec.to_state(weights)))
    assert LSTMSpec.from_dict(state["spec"]) == spec
    plan = plan_from_state(state)
    assert isinstance(plan, RecurrentStack)
    expected = np.asarray(keras_io.model_from_state(state).predict(x, verbose=0))
    np.testing.assert_allclose(plan.predict(x), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", [KerasLSTMAutoEncoder, KerasLSTMForecast])
def test_estimators_train_without_keras_and_round_trip(cls, tmp_path):
    model = cls(kind="lstm_hourglass", lookback_window=LOOKBACK, epochs=2, validation_split=0.1)
    assert not model.fits_with_keras()
    model.fit(ROWS, ROWS)
    assert "_built_model" not in vars(model)
    assert model.__getstate__()["model_"]["format"] == LSTM_FORMAT
    assert sorted(model.get_metadata()["history"]) == ["loss", "params", "val_loss"]
    serializer.dump(model, tmp_path / "model")
    loaded = serializer.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.predict(ROWS), model.predict(ROWS))
    keras_model = loaded.model_
    assert isinstance(keras_model, keras_module().Model)
    np.testing.assert_allclose(
        keras_model.predict(loaded._model_input(ROWS), verbose=0), model.predict(ROWS), atol=1e-6
    )


def test_fit_is_reproducible_with_a_numpy_seed():
    def fit() -> np.ndarray:
        np.random.seed(3)
        return (
            KerasLSTMAutoEncoder(kind="lstm_symmetric", dims=(3,), funcs=("tanh",))
            .fit(ROWS)
            .predict(ROWS)
        )

    np.testing.assert_array_equal(fit(), fit())


@pytest.mark.parametrize(
    "settings",
    [
        {"optimizer": "RMSprop"},
        {"compile_kwargs": {"loss": "huber"}},
        {"func": "gelu"},
        {"callbacks": [{"keras.callbacks.EarlyStopping": {"monitor": "loss"}}]},
    ],
    ids=lambda s: json.dumps(s),
)
def test_unsupported_settings_are_left_to_keras(settings):
    model = KerasLSTMAutoEncoder(kind="lstm_hourglass", lookback_window=2, **settings)
    assert model.fits_with_keras()
    if "callbacks" not in settings:
        spec = model._spec(3, 3)
        assert jax_training(spec) is None
        with pytest.raises(ValueError, match="not trainable without Keras"):
            lstm_training.fit(spec, window_input(ROWS, 2, 0, "test"), ROWS[1:])


def test_a_model_trained_by_keras_is_saved_as_its_spec_and_served_in_numpy():
    model = KerasLSTMAutoEncoder(kind="lstm_hourglass", lookback_window=3, optimizer="RMSprop")
    model.fit(ROWS)
    assert "_built_model" in vars(model)  # Keras trained it
    assert model.__getstate__()["model_"]["format"] == LSTM_FORMAT
    loaded = pickle.loads(pickle.dumps(model))
    assert "_built_model" not in vars(loaded)
    np.testing.assert_allclose(loaded.predict(ROWS), model.predict(ROWS), rtol=1e-5, atol=1e-6)


def test_bad_arguments_are_reported():
    spec = lstm_model.spec(3, 2, LOOKBACK, **LAYERS)
    x, y = _data(0)
    with pytest.raises(ValueError, match="validation_split"):
        lstm_training.fit(spec, x, y, validation_split=1.0)
    with pytest.raises(ValueError, match="no rows to train on"):
        lstm_training.fit(spec, x[:1], y[:1], validation_split=0.5)


BUILD = """
import sys
from gordo.builder.build_model import ModelBuilder
from tests.builder.helpers import keras_anomaly, make_machine
model = keras_anomaly("KerasLSTMAutoEncoder", kind="lstm_hourglass", lookback_window=3, epochs=2)
ModelBuilder(make_machine(model=model)).build(output_dir=sys.argv[1])
print(sorted(m for m in ("keras", "tensorflow", "torch") if m in sys.modules))
"""


@pytest.mark.integration
def test_building_an_lstm_autoencoder_imports_no_keras(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", BUILD, str(tmp_path / "model")], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
    loaded = serializer.load(tmp_path / "model")
    assert loaded.base_estimator.steps[-1][1].__getstate__()["model_"]["format"] == LSTM_FORMAT


TWICE = """
import numpy as np
from gordo.machine.model import lstm_training
from gordo.machine.model.factories.lstm_autoencoder import lstm_model
spec = lstm_model.spec(3, 3, 4, encoding_dim=(4,), encoding_func=("tanh",),
                       decoding_dim=(4,), decoding_func=("tanh",))
x = np.random.default_rng(0).random((40, 4, 3)).astype("float32")
fits = []
for _ in range(2):  # the first fit imports JAX, the second finds it imported
    np.random.seed(3)
    weights, _ = lstm_training.fit(spec, x, x[:, -1], epochs=2, batch_size=8)
    fits.append((weights, np.random.rand()))
print(all(np.array_equal(a, b) for a, b in zip(fits[0][0], fits[1][0])), fits[0][1] == fits[1][1])
"""


@pytest.mark.integration
def test_a_seeded_fit_is_the_same_before_and_after_jax_is_imported():
    out = subprocess.run([sys.executable, "-c", TWICE], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]
