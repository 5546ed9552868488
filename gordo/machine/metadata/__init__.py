"""Metadata dataclasses of a machine (user-defined and build metadata)."""

from gordo.machine.metadata.metadata import (
    BuildMetadata,
    CrossValidationMetaData,
    DatasetBuildMetadata,
    Metadata,
    ModelBuildMetadata,
)

__all__ = [
    "BuildMetadata",
    "CrossValidationMetaData",
    "DatasetBuildMetadata",
    "Metadata",
    "ModelBuildMetadata",
]
