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


@pytest.mark.integration
def test_sigterm_stops_the_server_it_started(tmp_path: Path):
    """`timeout`, `docker stop` and systemd send SIGTERM: the gunicorn child must not outlive us."""
    import signal
    import subprocess
    import sys

    import psutil

    from tests.servers import free_port

    port = free_port()
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from gordo.demo import served\n"
        f"with served(Path({str(tmp_path)!r}), '127.0.0.1', {port}):\n"
        "    print('up', flush=True)\n"
        "    time.sleep(120)\n"
    )
    demo = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert demo.stdout.readline().strip() == "up"
        server = psutil.Process(demo.pid).children()
        assert server, "the demo runs its server as a child process"
        tree = [p for child in server for p in (child, *child.children(recursive=True))]
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(60) != 0
        _, alive = psutil.wait_procs(tree, timeout=30)
        assert alive == [], f"left serving after SIGTERM: {alive}"
    finally:
        if demo.poll() is None:
            demo.kill()


def test_getting_started_shows_the_serve_command_the_demo_runs():
    from gordo.demo import serve_arguments

    guide = (Path(__file__).resolve().parents[1] / "docs" / "getting-started.md").read_text()
    command = "gordo " + " ".join(serve_arguments("127.0.0.1", 5555))
    assert " ".join(guide.split()).count(command) >= 2, command


def test_the_readme_says_prometheus_metrics_are_opt_in():
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    assert "Prometheus metrics when you opt in with `ENABLE_PROMETHEUS=true`" in readme
