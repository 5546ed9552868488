"""Model definitions shared by several model tests."""

from __future__ import annotations


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
