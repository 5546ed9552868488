"""The generated config reference covers every key and matches docs/config-reference.md."""

from pathlib import Path

from gordo.dataset.datasets import TimeSeriesDataset
from gordo.machine import Machine
from gordo.workflow.config_elements import reference
from gordo.workflow.config_elements.normalized_config import NormalizedConfig

DOC = Path(__file__).resolve().parents[3] / "docs" / "config-reference.md"


def test_every_machine_and_dataset_key_is_described():
    assert set(reference.constructor_keys(Machine)) <= set(reference.MACHINE_KEYS)
    assert set(reference.constructor_keys(TimeSeriesDataset)) <= set(reference.DATASET_KEYS)


def test_every_default_evaluation_key_is_described():
    assert set(NormalizedConfig.DEFAULT_CONFIG_GLOBALS["evaluation"]) <= set(
        reference.EVALUATION_KEYS
    )


def test_committed_reference_is_the_generated_one():
    assert DOC.read_text() == reference.render(), (
        "docs/config-reference.md is stale: run `gordo config reference > docs/config-reference.md`"
    )
