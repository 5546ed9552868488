"""Build models: one machine (:class:`ModelBuilder`), a local config, or a whole fleet.

``ModelBuilder`` is imported on first use, so the CLI can import the small
modules of this package (and show its help) without loading scikit-learn.
``local_build`` (the function, as documented) loads it only when called.
"""

from typing import Any

from gordo.builder.local_build import local_build

__all__ = ["ModelBuilder", "local_build"]


def __getattr__(name: str) -> Any:
    if name == "ModelBuilder":
        from gordo.builder.build_model import ModelBuilder

        return ModelBuilder
    raise AttributeError(f"module 'gordo.builder' has no attribute {name!r}")
