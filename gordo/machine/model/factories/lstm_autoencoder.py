"""LSTM factories for ``KerasLSTMAutoEncoder`` and ``KerasLSTMForecast``.

The models read windows of ``lookback_window`` rows of ``n_features`` and output
one row of ``n_features_out``: stacked LSTM layers (each but the last returning
sequences) followed by a dense output layer. Each factory computes an
:class:`~gordo.machine.model.lstm_spec.LSTMSpec` (its ``spec`` attribute, no
Keras needed) and builds the compiled Keras model from it; the LSTM estimators
train the spec with JAX alone when they can
(:mod:`gordo.machine.model.lstm_training`).

>>> lstm_hourglass.spec(4, lookback_window=3, encoding_layers=1).recurrent
((2, 'tanh'), (2, 'tanh'))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from gordo.machine.model.backend import keras_module
from gordo.machine.model.factories.utils import (
    check_dim_func_len,
    compile_model,
    hourglass_calc_dims,
    sequential,
    spec_factory,
    symmetric_layers,
)
from gordo.machine.model.lstm_spec import LSTMSpec
from gordo.machine.model.lstm_training import initial_weights
from gordo.machine.model.register import register_model_builder

_LSTM_TYPES = ["KerasLSTMAutoEncoder", "KerasLSTMForecast"]


def lstm_keras_model(spec: LSTMSpec, weights: Sequence[np.ndarray] | None = None) -> Any:
    """The compiled Keras model of ``spec``, with ``weights`` (Keras' order) or initial ones
    (Keras' defaults drawn with ``numpy.random``, as the JAX engine draws them).

    >>> model = lstm_keras_model(LSTMSpec(3, 4, ((2, "tanh"),), ((3, "linear"),)))
    >>> [layer.units for layer in model.layers], model.input_shape
    ([2, 3], (None, 4, 3))
    """
    keras = keras_module()
    last = len(spec.recurrent) - 1
    layers = [keras.Input(shape=(spec.lookback_window, spec.n_features))]
    layers += [
        keras.layers.LSTM(units, activation=f, return_sequences=i < last)
        for i, (units, f) in enumerate(spec.recurrent)
    ]
    layers += [keras.layers.Dense(units, activation=f) for units, f in spec.head]
    if weights is None:
        weights = initial_weights(spec)
    return compile_model(
        sequential(layers, weights), spec.optimizer, spec.optimizer_kwargs, spec.compile_kwargs
    )


@register_model_builder(type=_LSTM_TYPES)
@spec_factory(lstm_keras_model)
def lstm_model(
    n_features: int,
    n_features_out: int | None = None,
    lookback_window: int = 1,
    encoding_dim: Sequence[int] = (256, 128, 64),
    encoding_func: Sequence[str] = ("tanh", "tanh", "tanh"),
    decoding_dim: Sequence[int] = (64, 128, 256),
    decoding_func: Sequence[str] = ("tanh", "tanh", "tanh"),
    out_func: str = "linear",
    optimizer: Any = "Adam",
    optimizer_kwargs: Mapping[str, Any] | None = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> LSTMSpec:
    """A compiled LSTM autoencoder over windows of ``lookback_window`` rows.

    >>> model = lstm_model(3, lookback_window=4, encoding_dim=(2,), encoding_func=("tanh",),
    ...                    decoding_dim=(2,), decoding_func=("tanh",))
    >>> [layer.units for layer in model.layers], model.input_shape
    ([2, 2, 3], (None, 4, 3))
    """
    check_dim_func_len("encoding_dim and encoding_func", encoding_dim, encoding_func)
    check_dim_func_len("decoding_dim and decoding_func", decoding_dim, decoding_func)
    recurrent = (
        *zip(encoding_dim, encoding_func, strict=True),
        *zip(decoding_dim, decoding_func, strict=True),
    )
    return LSTMSpec(
        n_features,
        lookback_window,
        recurrent,
        ((n_features_out or n_features, out_func),),
        optimizer,
        optimizer_kwargs,
        compile_kwargs,
    )


@register_model_builder(type=_LSTM_TYPES)
@spec_factory(lstm_keras_model)
def lstm_symmetric(
    n_features: int,
    n_features_out: int | None = None,
    lookback_window: int = 1,
    dims: Sequence[int] = (256, 128, 64),
    funcs: Sequence[str] = ("tanh", "tanh", "tanh"),
    out_func: str = "linear",
    optimizer: Any = "Adam",
    optimizer_kwargs: Mapping[str, Any] | None = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> LSTMSpec:
    """A symmetric LSTM autoencoder: ``dims`` for the encoder, reversed for the decoder.

    >>> [layer.units for layer in lstm_symmetric(4, dims=(3, 2), funcs=("tanh", "tanh")).layers]
    [3, 2, 2, 3, 4]
    """
    return lstm_model.spec(
        n_features,
        n_features_out,
        lookback_window=lookback_window,
        **symmetric_layers(dims, funcs),
        out_func=out_func,
        optimizer=optimizer,
        optimizer_kwargs=optimizer_kwargs,
        compile_kwargs=compile_kwargs,
    )


@register_model_builder(type=_LSTM_TYPES)
@spec_factory(lstm_keras_model)
def lstm_hourglass(
    n_features: int,
    n_features_out: int | None = None,
    lookback_window: int = 1,
    encoding_layers: int = 3,
    compression_factor: float = 0.5,
    func: str = "tanh",
    out_func: str = "linear",
    optimizer: Any = "Adam",
    optimizer_kwargs: Mapping[str, Any] | None = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> LSTMSpec:
    """An LSTM autoencoder narrowing linearly to ``compression_factor * n_features`` and back.

    >>> model = lstm_hourglass(10)
    >>> len(model.layers)
    7
    >>> [model.layers[i].units for i in range(len(model.layers))]
    [8, 7, 5, 5, 7, 8, 10]
    >>> model = lstm_hourglass(5)
    >>> [model.layers[i].units for i in range(len(model.layers))]
    [4, 4, 3, 3, 4, 4, 5]
    >>> model = lstm_hourglass(10, compression_factor=0.2)
    >>> [model.layers[i].units for i in range(len(model.layers))]
    [7, 5, 2, 2, 5, 7, 10]
    >>> model = lstm_hourglass(10, encoding_layers=1)
    >>> [model.layers[i].units for i in range(len(model.layers))]
    [5, 5, 10]
    """
    dims = hourglass_calc_dims(compression_factor, encoding_layers, n_features)
    return lstm_symmetric.spec(
        n_features,
        n_features_out,
        lookback_window=lookback_window,
        dims=dims,
        funcs=[func] * len(dims),
        out_func=out_func,
        optimizer=optimizer,
        optimizer_kwargs=optimizer_kwargs,
        compile_kwargs=compile_kwargs,
    )
