"""The parameters of gordo's Keras estimators, without scikit-learn or Keras.

A Keras estimator's ``kind`` names its factory; its other keyword arguments
go to the factory, except the fit arguments
(:data:`~gordo.machine.model.nn_basics.FIT_DEFAULTS`). The estimators of
:mod:`gordo.machine.model.models` resolve and check them here.

>>> factory = resolve_kind("feedforward_hourglass", ["KerasAutoEncoder"], "KerasAutoEncoder")
>>> factory.__name__
'feedforward_hourglass'
>>> check_factory_kwargs(factory, {"n_layers": 2}, "KerasAutoEncoder")
Traceback (most recent call last):
...
gordo.exceptions.DefinitionParameterError: KerasAutoEncoder with kind 'feedforward_hourglass' \
does not take parameter(s) 'n_layers'; valid parameters: ...
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

import numpy as np

from gordo.exceptions import ConfigException, DefinitionParameterError
from gordo.machine.model.dense_spec import DenseSpec, NumpyTraining, numpy_training
from gordo.machine.model.lstm_spec import LSTMSpec, jax_training
from gordo.machine.model.nn_basics import FIT_DEFAULTS
from gordo.machine.model.register import lookup_factory


def call_factory(
    factory: Callable[..., Any], n_features: int, n_features_out: int, kwargs: dict, owner: str
) -> Any:
    """Call ``factory`` with the feature counts and the parameters it accepts."""
    check_factory_kwargs(factory, kwargs, owner)
    params = inspect.signature(factory).parameters
    accepts_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    if accepts_all or "n_features_out" in params:
        kwargs = {"n_features_out": n_features_out, **kwargs}
    return factory(n_features, **kwargs)


#: Number of features a factory's spec is computed for when its parameters are checked.
_CHECK_FEATURES = 8


def check_factory_kwargs(factory: Callable[..., Any], kwargs: Mapping, owner: str) -> None:
    """DefinitionParameterError naming the parameters of ``kwargs`` that ``factory`` does not take,
    or whose type or range its ``spec`` (gordo's factories have one: a pure function, no Keras)
    refuses.

    >>> factory = resolve_kind("feedforward_hourglass", ["KerasAutoEncoder"], "")
    >>> check_factory_kwargs(factory, {"encoding_layers": -2}, "KerasAutoEncoder")
    Traceback (most recent call last):
    ...
    gordo.exceptions.DefinitionParameterError: KerasAutoEncoder with kind 'feedforward_hourglass': \
encoding_layers must be > 0, got -2
    """
    params = inspect.signature(factory).parameters
    name = getattr(factory, "__name__", factory)
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        unknown = sorted(set(kwargs) - set(params))
        if unknown:
            valid = [p for p in params if p != "n_features"] + sorted(FIT_DEFAULTS)
            raise DefinitionParameterError(
                f"{owner} with kind {name!r} does not take parameter(s) "
                f"{', '.join(map(repr, unknown))}; valid parameters: {', '.join(valid)}"
            )
    spec = getattr(factory, "spec", None)
    if callable(spec):
        try:
            spec(_CHECK_FEATURES, **kwargs)
        except (TypeError, ValueError) as exc:
            raise DefinitionParameterError(f"{owner} with kind {name!r}: {exc}") from exc


#: Training arguments: (type, smallest value, largest value or None).
_FIT_RANGES: dict[str, tuple[type, float, float | None]] = {
    "epochs": (int, 0, None),
    "batch_size": (int, 1, None),
    "verbose": (int, 0, 2),
    "validation_split": (float, 0.0, 0.999999),
}


def check_fit_args(kwargs: Mapping[str, Any], owner: str) -> None:
    """DefinitionParameterError for a training argument of the wrong type or out of range.

    >>> check_fit_args({"epochs": 10, "batch_size": 32, "shuffle": False}, "KerasAutoEncoder")
    >>> check_fit_args({"epochs": "1e20"}, "KerasAutoEncoder")
    Traceback (most recent call last):
    ...
    gordo.exceptions.DefinitionParameterError: KerasAutoEncoder: epochs must be an integer >= 0, got '1e20'
    >>> check_fit_args({"batch_size": -5}, "KerasAutoEncoder")
    Traceback (most recent call last):
    ...
    gordo.exceptions.DefinitionParameterError: KerasAutoEncoder: batch_size must be an integer >= 1, got -5
    """
    for key, (kind, low, high) in _FIT_RANGES.items():
        if key not in kwargs:
            continue
        value = kwargs[key]
        types = (int,) if kind is int else (int, float)
        ok = isinstance(value, types) and not isinstance(value, bool)
        if not ok or value < low or (high is not None and value > high):
            noun = "an integer" if kind is int else "a number"
            bound = f">= {low}" if high is None else f"in [{low}, {high:g}]"
            raise DefinitionParameterError(f"{owner}: {key} must be {noun} {bound}, got {value!r}")
    if not isinstance(kwargs.get("shuffle", True), bool):
        raise DefinitionParameterError(
            f"{owner}: shuffle must be true or false, got {kwargs['shuffle']!r}"
        )


def resolve_kind(kind: Any, type_names: Iterable[str], owner: str) -> Callable[..., Any]:
    """The factory ``kind`` refers to: a name registered for one of ``type_names``, an import
    path or a callable."""
    if callable(kind):
        return kind
    if not isinstance(kind, str):
        raise ConfigException(
            f"{owner}: kind must be a registered name, an import path or a function, got {kind!r}"
        )
    module, _, name = kind.rpartition(".")
    if not module:
        return lookup_factory(list(type_names), name)
    from gordo.serializer.import_paths import import_locate

    factory = import_locate(kind)
    if not callable(factory):
        raise ConfigException(f"{owner}: kind {kind!r} is not callable")
    return factory


def import_path(obj: Any) -> str | None:
    """``module.qualname`` of a module-level function or class, else None.

    >>> import_path(resolve_kind), import_path(lambda: 0)
    ('gordo.machine.model.keras_params.resolve_kind', None)
    """
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", "")
    if not module or not qualname or "<" in qualname:
        return None
    return f"{module}.{qualname}"


def trainer(
    spec: DenseSpec | LSTMSpec | None, ndim: int
) -> tuple[ModuleType, NumpyTraining] | None:
    """The engine training ``spec`` on inputs of ``ndim`` dimensions without Keras
    (:mod:`~gordo.machine.model.dense_training` or :mod:`~gordo.machine.model.lstm_training`),
    and its settings; None when Keras must train it.

    >>> spec = resolve_kind("feedforward_hourglass", ["KerasAutoEncoder"], "").spec(4)
    >>> trainer(spec, 2)[0].__name__, trainer(spec, 3)
    ('gordo.machine.model.dense_training', None)
    """
    if isinstance(spec, DenseSpec) and ndim == 2:
        from gordo.machine.model import dense_training

        training = numpy_training(spec)
        return None if training is None else (dense_training, training)
    if isinstance(spec, LSTMSpec) and ndim == 3:
        from gordo.machine.model import lstm_training

        training = jax_training(spec)
        return None if training is None else (lstm_training, training)
    return None


def train(
    spec: DenseSpec | LSTMSpec | None, x: np.ndarray, y: np.ndarray, fit_args: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Train ``spec`` on inputs ``x`` and targets ``y`` without Keras: the saved state of the
    model and the fit's history; None when Keras must train it (see :func:`trainer`)."""
    chosen = trainer(spec, x.ndim)
    if chosen is None:
        return None
    engine, training = chosen
    weights, history = engine.fit(spec, x, y, training=training, **fit_args)
    return spec.to_state(weights), history
