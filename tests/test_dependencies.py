"""Tests of gordo.dependencies.configure_once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from gordo import dependencies


def _run(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"} | env
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True
    )
    return result.stdout.strip()


CHECK = (
    "import os, sys; from gordo.dependencies import configure_once;"
    "print(configure_once(), os.environ.get('KERAS_BACKEND'), 'keras' in sys.modules)"
)


def test_sets_the_default_backend_without_importing_keras():
    from gordo.machine.model.backend import DEFAULT_BACKEND

    assert _run(CHECK) == f"None {DEFAULT_BACKEND} False"


def test_the_users_backend_choice_wins():
    assert _run(CHECK, KERAS_BACKEND="torch") == "None torch False"


def test_definition_with_keras_path_uses_the_configured_backend():
    code = (
        "from gordo.dependencies import configure_once; configure_once();"
        "from gordo import serializer;"
        "layer = serializer.from_definition({'tensorflow.keras.layers.Dense': {'units': 2}});"
        "import keras; print(type(layer).__name__, keras.backend.backend())"
    )
    assert _run(code, KERAS_BACKEND="jax") == "Dense jax"


@pytest.fixture
def fresh(monkeypatch):
    """configure_once as if never called, counting the set-up runs."""
    calls = []
    monkeypatch.setattr(dependencies, "_configured", False)
    monkeypatch.setattr(dependencies, "ensure_backend", lambda: calls.append(1) or "jax")
    return calls


def test_runs_once(fresh):
    for _ in range(3):
        assert dependencies.configure_once() is None
    assert fresh == [1]


def test_runs_once_across_threads(fresh):
    threads = [threading.Thread(target=dependencies.configure_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fresh == [1]


def test_failed_setup_is_retried(monkeypatch):
    monkeypatch.setattr(dependencies, "_configured", False)
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("boom")
        return "jax"

    monkeypatch.setattr(dependencies, "ensure_backend", flaky)
    with pytest.raises(OSError):
        dependencies.configure_once()
    dependencies.configure_once()
    dependencies.configure_once()
    assert len(attempts) == 2
