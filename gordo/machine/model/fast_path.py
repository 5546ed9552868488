"""Backend-specific fast paths for fitting and predicting with small Keras models.

This is the only module with backend-specific code. ``fit`` and ``predict`` take
a compiled Keras model and numpy arrays:

- JAX: training runs ``step_chunks.CHUNK_STEPS`` optimizer steps per call of one compiled
  function (``jax.jit`` of a ``lax.scan`` over batches), built from Keras'
  stateless API (``stateless_call``, ``optimizer.stateless_apply``). The compiled
  function takes the variables as arguments, so it is cached per architecture
  and reused by every model of that architecture: CV folds, the final fit and
  the machines of a fleet compile once per process. Prediction uses a cached
  compiled forward pass over row counts padded to powers of two.
- JAX, building: :func:`construct` creates a model's variables with Keras'
  deferred initialization and fills them from numpy (the common initializers
  drawn with ``numpy.random``, or saved weights), instead of one compiled
  program per initializer and weight shape.
- Other backends, or models the JAX path does not cover (callbacks, compiled
  metrics, a custom loss): Keras' own ``model.fit``; prediction calls the model
  directly, in chunks.

Both paths follow ``model.fit``'s semantics: the last ``validation_split`` of
the rows is held out, rows are shuffled each epoch when ``shuffle`` is set
(with ``numpy.random``, so seeding numpy makes it reproducible), the last batch
of an epoch may be short, and the history has the mean loss per epoch.
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from gordo.machine.model.backend import keras_module
from gordo.machine.model.dense_training import (
    check_fit_args,
    epoch_orders,
    fit_history,
    n_training_rows,
    variance_scaling_uniform,
)
from gordo.machine.model.lstm_training import orthogonal
from gordo.machine.model.step_chunks import bucket, epoch_means, pad_rows, run_groups, step_groups

#: Largest number of rows predicted per call; bigger inputs are predicted in chunks.
_MAX_PREDICT_ROWS = 8192
#: How many compiled functions (per architecture) are kept.
_CACHE_SIZE = 32

_train_fns: OrderedDict[str, Callable[..., Any]] = OrderedDict()
_eval_fns: OrderedDict[str, Callable[..., Any]] = OrderedDict()
_predict_fns: OrderedDict[str, Callable[..., Any]] = OrderedDict()
_keys: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_predict_variables: weakref.WeakKeyDictionary[Any, tuple[list, list]] = weakref.WeakKeyDictionary()
_cache_lock = threading.RLock()


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
    """Train ``model`` on ``x``/``y`` in place; return the history ``{metric: [per epoch], "params": {...}}``."""
    check_fit_args(epochs, batch_size, validation_split)
    if callbacks or not _jax_trainable(model):
        return _keras_fit(
            model, x, y, epochs, batch_size, shuffle, validation_split, verbose, callbacks
        )
    return _jax_fit(model, x, y, epochs, batch_size, shuffle, validation_split, verbose)


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


def construct(builder: Callable[[], Any], weights: Sequence[np.ndarray] | None = None) -> Any:
    """``builder()`` (which must not compile the model), with its weights set to ``weights``.

    Without ``weights``, variables are initialized by their initializers.
    """
    keras = keras_module()
    if keras.backend.backend() != "jax":
        model = builder()
        if weights is not None:
            model.set_weights(weights)
        return model
    created, model = _with_deferred_variables(builder)
    values = dict(zip((id(v) for v in model.weights), weights, strict=True)) if weights else {}
    _initialize(created, values)
    return model


def _build_optimizer(model: Any) -> None:
    """Build ``model.optimizer`` for its trainable variables, its slots initialized from numpy."""
    if not model.optimizer.built:
        created, _ = _with_deferred_variables(
            lambda: model.optimizer.build(model.trainable_variables)
        )
        _initialize(created, {})


def _with_deferred_variables(fn: Callable[[], Any]) -> tuple[list[Any], Any]:
    """Run ``fn`` with Keras' deferred initialization; return the variables it created and its result."""
    keras = keras_module()
    from keras.src.backend.common import global_state

    def pending() -> list[Any]:
        return list(global_state.get_global_attribute("uninitialized_variables") or [])

    before = {id(v) for v in pending()}
    with keras.StatelessScope(initialize_variables=False):
        result = fn()
    created = [v for v in pending() if id(v) not in before]
    global_state.set_global_attribute(
        "uninitialized_variables", [v for v in pending() if id(v) in before]
    )
    return created, result


