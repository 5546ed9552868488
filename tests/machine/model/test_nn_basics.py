"""The shared basics: Keras' default initialisers drawn with numpy, and the fit rules."""

from __future__ import annotations

import numpy as np
import pytest

from gordo.machine.model import nn_basics
from gordo.machine.model.backend import keras_module


def test_keras_defaults_are_the_initialisers_gordo_draws():
    keras = keras_module()
    dense = keras.layers.Dense(3).get_config()
    lstm = keras.layers.LSTM(3).get_config()
    assert dense["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert dense["bias_initializer"]["class_name"] == "Zeros"
    assert lstm["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert lstm["recurrent_initializer"]["class_name"] == "Orthogonal"
    assert lstm["bias_initializer"]["class_name"] == "Zeros" and lstm["unit_forget_bias"]


def test_glorot_uniform_draws_as_keras():
    keras = keras_module()
    shape = (120, 200)
    theirs = keras.ops.convert_to_numpy(keras.initializers.GlorotUniform(seed=1)(shape))
    np.random.seed(1)
    ours = nn_basics.variance_scaling_uniform(shape, 1.0, "fan_avg")
    limit = np.sqrt(6 / sum(shape))
    assert ours.dtype == np.float32 and np.abs(ours).max() <= limit
    assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=1e-3)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.02)


@pytest.mark.parametrize("shape", [(3, 12), (12, 3)])
def test_orthogonal_draws_as_keras(shape):
    keras = keras_module()
    theirs = keras.ops.convert_to_numpy(keras.initializers.Orthogonal(seed=1)(shape))
    np.random.seed(1)
    ours = nn_basics.orthogonal(shape)
    small = min(shape)
    for q in (ours, theirs):
        gram = q @ q.T if shape[0] == small else q.T @ q
        np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)


def test_lstm_bias_has_unit_forget_gate():
    weights = nn_basics.lstm_initial_weights(2, [(3, "tanh")])
    np.testing.assert_array_equal(weights[2], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
