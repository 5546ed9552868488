"""Smoke test of the README's main job: the same script, in its non-interactive mode."""

import subprocess
from pathlib import Path

import pytest

from tests.servers import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_demo_script_builds_serves_and_flags_the_labelled_faults(tmp_path):
    """scripts/demo.sh --check builds the example plant, serves it and scores every machine.

    It exits non-zero unless every machine answers over HTTP and the labelled
    fault episodes score above the threshold more often than normal operation.
    """
    port = free_port()
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh"), "--check", "--port", str(port),
         "--workdir", str(tmp_path / "demo")],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "above threshold" in result.stdout
    assert f"http://127.0.0.1:{port}/gordo/v0/example-plant/models" in result.stdout
    assert f"http://127.0.0.1:{port}/gordo/v0/example-plant/dashboard/?end=" in result.stdout
    assert (tmp_path / "demo" / "anomaly-request.json").stat().st_size > 0
