"""What gordo's neural-network modules share: saved-state formats, activations, initialisers, fit rules.

This is the bottom module of the neural-network code: it imports numpy only and
no other gordo module. The specs, the training engines
(:mod:`~gordo.machine.model.dense_training`, :mod:`~gordo.machine.model.lstm_training`),
the numpy inference (:mod:`~gordo.machine.model.numpy_inference`) and the Keras
export (:mod:`~gordo.machine.model.keras_io`) import from it.

- **Formats**: the tag of each saved state of a fitted Keras estimator (its
  pickled ``model_``), see :data:`FORMATS`.
- **Activations**: Keras' activations computed in numpy, float32, as Keras' JAX
  backend computes them (:data:`ACTIVATIONS`).
- **Initialisers**: Keras' default initial weights of Dense and LSTM layers,
  drawn with ``numpy.random`` (so seeding numpy makes a fit reproducible).
- **Fit rules**: what ``keras.Model.fit`` does with its arguments
  (:data:`FIT_DEFAULTS`, validation split, per-epoch shuffle, history).

>>> sorted(FORMATS)[:2]
['gordo-dense-model/1', 'gordo-keras-archive/1']
>>> ACTIVATIONS["relu"](np.array([-1.0, 2.0], dtype="float32")).tolist()
[0.0, 2.0]
>>> n_training_rows(10, 0.25)
7
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# --- saved-state formats ---------------------------------------------------------------

#: A dense network: its ``DenseSpec`` as plain data and its weights in Keras' order.
DENSE_FORMAT = "gordo-dense-model/1"
#: LSTM layers then Dense ones: its ``LSTMSpec`` as plain data and its weights in Keras' order.
LSTM_FORMAT = "gordo-lstm-model/1"
#: Any other Keras model: the bytes of its ``.keras`` archive (``keras.saving``).
KERAS_ARCHIVE_FORMAT = "gordo-keras-archive/1"
#: Written by gordo up to ec44070 for models trained by Keras: Keras' JSON config,
#: weights and compile config. Still read (through ``keras.models.model_from_json``).
LEGACY_KERAS_JSON_FORMAT = "gordo-keras-model/1"
#: Every format gordo reads, and what it holds.
FORMATS = {
    DENSE_FORMAT: "a dense spec and its weights",
    LSTM_FORMAT: "an LSTM spec and its weights",
    KERAS_ARCHIVE_FORMAT: "a .keras archive",
    LEGACY_KERAS_JSON_FORMAT: "Keras JSON config and weights (gordo up to ec44070)",
}

# --- activations -------------------------------------------------------------------------

SELU_ALPHA = np.float32(1.6732632423543772848170429916717)
SELU_SCALE = np.float32(1.0507009873554804934193349852946)
_SQRT_HALF = np.float32(np.sqrt(0.5))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` in the float type of ``x``, from ``exp(-|x|)`` so nothing overflows.

    (No SciPy: importing ``scipy.special`` costs a build or a server worker 0.2-0.4 s.)

    >>> sigmoid(np.array([-100.0, 0.0, 2.0], dtype="float32")).tolist()
    [3.783505853677006e-44, 0.5, 0.8807970285415649]
    """
    e = np.exp(-np.abs(x))
    d = 1 + e
    return np.where(x >= 0, 1 / d, e / d)


def _elu(x: np.ndarray, alpha: np.float32 = np.float32(1.0)) -> np.ndarray:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, np.float32(0.0))))


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erfc

    return np.float32(0.5) * x * erfc(-x * _SQRT_HALF)


def _relu6(x: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(x, np.float32(0.0)), np.float32(6.0))


#: Keras' activations by their serialized name, as computed by Keras' JAX backend.
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, np.float32(0.0)),
    "relu6": _relu6,
    "leaky_relu": lambda x: np.where(x >= 0, x, np.float32(0.2) * x),
    "tanh": np.tanh,
    "sigmoid": sigmoid,
    "hard_sigmoid": lambda x: _relu6(x + np.float32(3.0)) / np.float32(6.0),
    "elu": _elu,
    "selu": lambda x: SELU_SCALE * _elu(x, SELU_ALPHA),
    "softplus": lambda x: np.logaddexp(x, np.float32(0.0)),
    "softsign": lambda x: x / (np.abs(x) + np.float32(1.0)),
    "silu": lambda x: x * sigmoid(x),
    "swish": lambda x: x * sigmoid(x),
    "gelu": _gelu,
    "exponential": np.exp,
}

# --- initialisers ------------------------------------------------------------------------


