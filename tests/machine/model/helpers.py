"""Model definitions and checks shared by several model tests."""

from __future__ import annotations

import numpy as np


def assert_same_training(ours: tuple, theirs: tuple) -> None:
    """Two (weights, history) results of training agree (float32 tolerance)."""
    for a, b in zip(ours[0], theirs[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert ours[1].keys() == theirs[1].keys()
    for key in ours[1].keys() - {"params"}:
        np.testing.assert_allclose(ours[1][key], theirs[1][key], rtol=1e-5)
    assert ours[1]["params"] == theirs[1]["params"]


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
