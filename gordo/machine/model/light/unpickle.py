"""Unpickling a model without importing the libraries its classes come from.

:func:`stub_loads` reads pickle bytes like :func:`pickle.loads`, except that a
class (or function) from a module outside :data:`REAL_MODULES` is not imported:
it becomes a :class:`Stub` subclass that only records its import path, the
arguments it was called with and the state pickle gave it. numpy, pandas and
pyarrow objects are restored for real. The server compiles such a tree of stubs into
light estimators (:mod:`gordo.machine.model.light.estimators`) without paying
for importing scikit-learn.

>>> import pickle
>>> from fractions import Fraction
>>> stub = stub_loads(pickle.dumps(Fraction(1, 3)))
>>> stub.path, stub.args
('fractions.Fraction', (1, 3))
"""

from __future__ import annotations

import io
import pickle
from typing import Any, ClassVar

#: Top-level packages whose objects are unpickled for real (cheap, or loaded anyway).
REAL_MODULES = frozenset(
    {
        "builtins",
        "copyreg",
        "collections",
        "datetime",
        "_codecs",
        "numpy",
        "pandas",
        "zoneinfo",
        "pytz",
        "dateutil",
        "pyarrow",
    }
)


class Stub:
    """A stand-in for an object of a class that was not imported.

    ``path`` is the class's import path (``module`` + ``.`` + ``qualname``);
    ``args``/``kwargs`` what it was called with (objects pickled by
    ``__reduce__``); ``state`` the ``__dict__`` pickle restored (plus any slot
    values).
    """

    path: ClassVar[str] = ""
    module: ClassVar[str] = ""
    qualname: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (__dict__, slots)
            state = {**(state[0] or {}), **(state[1] or {})}
        self.__dict__["state"] = state

    def __getattr__(self, name: str) -> Any:
        if name in ("args", "kwargs"):
            return () if name == "args" else {}
        if name == "state":
            return {}
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"<stub of {self.path}>"


_stub_classes: dict[str, type[Stub]] = {}


def stub_class(path: str, qualname: str | None = None) -> type[Stub]:
    """The :class:`Stub` subclass standing for a class (one per class).

    The class is ``module.qualname`` given as ``path`` alone (the qualname is
    its last part) or as ``stub_class(module, qualname)``.

    >>> stub_class("sklearn.pipeline", "Pipeline") is stub_class("sklearn.pipeline.Pipeline")
    True
    """
    module, qualname = path.rpartition(".")[::2] if qualname is None else (path, qualname)
    key = f"{module}.{qualname}"
    if key not in _stub_classes:
        attributes = {"path": key, "module": module, "qualname": qualname, "__module__": __name__}
        _stub_classes[key] = type(qualname.rpartition(".")[2], (Stub,), attributes)
    return _stub_classes[key]


class _StubUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.partition(".")[0] in REAL_MODULES:
            return super().find_class(module, name)
        return stub_class(module, name)


def stub_loads(data: bytes) -> Any:
    """Unpickle ``data``, with :class:`Stub` objects for classes outside :data:`REAL_MODULES`."""
    return _StubUnpickler(io.BytesIO(data)).load()
