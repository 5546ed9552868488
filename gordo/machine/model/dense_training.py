"""Train a stack of Dense layers in numpy, as Keras 3 (JAX backend) trains it, in float32.

A built-in dense autoencoder is a few hundred weights: Keras and JAX cost
seconds of import and compilation where the arithmetic takes milliseconds. This
engine trains a :class:`~gordo.machine.model.dense_spec.DenseSpec` with the
semantics of ``keras.Model.fit`` (and of :mod:`gordo.machine.model.fast_path`):

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

from gordo.machine.model.dense_spec import DENSE_FORMAT, DenseSpec, NumpyTraining, numpy_training
from gordo.machine.model.numpy_inference import ACTIVATIONS, SELU_ALPHA, SELU_SCALE, sigmoid

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


def variance_scaling_uniform(shape: tuple[int, int], scale: float, mode: str) -> np.ndarray:
    """Keras' uniform VarianceScaling draw for a 2D kernel, with ``numpy.random`` (float32).

    ``glorot_uniform`` is ``scale=1, mode="fan_avg"``.

    >>> np.random.seed(0)
    >>> w = variance_scaling_uniform((3, 5), 1.0, "fan_avg")
    >>> w.dtype, bool(abs(w).max() <= math.sqrt(3 / 4))
    (dtype('float32'), True)
    """
    fan_in, fan_out = shape
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    limit = math.sqrt(3.0 * scale / max(1.0, fan))
    return np.random.uniform(-limit, limit, size=shape).astype("float32")


def initial_weights(spec: DenseSpec) -> list[np.ndarray]:
    """Keras' Dense defaults, in Keras' order: per layer a glorot_uniform kernel, a zero bias."""
    weights = []
    n_in = spec.n_features
    for units, _ in spec.layers:
        weights += [variance_scaling_uniform((n_in, units), 1.0, "fan_avg"), np.zeros(units, "f4")]
        n_in = units
    return weights


# --- what fit does, shared with the Keras/JAX loop of fast_path -------------------------


def check_fit_args(epochs: int, batch_size: int, validation_split: float) -> None:
    """ValueError unless the training arguments are ones ``keras.Model.fit`` accepts."""
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
    if batch_size < 1 or epochs < 0:
        raise ValueError(f"batch_size must be >= 1 and epochs >= 0, got {batch_size} and {epochs}")


def n_training_rows(n_rows: int, validation_split: float) -> int:
    """Rows trained on: all but the last ``validation_split`` of them (ValueError if none)."""
    n_train = int(math.floor(n_rows * (1.0 - validation_split))) if validation_split else n_rows
    if n_train < 1:
        raise ValueError(f"validation_split={validation_split} leaves no rows to train on")
    return n_train


def epoch_orders(n_train: int, epochs: int, shuffle: bool) -> list[np.ndarray]:
    """The row order of each epoch, all drawn before training (as the compiled loop does)."""
    return [
        np.random.permutation(n_train) if shuffle else np.arange(n_train) for _ in range(epochs)
    ]


def fit_history(
    losses: list[float], val_losses: list[float], epochs: int, steps: int, verbose: int
) -> dict[str, Any]:
    """The fit history ``{"loss": [...], "val_loss"?: [...], "params": {...}}``; printed if verbose."""
    result: dict[str, Any] = {"loss": [float(v) for v in losses]}
    if val_losses:
        result["val_loss"] = [float(v) for v in val_losses]
    if verbose:
        for epoch in range(epochs):
            line = " - ".join(f"{k}: {v[epoch]:.4f}" for k, v in result.items())
            print(f"Epoch {epoch + 1}/{epochs} - {line}")
    result["params"] = {
        "epochs": epochs,
        "steps": steps,
        "verbose": verbose,
        "metrics": [k for k in result if k != "params"],
    }
    return result


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
    initializers drawn now, see :func:`random_draws`) are copied, not changed.
    """
    check_fit_args(epochs, batch_size, validation_split)
    training = training or numpy_training(spec)
    if training is None:
        raise ValueError(f"{spec} is not trainable in numpy; train it with Keras")
    n_train = n_training_rows(len(x), validation_split)
    weights, orders = random_draws(spec, len(x), epochs, shuffle, validation_split, weights)
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


def random_draws(
    spec: Any,
    n_rows: int,
    epochs: int,
    shuffle: bool,
    validation_split: float = 0.0,
    weights: Sequence[np.ndarray] | None = None,
    *,
    initial: Callable[[Any], list[np.ndarray]] = initial_weights,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """What a fit on ``n_rows`` rows draws from ``numpy.random``, in its order: the initial
    weights (``initial(spec)``, unless given) and each epoch's row order.

    Both engines' fits draw with it (the LSTM engine with its own
    ``initial_weights``), so seeding numpy makes either reproducible.

    >>> spec = DenseSpec(2, ((2, "linear"),))
    >>> np.random.seed(1)
    >>> weights, orders = random_draws(spec, 10, epochs=2, shuffle=True)
    >>> len(weights), [o.shape for o in orders]
    (2, [(10,), (10,)])
    """
    first = list(weights) if weights else initial(spec)
    return first, epoch_orders(n_training_rows(n_rows, validation_split), epochs, shuffle)


def to_state(spec: DenseSpec, weights: Sequence[np.ndarray]) -> dict[str, Any]:
    """The saved state of a model trained here (read by ``numpy_inference.plan_from_state``
    and ``keras_io.model_from_state``)."""
    return {
        "format": DENSE_FORMAT,
        "spec": spec.to_dict(),
        "weights": [np.asarray(w) for w in weights],
    }
