"""Keras is imported only when a neural model is built or loaded; the default backend applies."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from random import Random

import numpy as np
import pytest
from numpy.random import RandomState

from gordo.machine.model.backend import DEFAULT_BACKEND, _seed_keras_only, keras_module


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


@pytest.mark.integration
def test_a_seed_given_before_keras_is_imported_seeds_keras_on_import():
    code = (
        "import json\n"
        "from gordo.machine.model.backend import keras_module, seed_keras\n"
        "seed_keras(7)\n"
        "keras_module()\n"
        "from keras.src.utils.rng_utils import get_random_seed\n"
        "print(json.dumps(get_random_seed()))"
    )
    assert _run(code) == 7


def test_seeding_keras_on_import_leaves_python_and_numpy_generators_alone():
    keras = keras_module()  # importing Keras draws from both
    random.seed(1)
    np.random.seed(1)
    _seed_keras_only(keras, 7)
    assert (random.random(), np.random.rand()) == (Random(1).random(), RandomState(1).rand())
