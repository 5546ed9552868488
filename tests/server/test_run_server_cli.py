"""`gordo run-server`: documented options, defaults and environment variables."""

from __future__ import annotations

from click.testing import CliRunner

from gordo.cli.cli import gordo
from gordo.cli.server import run_server_cli

DOCUMENTED = {
    "host": ("0.0.0.0", "GORDO_SERVER_HOST"),
    "port": (5555, "GORDO_SERVER_PORT"),
    "workers": (2, "GORDO_SERVER_WORKERS"),
    "worker_connections": (50, "GORDO_SERVER_WORKER_CONNECTIONS"),
    "threads": (8, "GORDO_SERVER_THREADS"),
    "worker_class": ("gthread", "GORDO_SERVER_WORKER_CLASS"),
    "log_level": ("debug", "GORDO_SERVER_LOG_LEVEL"),
    "server_app": ("gordo.server.server:build_app()", "GORDO_SERVER_APP"),
}


def test_options_have_the_documented_defaults_and_env_vars():
    params = {p.name: p for p in run_server_cli.params}
    for name, (default, envvar) in DOCUMENTED.items():
        assert params[name].default == default, name
        assert params[name].envvar == envvar, name
    assert params["with_prometheus_config"].is_flag


def test_help_has_an_example_and_env_values_are_validated():
    runner = CliRunner()
    result = runner.invoke(gordo, ["run-server", "--help"])
    assert result.exit_code == 0 and "gordo run-server --host 127.0.0.1" in result.output
    bad = runner.invoke(gordo, ["run-server"], env={"GORDO_SERVER_PORT": "not-a-port"})
    assert bad.exit_code == 2 and "--port" in bad.output


def test_missing_collection_dir_is_one_line_before_gunicorn_starts(monkeypatch):
    monkeypatch.delenv("MODEL_COLLECTION_DIR", raising=False)
    result = CliRunner().invoke(gordo, ["run-server", "--host", "127.0.0.1", "--port", "1"])
    assert result.exit_code == 100
    assert "MODEL_COLLECTION_DIR is not set" in result.output


def test_an_incomplete_revision_is_refused_before_gunicorn_starts(tmp_path, monkeypatch):
    from gordo.util import revision_manifest

    revision = tmp_path / "project" / "1700000000000"
    revision_manifest.mark_started(revision, ["a"])
    monkeypatch.setenv("MODEL_COLLECTION_DIR", str(revision))
    monkeypatch.delenv("GORDO_SERVER_ALLOW_INCOMPLETE", raising=False)
    # an address gunicorn cannot bind: were the revision not refused first, gunicorn would stop
    result = CliRunner().invoke(gordo, ["run-server", "--host", "256.0.0.1", "--port", "1"])
    assert result.exit_code == 100
    assert "incomplete revision" in result.output and "--allow-incomplete" in result.output
