"""Train an LSTM network with JAX alone, as Keras 3 (JAX backend) trains it, in float32.

Keras costs more than a second of import and as much again of tracing before an
LSTM autoencoder takes its first step. This engine trains an
:class:`~gordo.machine.model.lstm_spec.LSTMSpec` with ``jax`` and
``jax.numpy`` only, with the semantics of ``keras.Model.fit``:

- weights start as Keras' defaults, drawn with ``numpy.random`` in Keras' order
  (per LSTM layer a ``glorot_uniform`` kernel, an ``orthogonal`` recurrent
  kernel, a zero bias with 1 on the forget gate; per Dense layer a
  ``glorot_uniform`` kernel and a zero bias), so seeding numpy makes a fit
  reproducible;
- an LSTM step is Keras' (gates i, f, c, o; recurrent activation sigmoid):
  ``z = x_t @ kernel + h @ recurrent_kernel + bias``, ``c = f * c + i * act(z_c)``,
  ``h = o * act(c)``, from zero states;
- validation split, per-epoch shuffle, short last batch and history follow
  :mod:`gordo.machine.model.nn_basics`; loss (mse, mae) and Adam/SGD updates
  are those of :mod:`gordo.machine.model.dense_training`.

The training steps run :data:`~gordo.machine.model.step_chunks.CHUNK_STEPS` at
a time in one compiled function (``jax.jit`` of a ``lax.scan`` over batches),
made once per architecture and training settings and reused by every fit of
that shape (CV folds, the final fit). JAX is imported on the first fit, not
with this module.

>>> from gordo.machine.model.lstm_spec import LSTMSpec
>>> np.random.seed(0)
>>> x = np.random.rand(30, 4, 2).astype("float32")
>>> spec = LSTMSpec(2, 4, ((3, "tanh"),), ((2, "linear"),))
>>> weights, history = fit(spec, x, x[:, -1], epochs=2, batch_size=8)
>>> [w.shape for w in weights], len(history["loss"])
([(2, 12), (3, 12), (12,), (3, 2), (2,)], 2)
"""

from __future__ import annotations

import functools
import json
import math
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gordo.machine.model.dense_spec import NumpyTraining
from gordo.machine.model.lstm_spec import LSTMSpec, jax_training
from gordo.machine.model.nn_basics import (
    check_fit_args,
    dense_initial_weights,
    fit_history,
    lstm_initial_weights,
    n_training_rows,
    random_draws,
)
from gordo.machine.model.step_chunks import bucket, epoch_means, pad_rows, run_groups, step_groups
from gordo.util.extras import require

_lock = threading.Lock()


def weight_shapes(spec: LSTMSpec) -> list[tuple[int, ...]]:
    """The shapes of the weights of ``spec``, in Keras' variable order.

    >>> weight_shapes(LSTMSpec(2, 4, ((3, "tanh"),), ((2, "linear"),)))
    [(2, 12), (3, 12), (12,), (3, 2), (2,)]
    """
    shapes: list[tuple[int, ...]] = []
    n_in = spec.n_features
    for units, _ in spec.recurrent:
        shapes += [(n_in, 4 * units), (units, 4 * units), (4 * units,)]
        n_in = units
    for units, _ in spec.head:
        shapes += [(n_in, units), (units,)]
        n_in = units
    return shapes


def initial_weights(spec: LSTMSpec) -> list[np.ndarray]:
    """Keras' defaults of the LSTM and Dense layers of ``spec``, in Keras' variable order."""
    head_inputs = spec.recurrent[-1][0] if spec.recurrent else spec.n_features
    return [
        *lstm_initial_weights(spec.n_features, spec.recurrent),
        *dense_initial_weights(head_inputs, spec.head),
    ]


# --- the compiled functions ---------------------------------------------------------------


def _activations() -> dict[str, Callable[[Any], Any]]:
    """Keras' activations as its JAX backend computes them."""
    import jax
    import jax.numpy as jnp

    nn = jax.nn
    return {
        "linear": lambda x: x,
        "relu": nn.relu,
        "relu6": nn.relu6,
        "leaky_relu": lambda x: nn.leaky_relu(x, negative_slope=0.2),
        "tanh": jnp.tanh,
        "sigmoid": nn.sigmoid,
        "hard_sigmoid": nn.hard_sigmoid,
        "elu": nn.elu,
        "selu": nn.selu,
        "softplus": nn.softplus,
        "softsign": nn.soft_sign,
        "silu": nn.silu,
        "swish": nn.silu,
        "exponential": jnp.exp,
    }


