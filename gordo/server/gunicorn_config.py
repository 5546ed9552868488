"""gunicorn settings of ``gordo run-server`` (``--config python:gordo.server.gunicorn_config``).

:func:`gordo.server.server.run_server` first imports the libraries that serving
needs in the process that becomes gunicorn's master
(:func:`gordo.server.startup.prepare_master`); the app is then built once in
the master (``preload_app``) and each worker starts its own model preload after
the fork (``post_fork``). Readiness (``/ready``) counts the workers that are
done. Read by a gunicorn not started that way, these settings build the app in
each worker instead, as gunicorn does by default. ``gordo run-server
--with-prometheus-config`` uses :mod:`gordo.server.prometheus.gunicorn_config`,
which adds its hooks to these.

>>> preload_app  # importing this module prepares nothing
False
"""

from __future__ import annotations

from gordo.server import startup

preload_app = startup.master_prepared()


def on_starting(server) -> None:
    startup.share_readiness(server.num_workers)


def post_fork(server, worker) -> None:
    startup.start_worker(server.num_workers)


def child_exit(server, worker) -> None:
    startup.forget_worker(worker.pid)


def on_exit(server) -> None:
    startup.stop_sharing()