def variance_scaling_uniform(shape: tuple[int, int], scale: float, mode: str) -> np.ndarray:
    """Keras' uniform VarianceScaling draw for a 2D kernel, with ``numpy.random`` (float32).

    ``glorot_uniform`` (Keras' default kernel initialiser) is ``scale=1, mode="fan_avg"``.

    >>> np.random.seed(0)
    >>> w = variance_scaling_uniform((3, 5), 1.0, "fan_avg")
    >>> w.dtype, bool(abs(w).max() <= math.sqrt(3 / 4))
    (dtype('float32'), True)
    """
    fan_in, fan_out = shape
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    limit = math.sqrt(3.0 * scale / max(1.0, fan))
    return np.random.uniform(-limit, limit, size=shape).astype("float32")


def orthogonal(shape: tuple[int, int], gain: float = 1.0, dtype: str = "float32") -> np.ndarray:
    """Keras' ``Orthogonal`` draw for a 2D kernel, with ``numpy.random``.

    >>> np.random.seed(0)
    >>> q = orthogonal((2, 8))
    >>> np.allclose(q @ q.T, np.eye(2), atol=1e-6)
    True
    """
    rows, cols = shape
    q, r = np.linalg.qr(np.random.standard_normal((max(rows, cols), min(rows, cols))))
    q *= np.sign(np.diag(r))
    return (gain * (q.T if rows < cols else q)).astype(dtype)


def dense_initial_weights(n_in: int, layers: Sequence[tuple[int, str]]) -> list[np.ndarray]:
    """Keras' Dense defaults for ``(units, activation)`` layers on ``n_in`` inputs, in Keras'
    order: per layer a ``glorot_uniform`` kernel and a zero bias.

    >>> [w.shape for w in dense_initial_weights(3, [(2, "tanh"), (3, "linear")])]
    [(3, 2), (2,), (2, 3), (3,)]
    """
    weights = []
    for units, _ in layers:
        weights += [variance_scaling_uniform((n_in, units), 1.0, "fan_avg"), np.zeros(units, "f4")]
        n_in = units
    return weights


def lstm_initial_weights(n_in: int, layers: Sequence[tuple[int, str]]) -> list[np.ndarray]:
    """Keras' LSTM defaults for ``(units, activation)`` layers on ``n_in`` features, in Keras'
    order: per layer a ``glorot_uniform`` kernel, an ``orthogonal`` recurrent kernel and a
    zero bias with 1 on the forget gate (``unit_forget_bias``).

    >>> [w.shape for w in lstm_initial_weights(2, [(3, "tanh")])]
    [(2, 12), (3, 12), (12,)]
    """
    weights = []
    for units, _ in layers:
        bias = np.zeros(4 * units, "f4")
        bias[units : 2 * units] = 1.0
        weights += [
            variance_scaling_uniform((n_in, 4 * units), 1.0, "fan_avg"),
            orthogonal((units, 4 * units)),
            bias,
        ]
        n_in = units
    return weights


# --- fit rules -----------------------------------------------------------------------------

#: The arguments of ``fit`` and their defaults (as ``keras.Model.fit``'s).
FIT_DEFAULTS: dict[str, Any] = {
    "batch_size": 32,
    "epochs": 1,
    "verbose": 0,
    "shuffle": True,
    "validation_split": 0.0,
    "callbacks": [],
}


def check_fit_args(epochs: int, batch_size: int, validation_split: float) -> None:
    """ValueError unless the training arguments are ones ``keras.Model.fit`` accepts.

    >>> check_fit_args(1, 32, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: validation_split must be in [0, 1), got 1.0
    """
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
    """The row order of each epoch (``numpy.random.permutation`` when ``shuffle``, as Keras'
    fit draws it for arrays), all drawn before training."""
    return [
        np.random.permutation(n_train) if shuffle else np.arange(n_train) for _ in range(epochs)
    ]


def random_draws(
    initial: Callable[[], list[np.ndarray]],
    n_rows: int,
    epochs: int,
    shuffle: bool,
    validation_split: float = 0.0,
    weights: Sequence[np.ndarray] | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """What a fit on ``n_rows`` rows draws from ``numpy.random``, in its order: the initial
    weights (``initial()``, unless ``weights`` are given) and each epoch's row order.

    >>> np.random.seed(1)
    >>> first, orders = random_draws(lambda: dense_initial_weights(2, [(2, "linear")]), 10, 2, True)
    >>> len(first), [o.shape for o in orders]
    (2, [(10,), (10,)])
    """
    first = list(weights) if weights else initial()
    return first, epoch_orders(n_training_rows(n_rows, validation_split), epochs, shuffle)


def fit_history(
    losses: list[float], val_losses: list[float], epochs: int, steps: int, verbose: int
) -> dict[str, Any]:
    """The fit history ``{"loss": [...], "val_loss"?: [...], "params": {...}}``; printed if verbose.

    >>> fit_history([0.5], [], epochs=1, steps=2, verbose=0)
    {'loss': [0.5], 'params': {'epochs': 1, 'steps': 2, 'verbose': 0, 'metrics': ['loss']}}
    """
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
