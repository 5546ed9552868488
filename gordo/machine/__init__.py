"""Machines: a model, a dataset, metadata and runtime settings, built and served together.

``Machine`` is imported on first use, so importing ``gordo.machine.metadata`` or
``gordo.machine.model`` does not load the dataset layer.

>>> from gordo.machine import Machine, MachineEncoder
>>> Machine.__module__, MachineEncoder.__module__
('gordo.machine.machine', 'gordo.machine.encoders')
"""

from typing import Any

__all__ = ["Machine", "MachineEncoder"]


def __getattr__(name: str) -> Any:
    if name == "Machine":
        from gordo.machine.machine import Machine

        return Machine
    if name == "MachineEncoder":
        from gordo.machine.encoders import MachineEncoder

        return MachineEncoder
    raise AttributeError(f"module 'gordo.machine' has no attribute {name!r}")
