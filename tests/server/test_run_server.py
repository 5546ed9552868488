"""``gordo run-server`` in a subprocess on 127.0.0.1, queried over HTTP."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import requests

from gordo.server import utils
from tests.server.conftest import PROJECT, REVISION, TAGS, training_frame
from tests.servers import free_port, run_server_command, running_server

BASE = f"/gordo/v0/{PROJECT}"


@pytest.mark.integration
def test_run_server_serves_models_and_sums_metrics_over_workers(collection_root, tmp_path):
    metrics_dir = tmp_path / "metrics"
    env = {
        "MODEL_COLLECTION_DIR": str(collection_root / REVISION),
        "PROJECT": PROJECT,
        "ENABLE_PROMETHEUS": "true",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "EXPECTED_MODELS": "[sk-model]",
        "N_CACHED_MODELS": "1",
    }
    args = ["--workers", "2", "--threads", "2", "--with-prometheus-config"]
    with running_server(args, env) as url:
        X = training_frame(TAGS, rows=4)
        n_requests = 6
        with requests.Session() as session:
            for _ in range(n_requests):
                response = session.post(
                    f"{url}{BASE}/sk-model/prediction",
                    json={"X": utils.dataframe_to_dict(X)},
                    timeout=30,
                )
                assert response.status_code == 200, response.text
        assert response.headers["revision"] == REVISION
        frame = utils.dataframe_from_dict(response.json()["data"])
        assert list(frame["model-input"].columns) == TAGS and len(frame) == 4
        parquet = requests.post(
            f"{url}{BASE}/sk-model/prediction?format=parquet",
            files={"X": utils.dataframe_into_parquet_bytes(X)},
            timeout=30,
        )
        assert utils.dataframe_from_parquet_bytes(parquet.content).shape == (4, 8)
        assert requests.get(f"{url}{BASE}/expected-models", timeout=5).json()[
            "expected-models"
        ] == ["sk-model"]
        metrics = requests.get(f"{url}/metrics", timeout=5).text
        with running_server(
            ["--workers", "1", "--server-app", "gordo.server.prometheus.server:build_app()"], env
        ) as sidecar:
            sidecar_metrics = requests.get(f"{sidecar}/metrics", timeout=5).text
    for text in (metrics, sidecar_metrics):
        assert _count(text, "prediction", "200") == n_requests + 1
    assert list(Path(metrics_dir).glob("*.db"))


def _count(text: str, path_suffix: str, status: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("gordo_server_requests_total{") and f'status_code="{status}"' in line:
            if f'{path_suffix}"' in line and "anomaly" not in line:
                total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.integration
def test_run_server_without_collection_dir_fails_clearly(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MODEL_COLLECTION_DIR"}
    result = subprocess.run(
        run_server_command(free_port(), "--workers", "1", "--log-level", "error"),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "MODEL_COLLECTION_DIR is not set" in result.stdout + result.stderr


@pytest.mark.integration
def test_run_server_answers_json_at_the_edges(collection_root, tmp_path):
    """gunicorn's own 414, a chunked body over the limit, an incomplete revision allowed."""
    import shutil

    from gordo.util import revision_manifest

    root = tmp_path / PROJECT
    shutil.copytree(collection_root, root)
    revision_manifest.mark_started(root / REVISION, ["sk-model"])
    env = {
        "MODEL_COLLECTION_DIR": str(root / REVISION),
        "PROJECT": PROJECT,
        "GORDO_SERVER_MAX_CONTENT_LENGTH": "1000",
    }
    with running_server(["--workers", "1", "--allow-incomplete"], env) as url:
        too_long = requests.get(f"{url}{BASE}/{'m' * 9000}/metadata", timeout=10)
        assert too_long.status_code == 414
        assert too_long.json()["status-code"] == 414 and "URI Too Long" in too_long.json()["error"]

        def chunks():
            for _ in range(100):
                yield b'{"X": [' + b"1.0, " * 20

        chunked = requests.post(f"{url}{BASE}/sk-model/prediction", data=chunks(), timeout=10)
        assert chunked.status_code == 413 and "limit of 1000 bytes" in chunked.json()["error"]
        revisions = requests.get(f"{url}{BASE}/revisions", timeout=10).json()
        assert revisions["incomplete-revisions"] == [REVISION]
        one = requests.post(
            f"{url}{BASE}/sk-model/prediction", data=iter([b'{"X": [1, 2, 3, 4]}']), timeout=10
        )
        assert one.status_code == 200, one.text
