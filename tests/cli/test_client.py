"""``gordo client`` in a subprocess, against ``gordo run-server`` and a real InfluxDB."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import requests
from click.testing import CliRunner

import gordo.workflow.workflow_generator as workflow_generator
from gordo import serializer
from gordo.cli.cli import gordo as gordo_cli
from tests.client.project import (  # project_dir and server_url are fixtures
    BAD_REVISION,
    END,
    PROJECT,
    START,
    project_dir,  # noqa: F401
    server_url,  # noqa: F401
)

pytestmark = pytest.mark.integration

TEMPLATE = Path(workflow_generator.__file__).parent / "resources" / "argo-workflow.yml.template"


def workflow_client_command() -> str:
    """The ``gordo client predict`` command of the workflow's gordo-client script."""
    text = TEMPLATE.read_text()
    match = re.search(r"^ *(gordo client predict .*?[^\\])\n", text, re.MULTILINE | re.DOTALL)
    assert match, f"no 'gordo client predict' command in {TEMPLATE}"
    return match.group(1)


def server_env(url: str) -> dict[str, str]:
    host, port = url.removeprefix("http://").split(":")
    return {
        **os.environ,
        "GORDO_CLIENT_PROJECT": PROJECT,
        "GORDO_CLIENT_HOST": host,
        "GORDO_CLIENT_PORT": port,
        "GORDO_CLIENT_SCHEME": "http",
    }


def gordo(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gordo", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_workflow_command_writes_to_influx(server_url, influxdb_url):  # noqa: F811
    command = workflow_client_command()
    words = command.replace("\\\n", " ").split()
    assert "--influx-recreate-db --forward-resampled-sensors --parallelism 2" in " ".join(words)
    env = {
        **server_env(server_url),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "GORDO_CLIENT_TARGET": "ae-model",
        "GORDO_TRAIN_START_DATE": START,
        "DATA_PROVIDER": json.dumps({"type": "RandomDataProvider", "min_size": 300}),
        "GORDO_CLIENT_PREDICT_INFLUX_URI": f":@{influxdb_url.removeprefix('http://')}//feeder",
        "GORDO_CLIENT_INFLUX_RECREATE_DB": "true",
        "GORDO_CLIENT_METADATA": "version,1700000000000",
        "GORDO_LOG_LEVEL": "WARNING",
    }
    script = f'set -euo pipefail\nend="{END}"\n{command}\n'
    result = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ae-model: 144 rows, ok"
    answer = requests.get(
        f"{influxdb_url}/query",
        params={"db": "feeder", "q": 'SELECT count(*) FROM "resampled" GROUP BY "tag", "version"'},
        timeout=10,
    ).json()
    series = answer["results"][0]["series"]
    assert {(s["tags"]["tag"], s["tags"]["version"], s["values"][0][1]) for s in series} == {
        (tag, "1700000000000", 144) for tag in ("TAG-1", "TAG-2", "TAG-3")
    }


def test_predict_into_csv_files(server_url, tmp_path):  # noqa: F811
    out = tmp_path / "predictions"
    args = ["client", "predict", START, END, "--target", "sk-model"]
    result = gordo(
        *args, "--output-dir", str(out), "--output-format", "csv", env=server_env(server_url)
    )
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out / "sk-model.csv", header=[0, 1], index_col=0)
    assert len(frame) == 144
    assert sorted(p.name for p in out.iterdir()) == ["sk-model.csv"]


def test_failures_are_summarised_with_a_non_zero_exit(server_url):  # noqa: F811
    env = server_env(server_url)
    result = gordo("client", "--revision", BAD_REVISION, "predict", START, END, env=env)
    assert result.returncode == 1
    assert result.stdout.strip() == "bad-model: 0 rows, 1 error(s)"
    assert "1 failure(s):" in result.stderr
    assert "Machine 'bad-model', rows 0-143" in result.stderr
    assert "POST /gordo/v0/client-project/bad-model/prediction answered 400" in result.stderr
    unknown = gordo("client", "predict", START, END, "--target", "nope", env=env)
    assert unknown.returncode != 0
    assert "serves no model 'nope'" in unknown.stderr


def test_metadata_and_download_model(server_url, tmp_path):  # noqa: F811
    env = server_env(server_url)
    shown = gordo("client", "metadata", "--target", "sk-model", env=env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["sk-model"]["name"] == "sk-model"
    downloaded = gordo("client", "download-model", str(tmp_path), "--target", "sk-model", env=env)
    assert downloaded.returncode == 0, downloaded.stderr
    model = serializer.load(tmp_path / "sk-model")
    assert type(model).__name__ == "Pipeline"
    assert serializer.load_metadata(tmp_path / "sk-model")["name"] == "sk-model"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data-provider", '{"type": "NoSuchProvider"}'], "--data-provider (DATA_PROVIDER): "),
        (["--data-provider", "[1, 2]"], "--data-provider (DATA_PROVIDER) must be a mapping"),
        (["--metadata", "version"], "'version' is not KEY,VALUE"),
    ],
)
def test_bad_options_are_named(args, message):
    cli_args = ["client", "--project", PROJECT, "predict", START, END, *args]
    result = CliRunner().invoke(gordo_cli, cli_args)
    assert result.exit_code in (2, 100)
    assert message in result.output


def test_project_is_required_but_not_for_help():
    runner = CliRunner(env={"GORDO_CLIENT_PROJECT": None})
    assert runner.invoke(gordo_cli, ["client", "predict", "--help"]).exit_code == 0
    result = runner.invoke(gordo_cli, ["client", "predict", START, END])
    assert result.exit_code == 2
    assert "Missing option '--project' (or env GORDO_CLIENT_PROJECT)" in result.output
