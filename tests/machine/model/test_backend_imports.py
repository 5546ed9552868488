"""Keras is imported only when a neural model is built or loaded; the default backend applies."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gordo.machine.model.backend import DEFAULT_BACKEND


def _run(code: str, **env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    environ.update(env)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environ,
        check=True,
        timeout=300,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


#: Prints the deep-learning frameworks imported so far.
LOADED = (
    "import json, sys\n"
    "frameworks = {'keras', 'jax', 'tensorflow', 'torch'}\n"
    "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & frameworks)))"
)


@pytest.mark.integration
def test_imports_and_definitions_do_not_import_keras():
    code = (
        "import gordo, gordo.serializer, gordo.machine.model.models, gordo.machine.model.anomaly.diff\n"
        "import gordo.machine.model.factories, gordo.machine.model.utils\n"
        "from benchmarks.configs import machine_config\n"
        "from gordo import serializer\n"
        "for name in ('S', 'L'):\n"
        "    model = serializer.from_definition(machine_config(name)['model'])\n"
        "    serializer.loads(serializer.dumps(model))\n"
        "    serializer.into_definition(model)\n" + LOADED
    )
    assert _run(code) == []


@pytest.mark.integration
def test_default_backend_is_set_before_keras_is_imported():
    code = (
        "from gordo.machine.model.backend import keras_module\n"
        "keras = keras_module()\n"
        "import json; print(json.dumps(keras.backend.backend()))"
    )
    assert _run(code) == DEFAULT_BACKEND
