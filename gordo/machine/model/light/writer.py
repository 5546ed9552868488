"""Writing a tree of :class:`~gordo.machine.model.light.unpickle.Stub` objects as a real pickle.

:func:`stub_dumps` is the inverse of :func:`~gordo.machine.model.light.unpickle.stub_loads`:
each stub is written as an object of the class it stands for (its import path,
then its state), so :func:`pickle.loads` gives the real objects, while the
writer imports none of those classes. A model fitted by light estimators
(:mod:`gordo.machine.model.light.fitting`) is saved this way without importing
scikit-learn.

>>> import pickle
>>> from fractions import Fraction
>>> from gordo.machine.model.light.unpickle import stub_class, stub_loads
>>> stub = stub_class("argparse", "Namespace")()
>>> stub.__setstate__({"epochs": 3})
>>> pickle.loads(stub_dumps(stub))
Namespace(epochs=3)
>>> pickle.loads(stub_dumps(stub_loads(pickle.dumps([Fraction(2, 5)]))))
[Fraction(2, 5)]
"""

from __future__ import annotations

import copyreg
import io
import pickle
from typing import Any

from gordo.machine.model.light.unpickle import Stub

#: The pickle protocol of written models (the one :mod:`gordo.serializer` writes).
PROTOCOL = 5


class _StubPickler(pickle._Pickler):  # the Python pickler: its save_global can be extended
    """A pickler writing :class:`Stub` classes as the classes they stand for."""

    def save_global(self, obj: Any, name: str | None = None) -> None:
        if not (isinstance(obj, type) and issubclass(obj, Stub) and obj.module):
            super().save_global(obj, name)
            return
        self.save(obj.module)
        self.save(obj.qualname)
        self.write(pickle.STACK_GLOBAL)
        self.memoize(obj)

    def reducer_override(self, obj: Any) -> Any:
        if not isinstance(obj, Stub):
            return NotImplemented
        state = obj.__dict__.get("state") or None
        if obj.kwargs:
            raise pickle.PicklingError(f"{obj!r} was made with keyword arguments")
        if obj.args:
            return type(obj), obj.args, state
        return copyreg.__newobj__, (type(obj),), state


def stub_dumps(obj: Any) -> bytes:
    """Pickle ``obj``, writing every :class:`Stub` in it as an object of its real class."""
    buffer = io.BytesIO()
    _StubPickler(buffer, protocol=PROTOCOL).dump(obj)
    return buffer.getvalue()
