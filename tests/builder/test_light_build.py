"""build_artifact: the model `gordo build` writes, fitted light when it can, is the one build() makes."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from gordo import serializer
from gordo.builder.build_model import ModelBuilder
from tests.builder.helpers import (
    KERAS_ANOMALY,
    LINEAR,
    machine_config,
    make_machine,
)
from tests.machine.model.light.test_writer import _state

#: Metadata that differs between two builds of the same machine.
_TIMINGS = ("query_duration_sec", "cv_duration_sec", "model_training_duration_sec")


def _without_timings(value):
    if isinstance(value, dict):
        return {
            k: _without_timings(v)
            for k, v in value.items()
            if k not in _TIMINGS and k != "model_creation_date"
        }
    return value


@pytest.mark.parametrize(
    "evaluation",
    [
        None,
        {"scoring_scaler": "sklearn.preprocessing.MinMaxScaler", "metrics": ["r2_score"]},
        {
            "cv": {"sklearn.model_selection.TimeSeriesSplit": {"n_splits": 2}},
            "cv_mode": "build_only",
        },
    ],
    ids=["default", "scaled-r2", "build-only"],
)
def test_a_light_build_writes_the_model_and_metadata_of_a_full_build(tmp_path, evaluation):
    sections = {"evaluation": evaluation} if evaluation else {}
    machine = make_machine(model=KERAS_ANOMALY, **sections)
    light = ModelBuilder(machine).build_artifact(tmp_path / "light")
    model, full = ModelBuilder(machine).build(tmp_path / "full")
    assert _without_timings(light.to_dict()) == _without_timings(full.to_dict())
    assert _without_timings(serializer.load_metadata(tmp_path / "light")) == _without_timings(
        serializer.load_metadata(tmp_path / "full")
    )
    assert _state(serializer.load(tmp_path / "light")) == _state(model)


def test_a_model_light_fitting_lacks_is_built_for_real(tmp_path):
    machine = make_machine(model=LINEAR)
    built = ModelBuilder(machine).build_artifact(tmp_path / "model")
    model = serializer.load(tmp_path / "model")
    assert type(model).__name__ == "Pipeline"
    assert built.metadata.build_metadata.model.cross_validation.scores


def test_a_registered_model_is_copied_as_it_is(tmp_path):
    machine = make_machine(model=KERAS_ANOMALY)
    registry = tmp_path / "registry"
    ModelBuilder(machine).build_artifact(tmp_path / "first", model_register_dir=registry)
    builder = ModelBuilder(machine)
    again = builder.build_artifact(tmp_path / "second", model_register_dir=registry)
    assert builder.cached_model_path == tmp_path / "second"
    assert serializer.read_model_bytes(tmp_path / "second") == serializer.read_model_bytes(
        tmp_path / "first"
    )
    assert (
        again.metadata.build_metadata.model.model_creation_date
        == serializer.load_metadata(tmp_path / "first")["metadata"]["build_metadata"]["model"][
            "model_creation_date"
        ]
    )


BUILD = """
import sys
from gordo.cli.cli import gordo
sys.argv = ["build-in-a-test", "build", sys.argv[1], sys.argv[2]]  # not "gordo": no os._exit
try:
    gordo()
except SystemExit:
    pass
print(sorted(m for m in ("sklearn", "scipy", "keras", "jax") if m in sys.modules))
"""


@pytest.mark.integration
def test_gordo_build_of_a_dense_detector_imports_no_scikit_learn(tmp_path):
    config = {**machine_config(model=KERAS_ANOMALY), "project_name": "test-proj"}
    (tmp_path / "machine.json").write_text(json.dumps(config))
    out = subprocess.run(
        [sys.executable, "-c", BUILD, str(tmp_path / "machine.json"), str(tmp_path / "model")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr[-2000:]
    model = serializer.load(tmp_path / "model")
    assert type(model).__name__ == "DiffBasedAnomalyDetector"
    X = np.random.default_rng(0).random((20, 3))
    assert model.anomaly(X, X).shape[0] == 20
