"""A machine with build metadata, for reporter tests (no build needed)."""

from __future__ import annotations

from gordo.machine import Machine
from gordo.machine.metadata import (
    BuildMetadata,
    CrossValidationMetaData,
    DatasetBuildMetadata,
    ModelBuildMetadata,
)
from tests.builder.helpers import machine_config


def built_machine(name: str = "machine-1") -> Machine:
    machine = Machine.from_config(machine_config(name), project_name="test-proj")
    machine.metadata.build_metadata = BuildMetadata(
        model=ModelBuildMetadata(
            model_training_duration_sec=0.5,
            cross_validation=CrossValidationMetaData(
                scores={
                    "r2-score": {"fold-1": 0.5, "fold-2": 0.7, "fold-mean": 0.6},
                    "r2-score-tag#1": {"fold-1": 0.4, "fold-2": 0.6, "fold-mean": 0.5},
                },
                cv_duration_sec=1.25,
            ),
        ),
        dataset=DatasetBuildMetadata(query_duration_sec=0.1),
    )
    return machine
