"""Import Keras (and initialise its backend) ahead of need, while other work goes on.

Importing Keras and starting its backend takes about a second, comparable to
fetching a machine's data; doing both at once shortens a build.

>>> uses_keras({"sklearn.pipeline.Pipeline": {"steps": ["gordo.machine.model.models.KerasAutoEncoder"]}})
True
>>> uses_keras("sklearn.decomposition.PCA")
False
>>> wait()  # nothing started: returns at once
"""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)


def uses_keras(model_definition: Any) -> bool:
    """Whether a model definition names a Keras model (so building it imports Keras)."""
    return "keras" in repr(model_definition).lower()


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
