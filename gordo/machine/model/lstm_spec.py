"""The architecture and training settings of an LSTM network, as plain data (no Keras).

The LSTM factories (:mod:`gordo.machine.model.factories.lstm_autoencoder`)
compute an :class:`LSTMSpec`; the Keras model is built from it, and
:mod:`gordo.machine.model.lstm_training` trains the same network with JAX alone
when :func:`jax_training` says every setting is one it computes as Keras 3 does.

>>> spec = LSTMSpec(3, 4, ((2, "tanh"),), ((3, "linear"),))
>>> jax_training(spec).optimizer, jax_training(spec).loss
('adam', 'mse')
>>> jax_training(LSTMSpec(3, 4, ((2, "tanh"),), ((3, "linear"),), optimizer="RMSprop")) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gordo.machine.model.dense_spec import (
    DenseSpec,
    NumpyTraining,
    layers_from_list,
    layers_to_list,
    settings_of,
    settings_to_dict,
    spec_state,
    training_settings,
)
from gordo.machine.model.nn_basics import DENSE_FORMAT, LSTM_FORMAT


@dataclass(frozen=True)
class LSTMSpec:
    """LSTM layers over windows of ``lookback_window`` rows of ``n_features``, then Dense layers.

    ``recurrent`` holds ``(units, activation)`` per LSTM layer (Keras' defaults
    otherwise: recurrent activation sigmoid, bias with unit forget bias); every
    LSTM layer but the last returns sequences. ``head`` holds ``(units,
    activation)`` per Dense layer after them. ``optimizer``, ``optimizer_kwargs``
    and ``compile_kwargs`` are the factory's arguments as given.
    """

    n_features: int
    lookback_window: int
    recurrent: tuple[tuple[int, str], ...]
    head: tuple[tuple[int, str], ...]
    optimizer: Any = "Adam"
    optimizer_kwargs: Mapping[str, Any] | None = None
    compile_kwargs: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for a saved model); :meth:`from_dict` gives the spec back.

        >>> spec = LSTMSpec(2, 3, ((4, "tanh"), (2, "relu")), ((2, "linear"),), "SGD")
        >>> LSTMSpec.from_dict(spec.to_dict()) == spec
        True
        """
        return {
            "n_features": self.n_features,
            "lookback_window": self.lookback_window,
            "recurrent": layers_to_list(self.recurrent),
            "head": layers_to_list(self.head),
            **settings_to_dict(self),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LSTMSpec:
        """The spec saved by :meth:`to_dict`."""
        return cls(
            int(data["n_features"]),
            int(data["lookback_window"]),
            layers_from_list(data["recurrent"]),
            layers_from_list(data["head"]),
            *settings_of(data),
        )

    def to_state(self, weights: Sequence[np.ndarray]) -> dict[str, Any]:
        """The saved state (format ``gordo-lstm-model/1``) of this network with ``weights``."""
        return spec_state(LSTM_FORMAT, self.to_dict(), weights)


def spec_of_state(state: Mapping[str, Any]) -> DenseSpec | LSTMSpec | None:
    """The spec of a saved state of format ``gordo-dense-model/1`` or ``gordo-lstm-model/1``;
    None for another format.

    >>> spec = LSTMSpec(2, 3, ((4, "tanh"),), ((2, "linear"),))
    >>> spec_of_state(spec.to_state([])) == spec
    True
    """
    if state.get("format") == DENSE_FORMAT:
        return DenseSpec.from_dict(state["spec"])
    if state.get("format") == LSTM_FORMAT:
        return LSTMSpec.from_dict(state["spec"])
    return None


def jax_training(spec: LSTMSpec) -> NumpyTraining | None:
    """How :mod:`gordo.machine.model.lstm_training` trains ``spec``, or None when Keras must.

    None under the conditions of
    :func:`~gordo.machine.model.dense_spec.numpy_training`, for a network
    without LSTM or Dense layers, or for a window size Keras would reject.
    """
    window = spec.lookback_window
    if (
        not spec.recurrent
        or not spec.head
        or isinstance(window, bool)
        or not isinstance(window, int)
    ):
        return None
    if window < 1:
        return None
    return training_settings(
        (*spec.recurrent, *spec.head), spec.optimizer, spec.optimizer_kwargs, spec.compile_kwargs
    )
