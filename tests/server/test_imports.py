"""The server imports no deep-learning framework until a neural model is loaded."""

from __future__ import annotations

import subprocess
import sys


def test_server_import_does_not_import_keras_or_jax():
    code = (
        "import sys, gordo.server.server, gordo.server.views.anomaly, gordo.cli.server\n"
        "heavy = sorted(m for m in ('keras', 'jax', 'tensorflow', 'torch') if m in sys.modules)\n"
        "print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
