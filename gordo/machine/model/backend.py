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

from gordo.util.extras import require

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


#: The seed :func:`seed_keras` was given before Keras was imported.
_pending_seed: int | None = None


def keras_module() -> ModuleType:
    """Import and return ``keras``, with the backend chosen by :func:`ensure_backend`.

    On first import, Keras is seeded with the seed :func:`seed_keras` was given.
    """
    global _pending_seed
    require("keras", "a Keras model")
    first = "keras" not in sys.modules
    if first and ensure_backend() == "jax":
        require("jax", "Keras' JAX backend")
        configure_jax()
    import keras

    if first and _pending_seed is not None:
        _seed_keras_only(keras, _pending_seed)
        _pending_seed = None
    return keras


def seed_keras(seed: int) -> None:
    """Seed Keras' random generators: now if Keras is imported, else when it is.

    Seeding on import leaves Python's and NumPy's generators where they are, so
    a build draws the same numbers whether or not it imports Keras.
    """
    global _pending_seed
    if "keras" in sys.modules:
        keras_module().utils.set_random_seed(seed)
    else:
        _pending_seed = seed


def _seed_keras_only(keras: ModuleType, seed: int) -> None:
    """``keras.utils.set_random_seed`` without touching Python's and NumPy's generators."""
    import random

    import numpy as np

    python_state, numpy_state = random.getstate(), np.random.get_state()
    keras.utils.set_random_seed(seed)
    # Keras seeds its generator for unseeded ops from Python's generator when that
    # generator is first used: use it now, while Python's generator holds the seed.
    keras.random.uniform(())
    random.setstate(python_state)
    np.random.set_state(numpy_state)


def jax_cache_dir() -> str | None:
    """The directory of JAX's persistent compilation cache, or None when turned off."""
    default = os.path.join(os.path.expanduser("~"), ".cache", "gordo", "jax")
    return os.environ.get("GORDO_JAX_CACHE_DIR", default) or None


def configure_jax() -> None:
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
