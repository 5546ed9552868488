"""Server start-up: libraries imported once in gunicorn's master, models per worker, /ready."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import requests

from gordo.server import model_store, startup
from gordo.server.server import build_app
from tests.server.conftest import PROJECT, REVISION
from tests.servers import running_server


def test_the_master_imports_the_serving_libraries_without_starting_a_thread():
    code = (
        "import json, os, sys\n"
        "from gordo.server import startup\n"
        "startup.prepare_master()\n"
        "print(json.dumps({'threads': len(os.listdir('/proc/self/task')),\n"
        "  'imported': [m for m in startup.SERVING_MODULES if m in sys.modules],\n"
        "  'heavy': [m for m in ('keras', 'jax', 'tensorflow', 'torch') if m in sys.modules]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {"threads": 1, "imported": list(startup.SERVING_MODULES), "heavy": []}


def test_ready_waits_for_the_worker_start_then_for_the_models(app_config, monkeypatch):
    model_store.MODELS.discard(lambda key: True)
    monkeypatch.setattr(startup, "_AFTER_FORK", [])  # as in gunicorn's master
    config = {**app_config, "PRELOAD_MODELS": "true", "N_CACHED_MODELS": "2"}
    app = build_app({**config, "EXPECTED_MODELS": "[sk-model-2, missing-model]"})
    client = app.test_client()
    waiting = client.get("/ready")
    assert waiting.status_code == 503
    assert waiting.json["loading"] == ["sk-model-2", "ae-model"] and not waiting.json["ready"]
    assert model_store.MODELS.keys() == []  # nothing loads before the fork
    startup.start_worker(workers=1)
    assert app.extensions["gordo_preload"].wait(timeout=120)
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json["loaded"] == ["sk-model-2", "ae-model"]
    assert ready.json["missing"] == ["missing-model"] and ready.json["failed"] == {}
    assert client.get("/healthcheck").status_code == 200


def test_without_preloading_the_server_is_ready_at_once(client):
    answer = client.get("/ready")
    assert answer.status_code == 200 and answer.json["loaded"] == []


def test_a_model_that_fails_to_load_is_reported_and_does_not_block_readiness(app_config, tmp_path):
    revision = tmp_path / PROJECT / REVISION
    (revision / "broken").mkdir(parents=True)
    (revision / "broken" / "model.pkl").write_bytes(b"not a model")
    config = {**app_config, "MODEL_COLLECTION_DIR": str(revision), "PRELOAD_MODELS": "true"}
    app = build_app({**config, "EXPECTED_MODELS": "[broken]"})
    assert app.extensions["gordo_preload"].wait(timeout=60)
    answer = app.test_client().get("/ready")
    assert answer.status_code == 200 and list(answer.json["failed"]) == ["broken"]


@pytest.mark.integration
def test_run_server_preloads_in_the_master_and_is_ready_when_every_worker_is(collection_root):
    env = {
        "MODEL_COLLECTION_DIR": str(collection_root / REVISION),
        "PROJECT": PROJECT,
        "EXPECTED_MODELS": "[sk-model]",
        "N_CACHED_MODELS": "1",
    }
    shm_before = set(Path("/dev/shm").glob("gordo-ready-*"))
    with running_server(["--workers", "2", "--threads", "2"], env) as url:
        answer = _wait_until_ready(url)
        assert answer == {
            "ready": True,
            "loaded": ["sk-model"],
            "failed": {},
            "loading": [],
            "missing": [],
            "workers": 2,
            "workers-ready": 2,
        }
        master = _gunicorn_master(url)
        # the master imported scikit-learn (its libraries are mapped) and shares it
        maps = Path(f"/proc/{master.pid}/maps").read_text()
        assert "sklearn" in maps and "pandas" in maps
        assert len(master.children()) == 2
        prediction = requests.post(
            f"{url}/gordo/v0/{PROJECT}/sk-model/prediction", json={"X": [[1, 2, 3, 4]]}, timeout=30
        )
        assert prediction.status_code == 200, prediction.text
    assert set(Path("/dev/shm").glob("gordo-ready-*")) == shm_before


def _wait_until_ready(url: str, timeout: float = 60) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while True:
        answer = requests.get(f"{url}/ready", timeout=timeout)
        if answer.status_code == 200 or time.monotonic() > deadline:
            return answer.json()
        assert answer.status_code == 503, answer.text
        time.sleep(0.05)


def _gunicorn_master(url: str) -> psutil.Process:
    """The gunicorn master (``gordo run-server``) listening on ``url``."""
    port = int(url.rsplit(":", 1)[1])
    for connection in psutil.net_connections("tcp"):
        if connection.laddr.port == port and connection.status == psutil.CONN_LISTEN:
            process = psutil.Process(connection.pid)
            parent = process.parent()
            is_worker = parent is not None and parent.cmdline() == process.cmdline()
            return parent if is_worker else process
    raise AssertionError(f"nothing listens on {url}")


def test_ready_counts_the_workers_that_are_done(app_config, monkeypatch):
    monkeypatch.setattr(startup, "_AFTER_FORK", [])  # restored after the test, as is
    monkeypatch.setattr(startup, "_WORKERS", 1)  # what share_readiness and start_worker set
    app = build_app({**app_config, "PRELOAD_MODELS": "true", "EXPECTED_MODELS": "[sk-model]"})
    client = app.test_client()
    startup.share_readiness(workers=2)
    ready_dir = startup._READY_DIR
    try:
        startup.start_worker(workers=2)  # this process plays the first worker
        assert app.extensions["gordo_preload"].wait(timeout=60)
        half = client.get("/ready")
        assert half.status_code == 503
        assert (half.json["workers"], half.json["workers-ready"]) == (2, 1)
        (ready_dir / "1").touch()  # a second worker is done
        assert client.get("/ready").status_code == 200
        startup.forget_worker(1)  # it exited: its successor has not loaded yet
        assert client.get("/ready").status_code == 503
    finally:
        startup.stop_sharing()
    assert not ready_dir.exists()


def test_readiness_probes_are_not_counted_in_the_metrics(app_config):
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry()
    client = build_app({**app_config, "ENABLE_PROMETHEUS": "true"}, registry).test_client()
    assert client.get("/ready").status_code == 200
    assert "/ready" not in client.get("/metrics").text
