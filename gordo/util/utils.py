"""Small helpers shared across gordo."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def capture_args(method: F) -> F:
    """Decorator recording the arguments a method was called with in ``self._params``.

    Positional arguments are stored under their parameter names and ``**kwargs``
    are merged in flat, so ``self._params`` holds exactly what the caller passed
    (defaults that were not passed are not recorded). Meant for ``__init__`` of
    estimators that hand their parameters to a builder function.

    >>> class Model:
    ...     @capture_args
    ...     def __init__(self, kind, epochs=1, **kwargs):
    ...         pass
    >>> Model("feedforward_hourglass", batch_size=64)._params
    {'kind': 'feedforward_hourglass', 'batch_size': 64}
    >>> Model(kind="lstm", epochs=3)._params
    {'kind': 'lstm', 'epochs': 3}
    """
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        params: dict[str, Any] = {}
        for name, value in list(bound.arguments.items())[1:]:
            kind = signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                params.update(value)
            else:
                params[name] = value
        self._params = params
        return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
