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
    config = tmp_path / "project.v2.yaml"
    config.write_text(
        "machines:\n  - name: m-1\n    dataset:\n      tags: [a]\n"
        "      train_start_date: 2020-01-01T00:00:00Z\n      train_end_date: 2020-01-02T00:00:00Z\n"
        "      data_provider: {type: RandomDataProvider}\n    model: sklearn.decomposition.PCA\n"
    )
    result = CliRunner().invoke(gordo, ["config", "validate", str(config)])
    assert result.exit_code == 2
    assert "--project-name" in result.output and "'project.v2' is not a valid" in result.output
    result = CliRunner().invoke(gordo, ["config", "validate", str(config), "--project-name", "p"])
    assert result.exit_code == 0 and "OK: 1 machine in project 'p'" in result.output


def test_help_has_an_example():
    result = CliRunner().invoke(gordo, ["config", "validate", "--help"])
    assert result.exit_code == 0
    assert "gordo config validate example-data/example-plant.yaml" in result.output
    assert "config" in CliRunner().invoke(gordo, ["--help"]).output


def _project(tmp_path: Path, model: str, extra: str = "") -> Path:
    config = tmp_path / "proj.yaml"
    config.write_text(
        f"{extra}machines:\n  - name: m-1\n    dataset:\n      tags: [a, b]\n"
        "      train_start_date: 2020-01-01T00:00:00Z\n      train_end_date: 2020-01-02T00:00:00Z\n"
        "      data_provider: {type: RandomDataProvider}\n"
        f"    model:\n{model}"
    )
    return config


POPEN = "      subprocess.Popen: {args: [touch, %s]}\n"


@pytest.mark.integration
def test_a_definition_outside_the_allow_list_is_refused_by_every_command(tmp_path):
    marker = tmp_path / "pwned"
    config = _project(tmp_path, POPEN % marker)
    result = run(str(config), cwd=tmp_path)
    assert result.returncode == 100, result.stderr
    assert "machines[0] 'm-1': model: 'subprocess.Popen' is not allowed" in result.stderr
    assert "add 'subprocess' to the project config's allowed_imports list" in result.stderr
    assert "GORDO_ALLOWED_IMPORTS" in result.stderr
    runner = CliRunner()
    generate = runner.invoke(
        gordo, ["workflow", "generate", "--machine-config", str(config), "--project-name", "p",
                "--argo-version", "3.5.0"],
    )
    assert generate.exit_code == 100 and "'subprocess.Popen' is not allowed" in generate.output
    built = runner.invoke(gordo, ["build-project", str(config), str(tmp_path / "models")])
    assert built.exit_code == 100 and "'subprocess.Popen' is not allowed" in built.output
    assert not marker.exists()


def test_nested_definitions_and_module_attributes_are_refused(tmp_path):
    marker = tmp_path / "pwned"
    pipeline = "      sklearn.pipeline.Pipeline:\n        steps:\n          - %s\n"
    function = pipeline % "sklearn.preprocessing.FunctionTransformer: {func: os.system}"
    result = CliRunner().invoke(gordo, ["config", "validate", str(_project(tmp_path, function))])
    assert result.exit_code == 100, result.output
    assert "'os.system' is not allowed" in result.output
    assert "(at sklearn.pipeline.Pipeline.steps[0].func)" in result.output
    attribute = pipeline % f"gordo.demo.subprocess.Popen: {{args: [touch, {marker}]}}"
    result = CliRunner().invoke(gordo, ["config", "validate", str(_project(tmp_path, attribute))])
    assert result.exit_code == 100, result.output
    assert "'gordo.demo.subprocess.Popen' is not allowed (it is defined in 'subprocess')" in (
        result.output
    )
    assert not marker.exists()


def test_allowed_imports_extend_the_list_and_validate_calls_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("GORDO_ALLOWED_IMPORTS")  # tests/conftest.py allows 'tests'
    marker = tmp_path / "constructed"
    monkeypatch.setenv("GORDO_TEST_MARKER", str(marker))
    recording = "      tests.serializer.custom_estimators.Recording: {n_components: 2}\n"
    runner = CliRunner()
    refused = runner.invoke(gordo, ["config", "validate", str(_project(tmp_path, recording))])
    assert refused.exit_code == 100
    assert "'tests.serializer.custom_estimators.Recording' is not allowed" in refused.output
    config = _project(tmp_path, recording, extra="allowed_imports: [tests.serializer]\n")
    result = runner.invoke(gordo, ["config", "validate", str(config)])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("GORDO_ALLOWED_IMPORTS", "tests.serializer.custom_estimators")
    result = runner.invoke(gordo, ["config", "validate", str(_project(tmp_path, recording))])
    assert result.exit_code == 0, result.output
    assert not marker.exists(), "validate must not call the classes a definition names"
    bad_parameter = "      tests.serializer.custom_estimators.Recording: {n_componets: 2}\n"
    result = runner.invoke(gordo, ["config", "validate", str(_project(tmp_path, bad_parameter))])
    assert result.exit_code == 100
    assert "does not take parameter 'n_componets' (did you mean 'n_components'?)" in result.output
    assert not marker.exists()


def test_every_problem_is_listed_unknown_keys_and_training_values_included():
    result = CliRunner().invoke(
        gordo, ["config", "validate", str(DATA / "project-hidden-problems.yaml"), "--project-name",
                "p"]
    )
    assert result.exit_code == 100, result.output
    lines = [line.strip() for line in result.output.splitlines()[1:-1]]
    assert lines == [
        "machinez: unknown key (did you mean 'machines'?)",
        "machines[1] 'a': name: duplicate of machines[0]",
        "machines[3] 'c': nmae: unknown key (did you mean 'name'?)",
        "machines[3] 'c': dataset.tain_start_date: unknown key (did you mean 'train_start_date'?)",
        "machines[3] 'c': dataset.resoluton: unknown key (did you mean 'resolution'?)",
        "machines[3] 'c': model: KerasAutoEncoder: epochs must be an integer >= 0, got '1e20'",
        "machines[2] 'b': dataset: Unknown provider type 'NoProvider'; known short names: "
        "CSVDataProvider, DataLakeProvider, FileSystemDataProvider, GordoBaseDataProvider, "
        "InfluxDataProvider, PostgresDataProvider, RandomDataProvider, or give the full import "
        "path of a class",
    ]


def test_a_project_without_machines_is_an_error(tmp_path):
    config = tmp_path / "p.yaml"
    config.write_text("machines: []\n")
    result = CliRunner().invoke(gordo, ["config", "validate", str(config)])
    assert result.exit_code == 100
    assert "machines: must list at least one machine" in result.output


def test_a_too_long_machine_name_is_one_problem(tmp_path):
    config = _project(tmp_path, "      sklearn.decomposition.PCA: {}\n")
    config.write_text(config.read_text().replace("name: m-1", f"name: {'m' * 60}"))
    result = CliRunner().invoke(gordo, ["config", "validate", str(config)])
    assert result.exit_code == 100, result.output
    problems = [line for line in result.output.splitlines() if "m" * 60 in line]
    assert len(problems) == 1, result.output


def test_a_reporter_outside_the_allow_list_is_a_validation_problem(tmp_path):
    runtime = "globals:\n  runtime:\n    reporters: [subprocess.Popen]\n"
    config = _project(tmp_path, "      sklearn.decomposition.PCA: {}\n", extra=runtime)
    result = CliRunner().invoke(gordo, ["config", "validate", str(config)])
    assert result.exit_code == 100, result.output
    assert "runtime.reporters: item [0]: 'subprocess.Popen' is not allowed" in result.output
