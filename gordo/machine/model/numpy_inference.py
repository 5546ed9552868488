"""Inference of a saved stack of Dense (or LSTM then Dense) layers in numpy, without Keras or JAX.

:func:`plan_from_state` reads the architecture JSON and weights kept by
:mod:`gordo.machine.model.keras_io` and, for a ``Sequential`` model of 2D input
made only of ``Dense`` (float32, activations below), ``Dropout`` and
``Activation`` layers, gives a :class:`DenseStack` computing what Keras'
``predict`` computes: ``activation(x @ kernel + bias)`` per layer, in float32.
So does the state of a model trained in numpy
(:func:`gordo.machine.model.dense_training.to_state`, format ``gordo-dense-model/1``),
and of an LSTM network trained with JAX alone
(:func:`gordo.machine.model.lstm_training.to_state`, format ``gordo-lstm-model/1``).
Any other model gives None and is rebuilt with Keras.

>>> import json, numpy as np
>>> dense = {"class_name": "Dense", "config": {"units": 1, "activation": "relu", "use_bias": True,
...          "dtype": "float32"}}
>>> state = {"format": "gordo-keras-model/1", "weights": [np.ones((2, 1)), np.zeros(1)],
...          "config": json.dumps({"class_name": "Sequential", "config": {"layers": [dense]},
...                                "build_config": {"input_shape": [None, 2]}})}
>>> plan_from_state(state).predict(np.array([[1.0, 2.0], [-3.0, 1.0]]))
array([[3.],
       [0.]], dtype=float32)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gordo.machine.model.dense_spec import DENSE_FORMAT
from gordo.machine.model.keras_io import FORMAT
from gordo.machine.model.lstm_spec import LSTM_FORMAT

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

#: Layers that are the identity at inference.
_IDENTITY_LAYERS = ("InputLayer", "Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout")
#: Dense options that must keep their default for the plan to match Keras.
_DENSE_DEFAULTS = {"quantization_config": None, "lora_rank": None}
#: LSTM options that must keep their default for the plan to match Keras.
_LSTM_DEFAULTS = {"return_state": False, "go_backwards": False, "stateful": False}


class DenseStack:
    """``activation(x @ kernel + bias)`` for each layer in turn, in float32.

    >>> stack = DenseStack([(np.eye(2), np.ones(2), "linear")])
    >>> stack.predict(np.zeros((1, 2))).tolist()
    [[1.0, 1.0]]
    """

    def __init__(self, layers: Sequence[tuple[np.ndarray, np.ndarray | None, str]]) -> None:
        self.layers = [
            (
                np.asarray(kernel, dtype="float32"),
                None if bias is None else np.asarray(bias, dtype="float32"),
                ACTIVATIONS[activation],
            )
            for kernel, bias, activation in layers
        ]
        self.n_features_out = self.layers[-1][0].shape[1]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The output for the rows of ``x`` (cast to float32)."""
        out = np.asarray(x, dtype="float32")
        for kernel, bias, activation in self.layers:
            out = out @ kernel
            if bias is not None:
                out += bias
            out = activation(out).astype("float32", copy=False)
        return out


class LSTMLayer:
    """One Keras ``LSTM`` layer at inference, over inputs of shape (samples, steps, features).

    Gates i, f, c, o (in Keras' order) come from ``x_t @ kernel + h @ recurrent + bias``;
    ``c = f * c + i * activation(g)``, ``h = o * activation(c)``, from zero states.

    >>> u = 1
    >>> layer = LSTMLayer(np.zeros((1, 4 * u)), np.zeros((u, 4 * u)), np.full(4 * u, 9.0),
    ...                   "tanh", "sigmoid", return_sequences=True)
    >>> np.round(layer(np.zeros((1, 2, 1))).astype(float), 3).tolist()
    [[[0.761], [0.964]]]
    """

    def __init__(
        self,
        kernel: np.ndarray,
        recurrent: np.ndarray,
        bias: np.ndarray | None,
        activation: str,
        recurrent_activation: str,
        return_sequences: bool,
    ) -> None:
        self.kernel = np.asarray(kernel, dtype="float32")
        self.recurrent = np.asarray(recurrent, dtype="float32")
        self.bias = None if bias is None else np.asarray(bias, dtype="float32")
        self.activation = ACTIVATIONS[activation]
        self.recurrent_activation = ACTIVATIONS[recurrent_activation]
        self.return_sequences = return_sequences

    def __call__(self, x: np.ndarray) -> np.ndarray:
        samples, steps, _ = x.shape
        units = self.recurrent.shape[0]
        inputs = x @ self.kernel
        if self.bias is not None:
            inputs += self.bias
        h = np.zeros((samples, units), dtype="float32")
        c = np.zeros((samples, units), dtype="float32")
        outputs = np.empty((samples, steps, units), dtype="float32")
        gate, act = self.recurrent_activation, self.activation
        for t in range(steps):
            z = inputs[:, t] + h @ self.recurrent
            i, f, o = gate(z[:, :units]), gate(z[:, units : 2 * units]), gate(z[:, 3 * units :])
            c = f * c + i * act(z[:, 2 * units : 3 * units])
            h = (o * act(c)).astype("float32", copy=False)
            outputs[:, t] = h
        return outputs if self.return_sequences else h


