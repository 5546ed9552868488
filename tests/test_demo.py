"""gordo.demo's own checks, without building anything."""

import socket
from pathlib import Path

import pytest

from gordo.demo import DemoError, served


def test_a_busy_port_is_named_before_the_server_starts(tmp_path: Path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(DemoError, match=f"127.0.0.1:{port} is already in use"):
            with served(tmp_path, "127.0.0.1", port):
                pass


def test_the_example_project_is_package_data():
    import gordo
    from gordo.demo import EXAMPLE_PROJECT

    assert EXAMPLE_PROJECT.is_file()
    assert EXAMPLE_PROJECT.is_relative_to(Path(gordo.__file__).parent)


@pytest.mark.integration
def test_an_installed_package_holds_the_example_project(tmp_path: Path):
    """setuptools' build_py lays out what a wheel installs (the venv has no wheel package)."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    source = tmp_path / "source"  # a copy: building writes egg-info beside the sources
    for name in ("gordo", "gordo_dataset"):
        shutil.copytree(root / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    subprocess.run(
        [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py",
         "--build-lib", str(tmp_path / "lib")],
        cwd=source, check=True, capture_output=True, timeout=300,
    )
    assert (tmp_path / "lib" / "gordo" / "examples" / "example-plant.yaml").is_file()
