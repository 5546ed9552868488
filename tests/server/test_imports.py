"""The server's imports: no deep-learning framework until a neural model is loaded, no cycles."""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import gordo.server


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


def _server_modules() -> dict[str, Path]:
    package = Path(gordo.server.__file__).parent
    modules = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(("gordo", "server", *parts))] = path
    return modules


def _imported(tree: ast.AST, modules: dict[str, Path]) -> set[str]:
    """The gordo.server modules a module's code imports, at its top or inside functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def test_the_server_import_graph_has_no_cycles():
    modules = _server_modules()
    graph = {
        name: _imported(ast.parse(path.read_text()), modules) - {name, "gordo.server"}
        for name, path in modules.items()
    }
    assert graph["gordo.server.utils"] >= {
        "gordo.server.decorators",
        "gordo.server.frame_codecs",
    }  # the graph is read: the documented path re-exports the layers
    order = list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    assert set(order) == set(modules)
