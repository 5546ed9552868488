"""Revisions on disk: deleting old models safely, incomplete revisions, bad revision names."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gordo.server.server import build_app
from gordo.util import revision_manifest
from tests.server.conftest import OLD_REVISION, PROJECT, REVISION

BASE = f"/gordo/v0/{PROJECT}"


@pytest.fixture
def own_root(app_config, tmp_path) -> Path:
    """A copy of the test collection this test may change."""
    root = tmp_path / PROJECT
    shutil.copytree(Path(app_config["MODEL_COLLECTION_DIR"]).parent, root)
    return root


def test_delete_is_off_by_default_and_names_the_switch(app_config, own_root):
    config = {**app_config, "MODEL_COLLECTION_DIR": str(own_root / REVISION)}
    response = build_app(config).test_client().delete(f"{BASE}/sk-model/revision/{OLD_REVISION}")
    assert response.status_code == 403 and "GORDO_SERVER_ALLOW_DELETE" in response.json["error"]
    assert (own_root / OLD_REVISION / "sk-model").is_dir()


def test_delete_refuses_the_served_revision_behind_a_symlink(app_config, own_root):
    (own_root / "current").symlink_to(own_root / REVISION, target_is_directory=True)
    config = {
        **app_config,
        "MODEL_COLLECTION_DIR": str(own_root / "current"),
        "ALLOW_DELETE": "true",
    }
    client = build_app(config).test_client()
    response = client.delete(f"{BASE}/sk-model/revision/{REVISION}")
    assert response.status_code == 409 and "being served" in response.json["error"]
    assert (own_root / REVISION / "sk-model").is_dir()
    assert str(own_root) not in response.text


def test_delete_refuses_a_model_linked_into_the_served_revision(app_config, own_root):
    shutil.rmtree(own_root / OLD_REVISION / "sk-model")
    os.symlink(own_root / REVISION / "sk-model", own_root / OLD_REVISION / "sk-model")
    config = {
        **app_config,
        "MODEL_COLLECTION_DIR": str(own_root / REVISION),
        "ALLOW_DELETE": "true",
    }
    response = build_app(config).test_client().delete(f"{BASE}/sk-model/revision/{OLD_REVISION}")
    assert response.status_code == 409, response.json
    assert (own_root / REVISION / "sk-model" / "model.pkl").is_file()


def test_an_incomplete_revision_is_listed_as_such_and_refused(app_config, own_root, caplog):
    revision_manifest.mark_started(own_root / OLD_REVISION, ["sk-model", "sk-model-2", "x"])
    config = {**app_config, "MODEL_COLLECTION_DIR": str(own_root / REVISION)}
    client = build_app(config).test_client()
    assert f"did not finish), refused (409): {OLD_REVISION}" in caplog.text
    revisions = client.get(f"{BASE}/revisions").json
    assert revisions["available-revisions"] == [REVISION, OLD_REVISION]
    assert revisions["incomplete-revisions"] == [OLD_REVISION]
    refused = client.get(f"{BASE}/models?revision={OLD_REVISION}")
    assert refused.status_code == 409
    assert "incomplete" in refused.json["error"] and "--allow-incomplete" in refused.json["error"]
    allowed = build_app({**config, "ALLOW_INCOMPLETE": "true"}).test_client()
    assert allowed.get(f"{BASE}/models?revision={OLD_REVISION}").status_code == 200
    revision_manifest.mark_complete(own_root / OLD_REVISION, {"sk-model": "built"})
    assert client.get(f"{BASE}/models?revision={OLD_REVISION}").status_code == 200
    assert client.get(f"{BASE}/revisions").json["incomplete-revisions"] == []


def test_serving_an_incomplete_revision_needs_the_switch(app_config, own_root):
    from gordo.exceptions import ConfigException

    revision_manifest.mark_started(own_root / REVISION, ["sk-model"])
    config = {**app_config, "MODEL_COLLECTION_DIR": str(own_root / REVISION)}
    with pytest.raises(ConfigException, match="incomplete.*--allow-incomplete"):
        build_app(config)
    build_app({**config, "ALLOW_INCOMPLETE": "true"})


@pytest.mark.parametrize("where", ["query", "header"])
def test_an_over_long_revision_is_a_4xx_without_server_paths(client, app_config, where):
    revision = "9" * 300
    if where == "query":
        response = client.get(f"{BASE}/models?revision={revision}")
    else:
        response = client.get(f"{BASE}/models", headers={"revision": revision})
    assert 400 <= response.status_code < 500, response.text
    assert str(Path(app_config["MODEL_COLLECTION_DIR"]).parent) not in response.text


def test_a_model_of_an_incomplete_revision_can_be_deleted(app_config, own_root):
    revision_manifest.mark_started(own_root / OLD_REVISION, ["sk-model"])
    config = {**app_config, "MODEL_COLLECTION_DIR": str(own_root / REVISION), "ALLOW_DELETE": "true"}
    response = build_app(config).test_client().delete(f"{BASE}/sk-model/revision/{OLD_REVISION}")
    assert response.status_code == 200, response.json
    assert not (own_root / OLD_REVISION / "sk-model").exists()
