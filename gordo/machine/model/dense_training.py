"""Train a stack of Dense layers in numpy, as Keras 3 (JAX backend) trains it, in float32.

A built-in dense autoencoder is a few hundred weights: Keras and JAX cost
seconds of import and compilation where the arithmetic takes milliseconds. This
engine trains a :class:`~gordo.machine.model.dense_spec.DenseSpec` with the
semantics of ``keras.Model.fit`` (the rules in :mod:`gordo.machine.model.nn_basics`):

- weights start as Keras' Dense defaults (``glorot_uniform`` kernels drawn with
  ``numpy.random``, zero biases), so seeding numpy makes a fit reproducible;
- the last ``validation_split`` of the rows is held out; rows are shuffled each
  epoch (``numpy.random.permutation``) when ``shuffle``; the last batch may be short;
- each step minimises the batch mean of the per-sample loss (mse or mae) with
  Keras' update rule (Adam, SGD with momentum/nesterov);
- the history holds the per-epoch mean loss (and ``val_loss``) and ``params``.

>>> from gordo.machine.model.dense_spec import DenseSpec
>>> np.random.seed(0)
>>> x = np.random.rand(50, 3)
>>> spec = DenseSpec(3, ((2, "tanh"), (3, "linear")))
>>> weights, history = fit(spec, x, x, epochs=3, batch_size=16)
>>> [w.shape for w in weights], len(history["loss"])
([(3, 2), (2,), (2, 3), (3,)], 3)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gordo.machine.model.dense_spec import DenseSpec, NumpyTraining, numpy_training
from gordo.machine.model.nn_basics import (
    ACTIVATIONS,
    SELU_ALPHA,
    SELU_SCALE,
    check_fit_args,
    dense_initial_weights,
    fit_history,
    n_training_rows,
    random_draws,
    sigmoid,
)

_F32 = np.float32


def _silu_grad(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    s = sigmoid(x)
    return s + x * s * (_F32(1) - s)


#: d activation(x) / dx from x and y = activation(x), as JAX differentiates Keras' activations.
GRADIENTS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "linear": lambda x, y: np.ones_like(x),
    "relu": lambda x, y: (x > 0).astype(_F32),
    "relu6": lambda x, y: ((x > 0) & (x < 6)).astype(_F32),
    "leaky_relu": lambda x, y: np.where(x >= 0, _F32(1), _F32(0.2)),
    "tanh": lambda x, y: _F32(1) - y * y,
    "sigmoid": lambda x, y: y * (_F32(1) - y),
    "hard_sigmoid": lambda x, y: ((x > -3) & (x < 3)).astype(_F32) / _F32(6),
    "elu": lambda x, y: np.where(x > 0, _F32(1), np.exp(np.minimum(x, _F32(0)))),
    "selu": lambda x, y: (
        SELU_SCALE * np.where(x > 0, _F32(1), SELU_ALPHA * np.exp(np.minimum(x, _F32(0))))
    ),
    "softplus": lambda x, y: sigmoid(x),
    "softsign": lambda x, y: _F32(1) / np.square(np.abs(x) + _F32(1)),
    "silu": _silu_grad,
    "swish": _silu_grad,
    "exponential": lambda x, y: y,
}


def initial_weights(spec: DenseSpec) -> list[np.ndarray]:
    """Keras' Dense defaults for ``spec``, in Keras' order: per layer a glorot_uniform kernel,
    a zero bias (drawn with ``numpy.random``)."""
    return dense_initial_weights(spec.n_features, spec.layers)


# --- optimizers and losses ----------------------------------------------------------------
# They work on all the weights at once (one float32 buffer): each element is updated
# with the same float32 operations, in the same order, as Keras' per-variable update_step.


class _Adam:
    """Keras 3 ``Adam.update_step`` in float32."""

    def __init__(self, size: int, config: dict[str, Any]) -> None:
        self.lr = _F32(config["learning_rate"])
        self.beta_1, self.beta_2 = _F32(config["beta_1"]), _F32(config["beta_2"])
        self.one_minus_beta_1 = _F32(1 - config["beta_1"])
        self.one_minus_beta_2 = _F32(1 - config["beta_2"])
        self.epsilon = _F32(config["epsilon"])
        self.m, self.v = np.zeros(size, "f4"), np.zeros(size, "f4")
        self.v_hat = np.zeros(size, "f4") if config["amsgrad"] else None
        self.t1, self.t2 = np.empty(size, "f4"), np.empty(size, "f4")
        self.iterations = 0

    def apply(self, w: np.ndarray, g: np.ndarray) -> None:
        step = _F32(self.iterations + 1)
        alpha = self.lr * np.sqrt(_F32(1) - self.beta_2**step) / (_F32(1) - self.beta_1**step)
        m, v, t1, t2 = self.m, self.v, self.t1, self.t2
        np.subtract(g, m, out=t1)  # m += (g - m) * (1 - beta_1)
        t1 *= self.one_minus_beta_1
        m += t1
        np.multiply(g, g, out=t1)  # v += (g**2 - v) * (1 - beta_2)
        t1 -= v
        t1 *= self.one_minus_beta_2
        v += t1
        if self.v_hat is not None:
            v = np.maximum(self.v_hat, v, out=self.v_hat)
        np.sqrt(v, out=t1)  # w -= (m * alpha) / (sqrt(v) + epsilon)
        t1 += self.epsilon
        np.multiply(m, alpha, out=t2)
        t2 /= t1
        w -= t2
        self.iterations += 1


class _SGD:
    """Keras 3 ``SGD.update_step`` (momentum, nesterov) in float32."""

    def __init__(self, size: int, config: dict[str, Any]) -> None:
        self.lr = _F32(config["learning_rate"])
        self.momentum = _F32(config["momentum"])
        self.nesterov = config["nesterov"]
        self.m = np.zeros(size, "f4") if config["momentum"] != 0 else None

    def apply(self, w: np.ndarray, g: np.ndarray) -> None:
        step = g * self.lr
        if self.m is None:
            w -= step
            return
        self.m *= self.momentum  # m = m * momentum - g * lr
        self.m -= step
        if self.nesterov:
            w += self.m * self.momentum - step
        else:
            w += self.m


_OPTIMIZERS = {"adam": _Adam, "sgd": _SGD}


def _loss_and_grad(loss: str, out: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean over the batch of the per-sample loss, and its gradient with respect to ``out``."""
    diff = out - y
    scale = _F32(1.0 / diff.size)
    flat = diff.ravel()
    if loss == "mse":
        return float(np.dot(flat, flat)) * float(scale), diff * (_F32(2) * scale)
    # d|y - out|/d out as JAX differentiates abs: -1 where out == y, not 0
    return float(np.abs(flat).sum(dtype="float64")) * float(scale), np.where(
        diff > 0, scale, -scale
    )


