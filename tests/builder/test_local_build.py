"""local_build: the documented example, several machines, bad configs."""

from __future__ import annotations

import pytest
import yaml

from gordo.builder.local_build import local_build
from gordo.exceptions import ConfigException, ConfigValidationError
from tests.builder.helpers import ANOMALY, machine_config


def test_yields_one_model_per_machine_with_thresholds():
    config = {"machines": [machine_config("a", ANOMALY), machine_config("b")]}
    built = list(local_build(yaml.safe_dump(config)))
    assert [machine.name for _, machine in built] == ["a", "b"]
    model, machine = built[0]
    meta = machine.metadata.build_metadata.model.model_meta
    assert "feature-thresholds" in meta or "thresholds" in str(meta)
    assert machine.evaluation["scoring_scaler"] == "sklearn.preprocessing.MinMaxScaler"
    assert machine.metadata.build_metadata.model.cross_validation.scores


def test_kind_gordo_resource_form():
    config = {
        "apiVersion": "equinor.com/v1",
        "kind": "Gordo",
        "metadata": {"name": "proj"},
        "spec": {"config": {"machines": [machine_config("a")]}},
    }
    ((model, machine),) = local_build(yaml.safe_dump(config))
    assert model is not None and machine.name == "a"


def test_bad_configs():
    with pytest.raises(ConfigException, match="not valid YAML"):
        list(local_build("machines: [unclosed"))
    with pytest.raises(ConfigValidationError, match="machines"):
        list(local_build("machines: [{name: a}]"))


def test_documented_import_from_the_package():
    """``from gordo.builder import local_build; local_build(config_str)`` as documented."""
    from gordo.builder import local_build as documented

    assert documented is local_build
    ((model, machine),) = documented(yaml.safe_dump({"machines": [machine_config("a")]}))
    assert model is not None and machine.name == "a"


def test_the_projects_allowed_imports_hold_while_it_builds(monkeypatch):
    monkeypatch.delenv("GORDO_ALLOWED_IMPORTS")  # tests/conftest.py allows 'tests'
    model = {"sklearn.pipeline.Pipeline": {"steps": [
        "tests.serializer.custom_estimators.Scaled", "sklearn.linear_model.LinearRegression"]}}
    config = {"machines": [machine_config("a", model)], "allowed_imports": ["tests.serializer"]}
    ((built, machine),) = local_build(yaml.safe_dump(config))
    assert type(built.steps[0][1]).__name__ == "Scaled" and machine.name == "a"
