"""Training and prediction of a Keras model: the only module with backend-specific code.

``fit`` and ``predict`` take a compiled Keras model and numpy arrays. Models the
numpy and JAX engines do not cover (a user's own Keras model, another
optimizer, loss or activation, callbacks) go through here:

- ``fit`` is Keras' own ``model.fit``: the last ``validation_split`` of the rows
  is held out, rows are shuffled each epoch when ``shuffle`` is set (for arrays,
  Keras draws the order with ``numpy.random``, so seeding numpy makes it
  reproducible), and the history has the mean loss per epoch.
- ``predict`` with JAX calls one compiled forward pass (``jax.jit`` of Keras'
  public ``model.stateless_call``), cached per architecture and reused by every
  model of that architecture, over row counts padded to powers of two; other
  backends call the model directly, in chunks.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from gordo.machine.model.backend import keras_module
from gordo.machine.model.nn_basics import check_fit_args
from gordo.machine.model.step_chunks import bucket, pad_rows

#: Largest number of rows predicted per call; bigger inputs are predicted in chunks.
_MAX_PREDICT_ROWS = 8192
#: How many compiled forward passes (per architecture) are kept.
_CACHE_SIZE = 32

_predict_fns: OrderedDict[str, Callable[..., Any]] = OrderedDict()
_keys: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_predict_variables: weakref.WeakKeyDictionary[Any, tuple[list, list]] = weakref.WeakKeyDictionary()
_cache_lock = threading.RLock()
_unnamed = itertools.count()


def fit(
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    shuffle: bool = True,
    validation_split: float = 0.0,
    verbose: int = 0,
    callbacks: Sequence[Any] = (),
) -> dict[str, Any]:
    """Train ``model`` on ``x``/``y`` with ``model.fit``; the history ``{metric: [per epoch],
    "params": {...}}``."""
    check_fit_args(epochs, batch_size, validation_split)
    with quiet_variable_numpy():
        history = model.fit(
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=shuffle,
            validation_split=validation_split,
            verbose=verbose,
            callbacks=list(callbacks),
        )
    result: dict[str, Any] = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    params = {k: v for k, v in history.params.items() if isinstance(v, int | float | str)}
    result["params"] = {**params, "metrics": [k for k in result if k != "params"]}
    return result


def predict(model: Any, x: np.ndarray) -> np.ndarray:
    """The model's output for ``x`` as a float numpy array (inference mode)."""
    keras = keras_module()
    if len(x) == 0:
        return np.zeros((0, *model.output_shape[1:]), dtype="float32")
    if keras.backend.backend() != "jax":
        parts = [
            keras.ops.convert_to_numpy(model(x[i : i + _MAX_PREDICT_ROWS], training=False))
            for i in range(0, len(x), _MAX_PREDICT_ROWS)
        ]
        return np.concatenate(parts)
    return _jax_predict(model, x)


@contextlib.contextmanager
def quiet_variable_numpy() -> Iterator[None]:
    """Silence the DeprecationWarning Keras 3 gives when it reads its variables through numpy."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="__array__ implementation", category=DeprecationWarning
        )
        yield


def _strip_names(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_names(v) for k, v in obj.items() if k != "name"}
    if isinstance(obj, list | tuple):
        return [_strip_names(v) for v in obj]
    return obj


def _architecture_key(model: Any) -> str:
    """A string identifying the computation of ``model`` (layer names ignored for Sequential);
    a model without a config gets a key of its own."""
    key = _keys.get(model)
    if key is None:
        keras = keras_module()
        try:
            config = model.get_config()
        except NotImplementedError:  # a subclassed model without a config: its own entry
            config = f"model {next(_unnamed)}"
        if isinstance(model, keras.Sequential):
            config = _strip_names(config)
        key = json.dumps(
            [type(model).__name__, config, str(model.dtype_policy)], sort_keys=True, default=str
        )
        _keys[model] = key
    return key


def _cached(cache: OrderedDict[str, Any], key: str, make: Callable[[], Any]) -> Any:
    """``cache[key]``, made on first use; the least recently used entry goes past _CACHE_SIZE."""
    with _cache_lock:
        fn = cache.get(key)
        if fn is None:
            fn = cache[key] = make()
            if len(cache) > _CACHE_SIZE:
                cache.popitem(last=False)
        cache.move_to_end(key)
        return fn


def _values(variables: Sequence[Any]) -> list[Any]:
    return [v.value for v in variables]


def _make_predict(reference: Any) -> Callable[..., Any]:
    import jax

    return jax.jit(lambda tv, ntv, x: reference.stateless_call(tv, ntv, x, training=False)[0])


def _jax_predict(model: Any, x: np.ndarray) -> np.ndarray:
    forward = _cached(_predict_fns, _architecture_key(model), lambda: _make_predict(model))
    variables = _predict_variables.get(model)
    if variables is None:  # walking the layers costs more than the forward pass of 100 rows
        variables = _predict_variables[model] = (
            list(model.trainable_variables),
            list(model.non_trainable_variables),
        )
    tv, ntv = _values(variables[0]), _values(variables[1])
    parts = []
    for start in range(0, len(x), _MAX_PREDICT_ROWS):
        part = x[start : start + _MAX_PREDICT_ROWS]
        rows = bucket(len(part))
        parts.append(np.asarray(forward(tv, ntv, pad_rows(part, rows)))[: len(part)])
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
