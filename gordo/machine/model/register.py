"""Registry of model factories (``kind`` names) per Keras wrapper type.

A factory builds a compiled Keras model; it takes ``n_features`` as its first
argument. Registering it under a wrapper's class name lets configs refer to it by
name, e.g. ``KerasAutoEncoder(kind="feedforward_hourglass")``.

>>> @register_model_builder(type="KerasAutoEncoder")
... def tiny_autoencoder(n_features, n_features_out=None):
...     ...
>>> "tiny_autoencoder" in register_model_builder.factories["KerasAutoEncoder"]
True
>>> del register_model_builder.factories["KerasAutoEncoder"]["tiny_autoencoder"]
>>> @register_model_builder(type="KerasAutoEncoder")
... def no_features():
...     ...
Traceback (most recent call last):
...
ValueError: Model factory 'no_features' must take n_features as its first argument
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from gordo.exceptions import ConfigException

_FACTORY_MODULES = ("gordo.machine.model.factories",)


class register_model_builder:  # noqa: N801 - documented name, used as a decorator
    """Decorator registering a model factory under one or more wrapper type names.

    ``type`` is the class name of the wrapper (``KerasAutoEncoder``,
    ``KerasLSTMAutoEncoder``, ``KerasLSTMForecast``, ...) or a list of them.
    """

    factories: ClassVar[dict[str, dict[str, Callable[..., Any]]]] = {}

    def __init__(self, type: str | Iterable[str]):  # noqa: A002 - documented keyword
        self.types = [type] if isinstance(type, str) else list(type)

    def __call__(self, build_fn: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(build_fn).parameters)
        if not params or params[0] != "n_features":
            raise ValueError(
                f"Model factory {build_fn.__name__!r} must take n_features as its first argument"
            )
        for type_name in self.types:
            self.factories.setdefault(type_name, {})[build_fn.__name__] = build_fn
        return build_fn


def registered_kinds(type_names: Iterable[str]) -> list[str]:
    """Sorted names of the factories registered for any of ``type_names``."""
    _import_factories()
    kinds: set[str] = set()
    for type_name in type_names:
        kinds.update(register_model_builder.factories.get(type_name, {}))
    return sorted(kinds)


def lookup_factory(type_names: Iterable[str], kind: str) -> Callable[..., Any]:
    """The factory ``kind`` registered for the first of ``type_names`` that has it.

    Raises ConfigException listing the registered kinds when there is none.

    >>> lookup_factory(["KerasAutoEncoder"], "feedforward_hourglass").__name__
    'feedforward_hourglass'
    >>> lookup_factory(["KerasAutoEncoder"], "hourglass")
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: Unknown kind 'hourglass' for KerasAutoEncoder; \
registered kinds: feedforward_hourglass, feedforward_model, feedforward_symmetric
    """
    type_names = list(type_names)
    _import_factories()
    for type_name in type_names:
        factory = register_model_builder.factories.get(type_name, {}).get(kind)
        if factory is not None:
            return factory
    kinds = registered_kinds(type_names)
    raise ConfigException(
        f"Unknown kind {kind!r} for {type_names[0] if type_names else '?'}; "
        f"registered kinds: {', '.join(kinds) if kinds else '(none)'}"
    )


def _import_factories() -> None:
    """Import gordo's factory modules so their builders are registered."""
    for module in _FACTORY_MODULES:
        importlib.import_module(module)
