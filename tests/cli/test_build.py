"""``gordo build`` and ``gordo build-project``: options, env vars, exit codes, report file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from gordo import serializer
from gordo.cli.cli import gordo
from gordo.util import revision_manifest
from tests.builder.helpers import dataset_config, machine_config

#: trains far longer than any test waits: the build is killed while it trains
SLOW_MODEL = {
    "sklearn.neural_network.MLPRegressor": {
        "hidden_layer_sizes": [256, 256],
        "max_iter": 100000,
        "tol": 0,
    }
}


def _machine_json(**sections) -> str:
    return json.dumps({**machine_config(**sections), "project_name": "test-proj"})


def _run(args, env=None):
    return CliRunner().invoke(gordo, args, env=env, catch_exceptions=False)


def test_build_from_env_with_cv_scores(tmp_path):
    out = tmp_path / "models" / "machine-1"
    env = {"MACHINE": _machine_json(), "OUTPUT_DIR": str(out)}
    result = _run(["build", "--print-cv-scores"], env=env)
    assert result.exit_code == 0, result.output
    assert "r2-score fold-1=" in result.output and "fold-mean=" in result.output
    metadata = serializer.load_metadata(out)
    assert metadata["name"] == "machine-1" and metadata["project_name"] == "test-proj"
    assert metadata["metadata"]["build_metadata"]["model"]["cross_validation"]["scores"]
    serializer.load(out)


def test_build_reuses_registered_model(tmp_path):
    config = tmp_path / "machine.yaml"
    config.write_text(yaml.safe_dump({**machine_config(), "project_name": "test-proj"}))
    register = str(tmp_path / "registry")
    for target in ("a", "b"):
        result = _run(
            ["build", str(config), str(tmp_path / target), "--model-register-dir", register]
        )
        assert result.exit_code == 0, result.output
    created = [
        serializer.load_metadata(tmp_path / t)["metadata"]["build_metadata"]["model"][
            "model_creation_date"
        ]
        for t in ("a", "b")
    ]
    assert created[0] == created[1]


def test_model_parameters_fill_jinja_template(tmp_path):
    model = "sklearn.decomposition.PCA: {n_components: {{ components }}, whiten: {{ whiten }}}"
    env = {"MACHINE": _machine_json(model=model), "OUTPUT_DIR": str(tmp_path / "m")}
    result = _run(
        ["build", "--model-parameter", "components,2", "--model-parameter", "whiten,true"], env=env
    )
    assert result.exit_code == 0, result.output
    pca = serializer.load(tmp_path / "m")
    assert (pca.n_components, pca.whiten) == (2, True)

    result = CliRunner().invoke(gordo, ["build", "--model-parameter", "components,2"], env=env)
    assert result.exit_code == 100 and "'whiten' is undefined" in result.output


@pytest.mark.parametrize(
    ("level", "keys"),
    [
        ("EXIT_CODE", {"exit_code"}),
        ("type", {"exit_code", "type"}),
        ("MESSAGE", {"exit_code", "type", "message"}),
        ("TRACEBACK", {"exit_code", "type", "message", "traceback"}),
    ],
)
def test_insufficient_data_exit_code_and_report(tmp_path, level, keys):
    report = tmp_path / "exception.json"
    env = {
        "MACHINE": _machine_json(dataset=dataset_config(n_samples_threshold=100_000)),
        "EXCEPTIONS_REPORTER_FILE": str(report),
        "EXCEPTIONS_REPORT_LEVEL": level,
    }
    result = CliRunner().invoke(gordo, ["build"], env={**env, "OUTPUT_DIR": str(tmp_path / "m")})
    assert result.exit_code == 80, result.output
    assert "EmptyGeneratedDataframeError" in result.output
    content = json.loads(report.read_text())
    assert set(content) == keys and content["exit_code"] == 80
    if "message" in keys:
        assert "does not exceed required threshold" in content["message"]
    assert not (tmp_path / "m").exists()


def test_unwritable_output_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    env = {"MACHINE": _machine_json(), "OUTPUT_DIR": str(blocker / "m")}
    result = CliRunner().invoke(gordo, ["build"], env=env)
    assert result.exit_code == 20
    assert f"Output directory '{blocker}/m' is not writable" in result.output


def test_bad_machine_config():
    result = CliRunner().invoke(gordo, ["build", "[1, 2]"])
    assert result.exit_code == 100 and "MACHINE_CONFIG must be a mapping" in result.output
    no_project = json.dumps(machine_config())
    result = CliRunner().invoke(gordo, ["build", no_project], env={"PROJECT_NAME": None})
    assert result.exit_code == 100 and "PROJECT_NAME" in result.output


def test_build_project(tmp_path):
    project = tmp_path / "my_project.yaml"
    machines = [machine_config("machine-a"), machine_config("machine-b")]
    machines.append(machine_config("starved", dataset=dataset_config(n_samples_threshold=100_000)))
    project.write_text(yaml.safe_dump({"machines": machines}))
    out = tmp_path / "models"
    result = CliRunner().invoke(gordo, ["build-project", str(project), str(out), "--jobs", "2"])
    assert result.exit_code == 80, result.output
    assert "2 built, 0 cached, 1 failed" in result.output
    assert "failed starved: EmptyGeneratedDataframeError" in result.output
    (revision,) = [p for p in out.iterdir() if p.name.isdigit()]
    assert sorted(p.name for p in revision.iterdir() if p.is_dir()) == ["machine-a", "machine-b"]
    assert not revision_manifest.is_incomplete(revision)
    assert serializer.load_metadata(revision / "machine-a")["project_name"] == "my-project"

    project.write_text(yaml.safe_dump({"machines": machines[:2]}))
    result = CliRunner().invoke(gordo, ["build-project", str(project), str(out)])
    assert result.exit_code == 0, result.output
    assert "0 built, 2 cached, 0 failed" in result.output


@pytest.mark.integration
def test_killed_build_leaves_no_partial_model(tmp_path):
    """SIGKILL during training: no model directory, no registry entry."""
    data = dataset_config(
        train_end_date="2020-03-01T00:00:00+00:00",
        data_provider={"type": "RandomDataProvider", "min_size": 5000, "max_size": 6000},
    )
    env = {
        **os.environ,
        "MACHINE": _machine_json(
            model=SLOW_MODEL, dataset=data, evaluation={"cv_mode": "build_only"}
        ),
        "OUTPUT_DIR": str(tmp_path / "out" / "m"),
        "MODEL_REGISTER_DIR": str(tmp_path / "registry"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gordo", "build"], env=env, stderr=subprocess.PIPE, text=True
    )
    for line in proc.stderr:
        if "fetched" in line:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert not (tmp_path / "out" / "m").exists()
    assert not (tmp_path / "registry").exists() or not list((tmp_path / "registry").iterdir())


def test_build_runs_reporters(tmp_path):
    uri = f"file://{tmp_path}/mlruns"
    runtime = {"reporters": [{"gordo.reporters.mlflow.MlFlowReporter": {"tracking_uri": uri}}]}
    result = _run(["build", _machine_json(runtime=runtime), str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "mlruns").iterdir())

    failing = {"reporters": [{"gordo.reporters.mlflow.MlFlowReporter": {}}]}
    env = {"MLFLOW_TRACKING_URI": None, "EXCEPTIONS_REPORTER_FILE": str(tmp_path / "e.json")}
    result = CliRunner().invoke(gordo, ["build", _machine_json(runtime=failing)], env=env)
    assert result.exit_code == 90 and "MlFlowReporter" in result.output
    assert json.loads((tmp_path / "e.json").read_text())["type"] == "ReporterException"


@pytest.mark.integration
def test_build_project_as_a_program(tmp_path):
    """The real program: forked workers, summary flushed before the fast exit, exit code."""
    project = tmp_path / "project.yaml"
    machines = [machine_config("machine-a")]
    machines.append(machine_config("starved", dataset=dataset_config(n_samples_threshold=100_000)))
    project.write_text(yaml.safe_dump({"machines": machines}))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gordo",
            "build-project",
            str(project),
            str(tmp_path / "out"),
            "-j",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 80, proc.stderr
    assert "1 built, 0 cached, 1 failed" in proc.stdout
    assert "[2/2]" in proc.stderr


def test_build_machine_as_the_workflow_passes_it(tmp_path):
    """A normalised machine (``to_dict()``), sections as JSON strings, as in the Argo workflow."""
    from gordo.machine import Machine

    machine = Machine.from_config(
        machine_config(metadata={"owner": "ops"}, evaluation={"cv_mode": "build_only"}),
        project_name="argo-proj",
        config_globals={"metadata": {"site": "north"}},
    )
    record = json.loads(machine.to_json())
    for section in ("dataset", "model", "metadata", "runtime", "evaluation"):
        record[section] = json.dumps(record[section])
    result = _run(["build", json.dumps(record), str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    stored = serializer.load_metadata(tmp_path / "m")
    assert stored["project_name"] == "argo-proj" and stored["evaluation"]["cv_mode"] == "build_only"
    assert stored["metadata"]["user_defined"] == {
        "global-metadata": {"site": "north"},
        "machine-metadata": {"owner": "ops"},
    }


@pytest.mark.integration
def test_killed_fleet_build_takes_its_workers_down(tmp_path):
    """SIGKILL of build-project: its workers stop too, and nothing partial is left."""
    import psutil

    machines = [
        machine_config(f"slow-{i}", model=SLOW_MODEL, evaluation={"cv_mode": "build_only"})
        for i in range(3)
    ]
    project = tmp_path / "project.yaml"
    project.write_text(yaml.safe_dump({"machines": machines}))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gordo", "build-project", str(project), str(out), "-j", "2"],
        stderr=subprocess.PIPE,
        text=True,
    )
    fetched = 0
    for line in proc.stderr:
        fetched += "fetched" in line
        if fetched == 2:
            break
    workers = psutil.Process(proc.pid).children()
    assert len(workers) == 2
    proc.kill()
    proc.wait(10)
    gone, alive = psutil.wait_procs(workers, timeout=30)
    assert alive == []
    for revision in out.iterdir():
        if revision.is_dir() and revision.name.isdigit():
            assert [p.name for p in revision.iterdir() if p.is_dir()] == []
            assert revision_manifest.is_incomplete(revision)
    assert not (out / ".registry").exists() or not list((out / ".registry").iterdir())


def test_a_machine_block_with_typos_is_refused_naming_each(tmp_path):
    config = machine_config(nmae="x")
    config["dataset"]["resoluton"] = "10T"
    result = CliRunner().invoke(
        gordo, ["build", json.dumps({**config, "project_name": "test-proj"}), str(tmp_path / "m")]
    )
    assert result.exit_code == 100, result.output
    assert "machines[0] 'machine-1': nmae: unknown key (did you mean 'name'?)" in result.output
    assert "dataset.resoluton: unknown key (did you mean 'resolution'?)" in result.output
    assert not (tmp_path / "m").exists()
