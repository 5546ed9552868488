"""The Keras backend: chosen before Keras is first imported.

Keras 3 reads ``KERAS_BACKEND`` once, at import. When it is unset, gordo sets
the default measured in docs/decisions.md ("Models and Keras backend") before
importing Keras; any supported value the user sets wins.

>>> DEFAULT_BACKEND in SUPPORTED_BACKENDS
True
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

#: The backend used when ``KERAS_BACKEND`` is unset (measured, see docs/benchmarks.md).
DEFAULT_BACKEND = "jax"
#: Backends gordo is tested with.
SUPPORTED_BACKENDS = ("jax", "tensorflow", "torch")


def ensure_backend() -> str:
    """Set ``KERAS_BACKEND`` to the default if unset and return the backend Keras will use.

    If Keras is already imported, its backend is returned unchanged.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    return os.environ.setdefault("KERAS_BACKEND", DEFAULT_BACKEND)


def keras_module() -> ModuleType:
    """Import and return ``keras``, with the backend chosen by :func:`ensure_backend`."""
    ensure_backend()
    import keras

    return keras


def active_backend() -> str:
    """Name of the backend Keras uses (importing Keras if needed)."""
    return keras_module().backend.backend()
