"""Model definitions and checks shared by several model tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gordo.machine.model import fast_path
from gordo.machine.model.backend import keras_module
from gordo.machine.model.nn_basics import n_training_rows


def assert_same_training(ours: tuple, theirs: tuple) -> None:
    """Two (weights, history) results of training agree (float32 tolerance)."""
    for a, b in zip(ours[0], theirs[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert ours[1].keys() == theirs[1].keys()
    for key in ours[1].keys() - {"params"}:
        np.testing.assert_allclose(ours[1][key], theirs[1][key], rtol=1e-5)
    assert ours[1]["params"] == theirs[1]["params"]


def keras_draws(spec: Any, n_rows: int, fit: dict) -> list[np.ndarray]:
    """The initial weights of ``spec``, then what Keras' ``model.fit`` of a fresh model draws
    from ``numpy.random`` before its first epoch: one row order (when shuffling), to build
    the model's loss on a first batch. An engine's fit given these weights then draws the
    same epoch orders as Keras."""
    from gordo.machine.model import dense_training, lstm_training

    engine = dense_training if hasattr(spec, "layers") else lstm_training
    weights = engine.initial_weights(spec)
    if fit.get("shuffle", True):
        np.random.permutation(n_training_rows(n_rows, fit.get("validation_split", 0.0)))
    return weights


def keras_and_engine(
    engine_fit: Callable[[], tuple], keras_model: Callable[[], Any], x, y, fit: dict
) -> tuple[tuple, tuple]:
    """(weights, history) from an engine and from Keras' ``model.fit``, each after
    ``numpy.random.seed(5)``: both draw Keras' initial weights, then the epoch orders."""
    keras_module()  # Keras' first use draws from numpy: not between the seed and the weights
    np.random.seed(5)
    ours = engine_fit()
    np.random.seed(5)
    model = keras_model()
    history = fast_path.fit(model, x, y, **fit)
    with fast_path.quiet_variable_numpy():
        return ours, (model.get_weights(), history)


def batch_norm_model(n_out: int) -> dict:
    """A KerasRawModelRegressor ``kind`` with a layer numpy_inference does not compute."""
    return {
        "compile": {"loss": "mse", "optimizer": "adam"},
        "spec": {
            "tensorflow.keras.models.Sequential": {
                "layers": [
                    {"tensorflow.keras.layers.Dense": {"units": 3}},
                    {"tensorflow.keras.layers.BatchNormalization": {}},
                    {"tensorflow.keras.layers.Dense": {"units": n_out}},
                ]
            }
        },
    }
