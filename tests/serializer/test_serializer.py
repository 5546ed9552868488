"""Tests of gordo.serializer.serializer: dump/load of model directories, dumps/loads."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import pickle
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

import gordo
from gordo import serializer
from gordo.exceptions import ArtifactError
from gordo.serializer import serializer as serializer_module


@pytest.fixture
def fitted_pipe() -> Pipeline:
    X = np.random.default_rng(1).random((30, 5))
    return Pipeline([("pca", PCA(3)), ("scale", MinMaxScaler())]).fit(X)


@pytest.fixture
def model_dir(tmp_path: Path, fitted_pipe: Pipeline) -> Path:
    dest = tmp_path / "machine-1"
    serializer.dump(fitted_pipe, dest, metadata={"name": "machine-1"})
    return dest


def test_seed_example_with_temporary_directory(fitted_pipe):
    with TemporaryDirectory() as tmp:
        serializer.dump(obj=fitted_pipe, dest_dir=tmp)
        pipe_clone = serializer.load(source_dir=tmp)
    X = np.random.default_rng(2).random((4, 5))
    np.testing.assert_array_equal(pipe_clone.transform(X), fitted_pipe.transform(X))


def test_directory_layout_and_manifest(model_dir: Path):
    assert sorted(os.listdir(model_dir)) == ["manifest.json", "metadata.json", "model.pkl"]
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert manifest["format"] == "gordo-model"
    assert manifest["format_version"] == 1
    assert manifest["gordo_version"] == gordo.__version__
    assert set(manifest["files"]) == {"model.pkl", "metadata.json"}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((model_dir / name).read_bytes()).hexdigest() == digest


def test_model_pkl_is_the_dumps_bytes(model_dir: Path, fitted_pipe):
    data = (model_dir / "model.pkl").read_bytes()
    assert data == serializer.dumps(fitted_pipe)
    assert pickle.loads(data).steps[0][1].n_components == 3


def test_dumps_uses_pickle_protocol_5(fitted_pipe):
    data = serializer.dumps(fitted_pipe)
    assert data[:2] == b"\x80\x05"


def test_no_temporary_directories_left(tmp_path: Path, fitted_pipe):
    serializer.dump(fitted_pipe, tmp_path / "m")
    serializer.dump(fitted_pipe, tmp_path / "m")
    assert os.listdir(tmp_path) == ["m"]


def test_dump_creates_missing_parents(tmp_path: Path, fitted_pipe):
    dest = tmp_path / "project" / "123" / "machine"
    serializer.dump(fitted_pipe, str(dest))
    assert isinstance(serializer.load(dest), Pipeline)


def test_dump_replaces_an_existing_model(tmp_path: Path, fitted_pipe):
    dest = tmp_path / "m"
    serializer.dump(MinMaxScaler(), dest, metadata={"v": 1})
    (dest / "stale-extra-file").write_text("old")
    serializer.dump(fitted_pipe, dest, metadata={"v": 2})
    assert isinstance(serializer.load(dest), Pipeline)
    assert serializer.load_metadata(dest) == {"v": 2}
    assert "stale-extra-file" not in os.listdir(dest)
    assert os.listdir(tmp_path) == ["m"]


def test_failed_dump_leaves_old_model_and_no_temp_dir(tmp_path: Path, fitted_pipe, monkeypatch):
    dest = tmp_path / "m"
    serializer.dump(fitted_pipe, dest, metadata={"v": 1})

    def crash(tmp, dest):
        raise OSError("crash while renaming")

    monkeypatch.setattr(serializer_module, "_move_into_place", crash)
    with pytest.raises(OSError, match="crash"):
        serializer.dump(MinMaxScaler(), dest, metadata={"v": 2})
    assert isinstance(serializer.load(dest), Pipeline)
    assert serializer.load_metadata(dest) == {"v": 1}
    assert os.listdir(tmp_path) == ["m"]


def test_unpicklable_object_fails_before_touching_dest(tmp_path: Path):
    dest = tmp_path / "m"
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        serializer.dump(lambda x: x, dest)
    assert not dest.exists()
    assert os.listdir(tmp_path) == []


def test_dump_into_a_file_is_refused(tmp_path: Path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(NotADirectoryError, match=str(target)):
        serializer.dump(MinMaxScaler(), target)


def test_metadata_with_numpy_datetimes_and_pandas():
    metadata = {
        "scores": np.array([0.5, 1.5]),
        "n": np.int64(3),
        "f": np.float32(0.25),
        "when": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        "stamp": pd.Timestamp("2020-01-02T03:04:05Z"),
        "day": datetime.date(2020, 1, 3),
        "took": datetime.timedelta(seconds=90),
        "nested": {"tags": ("a", "b"), "path": Path("/x/y")},
    }
    with TemporaryDirectory() as tmp:
        serializer.dump(MinMaxScaler(), tmp, metadata=metadata)
        loaded = serializer.load_metadata(tmp)
    assert loaded == {
        "scores": [0.5, 1.5],
        "n": 3,
        "f": 0.25,
        "when": "2020-01-01T00:00:00+00:00",
        "stamp": "2020-01-02T03:04:05+00:00",
        "day": "2020-01-03",
        "took": 90.0,
        "nested": {"tags": ["a", "b"], "path": "/x/y"},
    }


def test_metadata_that_is_not_json_names_the_destination(tmp_path: Path):
    with pytest.raises(TypeError, match="metadata.*m.*object"):
        serializer.dump(MinMaxScaler(), tmp_path / "m", metadata={"x": object()})
    assert not (tmp_path / "m").exists()


def test_metadata_defaults_to_empty_dict(tmp_path: Path):
    serializer.dump(MinMaxScaler(), tmp_path / "m")
    assert serializer.load_metadata(tmp_path / "m") == {}


def test_load_metadata_looks_in_the_parent(tmp_path: Path):
    serializer.dump(MinMaxScaler(), tmp_path / "m", metadata={"a": 1})
    (tmp_path / "m" / "sub").mkdir()
    assert serializer.load_metadata(tmp_path / "m" / "sub") == {"a": 1}


def test_load_metadata_missing_names_the_path(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "nothing")):
        serializer.load_metadata(tmp_path / "nothing")


def test_load_missing_directory(tmp_path: Path):
    with pytest.raises(ArtifactError, match="does not exist"):
        serializer.load(tmp_path / "absent")


def test_load_missing_manifest(model_dir: Path):
    (model_dir / "manifest.json").unlink()
    with pytest.raises(ArtifactError, match=f"{model_dir} has no manifest.json"):
        serializer.load(model_dir)


@pytest.mark.parametrize("name", ["model.pkl", "metadata.json"])
def test_load_missing_file(model_dir: Path, name: str):
    (model_dir / name).unlink()
    with pytest.raises(ArtifactError, match=f"{model_dir}: missing file {name}"):
        serializer.load(model_dir)


@pytest.mark.parametrize("name", ["model.pkl", "metadata.json"])
def test_load_checksum_mismatch(model_dir: Path, name: str):
    with open(model_dir / name, "ab") as f:
        f.write(b" ")
    with pytest.raises(ArtifactError, match=f"{model_dir}: checksum mismatch for {name}"):
        serializer.load(model_dir)


def _edit_manifest(model_dir: Path, **changes) -> None:
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest.update(changes)
    (model_dir / "manifest.json").write_text(json.dumps(manifest))


def test_load_unknown_format_version(model_dir: Path):
    _edit_manifest(model_dir, format_version=2)
    with pytest.raises(ArtifactError, match=f"{model_dir}: unknown format_version 2"):
        serializer.load(model_dir)


def test_load_wrong_format_name(model_dir: Path):
    _edit_manifest(model_dir, format="something-else")
    with pytest.raises(ArtifactError, match="not a gordo-model manifest"):
        serializer.load(model_dir)


def test_load_manifest_not_json(model_dir: Path):
    (model_dir / "manifest.json").write_text("{not json")
    with pytest.raises(ArtifactError, match="manifest.json is not valid JSON"):
        serializer.load(model_dir)


def test_load_manifest_without_model(model_dir: Path):
    _edit_manifest(model_dir, files={})
    with pytest.raises(ArtifactError, match="does not list model.pkl"):
        serializer.load(model_dir)


def test_load_manifest_with_path_outside_directory(model_dir: Path):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest["files"]["../escape"] = "0" * 64
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="bad file name"):
        serializer.load(model_dir)


def test_load_unpicklable_bytes_with_valid_checksum(model_dir: Path):
    garbage = b"\x80\x05not a pickle"
    (model_dir / "model.pkl").write_bytes(garbage)
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest["files"]["model.pkl"] = hashlib.sha256(garbage).hexdigest()
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=f"{model_dir}: cannot unpickle model.pkl"):
        serializer.load(model_dir)


def test_dumps_loads_roundtrip_predicts_identically(fitted_pipe):
    X = np.random.default_rng(3).random((6, 5))
    clone = serializer.loads(serializer.dumps(fitted_pipe))
    np.testing.assert_array_equal(clone.transform(X), fitted_pipe.transform(X))


def test_serializer_does_not_import_deep_learning_frameworks():
    import subprocess
    import sys

    code = (
        "import sys, tempfile; from gordo import serializer;"
        "serializer.from_definition('sklearn.preprocessing.MinMaxScaler');"
        "d = tempfile.mkdtemp(); serializer.dump(1, d); serializer.load(d);"
        "print(sorted(m for m in ('keras', 'jax', 'tensorflow', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
