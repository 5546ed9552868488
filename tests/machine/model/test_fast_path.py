"""Keras' fit through gordo's history, and the cached compiled prediction."""

from __future__ import annotations

import numpy as np
import pytest

from gordo.machine.model import fast_path
from gordo.machine.model.backend import keras_module
from gordo.machine.model.factories.feedforward_autoencoder import feedforward_hourglass

# Keras' own fit reads optimizer variables through numpy-2's deprecated __array__ path.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def test_fit_is_keras_fit_and_its_history():
    x = np.random.default_rng(3).random((60, 3)).astype("float32")
    model = feedforward_hourglass(3)
    callback = keras_module().callbacks.EarlyStopping(monitor="loss", patience=100)
    history = fast_path.fit(
        model, x, x, epochs=2, batch_size=16, validation_split=0.25, callbacks=[callback]
    )
    assert sorted(history) == ["loss", "params", "val_loss"] and len(history["loss"]) == 2
    assert history["params"] == {
        "epochs": 2,
        "steps": 3,
        "verbose": 0,
        "metrics": ["loss", "val_loss"],
    }
    assert callback.model is model  # the callback ran in Keras' loop
    with pytest.raises(ValueError, match="validation_split"):
        fast_path.fit(model, x, x, validation_split=1.0)


def test_predict_pads_and_chunks_rows():
    model = feedforward_hourglass(3)
    x = np.random.default_rng(4).random((fast_path._MAX_PREDICT_ROWS + 5, 3)).astype("float32")
    expected = np.asarray(model(x[:37]))
    np.testing.assert_allclose(fast_path.predict(model, x[:37]), expected, rtol=1e-5, atol=1e-6)
    assert fast_path.predict(model, x).shape == x.shape
    assert fast_path.predict(model, x[:0]).shape == (0, 3)


class _Doubler:
    """A subclassed Keras model without a config (made on first use: Keras is imported late)."""

    @staticmethod
    def make(units: int):
        keras = keras_module()

        class Doubler(keras.Model):
            def __init__(self, dense):
                super().__init__()
                self.dense = dense

            def call(self, x, training=None):
                return 2 * self.dense(x)

        model = Doubler(keras.layers.Dense(units))
        model(np.zeros((1, 3), "float32"))
        return model


def test_models_without_a_config_predict_each_with_their_own_computation():
    first, second = _Doubler.make(2), _Doubler.make(4)
    x = np.random.default_rng(5).random((6, 3)).astype("float32")
    for model in (first, second):
        expected = keras_module().ops.convert_to_numpy(model(x))
        np.testing.assert_allclose(fast_path.predict(model, x), expected, rtol=1e-6)
