"""Fleet builds: worker pool, registry reuse, failures isolated, progress."""

from __future__ import annotations

from gordo import serializer
from gordo.builder.fleet import _needs_keras, build_fleet
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
    assert not _needs_keras(make_machine(model=KERAS_ANOMALY))
    assert not _needs_keras(make_machine(model=lstm))
    assert _needs_keras(make_machine(model=rmsprop))
