"""gunicorn settings of ``gordo run-server --with-prometheus-config``.

Those of :mod:`gordo.server.gunicorn_config` (libraries imported and the app
built in the master, models preloaded per worker, readiness), plus what
prometheus_client's multiprocess mode requires: at start the multiprocess
directory is emptied of old samples; when a worker exits, its live gauges are
marked dead.
"""

from __future__ import annotations

from pathlib import Path

from prometheus_client import multiprocess

from gordo.server import gunicorn_config
from gordo.server.gunicorn_config import on_exit, post_fork, preload_app
from gordo.server.prometheus.metrics import multiprocess_dir

__all__ = ["child_exit", "on_exit", "on_starting", "post_fork", "preload_app"]


def on_starting(server) -> None:
    gunicorn_config.on_starting(server)
    directory = multiprocess_dir()
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def child_exit(server, worker) -> None:
    gunicorn_config.child_exit(server, worker)
    if multiprocess_dir():
        multiprocess.mark_process_dead(worker.pid)