def _initialize(variables: list[Any], values: dict[int, np.ndarray]) -> None:
    """Initialize deferred ``variables`` from ``values`` (by id), numpy, or their initializer."""
    for variable in variables:
        value = values.get(id(variable))
        if value is None:
            value = _numpy_initial_value(variable._initializer, variable.shape, variable.dtype)
        if value is None:
            variable._deferred_initialize()
        else:
            variable._initializer = None
            variable._initialize(np.asarray(value, dtype=variable.dtype))


def _numpy_initial_value(initializer: Any, shape: tuple[int, ...], dtype: str) -> np.ndarray | None:
    """The initial value from numpy for Keras' common initializers, else None."""
    keras = keras_module()
    init = keras.initializers
    if isinstance(initializer, init.Zeros):
        return np.zeros(shape, dtype=dtype)
    if isinstance(initializer, init.Ones):
        return np.ones(shape, dtype=dtype)
    if isinstance(initializer, init.Constant):
        return np.full(shape, initializer.value, dtype=dtype)
    if isinstance(initializer, init.VarianceScaling) and len(shape) == 2:
        if initializer.distribution != "uniform":
            return None
        return variance_scaling_uniform(shape, initializer.scale, initializer.mode).astype(dtype)
    if isinstance(initializer, init.Orthogonal) and len(shape) == 2:
        return orthogonal(shape, initializer.gain, dtype)
    return None


# --- Keras' own loop ----------------------------------------------------------------


def _keras_fit(model, x, y, epochs, batch_size, shuffle, validation_split, verbose, callbacks):
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


# --- JAX ------------------------------------------------------------------------------


def _jax_trainable(model: Any) -> bool:
    """Whether the compiled JAX loop covers this model's training configuration."""
    keras = keras_module()
    if keras.backend.backend() != "jax" or model.optimizer is None or not model.built:
        return False
    config = compile_config(model) or {}
    if any(config.get(k) for k in ("metrics", "weighted_metrics", "loss_weights")):
        return False
    return _per_sample_loss(model.loss) is not None


def _per_sample_loss(loss: Any) -> Callable[[Any, Any], Any] | None:
    """A function giving one loss value per sample, or None if not a plain Keras loss."""
    keras = keras_module()
    if isinstance(loss, str):
        fn = keras.losses.get(loss)
        return None if isinstance(fn, keras.losses.Loss) else fn
    if isinstance(loss, keras.losses.Loss):
        return loss.call
    if callable(loss) and getattr(loss, "__module__", "").startswith("keras."):
        return loss
    return None


@contextlib.contextmanager
def quiet_variable_numpy() -> Iterator[None]:
    """Silence the DeprecationWarning Keras 3 gives when an optimizer's config reads its variables."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="__array__ implementation", category=DeprecationWarning
        )
        yield


def compile_config(model: Any) -> dict[str, Any] | None:
    """``model.get_compile_config()`` without Keras' numpy-2 DeprecationWarning."""
    with quiet_variable_numpy():
        return model.get_compile_config()


def _strip_names(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_names(v) for k, v in obj.items() if k != "name"}
    if isinstance(obj, list | tuple):
        return [_strip_names(v) for v in obj]
    return obj


def _architecture_key(model: Any) -> str:
    """A string identifying the computation of ``model`` (layer names ignored for Sequential)."""
    key = _keys.get(model)
    if key is None:
        keras = keras_module()
        config = model.get_config()
        if isinstance(model, keras.Sequential):
            config = _strip_names(config)
        key = json.dumps(
            [type(model).__name__, config, str(model.dtype_policy)], sort_keys=True, default=str
        )
        _keys[model] = key
    return key


