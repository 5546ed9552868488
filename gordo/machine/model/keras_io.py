"""A Keras model to and from plain picklable data (architecture JSON, weights, compile config).

Loading rebuilds the model from its config and sets the weights: faster than a
``.keras`` archive and independent of files. The optimizer state is not kept, so
training a loaded model starts a fresh optimizer. The state of a model trained
in numpy (``gordo-dense-model/1``, :func:`gordo.machine.model.dense_training.to_state`)
or with JAX alone (``gordo-lstm-model/1``, :func:`gordo.machine.model.lstm_training.to_state`)
loads as the Keras model its factory builds, with the trained weights.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from gordo.machine.model.backend import keras_module
from gordo.machine.model.dense_spec import DENSE_FORMAT, DenseSpec
from gordo.machine.model.lstm_spec import LSTM_FORMAT, LSTMSpec

FORMAT = "gordo-keras-model/1"


def model_to_state(model: Any) -> dict[str, Any]:
    """The data needed to rebuild ``model`` (a dict of str, lists and numpy arrays)."""
    from gordo.machine.model.fast_path import quiet_variable_numpy

    with quiet_variable_numpy():
        config = json.loads(model.to_json())
        config.pop("compile_config", None)  # compiled after the weights are set, see below
        return {
            "format": FORMAT,
            "config": json.dumps(config),
            "weights": [np.asarray(w) for w in model.get_weights()],
            "compile": model.get_compile_config() if getattr(model, "optimizer", None) else None,
        }


def model_from_state(state: dict[str, Any]) -> Any:
    """Rebuild the model saved by :func:`model_to_state` (or trained without Keras)."""
    if state.get("format") == DENSE_FORMAT:
        from gordo.machine.model.factories.utils import dense_model

        return dense_model(DenseSpec.from_dict(state["spec"]), state["weights"])
    if state.get("format") == LSTM_FORMAT:
        from gordo.machine.model.factories.lstm_autoencoder import lstm_keras_model

        return lstm_keras_model(LSTMSpec.from_dict(state["spec"]), state["weights"])
    if state.get("format") != FORMAT:
        raise ValueError(f"Unknown Keras model state format {state.get('format')!r}")
    from gordo.machine.model.fast_path import construct

    keras = keras_module()
    model = construct(lambda: keras.models.model_from_json(state["config"]), state["weights"])
    if state["compile"]:
        model.compile_from_config(state["compile"])
    return model
