"""The seed documentation's config examples (§1.1 quick start, §1.4 Machine) run as tests."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from gordo.exceptions import ConfigValidationError
from gordo.workflow.config_elements.loader import load_project_config
from gordo.workflow.config_elements.normalized_config import NormalizedConfig

DATA = Path(__file__).parent / "data"


def _hourglass(kind: str) -> dict:
    return {
        "sklearn.pipeline.Pipeline": {
            "steps": [
                "sklearn.preprocessing.MinMaxScaler",
                {"gordo.model.models.KerasAutoEncoder": {"kind": kind}},
            ]
        }
    }


def test_quick_start_as_written_reports_the_duplicate_name():
    config = load_project_config(DATA / "seed-quick-start.yaml")
    with pytest.raises(ConfigValidationError) as info:
        NormalizedConfig(config, "test-project", default_data_provider="RandomDataProvider")
    assert info.value.problems == ["machines[1] 'some-name-here': name: duplicate of machines[0]"]


def test_quick_start_with_distinct_names():
    config = copy.deepcopy(load_project_config(DATA / "seed-quick-start.yaml"))
    config["spec"]["config"]["machines"][1]["name"] = "some-other-name"
    nc = NormalizedConfig(config, "test-project", default_data_provider="RandomDataProvider")
    first, second = nc.machines
    assert first.model == _hourglass("feedforward_hourglass")
    assert second.model == _hourglass("feedforward_model"), "the globals model is the default"
    assert second.metadata.user_defined == {
        "global-metadata": {
            "what-does-this-do": "This metadata will get mapped to every machine's metadata!"
        },
        "machine-metadata": {
            "key1": "some-different-value-if-you-want",
            "nested-keys-allowed": [{"correct": True}],
        },
    }
    dataset = first.dataset.to_dict()
    assert dataset["resolution"] == "2T", "legacy pandas aliases are kept as written"
    assert dataset["train_start_date"] == "2018-01-01T00:00:00+00:00"
