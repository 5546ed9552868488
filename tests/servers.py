"""Start real PostgreSQL, InfluxDB and S3 (moto) servers on 127.0.0.1 for tests.

Each server runs in a throw-away directory on a free port and is stopped at
the end of the test session. The binaries come from Debian's packages
(``postgresql``, ``influxdb``) and from the test extra (``moto[server]``);
``scripts/install-services.sh`` installs the Debian ones.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen, name: str) -> None:
    """Wait until ``port`` accepts connections, or fail naming the server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on 127.0.0.1:{port} within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server process group, then kill it if it lingers."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def require_binary(path: str | None, what: str) -> str:
    if not path or not os.path.exists(path):
        raise RuntimeError(
            f"{what} is not installed; run `bash scripts/install-services.sh` (Debian packages)"
        )
    return path


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    dbname: str

    @property
    def dsn(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A fresh PostgreSQL cluster on 127.0.0.1 with trust authentication."""
    bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    initdb = require_binary(bindir[-1] + "/initdb" if bindir else None, "PostgreSQL")
    postgres = os.path.join(os.path.dirname(initdb), "postgres")
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:  # initdb refuses to run as root
        owner = pwd.getpwnam("postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    tmp = tempfile.mkdtemp(prefix="gordo-pg-")
    if owner:
        os.chown(tmp, owner.pw_uid, owner.pw_gid)
    data = os.path.join(tmp, "data")
    subprocess.run(
        [*run_as, initdb, "-D", data, "-U", "gordo", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    proc = subprocess.Popen(
        [*run_as, postgres, "-D", data, "-h", "127.0.0.1", "-p", str(port), "-k", tmp],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port, 30, proc, "PostgreSQL")
        # the server accepts connections a moment before it accepts logins
        deadline = time.monotonic() + 30
        while True:
            ok = subprocess.run(
                [os.path.join(os.path.dirname(initdb), "pg_isready"), "-h", "127.0.0.1",
                 "-p", str(port)],
                capture_output=True,
            )
            if ok.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        yield Postgres("127.0.0.1", port, "gordo", "postgres")
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def influxdb_server() -> Iterator[str]:
    """An InfluxDB 1.x server whose HTTP API listens on 127.0.0.1 only; yields its URL."""
    influxd = require_binary(shutil.which("influxd") or "/usr/bin/influxd", "InfluxDB")
    tmp = Path(tempfile.mkdtemp(prefix="gordo-influx-"))
    http_port, rpc_port = free_port(), free_port()
    config = tmp / "influxdb.conf"
    config.write_text(
        f"""
reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{tmp}/meta"
[data]
  dir = "{tmp}/data"
  wal-dir = "{tmp}/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
"""
    )
    proc = subprocess.Popen(
        [influxd, "-config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{http_port}"
    try:
        wait_for_port(http_port, 30, proc, "InfluxDB")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url + "/ping", timeout=1)
                break
            time.sleep(0.1)
        yield url
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def s3_server() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1; yields its endpoint URL."""
    moto = os.path.join(os.path.dirname(sys.executable), "moto_server")
    require_binary(moto, "moto_server (pip extra 'test')")
    port = free_port()
    proc = subprocess.Popen(
        [moto, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"},
    )
    try:
        wait_for_port(port, 30, proc, "moto S3 server")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def run_server_command(port: int, *args: str) -> list[str]:
    """``gordo run-server`` on 127.0.0.1:``port`` with ``args``, as a subprocess command.

    >>> run_server_command(5555, "--workers", "1")[-6:]
    ['--host', '127.0.0.1', '--port', '5555', '--workers', '1']
    """
    gordo = [sys.executable, "-m", "gordo", "run-server"]
    return [*gordo, "--host", "127.0.0.1", "--port", str(port), *args]


def wait_for_healthcheck(
    url: str, proc: subprocess.Popen, timeout: float, interval: float = 0.05
) -> None:
    """Wait until ``url``/healthcheck answers 200, or fail if the server exits or times out."""
    import requests

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before answering")
        try:
            if requests.get(url + "/healthcheck", timeout=timeout).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url}/healthcheck did not answer within {timeout} s")
        time.sleep(interval)


@contextlib.contextmanager
def running_server(args: list[str], env: dict[str, str], timeout: float = 30.0) -> Iterator[str]:
    """Start ``gordo run-server ARGS`` and yield its URL once /healthcheck answers.

    On exit the server is stopped with SIGTERM; every gunicorn process must be gone.
    """
    import psutil

    port = free_port()
    cmd = run_server_command(port, "--log-level", "warning", *args)
    process = subprocess.Popen(cmd, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_healthcheck(url, process, timeout)
        yield url
    finally:
        children = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        gone, alive = psutil.wait_procs(children, timeout=30)
        assert not alive, f"gunicorn processes left running: {alive}"
