"""Build models: one machine (:class:`ModelBuilder`), a local config, or a whole fleet."""

from gordo.builder.build_model import ModelBuilder

__all__ = ["ModelBuilder"]
