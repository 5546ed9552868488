"""Process-wide set-up that gordo needs before building or serving models, done once.

Code written for the original gordo calls :func:`configure_once` before it
builds machines (the documented examples do); it keeps working here. What it
configures, without importing any deep-learning framework:

- the Keras backend: ``KERAS_BACKEND`` is set to gordo's default (see
  :mod:`gordo.machine.model.backend`) if the user has not chosen one, so the
  first Keras import anywhere in the process (e.g. a ``tensorflow.keras.*`` or
  ``keras.*`` path in a model definition) uses it.

Calling it again, from any thread, does nothing.

>>> from gordo.dependencies import configure_once
>>> configure_once()
>>> import os
>>> os.environ["KERAS_BACKEND"] in ("jax", "tensorflow", "torch")
True
"""

from __future__ import annotations

import threading

from gordo.machine.model.backend import ensure_backend

_lock = threading.Lock()
_configured = False


def configure_once() -> None:
    """Configure gordo's process-wide dependencies; later calls do nothing."""
    global _configured
    with _lock:
        if _configured:
            return
        ensure_backend()
        _configured = True
