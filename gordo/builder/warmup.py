"""Import Keras (and initialise its backend) ahead of need, while other work goes on.

Importing Keras and starting its backend takes about a second, comparable to
fetching a machine's data; doing both at once shortens a build. Only models
that fit with Keras need it: the built-in dense autoencoders train in numpy,
the built-in LSTM networks with JAX alone.

>>> from gordo import serializer
>>> needs_keras(serializer.from_definition({"sklearn.pipeline.Pipeline": {"steps": [
...     "sklearn.preprocessing.MinMaxScaler",
...     {"gordo.machine.model.models.KerasAutoEncoder": {"kind": "feedforward_hourglass"}}]}}))
False
>>> needs_keras(serializer.from_definition(
...     {"gordo.machine.model.models.KerasLSTMAutoEncoder": {"kind": "lstm_hourglass"}}))
False
>>> needs_keras(serializer.from_definition({"gordo.machine.model.models.KerasLSTMAutoEncoder": {
...     "kind": "lstm_hourglass", "optimizer": "RMSprop"}}))
True
>>> wait()  # nothing started: returns at once
"""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)


def needs_keras(model: Any) -> bool:
    """Whether fitting the estimator ``model`` imports Keras.

    True if it or an estimator among its parameters (pipeline steps, a
    detector's base estimator ...) says so through ``fits_with_keras()``.
    """
    estimators = [model]
    get_params = getattr(model, "get_params", None)
    if callable(get_params) and not isinstance(model, type):
        estimators += list(get_params(deep=True).values())
    return any(
        callable(getattr(e, "fits_with_keras", None)) and e.fits_with_keras() for e in estimators
    )


def import_keras() -> None:
    """Import Keras with gordo's default backend, without starting the backend."""
    from gordo.machine.model.backend import keras_module

    keras_module()


def warm_keras() -> None:
    """Import Keras with gordo's default backend and run one tiny op to initialise it."""
    from gordo.machine.model.backend import keras_module

    keras = keras_module()
    keras.ops.convert_to_numpy(keras.ops.zeros(1))


def _warm_quietly() -> None:
    try:
        warm_keras()
    except Exception:  # the build itself will import Keras and report any problem
        logger.debug("Keras warm-up failed", exc_info=True)


_thread: threading.Thread | None = None


def warm_keras_in_background() -> None:
    """Start :func:`warm_keras` in a daemon thread (once per process)."""
    global _thread
    if _thread is None:
        _thread = threading.Thread(target=_warm_quietly, name="gordo-keras-warmup", daemon=True)
        _thread.start()


def wait() -> None:
    """Block until a background warm-up has finished: use Keras only after this."""
    if _thread is not None:
        _thread.join()
