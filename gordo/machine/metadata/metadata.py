"""Metadata of a machine: what the user wrote, and what the build recorded.

>>> m = Metadata(user_defined={"machine-metadata": {"owner": "ops"}})
>>> m.build_metadata.model.model_offset
0
>>> d = m.to_dict()
>>> sorted(d["build_metadata"]["model"])  # doctest: +NORMALIZE_WHITESPACE
['cross_validation', 'model_builder_version', 'model_creation_date', 'model_meta',
 'model_offset', 'model_training_duration_sec']
>>> Metadata.from_dict(d) == m
True
>>> Metadata.from_json(m.to_json()) == m
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gordo import __version__
from gordo.machine.metadata.dataclass_dict import DataClassDictMixin


@dataclass
class CrossValidationMetaData(DataClassDictMixin):
    """Scores per metric and fold, the duration and the splits of the cross-validation."""

    scores: dict[str, Any] = field(default_factory=dict)
    cv_duration_sec: float | None = None
    splits: dict[str, Any] = field(default_factory=dict)


@dataclass
class ModelBuildMetadata(DataClassDictMixin):
    """What the builder recorded about the model."""

    model_offset: int = 0
    model_creation_date: str | None = None
    model_builder_version: str = __version__
    cross_validation: CrossValidationMetaData = field(default_factory=CrossValidationMetaData)
    model_training_duration_sec: float | None = None
    model_meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class DatasetBuildMetadata(DataClassDictMixin):
    """What the builder recorded about the data (query time, the dataset's own metadata)."""

    query_duration_sec: float | None = None
    dataset_meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class BuildMetadata(DataClassDictMixin):
    """Model and dataset build metadata."""

    model: ModelBuildMetadata = field(default_factory=ModelBuildMetadata)
    dataset: DatasetBuildMetadata = field(default_factory=DatasetBuildMetadata)


@dataclass
class Metadata(DataClassDictMixin):
    """``user_defined`` (free-form, from the config) and ``build_metadata`` (from the build)."""

    user_defined: dict[str, Any] = field(default_factory=dict)
    build_metadata: BuildMetadata = field(default_factory=BuildMetadata)
