"""Models written by gordo 0.1.0 (main at ec44070, manifest format_version 1) load and serve.

That version fitted common models with numpy stand-ins and pickled them under
scikit-learn's class paths with a state it assembled itself (the parameters, then
the fitted attributes, then ``_sklearn_version``). The artifact is made here the
same way: the scikit-learn parts are written by path and hand-made state, the
manifest as that version wrote it. Other format versions are refused with the
version and the command to rebuild.
"""

from __future__ import annotations

import copyreg
import hashlib
import inspect
import io
import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from gordo import serializer
from gordo.exceptions import ArtifactError
from gordo.machine.model.anomaly.diff import DiffBasedAnomalyDetector
from gordo.machine.model.models import KerasAutoEncoder
from gordo.server import model_store, utils
from gordo.server.server import build_app
from tests.server.conftest import PROJECT, TAGS, machine_dict, training_frame

#: The fitted attributes gordo 0.1.0 wrote for each class it stood in for, in its order.
OLD_FITTED = {
    DiffBasedAnomalyDetector: [
        "feature_thresholds_",
        "aggregate_threshold_",
        "feature_thresholds_per_fold_",
        "aggregate_thresholds_per_fold_",
    ],
    MinMaxScaler: [
        "feature_names_in_",
        "n_features_in_",
        "n_samples_seen_",
        "scale_",
        "min_",
        "data_min_",
        "data_max_",
        "data_range_",
    ],
    Pipeline: [],
}


class _OldWriter(pickle.Pickler):
    """Pickles the classes of :data:`OLD_FITTED` as gordo 0.1.0 did: class path + assembled
    state, stamped with the installed scikit-learn version for scikit-learn's classes only."""

    def reducer_override(self, obj):
        fitted = OLD_FITTED.get(type(obj))
        if fitted is None:
            return NotImplemented
        params = inspect.signature(type(obj)).parameters
        state = {name: getattr(obj, name) for name in params}
        state.update({name: vars(obj)[name] for name in fitted if name in vars(obj)})
        if type(obj).__module__.startswith("sklearn."):
            state["_sklearn_version"] = sklearn.__version__
        return copyreg.__newobj__, (type(obj),), state


def _write_old_artifact(model, directory: Path, metadata: dict) -> None:
    buffer = io.BytesIO()
    _OldWriter(buffer, protocol=5).dump(model)
    files = {"model.pkl": buffer.getvalue(), "metadata.json": json.dumps(metadata).encode()}
    manifest = {
        "format": "gordo-model",
        "format_version": 1,
        "gordo_version": "0.1.0",
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    directory.mkdir(parents=True)
    for name, data in {**files, "manifest.json": json.dumps(manifest).encode()}.items():
        (directory / name).write_bytes(data)


@pytest.fixture(scope="module")
def old_model():
    X = training_frame(TAGS, rows=120)
    model = DiffBasedAnomalyDetector(
        base_estimator=Pipeline(
            [
                ("step-0", MinMaxScaler()),
                ("step-1", KerasAutoEncoder(kind="feedforward_hourglass", epochs=1)),
            ]
        )
    )
    model.cross_validate(X=X, y=X)
    return model.fit(X, X)


@pytest.fixture
def old_revision(tmp_path, old_model) -> Path:
    revision = tmp_path / PROJECT / "1690000000000"
    definition = {"gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {}}
    _write_old_artifact(
        old_model, revision / "old-model", machine_dict("old-model", TAGS, TAGS, definition)
    )
    return revision


def test_the_old_pickle_holds_the_hand_assembled_state(old_revision):
    data = (old_revision / "old-model" / "model.pkl").read_bytes()
    assert b"sklearn.preprocessing._data" in data and b"MinMaxScaler" in data
    assert data != serializer.dumps(pickle.loads(data))  # not what this gordo writes


def test_an_old_model_loads_and_answers_as_the_model_it_was(old_revision, old_model):
    loaded = serializer.load(old_revision / "old-model")
    scaler = loaded.base_estimator.steps[0][1]
    assert type(scaler) is MinMaxScaler and scaler.n_features_in_ == len(TAGS)
    X = training_frame(TAGS, rows=30, seed=5)
    frequency = pd.Timedelta("10min")
    pd.testing.assert_frame_equal(
        loaded.anomaly(X, X, frequency=frequency),
        old_model.anomaly(X, X, frequency=frequency),
        check_exact=True,
    )
    assert loaded.get_metadata() == old_model.get_metadata()


def test_the_server_serves_an_old_model(old_revision, old_model):
    model_store.MODELS.discard(lambda key: True)
    model_store.METADATA.discard(lambda key: True)
    client = build_app(
        {
            "MODEL_COLLECTION_DIR": str(old_revision),
            "PROJECT": PROJECT,
            "ENABLE_PROMETHEUS": "false",
            "PRELOAD_MODELS": "false",
        }
    ).test_client()
    X = training_frame(TAGS, rows=8, seed=6)
    response = client.post(
        f"/gordo/v0/{PROJECT}/old-model/anomaly/prediction",
        json={"X": utils.dataframe_to_dict(X), "y": utils.dataframe_to_dict(X)},
    )
    assert response.status_code == 200, response.json
    frame = utils.dataframe_from_dict(response.json["data"])
    np.testing.assert_allclose(
        frame["total-anomaly-scaled"].to_numpy(),
        old_model.anomaly(X, X)["total-anomaly-scaled"].to_numpy(),
        rtol=1e-6,
    )


@pytest.mark.parametrize("version", [0, 2, "1"])
def test_other_format_versions_are_refused_with_the_rebuild_command(old_revision, version):
    directory = old_revision / "old-model"
    manifest = json.loads((directory / "manifest.json").read_text())
    (directory / "manifest.json").write_text(json.dumps({**manifest, "format_version": version}))
    with pytest.raises(ArtifactError) as error:
        serializer.load(directory)
    message = str(error.value)
    assert f"unknown format_version {version!r}" in message and str(directory) in message
    assert "`gordo build`" in message and "`gordo build-project`" in message


def test_a_model_whose_classes_are_gone_is_refused_with_the_rebuild_command(old_revision):
    directory = old_revision / "old-model"
    data = (
        (directory / "model.pkl")
        .read_bytes()
        .replace(b"gordo.machine.model.anomaly.diff", b"gordo.machine.model.anomaly.gone")
    )
    (directory / "model.pkl").write_bytes(data)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"]["model.pkl"] = hashlib.sha256(data).hexdigest()
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError) as error:
        serializer.load(directory)
    message = str(error.value)
    assert "format_version 1, written by gordo 0.1.0" in message
    assert "`gordo build`" in message
