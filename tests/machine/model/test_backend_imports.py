"""Keras is imported only when a neural model is built or loaded; the default backend applies."""

from __future__ import annotations

import ast
import json
import os
import random
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
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
    def draws(seed: int) -> list[float]:
        return _run(
            "import json\n"
            "from gordo.machine.model.backend import keras_module, seed_keras\n"
            f"seed_keras({seed})\n"
            "keras = keras_module()\n"
            "print(json.dumps(keras.random.uniform((3,)).tolist()))"
        )

    assert draws(7) == draws(7) != draws(8)


def test_seeding_keras_on_import_leaves_python_and_numpy_generators_alone():
    keras = keras_module()  # importing Keras draws from both
    random.seed(1)
    np.random.seed(1)
    _seed_keras_only(keras, 7)
    assert (random.random(), np.random.rand()) == (Random(1).random(), RandomState(1).rand())


PACKAGE = "gordo.machine.model"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """The modules of ``package`` (source under ``root``) and the modules of ``package`` each
    imports, at module level or inside functions, read from the source with ``ast``."""
    modules = {
        _module_name(path, root): path for path in (root / package.replace(".", "/")).rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                edges.add(node.module)
                edges.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {edge for edge in edges if edge in modules and edge != name}
    return graph


def test_the_model_modules_import_each_other_without_cycles():
    root = Path(__file__).resolve().parents[3]
    graph = import_graph(root, PACKAGE)
    for user in ("dense_training", "lstm_training", "numpy_inference", "keras_io", "fast_path"):
        assert f"{PACKAGE}.nn_basics" in graph[f"{PACKAGE}.{user}"]
    assert graph[f"{PACKAGE}.nn_basics"] == set()  # the bottom module
    TopologicalSorter(graph).prepare()  # CycleError naming the modules of a cycle


def test_an_import_cycle_is_found(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from pkg.a import f\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph == {"pkg": set(), "pkg.a": {"pkg", "pkg.b"}, "pkg.b": {"pkg.a"}}
    with pytest.raises(CycleError):
        TopologicalSorter(graph).prepare()


@pytest.mark.integration
def test_importing_the_server_imports_no_keras_or_jax():
    assert _run("import gordo.server.server, gordo.server.views\n" + LOADED) == []
