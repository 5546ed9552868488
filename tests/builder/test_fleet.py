"""Fleet builds: worker pool, registry reuse, failures isolated, progress."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gordo import serializer
from gordo.builder.fleet import build_fleet, preload
from tests.builder.helpers import KERAS_ANOMALY, dataset_config, keras_anomaly, make_machine


def _fleet():
    machines = [make_machine(f"machine-{i}") for i in range(3)]
    machines.append(make_machine("starved", dataset=dataset_config(n_samples_threshold=100_000)))
    return machines


def test_fleet_builds_isolates_failures_and_resumes(tmp_path):
    seen = []
    result = build_fleet(_fleet(), tmp_path, jobs=2, on_done=seen.append)
    assert sorted(result.names("built")) == ["machine-0", "machine-1", "machine-2"]
    assert result.names("failed") == ["starved"]
    (failure,) = [o for o in result.outcomes if o.status == "failed"]
    assert failure.exit_code == 80 and failure.error.startswith("EmptyGeneratedDataframeError")
    assert (
        result.exit_code == 80
        and "failed starved: EmptyGeneratedDataframeError" in result.summary()
    )
    assert len(seen) == 4
    assert result.revision_dir == tmp_path / result.revision and result.revision.isdigit()
    for name in result.names("built"):
        assert serializer.load_metadata(result.revision_dir / name)["name"] == name
    assert not (result.revision_dir / "starved").exists()
    assert len(list((tmp_path / ".registry").iterdir())) == 3

    # a second run reuses every built machine, in a new revision holding all of them
    again = build_fleet(_fleet(), tmp_path, jobs=1)
    assert sorted(again.names("cached")) == ["machine-0", "machine-1", "machine-2"]
    assert again.names("built") == [] and again.revision != result.revision
    for name in again.names("cached"):
        serializer.load(again.revision_dir / name)


def test_fleet_custom_register_dir(tmp_path):
    result = build_fleet([make_machine()], tmp_path / "models", model_register_dir=tmp_path / "reg")
    assert result.names("built") == ["machine-1"] and result.exit_code == 0
    assert len(list((tmp_path / "reg").iterdir())) == 1


def test_only_models_that_fit_with_keras_make_the_parent_import_keras():
    lstm = keras_anomaly("KerasLSTMAutoEncoder", kind="lstm_hourglass", lookback_window=2)
    rmsprop = keras_anomaly(
        "KerasLSTMAutoEncoder", kind="lstm_hourglass", lookback_window=2, optimizer="RMSprop"
    )
    assert not preload([make_machine(model=KERAS_ANOMALY)])
    assert not preload([make_machine(model=lstm), make_machine("other", model=KERAS_ANOMALY)])
    assert preload([make_machine(model=KERAS_ANOMALY), make_machine("other", model=rmsprop)])


@pytest.mark.integration
def test_the_parent_imports_scikit_learn_and_the_models_once_and_starts_no_thread():
    code = """
import json, sys, threading
from gordo.builder.fleet import preload
from tests.builder.helpers import KERAS_ANOMALY, make_machine
machines = [make_machine(f"m-{i}", model=KERAS_ANOMALY) for i in range(3)]
keras = preload(machines)
print(json.dumps({
    "keras": keras,
    "modules": [m for m in ("sklearn.model_selection", "sklearn.preprocessing",
                            "gordo.machine.model.anomaly.diff", "gordo.builder.build_model",
                            "keras", "jax") if m in sys.modules],
    "threads": threading.active_count(),
}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "keras": False,
        "modules": [
            "sklearn.model_selection",
            "sklearn.preprocessing",
            "gordo.machine.model.anomaly.diff",
            "gordo.builder.build_model",
        ],
        "threads": 1,
    }


def test_a_revision_is_marked_complete_only_after_every_machine(tmp_path):
    from gordo.util import revision_manifest

    class Killed(Exception):
        pass

    def kill_after_first(outcome) -> None:
        raise Killed(outcome.name)

    machines = [make_machine(f"machine-{i}") for i in range(2)]
    try:
        build_fleet(machines, tmp_path / "killed", jobs=1, on_done=kill_after_first)
    except Killed:
        pass
    (killed,) = [p for p in (tmp_path / "killed").iterdir() if p.name.isdigit()]
    assert revision_manifest.is_incomplete(killed)
    result = build_fleet(machines, tmp_path / "done", jobs=1)
    assert not revision_manifest.is_incomplete(result.revision_dir)
    statuses = revision_manifest.read(result.revision_dir)["machines"]
    assert statuses == {"machine-0": "built", "machine-1": "built"}
