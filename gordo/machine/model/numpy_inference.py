"""Inference of gordo's saved networks in numpy, without Keras or JAX.

:func:`plan_from_state` reads the saved state of a network gordo describes by a
spec (format ``gordo-dense-model/1``, a stack of Dense layers, or
``gordo-lstm-model/1``, LSTM layers then Dense ones: see
:mod:`gordo.machine.model.nn_basics`) and gives its forward pass computing what
Keras' ``predict`` computes, in float32: ``activation(x @ kernel + bias)`` per
Dense layer, Keras' LSTM step per LSTM layer. Any other state (a ``.keras``
archive, Keras' JSON of older gordo versions, an activation not in
:data:`~gordo.machine.model.nn_basics.ACTIVATIONS`) gives None: that model is
served by Keras.

>>> import numpy as np
>>> from gordo.machine.model.dense_spec import DenseSpec
>>> state = DenseSpec(2, ((1, "relu"),)).to_state([np.ones((2, 1)), np.zeros(1)])
>>> plan_from_state(state).predict(np.array([[1.0, 2.0], [-3.0, 1.0]]))
array([[3.],
       [0.]], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from gordo.machine.model.dense_spec import DenseSpec
from gordo.machine.model.lstm_spec import LSTMSpec, spec_of_state
from gordo.machine.model.nn_basics import ACTIVATIONS


class DenseStack:
    """``activation(x @ kernel + bias)`` for each layer in turn, in float32.

    >>> stack = DenseStack([(np.eye(2), np.ones(2), "linear")])
    >>> stack.predict(np.zeros((1, 2))).tolist()
    [[1.0, 1.0]]
    """

    def __init__(self, layers: Sequence[tuple[np.ndarray, np.ndarray, str]]) -> None:
        self.layers = [
            (
                np.asarray(kernel, dtype="float32"),
                np.asarray(bias, dtype="float32"),
                ACTIVATIONS[activation],
            )
            for kernel, bias, activation in layers
        ]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The output for the rows of ``x`` (cast to float32)."""
        out = np.asarray(x, dtype="float32")
        for kernel, bias, activation in self.layers:
            out = out @ kernel
            out += bias
            out = activation(out).astype("float32", copy=False)
        return out


class LSTMLayer:
    """One Keras ``LSTM`` layer at inference, over inputs of shape (samples, steps, features).

    Gates i, f, c, o (in Keras' order) come from ``sigmoid(x_t @ kernel + h @ recurrent +
    bias)``; ``c = f * c + i * activation(g)``, ``h = o * activation(c)``, from zero states.

    >>> u = 1
    >>> layer = LSTMLayer(np.zeros((1, 4 * u)), np.zeros((u, 4 * u)), np.full(4 * u, 9.0),
    ...                   "tanh", return_sequences=True)
    >>> np.round(layer(np.zeros((1, 2, 1))).astype(float), 3).tolist()
    [[[0.761], [0.964]]]
    """

    def __init__(
        self,
        kernel: np.ndarray,
        recurrent: np.ndarray,
        bias: np.ndarray,
        activation: str,
        return_sequences: bool,
    ) -> None:
        self.kernel = np.asarray(kernel, dtype="float32")
        self.recurrent = np.asarray(recurrent, dtype="float32")
        self.bias = np.asarray(bias, dtype="float32")
        self.activation = ACTIVATIONS[activation]
        self.return_sequences = return_sequences

    def __call__(self, x: np.ndarray) -> np.ndarray:
        samples, steps, _ = x.shape
        units = self.recurrent.shape[0]
        inputs = x @ self.kernel + self.bias
        h = np.zeros((samples, units), dtype="float32")
        c = np.zeros((samples, units), dtype="float32")
        outputs = np.empty((samples, steps, units), dtype="float32")
        gate, act = ACTIVATIONS["sigmoid"], self.activation
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

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The output for the windows of ``x`` (samples, steps, features), cast to float32."""
        out = np.asarray(x, dtype="float32")
        for layer in self.recurrent:
            out = layer(out)
        return self.head.predict(out)


def plan_from_state(state: Mapping[str, Any]) -> DenseStack | RecurrentStack | None:
    """The numpy forward pass of the network saved in ``state``, or None if Keras must serve it."""
    spec = spec_of_state(state)
    if spec is None:
        return None
    weights = list(state["weights"])
    if isinstance(spec, DenseSpec):
        return _dense_stack(spec.layers, weights)
    return _recurrent_stack(spec, weights)


def _dense_stack(
    layers: Sequence[tuple[int, str]], weights: Sequence[np.ndarray]
) -> DenseStack | None:
    if any(activation not in ACTIVATIONS for _, activation in layers):
        return None
    return DenseStack([(weights[2 * i], weights[2 * i + 1], a) for i, (_, a) in enumerate(layers)])


def _recurrent_stack(spec: LSTMSpec, weights: list[np.ndarray]) -> RecurrentStack | None:
    """LSTM layers (all but the last returning sequences) with their weights in Keras' order,
    then the Dense head."""
    if not spec.recurrent or any(a not in ACTIVATIONS for _, a in spec.recurrent):
        return None
    last = len(spec.recurrent) - 1
    layers = [
        LSTMLayer(*weights[3 * i : 3 * i + 3], activation, i < last)
        for i, (_, activation) in enumerate(spec.recurrent)
    ]
    head = _dense_stack(spec.head, weights[3 * len(spec.recurrent) :])
    return None if head is None else RecurrentStack(layers, head)