def _training_key(model: Any) -> str:
    keras = keras_module()
    with quiet_variable_numpy():
        optimizer = _strip_names(keras.saving.serialize_keras_object(model.optimizer))
    loss = keras.saving.serialize_keras_object(model.loss)
    return json.dumps([_architecture_key(model), optimizer, loss], sort_keys=True, default=str)


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


def _weighted_loss_fn(reference: Any) -> Callable[..., Any]:
    """loss(trainable, non_trainable, x, y, w, training) -> (weighted mean loss, non_trainable)."""
    import jax.numpy as jnp

    per_sample = _per_sample_loss(reference.loss)

    def loss(tv, ntv, x, y, w, training):
        y_pred, ntv, extra = reference.stateless_call(
            tv, ntv, x, training=training, return_losses=True
        )
        values = per_sample(y, y_pred)
        values = jnp.reshape(values, (values.shape[0], -1)).mean(axis=1)
        total = jnp.sum(values * w) / jnp.maximum(jnp.sum(w), 1.0)
        if extra:
            total = total + sum(extra)
        return total, ntv

    return loss


def _make_train_chunk(reference: Any) -> Callable[..., Any]:
    """A compiled function running one chunk of optimizer steps for ``reference``'s architecture."""
    import jax
    import jax.numpy as jnp

    optimizer = reference.optimizer
    _build_optimizer(reference)
    loss = _weighted_loss_fn(reference)
    grad_fn = jax.value_and_grad(
        lambda tv, ntv, x, y, w: loss(tv, ntv, x, y, w, True), has_aux=True
    )

    def step(state, batch):
        tv, ntv, ov = state
        x, y, w = batch
        (value, new_ntv), grads = grad_fn(tv, ntv, x, y, w)
        new_tv, new_ov = optimizer.stateless_apply(ov, grads, tv)
        # An all-padding step (w == 0) leaves the state unchanged.
        keep = jnp.sum(w) > 0
        new_state = jax.tree.map(
            lambda new, old: jnp.where(keep, new, old), (new_tv, new_ntv, new_ov), state
        )
        return new_state, value

    def chunk(state, xs, ys, ws):
        return jax.lax.scan(step, state, (xs, ys, ws))

    return jax.jit(chunk)


def _make_eval(reference: Any) -> Callable[..., Any]:
    import jax

    loss = _weighted_loss_fn(reference)
    return jax.jit(lambda tv, ntv, x, y, w: loss(tv, ntv, x, y, w, False)[0])


def _jax_fit(model, x, y, epochs, batch_size, shuffle, validation_split, verbose):
    n_train = n_training_rows(len(x), validation_split)
    x_train, y_train = x[:n_train], y[:n_train]
    x_val, y_val = x[n_train:], y[n_train:]
    key = _training_key(model)
    train_chunk = _cached(_train_fns, key, lambda: _make_train_chunk(model))
    _build_optimizer(model)
    state = (
        _values(model.trainable_variables),
        _values(model.non_trainable_variables),
        _values(model.optimizer.variables),
    )
    groups = step_groups(epoch_orders(n_train, epochs, shuffle), batch_size, len(x_val) > 0)
    evaluate = (lambda s: _jax_evaluate(model, key, s, x_val, y_val)) if len(x_val) else None
    state, group_losses, val_losses = run_groups(
        train_chunk, state, groups, x_train, y_train, evaluate
    )
    _assign(model.trainable_variables, state[0])
    _assign(model.non_trainable_variables, state[1])
    _assign(model.optimizer.variables, state[2])
    losses = epoch_means(group_losses, n_train, batch_size, epochs)
    return fit_history(losses, val_losses, epochs, math.ceil(n_train / batch_size), verbose)


def _jax_evaluate(model, key, state, x_val, y_val) -> float:
    evaluate = _cached(_eval_fns, key, lambda: _make_eval(model))
    rows = bucket(len(x_val))
    weight = np.zeros(rows, dtype="float32")
    weight[: len(x_val)] = 1.0
    return float(evaluate(state[0], state[1], pad_rows(x_val, rows), pad_rows(y_val, rows), weight))


def _assign(variables: Sequence[Any], values: Sequence[Any]) -> None:
    for variable, value in zip(variables, values, strict=True):
        variable.assign(value)


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
