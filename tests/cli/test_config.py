"""``gordo config validate`` run as a real CLI process on good and broken projects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gordo.cli.cli import gordo

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "workflow" / "config_elements" / "data"
GORDO = Path(sys.executable).parent / "gordo"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(GORDO), "config", "validate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def _files(path: Path) -> set[Path]:
    return set(path.rglob("*"))


@pytest.mark.integration
def test_good_project_prints_one_line_per_machine(tmp_path):
    result = run(str(DATA / "project-good.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "pump-1: 2 tags, 2018-01-01T00:00:00+00:00 to 2018-01-05T00:00:00+00:00, sklearn.pipeline.Pipeline",
        "pump-2: 3 tags, 2018-01-01T00:00:00+01:00 to 2018-01-03T00:00:00+01:00, sklearn.pipeline.Pipeline",
        "OK: 2 machines in project 'good-project'",
    ]
    assert _files(tmp_path) == set(), "validate writes nothing"


@pytest.mark.integration
def test_broken_project_lists_every_problem_and_exits_100(tmp_path):
    result = run(str(DATA / "project-broken.yaml"), "--project-name", "proj", cwd=tmp_path)
    assert result.returncode == 100
    assert result.stdout == ""
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert lines[0].startswith("Error (ConfigValidationError): 9 problems in the configuration ")
    assert lines[1:10] == [
        "globals: runtime.influx.resources.requests.memory: Resource descriptions must be integers, and '321M' is not.",
        "machines[0] 'Pump_1': name: 'Pump_1' is not a valid Gordo url value. Only lower-case alphanumeric with dashes allowed.",
        "machines[1] 'pump-2': dataset.tags: Requires setting a non-empty list of strings",
        "machines[1] 'pump-2': dataset.train_start_date: must be timezone-aware (add a timezone, e.g. 2020-01-01T00:00:00Z or 2020-01-01T00:00:00+00:00)",
        "machines[2] 'pump-2': name: duplicate of machines[1]",
        "machines[2] 'pump-2': dataset.tags: is required: a non-empty list of tags",
        "machines[2] 'pump-2': dataset.train_end_date: must be after train_start_date (2020-03-01T00:00:00+00:00), got 2020-02-01T00:00:00+00:00",
        "machines[3] 'pump-4': model: Cannot import 'sklearn.decomposition.PCX': module 'sklearn.decomposition' has no attribute 'PCX'; did you mean: sklearn.decomposition.PCA?",
        "machines[4]: name: is empty",
    ]
    assert _files(tmp_path) == set()


@pytest.mark.integration
def test_yaml_syntax_error_and_missing_file(tmp_path):
    result = run(str(DATA / "project-syntax-error.yaml"), cwd=tmp_path)
    assert result.returncode == 100
    assert "project-syntax-error.yaml, line 5, column 23: expected ',' or ']'" in result.stderr
    missing = run(str(tmp_path / "missing.yaml"), cwd=tmp_path)
    assert missing.returncode == 30
    assert f"Unable to find config file {tmp_path / 'missing.yaml'}" in missing.stderr


def test_project_name_defaults_and_data_provider_option(tmp_path):
    config = tmp_path / "plain-project.yaml"
    config.write_text(
        "machines:\n  - name: m-1\n    dataset:\n      tags: [a]\n"
        "      train_start_date: 2020-01-01T00:00:00Z\n      train_end_date: 2020-01-02T00:00:00Z\n"
        "globals:\n  model: sklearn.decomposition.PCA\n"
    )
    runner = CliRunner()
    result = runner.invoke(gordo, ["config", "validate", str(config)])
    assert result.exit_code == 100
    assert "machines[0] 'm-1': dataset.data_provider: is empty" in result.output
    result = runner.invoke(
        gordo, ["config", "validate", str(config), "--default-data-provider", "RandomDataProvider"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "OK: 1 machine in project 'plain-project'"
    result = runner.invoke(
        gordo,
        ["config", "validate", str(config), "--project-name", "x" * 60],
        env={"WORKFLOW_GENERATOR_DEFAULT_DATA_PROVIDER": "RandomDataProvider"},
    )
    assert result.exit_code == 100
    assert "the server host name 'gordoserver-xxx" in result.output


def test_an_unusable_default_project_name_is_a_usage_error(tmp_path):
    config = tmp_path / "Project_File.yaml"
    config.write_text("machines: []\n")
    result = CliRunner().invoke(gordo, ["config", "validate", str(config)])
    assert result.exit_code == 2
    assert "--project-name" in result.output and "'Project_File' is not a valid" in result.output
    result = CliRunner().invoke(gordo, ["config", "validate", str(config), "--project-name", "p"])
    assert result.exit_code == 0 and "OK: 0 machines in project 'p'" in result.output


def test_help_has_an_example():
    result = CliRunner().invoke(gordo, ["config", "validate", "--help"])
    assert result.exit_code == 0
    assert "gordo config validate examples/project.yaml" in result.output
    assert "config" in CliRunner().invoke(gordo, ["--help"]).output
