"""Feedforward (dense) autoencoder factories for ``KerasAutoEncoder``.

Each factory computes a :class:`~gordo.machine.model.dense_spec.DenseSpec`
(its ``spec`` attribute, no Keras needed) and builds the compiled Keras model
from it; ``KerasAutoEncoder`` trains the spec in numpy when it can.

>>> feedforward_hourglass.spec(4, encoding_layers=1).layers
((2, 'tanh'), (2, 'tanh'), (4, 'linear'))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gordo.machine.model.dense_spec import DenseSpec
from gordo.machine.model.factories.utils import (
    check_dim_func_len,
    dense_factory,
    hourglass_calc_dims,
    symmetric_layers,
)
from gordo.machine.model.register import register_model_builder


@register_model_builder(type="KerasAutoEncoder")
@dense_factory
def feedforward_model(
    n_features: int,
    n_features_out: int | None = None,
    encoding_dim: Sequence[int] = (256, 128, 64),
    encoding_func: Sequence[str] = ("tanh", "tanh", "tanh"),
    decoding_dim: Sequence[int] = (64, 128, 256),
    decoding_func: Sequence[str] = ("tanh", "tanh", "tanh"),
    out_func: str = "linear",
    optimizer: Any = "Adam",
    optimizer_kwargs: Mapping[str, Any] | None = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> DenseSpec:
    """A compiled dense autoencoder: encoder layers, decoder layers, then the output layer.

    >>> model = feedforward_model(4, encoding_dim=(3,), encoding_func=("relu",),
    ...                           decoding_dim=(3,), decoding_func=("relu",))
    >>> [layer.units for layer in model.layers]
    [3, 3, 4]
    """
    check_dim_func_len("encoding_dim and encoding_func", encoding_dim, encoding_func)
    check_dim_func_len("decoding_dim and decoding_func", decoding_dim, decoding_func)
    layers = [
        *zip(encoding_dim, encoding_func, strict=True),
        *zip(decoding_dim, decoding_func, strict=True),
        (n_features_out or n_features, out_func),
    ]
    return DenseSpec(
        n_features,
        tuple(layers),
        optimizer,
        optimizer_kwargs,
        compile_kwargs,
    )


@register_model_builder(type="KerasAutoEncoder")
@dense_factory
def feedforward_symmetric(
    n_features: int,
    n_features_out: int | None = None,
    dims: Sequence[int] = (256, 128, 64),
    funcs: Sequence[str] = ("tanh", "tanh", "tanh"),
    optimizer: Any = "Adam",
    optimizer_kwargs: Mapping[str, Any] | None = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> DenseSpec:
    """A symmetric dense autoencoder: ``dims`` for the encoder, reversed for the decoder.

    >>> [layer.units for layer in feedforward_symmetric(6, dims=(4, 2), funcs=("tanh", "tanh")).layers]
    [4, 2, 2, 4, 6]
    """
    return feedforward_model.spec(
        n_features,
        n_features_out,
        **symmetric_layers(dims, funcs),
        optimizer=optimizer,
        optimizer_kwargs=optimizer_kwargs,
        compile_kwargs=compile_kwargs,
    )


@register_model_builder(type="KerasAutoEncoder")
@dense_factory
def feedforward_hourglass(
    n_features: int,
    n_features_out: int | None = None,
    encoding_layers: int = 3,
    compression_factor: float = 0.5,
    func: str = "tanh",
    optimizer: Any = "Adam",
    optimizer_kwargs: Mapping[str, Any] | None = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> DenseSpec:
    """A dense autoencoder narrowing linearly to ``compression_factor * n_features`` and back.

    ``encoding_layers`` layers lead to the narrowest one; the model has
    ``2 * encoding_layers + 1`` layers including the output layer.

    >>> model = feedforward_hourglass(10)
    >>> len(model.layers)
    7
    >>> [model.layers[i].units for i in range(len(model.layers))]
    [8, 7, 5, 5, 7, 8, 10]
    >>> model = feedforward_hourglass(5)
    >>> [model.layers[i].units for i in range(len(model.layers))]
    [4, 4, 3, 3, 4, 4, 5]
    >>> model = feedforward_hourglass(10, compression_factor=0.2)
    >>> [model.layers[i].units for i in range(len(model.layers))]
    [7, 5, 2, 2, 5, 7, 10]
    >>> model = feedforward_hourglass(10, encoding_layers=1)
    >>> [model.layers[i].units for i in range(len(model.layers))]
    [5, 5, 10]
    """
    dims = hourglass_calc_dims(compression_factor, encoding_layers, n_features)
    return feedforward_symmetric.spec(
        n_features,
        n_features_out,
        dims=dims,
        funcs=[func] * len(dims),
        optimizer=optimizer,
        optimizer_kwargs=optimizer_kwargs,
        compile_kwargs=compile_kwargs,
    )
