"""The Keras backend: chosen before Keras is first imported.

Keras 3 reads ``KERAS_BACKEND`` once, at import. When it is unset, gordo sets
the default measured in docs/decisions.md ("Models and Keras backend") before
importing Keras; any supported value the user sets wins.

With JAX, compiled programs are also kept on disk (JAX's persistent compilation
cache) in ``GORDO_JAX_CACHE_DIR`` (default ``~/.cache/gordo/jax``; empty to
turn it off), so a new process skips most compilation of models it has seen.

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
    if "keras" not in sys.modules and ensure_backend() == "jax":
        _configure_jax()
    import keras

    return keras


def jax_cache_dir() -> str | None:
    """The directory of JAX's persistent compilation cache, or None when turned off."""
    default = os.path.join(os.path.expanduser("~"), ".cache", "gordo", "jax")
    return os.environ.get("GORDO_JAX_CACHE_DIR", default) or None


def _configure_jax() -> None:
    """Turn on JAX's persistent compilation cache for every compiled program."""
    cache_dir = jax_cache_dir()
    if cache_dir is None:
        return
    import jax

    jax.config.update("jax_compilation_cache_dir", cache_dir)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def active_backend() -> str:
    """Name of the backend Keras uses (importing Keras if needed)."""
    return keras_module().backend.backend()
