"""The bash steps of the workflow, run here with a fake ``kubectl`` that records its calls."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from gordo.workflow.workflow_generator.options import WorkflowOptions
from gordo.workflow.workflow_generator.render import render_workflows
from tests.workflow.test_render import RUNTIME, machine

pytestmark = pytest.mark.skipif(shutil.which("jq") is None, reason="the scripts need jq")

FAKE_KUBECTL = """#!/usr/bin/env bash
# Record the call; answer from $FAKE_DIR/<verb>-<kind>.out; fail while $FAKE_DIR/fail-<verb> counts down.
echo "$*" >> "$FAKE_DIR/calls"
if [ -f "$FAKE_DIR/fail-$1" ]; then
  left=$(cat "$FAKE_DIR/fail-$1")
  if [ "$left" -gt 0 ]; then echo $((left - 1)) > "$FAKE_DIR/fail-$1"; cat > /dev/null; exit 1; fi
fi
if [ "$1" = apply ]; then cat > "$FAKE_DIR/applied"; fi
if [ -f "$FAKE_DIR/$1-$2.out" ]; then cat "$FAKE_DIR/$1-$2.out"; fi
"""


@functools.cache
def _scripts() -> dict[str, dict]:
    options = WorkflowOptions(
        "proj",
        "200",
        with_keda=True,
        ml_server_hpa_type="keda",
        prometheus_server_address="http://p",
    )
    (text,) = render_workflows([machine("m-1")], RUNTIME, options)
    return {
        t["name"]: t["script"] for t in yaml.safe_load(text)["spec"]["templates"] if "script" in t
    }


@pytest.fixture
def fake(tmp_path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    kubectl = bin_dir / "kubectl"
    kubectl.write_text(FAKE_KUBECTL)
    kubectl.chmod(0o755)
    return tmp_path


def run_script(name: str, fake: Path, edit=lambda source: source, **env: str):
    """Run the step's script (after ``edit``) with its env, ``env`` and the fake kubectl."""
    script = _scripts()[name]
    variables = {e["name"]: e["value"] for e in script["env"] if "value" in e}
    variables["WORKFLOW_NAME"] = "proj-200-abcde"
    return subprocess.run(
        ["bash", "-c", edit(script["source"])],
        env={
            "PATH": f"{fake / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "FAKE_DIR": str(fake),
            **variables,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=30,
    )


def calls(fake: Path) -> list[str]:
    path = fake / "calls"
    return path.read_text().splitlines() if path.exists() else []


def test_every_script_is_valid_bash():
    assert len(_scripts()) == 11  # plus the model-builder container
    for name, script in _scripts().items():
        done = subprocess.run(
            ["bash", "-n", "-c", script["source"]], capture_output=True, text=True
        )
        assert done.returncode == 0, f"{name}: {done.stderr}"


def test_apply_with_retries_retries_then_applies(fake):
    (fake / "fail-apply").write_text("2")
    done = run_script("apply-with-retries", fake, K_RESOURCE="kind: Service\n", TIMEOUT="0")
    assert done.returncode == 0, done.stderr
    assert calls(fake) == ["apply -f -"] * 3
    assert (fake / "applied").read_text() == "kind: Service\n\n"


def test_apply_with_retries_gives_up(fake):
    (fake / "fail-apply").write_text("99")
    done = run_script("apply-with-retries", fake, K_RESOURCE="x", TIMEOUT="0", ATTEMPTS="3")
    assert done.returncode == 1 and len(calls(fake)) == 3


@pytest.mark.parametrize("kind", ["influx", "postgres"])
def test_storage_cleanup_deletes_only_other_revisions_volumes(fake, kind):
    (fake / "get-pvc.out").write_text(
        f"persistentvolumeclaim/{kind}-storage-200-gordo-{kind}-proj-0\n"
        f"persistentvolumeclaim/{kind}-storage-100-gordo-{kind}-proj-0\n"
        "persistentvolumeclaim/unrelated\n"
    )
    done = run_script(f"{kind}-cleanup", fake)
    assert done.returncode == 0, done.stderr
    deletes = [c for c in calls(fake) if c.startswith("delete")]
    assert (
        deletes[-1]
        == f"delete --ignore-not-found persistentvolumeclaim/{kind}-storage-100-gordo-{kind}-proj-0"
    )
    other = "applications.gordo.equinor.com/project-revision!=200"
    assert all(other in c for c in deletes[:-1])


def test_storage_cleanup_with_nothing_to_delete_succeeds(fake):
    done = run_script("influx-cleanup", fake)
    assert done.returncode == 0, done.stderr
    assert not [c for c in calls(fake) if "persistentvolumeclaim" in c]


@pytest.mark.parametrize(("level", "pods_deleted"), [("INFO", True), ("DEBUG", False)])
def test_cleanup(fake, level, pods_deleted):
    done = run_script("cleanup", fake, GORDO_LOG_LEVEL=level)
    assert done.returncode == 0, done.stderr
    kinds = [c.split()[1] for c in calls(fake)]
    assert kinds[:5] == [
        "deployments",
        "services",
        "models.equinor.com",
        "hpa",
        "scaledobjects.keda.sh",
    ]
    assert ("pods" in kinds) is pods_deleted


def test_cleanup_reports_a_failure_but_tries_everything(fake):
    (fake / "fail-delete").write_text("1")
    done = run_script("cleanup", fake)
    assert done.returncode == 1 and len(calls(fake)) == 6


def test_autoscaler_cleanups(fake):
    assert run_script("gordo-server-hpa-cleanup", fake).returncode == 0
    assert run_script("gordo-server-keda-cleanup", fake).returncode == 0
    assert [c.split()[1] for c in calls(fake)] == ["hpa", "scaledobjects.keda.sh"]
    assert all("applications.gordo.equinor.com/project-name=proj" in c for c in calls(fake))


def test_client_waiter_returns_at_once_when_there_is_room(fake):
    done = run_script(
        "gordo-client-waiter", fake, GORDO_MAX_CLIENTS="30", GORDO_TOTAL_NR_OF_CLIENTS="5"
    )
    assert done.returncode == 0 and calls(fake) == []


def test_ensure_single_workflow_stops_older_revisions(fake):
    def workflow(name, revision, created, phase="Running"):
        labels = {"applications.gordo.equinor.com/project-revision": revision}
        return {
            "metadata": {"name": name, "labels": labels, "creationTimestamp": created},
            "status": {"phase": phase},
        }

    items = [
        workflow("proj-100-old", "100", "2024-01-01T00:00:00Z"),
        workflow("proj-100-done", "100", "2024-01-01T00:00:00Z", phase="Succeeded"),
        workflow("proj-200-sibling", "200", "2024-01-02T00:00:00Z"),
        workflow("proj-200-abcde", "200", "2024-01-02T00:00:00Z"),
        workflow("proj-300-newer", "300", "2024-01-03T00:00:00Z"),
    ]
    (fake / "get-workflows.out").write_text(json.dumps({"items": items}))
    # The fake keeps answering with the old workflow, so let the loop run once.
    done = run_script("ensure-single-workflow", fake, edit=lambda s: s.replace("sleep 5", "exit 0"))
    assert done.returncode == 0, done.stderr
    assert calls(fake)[-1] == "delete workflows --ignore-not-found proj-100-old"
