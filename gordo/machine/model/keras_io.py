"""Keras models to and from gordo's saved states, through Keras' public API only.

A network gordo describes by a spec (format ``gordo-dense-model/1`` or
``gordo-lstm-model/1``) is rebuilt by its factory's Keras builder and given its
weights with ``set_weights``. Any other Keras model is kept as the bytes of its
``.keras`` archive (``keras.saving.save_model`` / ``load_model``, format
``gordo-keras-archive/1``). The Keras JSON state older gordo versions wrote
(``gordo-keras-model/1``) still loads, through ``keras.models.model_from_json``.
A state of any other format is refused with an :class:`~gordo.exceptions.ArtifactError`
naming the format and how to rebuild the model.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from gordo.exceptions import REBUILD, ArtifactError
from gordo.machine.model.backend import keras_module
from gordo.machine.model.dense_spec import DenseSpec
from gordo.machine.model.lstm_spec import spec_of_state
from gordo.machine.model.nn_basics import FORMATS, KERAS_ARCHIVE_FORMAT


def check_format(state: Mapping[str, Any]) -> None:
    """ArtifactError unless ``state`` has a format this version of gordo reads.

    >>> check_format({"format": "gordo-dense-model/9"})
    Traceback (most recent call last):
    ...
    gordo.exceptions.ArtifactError: The saved Keras model has state format 'gordo-dense-model/9', \
which this version of gordo does not read (it reads gordo-dense-model/1, gordo-lstm-model/1, \
gordo-keras-archive/1, gordo-keras-model/1). Rebuild the model with this gordo: \
`gordo build` for one machine, or `gordo build-project` for a project
    """
    fmt = state.get("format") if isinstance(state, Mapping) else None
    if fmt not in FORMATS:
        raise ArtifactError(
            f"The saved Keras model has state format {fmt!r}, which this version of gordo "
            f"does not read (it reads {', '.join(FORMATS)}). {REBUILD}"
        )


def model_from_state(state: Mapping[str, Any]) -> Any:
    """The compiled Keras model of a saved state (see the module docstring)."""
    check_format(state)
    spec = spec_of_state(state)
    if isinstance(spec, DenseSpec):
        from gordo.machine.model.factories.utils import dense_model

        return dense_model(spec, state["weights"])
    if spec is not None:
        from gordo.machine.model.factories.lstm_autoencoder import lstm_keras_model

        return lstm_keras_model(spec, state["weights"])
    keras = keras_module()
    if state["format"] == KERAS_ARCHIVE_FORMAT:
        with tempfile.TemporaryDirectory(prefix="gordo-keras-") as tmp:
            path = os.path.join(tmp, "model.keras")
            with open(path, "wb") as f:
                f.write(state["keras"])
            try:
                return keras.saving.load_model(path)
            except (TypeError, ValueError) as exc:
                raise ArtifactError(
                    f"The saved Keras model ({KERAS_ARCHIVE_FORMAT}) could not be loaded: {exc}. "
                    "Custom layers or functions must be importable and registered with "
                    "keras.saving.register_keras_serializable."
                ) from exc
    # the format of gordo up to ec44070
    model = keras.models.model_from_json(state["config"])
    model.set_weights(state["weights"])
    if state.get("compile"):
        model.compile_from_config(state["compile"])
    return model


def archive_state(model: Any) -> dict[str, Any]:
    """The state of any Keras model: the bytes of its ``.keras`` archive (with its compile
    settings and optimizer state)."""
    from gordo.machine.model.fast_path import quiet_variable_numpy

    keras = keras_module()
    with tempfile.TemporaryDirectory(prefix="gordo-keras-") as tmp, quiet_variable_numpy():
        path = os.path.join(tmp, "model.keras")
        keras.saving.save_model(model, path)
        with open(path, "rb") as f:
            return {"format": KERAS_ARCHIVE_FORMAT, "keras": f.read()}


def with_weights(state: Mapping[str, Any], model: Any) -> dict[str, Any]:
    """The spec state ``state`` with the current weights of its Keras ``model``."""
    from gordo.machine.model.fast_path import quiet_variable_numpy

    with quiet_variable_numpy():
        return {**state, "weights": [np.asarray(w) for w in model.get_weights()]}