def _forward_fn(spec: LSTMSpec) -> Callable[[Sequence[Any], Any], Any]:
    """forward(weights, x) -> output, for windows x of shape (samples, steps, features)."""
    import jax
    import jax.numpy as jnp

    acts = _activations()
    sigmoid = acts["sigmoid"]
    recurrent = [acts[a] for _, a in spec.recurrent]
    head = [acts[a] for _, a in spec.head]

    def lstm(seq, kernel, recurrent_kernel, bias, act):
        """(final h, all h) of one LSTM layer over ``seq`` of shape (steps, features, samples)."""
        units = recurrent_kernel.shape[0]
        zeros = jnp.zeros((units, seq.shape[2]), seq.dtype)
        recurrent_t, bias_t = recurrent_kernel.T, bias[:, None]

        def step(carry, xk):
            h, c = carry
            z = xk + recurrent_t @ h + bias_t
            zi, zf, zc, zo = jnp.split(z, 4, axis=0)
            c = sigmoid(zf) * c + sigmoid(zi) * act(zc)
            h = sigmoid(zo) * act(c)
            return (h, c), h

        (h, _), hs = jax.lax.scan(step, (zeros, zeros), jnp.einsum("fo,tfb->tob", kernel, seq))
        return h, hs

    def forward(weights, x):
        seq, out = jnp.transpose(x, (1, 2, 0)), None
        for i, act in enumerate(recurrent):
            out, seq = lstm(seq, *weights[3 * i : 3 * i + 3], act)
        out = out.T
        offset = 3 * len(recurrent)
        for i, act in enumerate(head):
            out = act(out @ weights[offset + 2 * i] + weights[offset + 2 * i + 1])
        return out

    return forward


def _per_sample_loss(loss: str) -> Callable[[Any, Any], Any]:
    import jax.numpy as jnp

    if loss == "mse":
        return lambda y, out: jnp.mean(jnp.square(y - out), axis=-1)
    return lambda y, out: jnp.mean(jnp.abs(y - out), axis=-1)


def _optimizer(training: NumpyTraining) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """(init(weights) -> state, update(weights, grads, state) -> (weights, state)), as Keras 3."""
    import jax.numpy as jnp

    config, f32 = training.optimizer_config, np.float32  # numpy: constants, not device arrays

    def zeros(ws):  # numpy: eager JAX ops would each compile a small program
        return [np.zeros_like(w) for w in ws]

    lr = f32(config["learning_rate"])
    if training.optimizer == "sgd":
        momentum, nesterov = config["momentum"], config["nesterov"]

        def sgd_init(ws):
            return zeros(ws) if momentum != 0 else None

        def sgd_update(ws, gs, ms):
            if ms is None:
                return [w - g * lr for w, g in zip(ws, gs, strict=True)], None
            mom = f32(momentum)
            ms = [m * mom - g * lr for m, g in zip(ms, gs, strict=True)]
            if nesterov:
                step = [m * mom - g * lr for m, g in zip(ms, gs, strict=True)]
            else:
                step = ms
            return [w + s for w, s in zip(ws, step, strict=True)], ms

        return sgd_init, sgd_update

    beta_1, beta_2 = f32(config["beta_1"]), f32(config["beta_2"])
    one_minus_1, one_minus_2 = f32(1 - config["beta_1"]), f32(1 - config["beta_2"])
    epsilon, amsgrad = f32(config["epsilon"]), config["amsgrad"]

    def adam_init(ws):
        return zeros(ws), zeros(ws), zeros(ws) if amsgrad else None, np.zeros((), np.int32)

    def adam_update(ws, gs, state):
        ms, vs, v_hats, iterations = state
        step = (iterations + 1).astype(f32)
        alpha = lr * jnp.sqrt(1 - jnp.power(beta_2, step)) / (1 - jnp.power(beta_1, step))
        ms = [m + (g - m) * one_minus_1 for m, g in zip(ms, gs, strict=True)]
        vs = [v + (jnp.square(g) - v) * one_minus_2 for v, g in zip(vs, gs, strict=True)]
        if amsgrad:
            v_hats = [jnp.maximum(h, v) for h, v in zip(v_hats, vs, strict=True)]
        used = v_hats if amsgrad else vs
        ws = [
            w - (m * alpha) / (jnp.sqrt(v) + epsilon) for w, m, v in zip(ws, ms, used, strict=True)
        ]
        return ws, (ms, vs, v_hats, iterations + 1)

    return adam_init, adam_update


