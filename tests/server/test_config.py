"""Server configuration from the environment and from build_app's dict."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from gordo.exceptions import ConfigException
from gordo.server.server import (
    Config,
    adapt_proxy_deployment,
    enable_prometheus,
    gunicorn_command,
    run_cmd,
)


def test_config_reads_the_documented_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MODEL_COLLECTION_DIR", str(tmp_path / "proj" / "123"))
    monkeypatch.setenv("EXPECTED_MODELS", '["a","b",]')
    monkeypatch.setenv("N_CACHED_MODELS", "5")
    monkeypatch.setenv("ENABLE_PROMETHEUS", "true")
    monkeypatch.delenv("PROJECT", raising=False)
    config = Config()
    assert config.PROJECT is None  # unset: any project name is served
    assert config.EXPECTED_MODELS == ["a", "b"]
    assert config.N_CACHED_MODELS == 5 and config.ENABLE_PROMETHEUS and enable_prometheus()
    assert Config({"PROJECT": "other", "N_CACHED_MODELS": 1}).PROJECT == "other"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"MODEL_COLLECTION_DIR": ""}, "MODEL_COLLECTION_DIR is not set"),
        ({"EXPECTED_MODELS": "{a: 1}"}, "EXPECTED_MODELS must be a list"),
        ({"EXPECTED_MODELS": "[a"}, "EXPECTED_MODELS is not a YAML/JSON list"),
        ({"N_CACHED_MODELS": "zero"}, "N_CACHED_MODELS must be a positive integer"),
        ({"MAX_CONTENT_LENGTH": "-1"}, "MAX_CONTENT_LENGTH must be a positive integer"),
    ],
)
def test_config_errors_name_the_variable(monkeypatch, tmp_path, overrides, message):
    monkeypatch.setenv("MODEL_COLLECTION_DIR", str(tmp_path))
    for key, value in overrides.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigException, match=message):
        Config()


def test_gunicorn_command_carries_every_option():
    cmd = gunicorn_command(
        "127.0.0.1",
        8000,
        3,
        "info",
        config_module="gordo.server.prometheus.gunicorn_config",
        worker_connections=10,
        threads=4,
        worker_class="sync",
        server_app="x:y()",
    )
    text = " ".join(cmd)
    for part in (
        "--bind 127.0.0.1:8000",
        "--workers 3",
        "--log-level info",
        "--config python:gordo.server.prometheus.gunicorn_config",
        "--worker-connections 10",
        "--threads 4",
        "--worker-class sync",
    ):
        assert part in text
    assert cmd[-1] == "x:y()"


def test_run_cmd_raises_as_documented_never_exits():
    run_cmd([sys.executable, "-c", "pass"])
    with pytest.raises(subprocess.CalledProcessError) as failed:
        run_cmd([sys.executable, "-c", "raise SystemExit(3)"])
    assert failed.value.returncode == 3
    with pytest.raises(OSError):
        run_cmd(["gordo-no-such-program"])
    with pytest.raises(OSError):
        run_cmd(["/nonexistent/gordo-no-such-program"])


def test_run_cmd_passes_sigterm_on_and_returns_when_the_command_ends_on_it(tmp_path):
    started = tmp_path / "started"
    child = f"import pathlib, time; pathlib.Path({str(started)!r}).touch(); time.sleep(60)"
    parent = (
        "import sys; from gordo.server.server import run_cmd\n"
        f"run_cmd([sys.executable, '-c', {child!r}])\n"
        "print('returned')"
    )
    process = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    for _ in range(600):
        if started.exists():
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and out.strip() == "returned"


def test_proxy_prefix_is_kept_out_of_the_path():
    seen = {}

    def app(environ, start_response):
        seen.update(script=environ.get("SCRIPT_NAME"), path=environ["PATH_INFO"])
        return []

    wrapped = adapt_proxy_deployment(app)
    wrapped(
        {"PATH_INFO": "/metadata", "HTTP_X_ENVOY_ORIGINAL_PATH": "/gordo/v0/p/m/metadata?x=1"}, None
    )
    assert seen == {"script": "/gordo/v0/p/m", "path": "/metadata"}
