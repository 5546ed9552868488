"""``gordo run-server``: run the ML server app with gunicorn."""

from __future__ import annotations

import click

from gordo.server.server import DEFAULT_SERVER_APP

_PROMETHEUS_CONFIG = "gordo.server.prometheus.gunicorn_config"


@click.command("run-server")
@click.option(
    "--host",
    type=str,
    default="0.0.0.0",
    show_default=True,
    envvar="GORDO_SERVER_HOST",
    help="The host to run the server on.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=5555,
    show_default=True,
    envvar="GORDO_SERVER_PORT",
    help="The port to run the server on.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    envvar="GORDO_SERVER_WORKERS",
    help="The number of worker processes for handling requests.",
)
@click.option(
    "--worker-connections",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    envvar="GORDO_SERVER_WORKER_CONNECTIONS",
    help="The maximum number of simultaneous clients per worker process.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    envvar="GORDO_SERVER_THREADS",
    help="Threads per worker process handling requests (used with --worker-class=gthread).",
)
@click.option(
    "--worker-class",
    type=str,
    default="gthread",
    show_default=True,
    envvar="GORDO_SERVER_WORKER_CLASS",
    help="The type of workers to use.",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="debug",
    show_default=True,
    envvar="GORDO_SERVER_LOG_LEVEL",
    help="The log level for the server.",
)
@click.option(
    "--server-app",
    type=str,
    default=DEFAULT_SERVER_APP,
    show_default=True,
    envvar="GORDO_SERVER_APP",
    help="The application to run",
)
@click.option(
    "--with-prometheus-config",
    is_flag=True,
    help="Run with custom config for prometheus",
)
@click.option(
    "--allow-incomplete",
    is_flag=True,
    envvar="GORDO_SERVER_ALLOW_INCOMPLETE",
    help="Serve revisions whose build-project did not finish (refused by default).",
)
def run_server_cli(
    host: str,
    port: int,
    workers: int,
    worker_connections: int,
    threads: int,
    worker_class: str,
    log_level: str,
    server_app: str,
    with_prometheus_config: bool,
    allow_incomplete: bool,
) -> None:
    """Run the gordo server app with Gunicorn.

    The app reads MODEL_COLLECTION_DIR (the revision directory to serve),
    PROJECT, EXPECTED_MODELS, ENABLE_PROMETHEUS and N_CACHED_MODELS from the
    environment (see docs/api.md).

    \b
    Example:
        MODEL_COLLECTION_DIR=models/my-project/1700000000000 PROJECT=my-project \\
            gordo run-server --host 127.0.0.1 --port 5555 --workers 1
    """
    import os

    from gordo.server.server import Config, run_server

    if allow_incomplete:
        os.environ["GORDO_SERVER_ALLOW_INCOMPLETE"] = "true"  # for the app in each worker
    if server_app == DEFAULT_SERVER_APP:
        Config()  # a missing or bad setting is one line here, not a traceback per worker
    run_server(
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        config_module=_PROMETHEUS_CONFIG if with_prometheus_config else None,
        worker_connections=worker_connections,
        threads=threads,
        worker_class=worker_class,
        server_app=server_app,
    )