class _Compiled:
    """The compiled training chunk and evaluation of one architecture and training setting."""

    def __init__(self, spec: LSTMSpec, training: NumpyTraining) -> None:
        import jax
        import jax.numpy as jnp

        forward = _forward_fn(spec)
        per_sample = _per_sample_loss(training.loss)
        self.init, update = _optimizer(training)
        # The weights travel as one flat buffer: the optimizer updates it in one pass
        # instead of one per variable (a fifth of a step's time).
        shapes = weight_shapes(spec)
        ends = np.cumsum([math.prod(shape) for shape in shapes]).tolist()

        def loss(flat, x, y, w):
            ws = [
                flat[0][end - math.prod(shape) : end].reshape(shape)
                for shape, end in zip(shapes, ends, strict=True)
            ]
            values = per_sample(y, forward(ws, x))
            return jnp.sum(values * w) / jnp.maximum(jnp.sum(w), 1.0)

        grad = jax.value_and_grad(loss)

        def step(state, batch):
            value, grads = grad(state[0], *batch)
            new_state = update(state[0], grads, state[1])
            keep = jnp.sum(batch[2]) > 0  # a step of padding only changes nothing
            new_state = jax.tree.map(lambda new, old: jnp.where(keep, new, old), new_state, state)
            return new_state, value

        self.train_chunk = jax.jit(
            lambda state, xs, ys, ws: jax.lax.scan(step, state, (xs, ys, ws))
        )
        self.evaluate = jax.jit(loss)


@functools.lru_cache(maxsize=32)
def _compiled(key: str) -> _Compiled:
    spec, training = json.loads(key)
    return _Compiled(LSTMSpec.from_dict(spec), NumpyTraining(*training))


def _compiled_for(spec: LSTMSpec, training: NumpyTraining) -> _Compiled:
    """The compiled functions for ``spec``'s network (its optimizer arguments as ``training``)."""
    network = LSTMSpec(spec.n_features, spec.lookback_window, spec.recurrent, spec.head)
    key = json.dumps(
        [network.to_dict(), [training.optimizer, training.optimizer_config, training.loss]],
        sort_keys=True,
    )
    with _lock:
        return _compiled(key)


@functools.cache
def _start_jax() -> None:
    """Import JAX with gordo's persistent compilation cache and start its CPU backend.

    Importing JAX draws from numpy's global random state: that state is put back,
    so a seeded fit gives the same weights whether or not JAX was imported before.
    """
    require("jax", "training an LSTM network")
    state = np.random.get_state()
    try:
        from gordo.machine.model.backend import configure_jax

        configure_jax()
        import jax

        jax.devices()
    finally:
        np.random.set_state(state)


# --- the loop -----------------------------------------------------------------------------


def fit(
    spec: LSTMSpec,
    x: np.ndarray,
    y: np.ndarray,
    *,
    training: NumpyTraining | None = None,
    epochs: int = 1,
    batch_size: int = 32,
    shuffle: bool = True,
    validation_split: float = 0.0,
    verbose: int = 0,
    weights: Sequence[np.ndarray] | None = None,
) -> tuple[list[np.ndarray], dict[str, Any]]:
    """Train ``spec`` on windows ``x`` (samples, steps, features) and targets ``y``.

    Returns the weights (Keras' order) and the history. ``training`` defaults to
    :func:`~gordo.machine.model.lstm_spec.jax_training` of ``spec`` (ValueError
    if Keras must train it); ``weights`` (default: :func:`initial_weights` drawn
    now, see ``nn_basics.random_draws``) are copied, not changed.
    """
    check_fit_args(epochs, batch_size, validation_split)
    training = training or jax_training(spec)
    if training is None:
        raise ValueError(f"{spec} is not trainable without Keras; train it with Keras")
    n_train = n_training_rows(len(x), validation_split)
    weights, orders = random_draws(
        lambda: initial_weights(spec), len(x), epochs, shuffle, validation_split, weights
    )
    _start_jax()
    x = np.asarray(x, dtype="float32")
    y = np.asarray(y, dtype="float32")
    initial = [np.array(w, dtype="float32") for w in weights]
    x_train, y_train, x_val, y_val = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    compiled = _compiled_for(spec, training)
    evaluate = None
    if len(x_val):
        rows = bucket(len(x_val))
        val_weight = (np.arange(rows) < len(x_val)).astype("float32")
        x_val, y_val = pad_rows(x_val, rows), pad_rows(y_val, rows)
        evaluate = lambda state: compiled.evaluate(state[0], x_val, y_val, val_weight)  # noqa: E731
    groups = step_groups(orders, batch_size, evaluate is not None)
    flat = [np.concatenate([w.ravel() for w in initial])]
    state, group_losses, val_losses = run_groups(
        compiled.train_chunk, (flat, compiled.init(flat)), groups, x_train, y_train, evaluate
    )
    trained = np.split(np.asarray(state[0][0]), np.cumsum([w.size for w in initial])[:-1])
    losses = epoch_means(group_losses, n_train, batch_size, epochs)
    steps = math.ceil(n_train / batch_size)
    weights = [w.reshape(i.shape) for w, i in zip(trained, initial, strict=True)]
    return weights, fit_history(losses, val_losses, epochs, steps, verbose)
