"""Record constructor arguments so datasets and providers can write themselves back.

``to_dict()`` of a dataset or provider returns every parameter of its
constructor (with defaults), the extra keywords that were passed, and
``type``. :func:`capture_args` records them; :func:`to_plain` turns values into
YAML/JSON-friendly ones.

>>> class Thing:
...     @capture_args
...     def __init__(self, a, b=2, **kwargs):
...         pass
>>> Thing(1, c=3)._params
{'a': 1, 'b': 2, 'c': 3}
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date, datetime
from typing import Any


def capture_args(init: Callable) -> Callable:
    """Decorate ``__init__`` to store its bound arguments in ``self._params``.

    Only the outermost constructor records (a subclass calling ``super().__init__``
    keeps the subclass's view).
    """
    signature = inspect.signature(init)

    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        if "_params" not in self.__dict__:
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            params: dict[str, Any] = {}
            for name, value in list(bound.arguments.items())[1:]:
                kind = signature.parameters[name].kind
                if kind is inspect.Parameter.VAR_KEYWORD:
                    params.update(value)
                elif kind is not inspect.Parameter.VAR_POSITIONAL:
                    params[name] = value
            self.__dict__["_params"] = params
        return init(self, *args, **kwargs)

    return wrapper


def to_plain(value: Any) -> Any:
    """``value`` as plain data: datetimes as ISO strings, objects with ``to_dict``/``to_json``
    as their dicts, containers recursively.

    >>> from datetime import datetime, timezone
    >>> to_plain({"t": datetime(2020, 1, 1, tzinfo=timezone.utc), "l": (1, 2)})
    {'t': '2020-01-01T00:00:00+00:00', 'l': [1, 2]}
    """
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return value.to_dict()
    if hasattr(value, "to_json") and not isinstance(value, type):
        return value.to_json()
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value
