"""gunicorn hooks for ``gordo run-server --with-prometheus-config``.

At start the multiprocess directory is emptied of old samples; when a worker
exits, its live gauges are marked dead, as prometheus_client's multiprocess mode
requires.
"""

from __future__ import annotations

from pathlib import Path

from prometheus_client import multiprocess

from gordo.server.prometheus.metrics import multiprocess_dir


def on_starting(server) -> None:
    directory = multiprocess_dir()
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def child_exit(server, worker) -> None:
    if multiprocess_dir():
        multiprocess.mark_process_dead(worker.pid)
