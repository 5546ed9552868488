"""Helpers shared by the model factories: layer sizes, optimizers and compilation."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from gordo.exceptions import ConfigException
from gordo.machine.model.backend import keras_module
from gordo.machine.model.dense_spec import LEGACY_OPTIMIZER_KWARGS, DenseSpec
from gordo.machine.model.nn_basics import dense_initial_weights


def hourglass_calc_dims(
    compression_factor: float, encoding_layers: int, n_features: int
) -> list[int]:
    """Layer sizes of an hourglass encoder, from the first hidden layer to the narrowest.

    The sizes go linearly from ``n_features`` down to
    ``ceil(compression_factor * n_features)``.

    >>> hourglass_calc_dims(0.5, 3, 10)
    [8, 7, 5]
    >>> hourglass_calc_dims(0.2, 3, 10)
    [7, 5, 2]
    >>> hourglass_calc_dims(1.5, 3, 10)
    Traceback (most recent call last):
    ...
    ValueError: compression_factor must satisfy 0 <= compression_factor <= 1, got 1.5
    """
    if not 0 <= compression_factor <= 1:
        raise ValueError(
            f"compression_factor must satisfy 0 <= compression_factor <= 1, got {compression_factor}"
        )
    if encoding_layers < 1:
        raise ValueError(f"encoding_layers must be > 0, got {encoding_layers}")
    smallest = max(1, math.ceil(compression_factor * n_features))
    step = (n_features - smallest) / encoding_layers
    return [max(1, int(round(n_features - step * (i + 1)))) for i in range(encoding_layers)]


def check_dim_func_len(names: str, dim: Sequence[int], func: Sequence[str]) -> None:
    """Raise ValueError unless ``dim`` and ``func`` (named ``names``) have the same length.

    >>> check_dim_func_len("encoding_dim and encoding_func", (4, 2), ("tanh",))
    Traceback (most recent call last):
    ...
    ValueError: encoding_dim and encoding_func must have the same length, got 2 and 1
    """
    if len(dim) != len(func):
        raise ValueError(f"{names} must have the same length, got {len(dim)} and {len(func)}")


def symmetric_layers(dims: Sequence[int], funcs: Sequence[str]) -> dict[str, tuple]:
    """Encoder and decoder layers of a symmetric autoencoder: ``dims``, then reversed.

    >>> symmetric_layers((4, 2), ("tanh", "relu"))["decoding_func"]
    ('relu', 'tanh')
    """
    if len(dims) == 0:
        raise ValueError("dims must have at least one layer size")
    check_dim_func_len("dims and funcs", dims, funcs)
    return {
        "encoding_dim": tuple(dims),
        "encoding_func": tuple(funcs),
        "decoding_dim": tuple(reversed(dims)),
        "decoding_func": tuple(reversed(funcs)),
    }


def make_optimizer(optimizer: Any, optimizer_kwargs: Mapping[str, Any] | None = None) -> Any:
    """A Keras optimizer from a name (``"Adam"``), a definition or an optimizer instance.

    ``optimizer_kwargs`` apply to a name; Keras 2's ``lr`` is accepted as ``learning_rate``.

    >>> round(float(make_optimizer("Adam", {"lr": 0.01}).learning_rate.value), 6)
    0.01
    >>> type(make_optimizer({"keras.optimizers.SGD": {"momentum": 0.5}})).__name__
    'SGD'
    """
    keras = keras_module()
    kwargs = {LEGACY_OPTIMIZER_KWARGS.get(k, k): v for k, v in (optimizer_kwargs or {}).items()}
    if isinstance(optimizer, str):
        try:
            return keras.optimizers.get({"class_name": optimizer, "config": kwargs})
        except ValueError as exc:
            raise ConfigException(f"Unknown Keras optimizer {optimizer!r}: {exc}") from exc
    if isinstance(optimizer, Mapping):
        from gordo.serializer import from_definition

        return from_definition(dict(optimizer))
    if isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer
    raise ConfigException(
        f"optimizer must be a name, a definition or a Keras optimizer, got {optimizer!r}"
    )


def sequential(layers: Sequence[Any], weights: Sequence[np.ndarray]) -> Any:
    """A ``keras.Sequential`` of ``layers`` (starting with ``keras.Input``), its weights set to
    ``weights`` (Keras' order)."""
    keras = keras_module()
    model = keras.Sequential(list(layers))
    model.set_weights(list(weights))
    return model


def dense_model(spec: DenseSpec, weights: Sequence[np.ndarray] | None = None) -> Any:
    """The compiled Keras model of ``spec``, with ``weights`` (Keras' order) or initial ones.

    Initial weights are Keras' defaults drawn with ``numpy.random``
    (:func:`~gordo.machine.model.nn_basics.dense_initial_weights`), as the numpy
    engine draws them: seeding numpy gives the same start whichever trains it.

    >>> model = dense_model(DenseSpec(3, ((2, "relu"), (3, "linear"))))
    >>> [layer.units for layer in model.layers], model.loss
    ([2, 3], 'mse')
    """
    keras = keras_module()
    layers = [keras.Input(shape=(spec.n_features,))]
    layers += [keras.layers.Dense(units, activation=f) for units, f in spec.layers]
    if weights is None:
        weights = dense_initial_weights(spec.n_features, spec.layers)
    return compile_model(
        sequential(layers, weights), spec.optimizer, spec.optimizer_kwargs, spec.compile_kwargs
    )


def spec_factory(build: Callable[[Any], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator making a spec function a factory of the Keras model ``build(spec)``.

    The factory has the spec function's name, signature and docstring, and keeps
    it as its ``spec`` attribute: :class:`KerasBaseEstimator` reads the spec to
    train the network without Keras.
    """

    def decorate(spec_fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(spec_fn)
        def factory(*args: Any, **kwargs: Any) -> Any:
            return build(spec_fn(*args, **kwargs))

        factory.spec = spec_fn  # type: ignore[attr-defined]
        return factory

    return decorate


def dense_factory(spec_fn: Callable[..., DenseSpec]) -> Callable[..., Any]:
    """A factory building the Keras model of the :class:`DenseSpec` that ``spec_fn`` returns.

    The factory has ``spec_fn``'s name, signature and docstring, and keeps
    ``spec_fn`` as its ``spec`` attribute: :class:`KerasBaseEstimator` reads the
    spec to train the network in numpy (see gordo.machine.model.dense_training).
    """
    return spec_factory(dense_model)(spec_fn)


def compile_model(
    model: Any,
    optimizer: Any,
    optimizer_kwargs: Mapping[str, Any] | None,
    compile_kwargs: Mapping[str, Any] | None,
) -> Any:
    """Compile ``model`` with the optimizer and ``compile_kwargs`` (loss defaults to mse)."""
    kwargs = {"loss": "mse", **(compile_kwargs or {})}
    model.compile(optimizer=make_optimizer(optimizer, optimizer_kwargs), **kwargs)
    return model
