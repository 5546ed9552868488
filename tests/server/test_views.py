"""The documented routes, through the app's test client."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gordo import serializer
from gordo.server import model_store, utils
from gordo.server.server import build_app
from tests.server.conftest import OLD_REVISION, PROJECT, REVISION, TAGS, TARGETS, training_frame

BASE = f"/gordo/v0/{PROJECT}"


def test_healthcheck_and_version_carry_the_revision_header(client):
    response = client.get("/healthcheck")
    assert response.status_code == 200
    assert response.headers["revision"] == REVISION
    version = client.get("/server-version").json
    assert version["revision"] == REVISION and version["version"]


def test_models_revisions_and_expected_models(client):
    assert client.get(f"{BASE}/models").json == {
        "models": ["ae-model", "sk-model", "sk-model-2"],
        "broken-models": {},
        "revision": REVISION,
    }
    revisions = client.get(f"{BASE}/revisions").json
    assert revisions["latest"] == REVISION
    assert revisions["available-revisions"] == [REVISION, OLD_REVISION]
    assert client.get(f"{BASE}/expected-models").json["expected-models"] == [
        "sk-model",
        "sk-model-2",
        "missing-model",
    ]


def test_project_index_lists_every_model_with_its_status(client):
    index = client.get(f"{BASE}/").json
    by_target = {entry["target"]: entry for entry in index["endpoints"]}
    assert set(by_target) == {"ae-model", "sk-model", "sk-model-2", "missing-model"}
    healthy = by_target["sk-model"]
    assert healthy["endpoint"] == f"{BASE}/sk-model"
    assert healthy["healthy"] is True and healthy["last-seen"]
    assert healthy["endpoint-metadata"]["metadata"]["name"] == "sk-model"
    assert set(healthy) == {
        "endpoint",
        "endpoint-metadata",
        "healthy",
        "last-checked",
        "last-seen",
        "target",
    }
    assert by_target["missing-model"]["healthy"] is False


@pytest.mark.parametrize(
    "X, rows",
    [([1.0, 2.0, 3.0, 4.0], 1), ([[1, 2, 3, 4], [5, 6, 7, 8]], 2)],
)
def test_prediction_with_lists(client, X, rows):
    response = client.post(f"{BASE}/sk-model/prediction", json={"X": X})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["revision"] == REVISION and float(body["time-seconds"]) >= 0
    data = body["data"]
    assert set(data) == {"model-input", "model-output", "start", "end"}
    assert list(data["model-input"]) == TAGS
    assert list(data["model-output"]) == TARGETS
    assert list(data["start"]["start"].values()) == [None] * rows


def test_prediction_with_a_time_indexed_frame_matches_the_model(client, collection_root):
    X = training_frame(TAGS, rows=5)
    response = client.post(f"{BASE}/sk-model/prediction", json={"X": utils.dataframe_to_dict(X)})
    assert response.status_code == 200, response.json
    data = response.json["data"]
    assert data["start"]["start"]["2020-01-01 00:10:00+00:00"] == "2020-01-01T00:10:00+00:00"
    assert set(data["end"]["end"].values()) == {None}
    frame = utils.dataframe_from_dict(data)
    model = serializer.load(collection_root / REVISION / "sk-model")
    np.testing.assert_allclose(frame["model-output"].to_numpy(), model.predict(X))
    assert (frame.index == X.index).all()


def test_prediction_reorders_named_columns(client):
    X = training_frame(TAGS, rows=3)
    shuffled = X[TAGS[::-1]]
    a = client.post(f"{BASE}/sk-model/prediction", json={"X": utils.dataframe_to_dict(X)}).json
    b = client.post(f"{BASE}/sk-model/prediction", json={"X": utils.dataframe_to_dict(shuffled)})
    assert a["data"]["model-output"] == b.json["data"]["model-output"]


def test_prediction_parquet_round_trip(client):
    X = training_frame(TAGS, rows=7)
    response = client.post(
        f"{BASE}/sk-model/prediction?format=parquet",
        data={"X": (_bytes_io(utils.dataframe_into_parquet_bytes(X)), "X")},
    )
    assert response.status_code == 200, response.json
    assert response.headers["revision"] == REVISION
    frame = utils.dataframe_from_parquet_bytes(response.data)
    assert frame.shape == (7, 4 + 2 + 2)
    assert list(frame["model-input"].columns) == TAGS
    np.testing.assert_allclose(frame["model-input"].to_numpy(), X.to_numpy())


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def test_metadata_and_model_healthcheck(client, collection_root):
    for route in ("metadata", "healthcheck"):
        body = client.get(f"{BASE}/sk-model/{route}").json
        assert body["metadata"]["dataset"]["tag_list"] == TAGS
        assert body["env"]["MODEL_COLLECTION_DIR"] == str(collection_root / REVISION)
        assert body["gordo-server-version"] and body["revision"] == REVISION


def test_download_model_gives_loadable_bytes(client):
    response = client.get(f"{BASE}/sk-model/download-model")
    assert response.status_code == 200
    model = serializer.loads(response.data)
    assert model.predict(training_frame(TAGS, rows=1)).shape == (1, 2)


@pytest.mark.parametrize("how", ["query", "header"])
def test_other_revision_is_served_on_request(client, how):
    kwargs = (
        {"query_string": {"revision": OLD_REVISION}}
        if how == "query"
        else {"headers": {"revision": OLD_REVISION}}
    )
    response = client.get(f"{BASE}/sk-model/metadata", **kwargs)
    assert response.status_code == 200
    assert response.json["revision"] == OLD_REVISION
    assert response.headers["revision"] == OLD_REVISION
    assert OLD_REVISION in response.json["env"]["MODEL_COLLECTION_DIR"]


@pytest.mark.parametrize("revision", ["123", "latest", "../x"])
def test_unknown_revision_is_gone(client, revision):
    response = client.get(f"{BASE}/models", query_string={"revision": revision})
    assert response.status_code == 410
    assert "evision" in response.json["error"]


def test_delete_refuses_the_current_revision_and_deletes_an_old_one(app_config, tmp_path):
    import shutil
    from pathlib import Path

    root = tmp_path / PROJECT
    shutil.copytree(Path(app_config["MODEL_COLLECTION_DIR"]).parent, root)
    config = {**app_config, "MODEL_COLLECTION_DIR": str(root / REVISION), "ALLOW_DELETE": "1"}
    client = build_app(config).test_client()
    current = client.delete(f"{BASE}/sk-model/revision/{REVISION}")
    assert current.status_code == 409 and "being served" in current.json["error"]
    assert (
        client.get(f"{BASE}/sk-model/metadata", headers={"revision": OLD_REVISION}).status_code
        == 200
    )
    deleted = client.delete(f"{BASE}/sk-model/revision/{OLD_REVISION}")
    assert deleted.status_code == 200 and deleted.json["ok"] is True
    assert not (root / OLD_REVISION / "sk-model").exists()
    gone = client.get(f"{BASE}/sk-model/metadata", headers={"revision": OLD_REVISION})
    assert gone.status_code == 404
    assert client.delete(f"{BASE}/sk-model/revision/999").status_code == 410


def test_models_load_once_and_the_cache_is_bounded(app_config):
    model_store.MODELS.discard(lambda key: True)
    client = build_app({**app_config, "N_CACHED_MODELS": "1"}).test_client()
    for name in ("sk-model", "sk-model", "sk-model-2"):
        assert client.post(f"{BASE}/{name}/prediction", json={"X": [1, 2, 3, 4]}).status_code == 200
    assert len(model_store.MODELS.keys()) == 1
    assert model_store.MODELS.keys()[0].endswith("sk-model-2")


def test_expected_models_are_preloaded_in_the_background(app_config):
    model_store.MODELS.discard(lambda key: True)
    config = {**app_config, "PRELOAD_MODELS": "true", "EXPECTED_MODELS": "[sk-model-2]"}
    app = build_app({**config, "N_CACHED_MODELS": "1"})
    assert app.extensions["gordo_preload"].wait(timeout=60)
    assert [Path(key).name for key in model_store.MODELS.keys()] == ["sk-model-2"]


def test_swagger_ui_is_served_from_local_assets(client):
    page = client.get("/")
    assert page.status_code == 200 and b"SwaggerUIBundle" in page.data
    assert b"http" not in page.data.split(b"<body>")[1]
    assert client.get("/swagger-ui/swagger-ui-bundle.js").status_code == 200
    doc = client.get("/openapi.json").json
    assert doc["openapi"].startswith("3.")
    routes = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in client.application.url_map.iter_rules()
    }
    documented = {p for p in doc["paths"] if p.startswith("/gordo")}
    served = {r for r in routes if r.startswith("/gordo")}
    assert documented <= served
    # the only routes not documented are the trailing-slash spellings of documented ones
    assert {r[:-1] for r in served - documented} <= documented


def test_prometheus_metrics_count_requests_by_route_and_model(app_config):
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry()
    client = build_app({**app_config, "ENABLE_PROMETHEUS": "true"}, registry).test_client()
    client.post(f"{BASE}/sk-model/prediction", json={"X": [1, 2, 3, 4]})
    client.post(f"{BASE}/sk-model/prediction/", json={"X": [1, 2]})  # same route, same label
    labels = {
        "method": "POST",
        "path": "/gordo/v0/<gordo_project>/<gordo_name>/prediction",
        "project": PROJECT,
        "model": "sk-model",
    }
    ok = registry.get_sample_value("gordo_server_requests_total", {**labels, "status_code": "200"})
    bad = registry.get_sample_value("gordo_server_requests_total", {**labels, "status_code": "400"})
    assert (ok, bad) == (1.0, 1.0)
    text = client.get("/metrics").text
    assert "gordo_server_request_duration_seconds_bucket" in text


def test_dataframe_dict_round_trip_keeps_two_level_columns():
    index = pd.date_range("2020-01-01", periods=3, freq="10min", tz="UTC")
    columns = pd.MultiIndex.from_tuples([("model-input", "a"), ("model-output", "a")])
    df = pd.DataFrame(np.arange(6.0).reshape(3, 2), index=index, columns=columns)
    back = utils.dataframe_from_dict(utils.dataframe_to_dict(df))
    pd.testing.assert_frame_equal(back, df, check_freq=False)
    parquet = utils.dataframe_from_parquet_bytes(utils.dataframe_into_parquet_bytes(df))
    pd.testing.assert_frame_equal(parquet, df, check_freq=False)


def _model_routes(client, base: str) -> dict[str, int]:
    """The status of every model route under ``base`` (POSTs carry a real body)."""
    X = training_frame(TAGS, rows=3)
    body = {"X": utils.dataframe_to_dict(X), "y": utils.dataframe_to_dict(X)}
    return {
        "healthcheck": client.get(f"{base}/ae-model/healthcheck").status_code,
        "metadata": client.get(f"{base}/ae-model/metadata").status_code,
        "download-model": client.get(f"{base}/ae-model/download-model").status_code,
        "prediction": client.post(f"{base}/ae-model/prediction", json=body).status_code,
        "anomaly": client.post(f"{base}/ae-model/anomaly/prediction", json=body).status_code,
        "models": client.get(f"{base}/models").status_code,
    }


def test_without_project_the_collection_is_served_under_any_project_name(app_config, monkeypatch):
    """As the original: with PROJECT unset, every model route answers whatever the project."""
    from prometheus_client import CollectorRegistry

    monkeypatch.delenv("PROJECT", raising=False)
    config = {key: value for key, value in app_config.items() if key != "PROJECT"}
    registry = CollectorRegistry()
    client = build_app({**config, "ENABLE_PROMETHEUS": "true"}, registry).test_client()
    for project in ("bench", PROJECT):
        assert set(_model_routes(client, f"/gordo/v0/{project}").values()) == {200}, project
    assert client.get("/gordo/v0/bench/models").json["models"][0] == "ae-model"
    labels = {"method": "GET", "path": "/gordo/v0/<gordo_project>/models", "model": ""}
    # the metrics name the project the request asked for
    count = registry.get_sample_value(
        "gordo_server_requests_total", {**labels, "status_code": "200", "project": "bench"}
    )
    assert count == 2.0
    # with PROJECT set, another project is still a 404
    assert _model_routes(build_app(app_config).test_client(), "/gordo/v0/bench")["metadata"] == 404


def test_documented_trailing_slash_spellings_reach_the_views(client):
    """``…/prediction/``, ``…/metadata/``, ``…/anomaly/prediction/``, ``…/download-model/``:
    the same answers as without the slash, with no redirect (a POST keeps its body)."""
    X = training_frame(TAGS, rows=3)
    body = {"X": utils.dataframe_to_dict(X), "y": utils.dataframe_to_dict(X)}
    for path, method in (
        ("ae-model/prediction", "post"),
        ("ae-model/anomaly/prediction", "post"),
        ("ae-model/metadata", "get"),
        ("ae-model/healthcheck", "get"),
        ("ae-model/download-model", "get"),
        ("models", "get"),
        ("revisions", "get"),
    ):
        call = getattr(client, method)
        kwargs = {"json": body} if method == "post" else {}
        plain, slashed = call(f"{BASE}/{path}", **kwargs), call(f"{BASE}/{path}/", **kwargs)
        assert slashed.status_code == plain.status_code == 200, (path, slashed.status_code)
        if slashed.is_json:
            drop = {"time-seconds"}
            assert {k: v for k, v in slashed.json.items() if k not in drop} == {
                k: v for k, v in plain.json.items() if k not in drop
            }, path
        else:
            assert slashed.data == plain.data, path