def _batch_loss(loss: str, out: np.ndarray, y: np.ndarray) -> float:
    diff = out - y
    values = np.square(diff) if loss == "mse" else np.abs(diff)
    return float(np.mean(values, dtype="float64"))


# --- the network ---------------------------------------------------------------------------


class _DenseNet:
    """The weights in one float32 buffer in Keras' order, and a batch's forward and backward pass.

    A layer's kernel and bias are consecutive in that order, so they form one
    ``(n_in + 1, units)`` matrix, and a layer's input carries a last column of
    ones: one matrix product gives ``x @ kernel + bias``, one more the gradient
    of both. Each hidden layer's output is copied into a buffer (made once) holding
    that column.
    """

    def __init__(self, spec: DenseSpec, weights: Sequence[np.ndarray], batch_size: int) -> None:
        self.flat = np.concatenate([np.asarray(w, dtype="float32").ravel() for w in weights])
        self.grad = np.zeros_like(self.flat)
        self.shapes = [np.shape(w) for w in weights]
        self.layers, self.grads = [], []
        offset, n_in = 0, spec.n_features
        for units, activation in spec.layers:
            end = offset + (n_in + 1) * units
            self.layers.append((self.flat[offset:end].reshape(n_in + 1, units), activation))
            self.grads.append(self.grad[offset:end].reshape(n_in + 1, units))
            offset, n_in = end, units
        self.buffers = [np.ones((batch_size, units + 1), "f4") for units, _ in spec.layers[:-1]]

    def weights(self) -> list[np.ndarray]:
        """Copies of the weights, shaped as Keras' variables."""
        out, offset = [], 0
        for shape in self.shapes:
            size = math.prod(shape)
            out.append(self.flat[offset : offset + size].reshape(shape).copy())
            offset += size
        return out

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The output for the rows of ``x``."""
        for weights, activation in self.layers:
            z = x @ weights[:-1]
            z += weights[-1]
            x = ACTIVATIONS[activation](z).astype("float32", copy=False)
        return x

    def backward(self, x: np.ndarray, y: np.ndarray, loss: str) -> float:
        """The loss of the batch ``x`` (with its column of ones) and ``y``; gradients to ``self.grad``."""
        inputs, outputs, pre = [x], [], []
        for i, (weights, activation) in enumerate(self.layers):
            pre.append(inputs[-1] @ weights)
            outputs.append(ACTIVATIONS[activation](pre[-1]).astype("float32", copy=False))
            if i < len(self.buffers):
                inputs.append(self.buffers[i][: len(x)])
                inputs[-1][:, :-1] = outputs[-1]
        value, delta = _loss_and_grad(loss, outputs[-1], y)
        for i in range(len(self.layers) - 1, -1, -1):
            weights, activation = self.layers[i]
            if activation != "linear":
                delta *= GRADIENTS[activation](pre[i], outputs[i])
            np.matmul(inputs[i].T, delta, out=self.grads[i])
            if i:
                delta = delta @ weights[:-1].T
        return value


# --- the loop ----------------------------------------------------------------------------------


def fit(
    spec: DenseSpec,
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
    """Train ``spec`` on ``x``/``y``; return the weights (Keras' order) and the history.

    ``training`` defaults to :func:`~gordo.machine.model.dense_spec.numpy_training`
    of ``spec`` (ValueError if Keras must train it); ``weights`` (default: Keras'
    initializers drawn now, see ``nn_basics.random_draws``) are copied, not changed.
    """
    check_fit_args(epochs, batch_size, validation_split)
    training = training or numpy_training(spec)
    if training is None:
        raise ValueError(f"{spec} is not trainable in numpy; train it with Keras")
    n_train = n_training_rows(len(x), validation_split)
    weights, orders = random_draws(
        lambda: initial_weights(spec), len(x), epochs, shuffle, validation_split, weights
    )
    net = _DenseNet(spec, weights, batch_size)
    x = np.asarray(x, dtype="float32")
    y = np.asarray(y, dtype="float32")
    x_train, y_train, x_val, y_val = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    optimizer = _OPTIMIZERS[training.optimizer](net.flat.size, training.optimizer_config)
    xs = np.ones((n_train, x.shape[1] + 1), "f4")  # the epoch's rows, and a column of ones
    losses, val_losses = [], []
    for order in orders:
        xs[:, :-1] = x_train[order]
        ys = y_train[order]
        total = 0.0
        for start in range(0, n_train, batch_size):
            xb, yb = xs[start : start + batch_size], ys[start : start + batch_size]
            total += net.backward(xb, yb, training.loss) * len(xb)
            optimizer.apply(net.flat, net.grad)
        losses.append(total / n_train)
        if len(x_val):
            val_losses.append(_batch_loss(training.loss, net.predict(x_val), y_val))
    steps = math.ceil(n_train / batch_size)
    return net.weights(), fit_history(losses, val_losses, epochs, steps, verbose)
