"""Build models: one machine (:class:`ModelBuilder`), a local config, or a whole fleet.

``ModelBuilder`` is imported on first use, so the CLI can import the small
modules of this package (and show its help) without loading scikit-learn.
"""

from typing import Any

__all__ = ["ModelBuilder"]


def __getattr__(name: str) -> Any:
    if name == "ModelBuilder":
        from gordo.builder.build_model import ModelBuilder

        return ModelBuilder
    raise AttributeError(f"module 'gordo.builder' has no attribute {name!r}")
