"""ModelBuilder on fast sklearn models: metadata, cv modes, registry, errors, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from gordo import serializer
from gordo.builder import ModelBuilder
from gordo.exceptions import ConfigException, InsufficientDataError, exit_code_for
from gordo.util import disk_registry
from tests.builder.helpers import dataset_config, make_machine

METRICS = ["explained-variance-score", "r2-score", "mean-squared-error", "mean-absolute-error"]
TAGS = ["tag-1", "tag-2", "tag-3"]


def test_full_build_metadata():
    model, machine = ModelBuilder(make_machine()).build()
    assert model is not None and hasattr(model, "predict")
    build = machine.metadata.build_metadata
    cv = build.model.cross_validation
    expected = {*METRICS, *(f"{m}-{t}" for m in METRICS for t in TAGS)}
    assert set(cv.scores) == expected
    assert set(cv.scores["r2-score"]) == {
        "fold-1",
        "fold-2",
        "fold-3",
        "fold-min",
        "fold-max",
        "fold-mean",
        "fold-std",
    }
    folds = [cv.scores["r2-score"][f"fold-{i}"] for i in (1, 2, 3)]
    assert cv.scores["r2-score"]["fold-mean"] == pytest.approx(np.mean(folds))
    assert cv.scores["r2-score"]["fold-std"] == pytest.approx(np.std(folds))
    assert cv.cv_duration_sec > 0
    assert cv.splits["fold-3-n-test"] > 0 and "fold-1-train-start" in cv.splits
    assert build.model.model_training_duration_sec > 0
    assert build.model.model_offset == 0
    assert build.model.model_creation_date and build.model.model_builder_version
    assert build.dataset.query_duration_sec > 0
    assert "tag_loading_metadata" in build.dataset.dataset_meta


def test_cv_modes():
    model, machine = ModelBuilder(make_machine(evaluation={"cv_mode": "cross_val_only"})).build()
    assert model is None
    assert machine.metadata.build_metadata.model.cross_validation.scores
    model, machine = ModelBuilder(make_machine(evaluation={"cv_mode": "build_only"})).build()
    assert model is not None
    assert machine.metadata.build_metadata.model.cross_validation.scores == {}
    with pytest.raises(ConfigException, match="machine-1.*evaluation.cv_mode"):
        ModelBuilder(make_machine(evaluation={"cv_mode": "sideways"})).build()


def test_custom_cv_metrics_and_no_scaler():
    evaluation = {
        "cv": {"sklearn.model_selection.TimeSeriesSplit": {"n_splits": 2}},
        "metrics": ["r2_score", "sklearn.metrics.max_error"],
        "scoring_scaler": None,
    }
    _, machine = ModelBuilder(make_machine(evaluation=evaluation)).build()
    scores = machine.metadata.build_metadata.model.cross_validation.scores
    assert set(scores) == {
        "r2-score",
        "max-error",
        *(f"{m}-{t}" for m in ("r2-score", "max-error") for t in TAGS),
    }
    assert "fold-3" not in scores["max-error"] and "fold-2" in scores["max-error"]


def test_reproducible_with_seed():
    model = {"sklearn.neural_network.MLPRegressor": {"hidden_layer_sizes": [4], "max_iter": 20}}
    runs = [
        ModelBuilder(make_machine(model=model, evaluation={"seed": 3})).build() for _ in range(2)
    ]
    (m1, machine1), (m2, machine2) = runs
    np.testing.assert_array_equal(m1.coefs_[0], m2.coefs_[0])
    s1 = machine1.metadata.build_metadata.model.cross_validation.scores
    assert s1 == machine2.metadata.build_metadata.model.cross_validation.scores


def test_cache_key_covers_what_determines_the_model():
    key = ModelBuilder(make_machine()).cache_key
    assert len(key) == 128 and int(key, 16) >= 0
    assert ModelBuilder(make_machine()).cache_key == key
    assert ModelBuilder(make_machine(metadata={"owner": "x"})).cache_key == key
    assert ModelBuilder(make_machine(model="sklearn.decomposition.PCA")).cache_key != key
    assert ModelBuilder(make_machine(evaluation={"seed": 1})).cache_key != key
    other_data = dataset_config(train_end_date="2020-01-03T00:00:00+00:00")
    assert ModelBuilder(make_machine(dataset=other_data)).cache_key != key


def test_registry_reuses_and_replaces(tmp_path):
    register = tmp_path / "registry"
    builder = ModelBuilder(make_machine())
    _, first = builder.build(output_dir=tmp_path / "a", model_register_dir=register)
    assert disk_registry.get_value(register, builder.cache_key) == str(tmp_path / "a")
    assert builder.cached_model_path == tmp_path / "a"
    created = first.metadata.build_metadata.model.model_creation_date

    # an identical machine with new user metadata: reused, copied to b, with its own metadata
    builder2 = ModelBuilder(make_machine(metadata={"owner": "ops"}))
    assert builder2.check_cache(register) == tmp_path / "a"
    model, second = builder2.build(output_dir=tmp_path / "b", model_register_dir=register)
    assert second.metadata.build_metadata.model.model_creation_date == created
    stored = serializer.load_metadata(tmp_path / "b")
    assert stored["metadata"]["user_defined"]["machine-metadata"] == {"owner": "ops"}
    assert disk_registry.get_value(register, builder.cache_key) == str(tmp_path / "b")

    _, third = ModelBuilder(make_machine()).build(
        output_dir=tmp_path / "c", model_register_dir=register, replace_cache=True
    )
    assert third.metadata.build_metadata.model.model_creation_date != created


def test_registry_entry_to_missing_model_is_dropped(tmp_path):
    register = tmp_path / "registry"
    builder = ModelBuilder(make_machine())
    disk_registry.write_key(register, builder.cache_key, str(tmp_path / "gone"))
    assert builder.check_cache(register) is None
    assert disk_registry.get_value(register, builder.cache_key) is None


def test_failed_write_registers_nothing(tmp_path, monkeypatch):
    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(serializer, "dump_pickled", broken_dump)
    builder = ModelBuilder(make_machine())
    with pytest.raises(OSError, match="disk full"):
        builder.build(output_dir=tmp_path / "out", model_register_dir=tmp_path / "registry")
    assert not (tmp_path / "out").exists()
    assert disk_registry.get_value(tmp_path / "registry", builder.cache_key) is None


def test_unwritable_output_dir_fails_before_fetching_data(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    machine = make_machine()
    fetched = []
    monkeypatch.setattr(type(machine.dataset), "get_data", lambda self: fetched.append(1))
    with pytest.raises(PermissionError, match=f"Output directory '{blocker}/model'"):
        ModelBuilder(machine).build(output_dir=blocker / "model")
    assert fetched == []


def test_insufficient_data():
    machine = make_machine(dataset=dataset_config(n_samples_threshold=100_000))
    with pytest.raises(InsufficientDataError) as info:
        ModelBuilder(machine).build()
    assert exit_code_for(info.value) == 80


def test_transformer_without_predict_is_not_cross_validated():
    model, machine = ModelBuilder(make_machine(model="sklearn.decomposition.PCA")).build()
    assert type(model).__name__ == "PCA"
    assert machine.metadata.build_metadata.model.cross_validation.scores == {}


def test_registered_model_that_does_not_load_is_rebuilt(tmp_path):
    register = tmp_path / "registry"
    builder = ModelBuilder(make_machine())
    builder.build(output_dir=tmp_path / "a", model_register_dir=register)
    (tmp_path / "a" / "model.pkl").write_bytes(b"corrupted")
    model, machine = ModelBuilder(make_machine()).build(
        output_dir=tmp_path / "b", model_register_dir=register
    )
    assert model is not None
    assert disk_registry.get_value(register, builder.cache_key) == str(tmp_path / "b")


def test_registered_model_in_the_output_dir_is_left_alone(tmp_path):
    register = tmp_path / "registry"
    ModelBuilder(make_machine()).build(output_dir=tmp_path / "a", model_register_dir=register)
    written = (tmp_path / "a" / "model.pkl").stat().st_mtime_ns
    builder = ModelBuilder(make_machine())
    model, _ = builder.build(output_dir=tmp_path / "a", model_register_dir=register)
    assert model is not None and builder.cached_model_path == tmp_path / "a"
    assert (tmp_path / "a" / "model.pkl").stat().st_mtime_ns == written