class RecurrentStack:
    """LSTM layers, the last returning only its final state, then a :class:`DenseStack`."""

    def __init__(self, recurrent: Sequence[LSTMLayer], head: DenseStack) -> None:
        self.recurrent = list(recurrent)
        self.head = head
        self.n_features_out = head.n_features_out

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The output for the windows of ``x`` (samples, steps, features), cast to float32."""
        out = np.asarray(x, dtype="float32")
        for layer in self.recurrent:
            out = layer(out)
        return self.head.predict(out)


def plan_from_state(state: dict[str, Any]) -> DenseStack | RecurrentStack | None:
    """The numpy forward pass of the model saved in ``state``, or None if it has none here."""
    if state.get("format") == DENSE_FORMAT:
        weights = state["weights"]
        activations = [activation for _, activation in state["spec"]["layers"]]
        return DenseStack(
            [(weights[2 * i], weights[2 * i + 1], a) for i, a in enumerate(activations)]
        )
    if state.get("format") == LSTM_FORMAT:
        return _lstm_spec_plan(state["spec"], list(state["weights"]))
    if state.get("format") != FORMAT:
        return None
    config = json.loads(state["config"])
    if config.get("class_name") != "Sequential" or config.get("module", "keras") != "keras":
        return None
    input_shape = (config.get("build_config") or {}).get("input_shape")
    layers = config.get("config", {}).get("layers", [])
    weights = list(state["weights"])
    if input_shape and len(input_shape) == 3:
        return _recurrent_plan(layers, weights, input_shape[2])
    if not input_shape or len(input_shape) != 2:
        return None
    return _dense_plan(_dense_layers(layers), weights, input_shape[1])


def _dense_plan(
    layers: list[tuple[int, str, bool]] | None, weights: list[np.ndarray], n_features: int
) -> DenseStack | None:
    """The stack of ``layers`` with their ``weights`` (all used), or None if they do not fit."""
    if not layers:
        return None
    plan = []
    for units, activation, use_bias in layers:
        count = 2 if use_bias else 1
        if len(weights) < count:
            return None
        kernel, bias = weights[0], (weights[1] if use_bias else None)
        weights = weights[count:]
        if np.ndim(kernel) != 2 or np.shape(kernel)[1] != units:
            return None
        plan.append((kernel, bias, activation))
    if weights or np.shape(plan[0][0])[0] != n_features:
        return None
    return DenseStack(plan)


def _recurrent_plan(
    layers: list[dict[str, Any]], weights: list[np.ndarray], n_features: int
) -> RecurrentStack | None:
    """LSTM layers (all but the last returning sequences), then Dense layers; else None."""
    layers = [layer for layer in layers if layer.get("class_name") not in _IDENTITY_LAYERS]
    recurrent: list[LSTMLayer] = []
    width = n_features
    while layers and layers[0].get("class_name") == "LSTM":
        cfg = layers.pop(0).get("config") or {}
        units, use_bias = int(cfg["units"]), bool(cfg.get("use_bias", True))
        functions = (cfg.get("activation", "tanh"), cfg.get("recurrent_activation", "sigmoid"))
        if (
            not _is_float32(cfg.get("dtype", "float32"))
            or any(cfg.get(k, v) != v for k, v in _LSTM_DEFAULTS.items())
            or any(f not in ACTIVATIONS for f in functions)
            or len(weights) < 2 + use_bias
        ):
            return None
        kernel, recurrent_kernel = weights[0], weights[1]
        bias = weights[2] if use_bias else None
        weights = weights[2 + use_bias :]
        if np.shape(kernel) != (width, 4 * units) or np.shape(recurrent_kernel) != (
            units,
            4 * units,
        ):
            return None
        sequences = bool(cfg.get("return_sequences", False))
        recurrent.append(LSTMLayer(kernel, recurrent_kernel, bias, *functions, sequences))
        width = units
    if not recurrent or recurrent[-1].return_sequences:
        return None
    if not all(layer.return_sequences for layer in recurrent[:-1]):
        return None
    head = _dense_plan(_dense_layers(layers), weights, width)
    return None if head is None else RecurrentStack(recurrent, head)


def _lstm_spec_plan(spec: dict[str, Any], weights: list[np.ndarray]) -> RecurrentStack:
    """The stack of a saved ``LSTMSpec`` (as its ``to_dict``) and its weights in Keras' order."""
    recurrent = spec["recurrent"]
    layers = [
        LSTMLayer(*weights[3 * i : 3 * i + 3], activation, "sigmoid", i < len(recurrent) - 1)
        for i, (_, activation) in enumerate(recurrent)
    ]
    head = weights[3 * len(recurrent) :]
    return RecurrentStack(
        layers,
        DenseStack([(head[2 * i], head[2 * i + 1], a) for i, (_, a) in enumerate(spec["head"])]),
    )


def _dense_layers(layers: list[dict[str, Any]]) -> list[tuple[int, str, bool]] | None:
    """(units, activation, use_bias) of each Dense layer; an Activation layer joins the one before.

    None if a layer is not one of these, is not float32, or uses an unsupported option.
    """
    out: list[tuple[int, str, bool]] = []
    for layer in layers:
        name, cfg = layer.get("class_name"), layer.get("config") or {}
        if name in _IDENTITY_LAYERS:
            continue
        if not _is_float32(cfg.get("dtype", "float32")):
            return None
        activation = cfg.get("activation", "linear")
        if activation not in ACTIVATIONS:
            return None
        if name == "Dense":
            if any(cfg.get(k, v) != v for k, v in _DENSE_DEFAULTS.items()):
                return None
            out.append((int(cfg["units"]), activation, bool(cfg.get("use_bias", True))))
        elif name == "Activation" and out and out[-1][1] == "linear":
            out[-1] = (out[-1][0], activation, out[-1][2])
        else:
            return None
    return out


def _is_float32(dtype: Any) -> bool:
    if isinstance(dtype, dict):
        dtype = (dtype.get("config") or {}).get("name")
    return dtype == "float32"
