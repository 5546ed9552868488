"""Honest health: a model whose artifact does not verify or load is reported and refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gordo.server import model_store
from gordo.server.server import build_app
from tests.server.conftest import PROJECT, REVISION

BASE = f"/gordo/v0/{PROJECT}"


def _truncate(path: Path) -> None:
    data = (path / "model.pkl").read_bytes()
    (path / "model.pkl").write_bytes(data[: len(data) // 2])


def _flip_a_bit(path: Path) -> None:
    data = bytearray((path / "model.pkl").read_bytes())
    data[len(data) // 2] ^= 0x01
    (path / "model.pkl").write_bytes(bytes(data))


def _garble_manifest(path: Path) -> None:
    (path / "manifest.json").write_text('{"format": "gordo-model", "files": ')


@pytest.mark.parametrize(
    "damage, cause",
    [
        (_truncate, "checksum mismatch for model.pkl"),
        (_flip_a_bit, "checksum mismatch for model.pkl"),
        (_garble_manifest, "manifest.json is not valid JSON"),
    ],
)
def test_a_broken_model_is_unhealthy_and_its_routes_answer_503(
    app_config, tmp_path, damage, cause, monkeypatch
):
    monkeypatch.setattr(model_store, "RECHECK_AFTER", 0.0)  # look at the files on every request
    root = tmp_path / PROJECT
    shutil.copytree(Path(app_config["MODEL_COLLECTION_DIR"]).parent, root)
    model_store.MODELS.discard(lambda key: True)
    model_store.METADATA.discard(lambda key: True)
    client = build_app({**app_config, "MODEL_COLLECTION_DIR": str(root / REVISION)}).test_client()
    assert client.post(f"{BASE}/sk-model/prediction", json={"X": [1, 2, 3, 4]}).status_code == 200
    damage(root / REVISION / "sk-model")

    answers = [
        client.get(f"{BASE}/sk-model/healthcheck"),
        client.get(f"{BASE}/sk-model/metadata"),
        client.post(f"{BASE}/sk-model/prediction", json={"X": [1, 2, 3, 4]}),
        client.get(f"{BASE}/sk-model/download-model"),
    ]
    for response in answers:
        assert response.status_code == 503 and response.is_json, response.data
        assert "'sk-model'" in response.json["error"] and cause in response.json["error"]
        assert str(tmp_path) not in response.text
    index = {e["target"]: e for e in client.get(f"{BASE}/").json["endpoints"]}
    assert index["sk-model"]["healthy"] is False and cause in index["sk-model"]["error"]
    assert index["sk-model-2"]["healthy"] is True and "error" not in index["sk-model-2"]
    models = client.get(f"{BASE}/models").json
    assert "sk-model" in models["models"] and list(models["broken-models"]) == ["sk-model"]
    assert str(tmp_path) not in client.get(f"{BASE}/").text.replace(
        str(root / REVISION), ""
    )  # the metadata's documented env.MODEL_COLLECTION_DIR is the only path

    shutil.copytree(Path(app_config["MODEL_COLLECTION_DIR"]) / "sk-model", root / "fixed")
    shutil.rmtree(root / REVISION / "sk-model")
    (root / "fixed").rename(root / REVISION / "sk-model")
    assert client.get(f"{BASE}/sk-model/healthcheck").status_code == 200  # healthy once repaired


def test_a_model_that_verifies_but_does_not_load_is_unhealthy(app_config, tmp_path):
    from gordo import serializer

    root = tmp_path / PROJECT
    shutil.copytree(Path(app_config["MODEL_COLLECTION_DIR"]).parent, root)
    path = root / REVISION / "sk-model"
    metadata = serializer.load_metadata(path)
    serializer.dump_pickled(b"not a pickle", path, metadata)
    client = build_app({**app_config, "MODEL_COLLECTION_DIR": str(root / REVISION)}).test_client()
    response = client.get(f"{BASE}/sk-model/healthcheck")
    assert response.status_code == 503 and "cannot unpickle" in response.json["error"]
    assert str(tmp_path) not in response.text
    prediction = client.post(f"{BASE}/sk-model/prediction", json={"X": [1, 2, 3, 4]})
    assert prediction.status_code == 503 and "'sk-model'" in prediction.json["error"]
    index = {e["target"]: e for e in client.get(f"{BASE}/").json["endpoints"]}
    assert index["sk-model"]["healthy"] is False  # the worker remembers the failed load
