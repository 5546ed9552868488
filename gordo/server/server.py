"""The gordo ML server: a Flask app factory and its gunicorn runner.

One server serves every model of a project from ``MODEL_COLLECTION_DIR``
(``<root>/<project>/<revision>/``, the current revision); the other revisions
beside it are served on request. Models load once per worker, then stay in a
bounded LRU cache (``N_CACHED_MODELS``).

>>> import tempfile, pathlib
>>> collection = pathlib.Path(tempfile.mkdtemp()) / "demo" / "1700000000000"
>>> collection.mkdir(parents=True)
>>> app = build_app({"MODEL_COLLECTION_DIR": str(collection), "PROJECT": "demo"})
>>> client = app.test_client()
>>> client.get("/gordo/v0/demo/revisions").json["available-revisions"]
['1700000000000']
>>> client.get("/healthcheck").headers["revision"]
'1700000000000'
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gordo import __version__
from gordo.exceptions import ConfigException
from gordo.server import malloc, model_store
from gordo.server.wsgi import BodyLimits, adapt_proxy_deployment, read_body_at_once
from gordo.util import revision_manifest
from gordo.util.blas import single_threaded_blas

if TYPE_CHECKING:
    import flask

logger = logging.getLogger(__name__)

#: Default request body limit, bytes (env ``GORDO_SERVER_MAX_CONTENT_LENGTH``).
DEFAULT_MAX_CONTENT_LENGTH = 128 * 1024 * 1024
#: Default of ``PERIOD_MAX_ROWS``: about 139 days at a 10-minute resolution.
DEFAULT_PERIOD_MAX_ROWS = 20_000
_TRUE = {"1", "true", "yes", "on"}
#: after a request body this large the worker returns its freed memory to the system,
#: once no such request came for TRIM_DELAY seconds
TRIM_AFTER_BYTES = 1024 * 1024
TRIM_DELAY = 1.0
#: the gunicorn settings module of ``gordo run-server`` (see :func:`gunicorn_command`)
DEFAULT_GUNICORN_CONFIG = "gordo.server.gunicorn_config"
#: the app ``gordo run-server`` serves unless told otherwise
DEFAULT_SERVER_APP = "gordo.server.server:build_app()"
#: gunicorn worker classes run as their subclass that answers gunicorn's own errors as JSON
JSON_ERROR_WORKERS = {"gthread": "gordo.server.gunicorn_worker.ThreadWorker"}


class Config:
    """Server config, read from the environment; ``overrides`` (same keys) win.

    Keys and environment variables:

    - ``MODEL_COLLECTION_DIR``: the current revision's directory of built models.
    - ``PROJECT``: the project served; other project names in the URL get a 404.
      Unset, the collection is served under any project name, as the original does.
    - ``EXPECTED_MODELS``: YAML/JSON list of the models the deployment expects.
    - ``ENABLE_PROMETHEUS``: ``true`` to record and serve Prometheus metrics.
    - ``N_CACHED_MODELS``: models kept loaded per worker (default 2).
    - ``MAX_CONTENT_LENGTH`` (env ``GORDO_SERVER_MAX_CONTENT_LENGTH``): largest
      request body in bytes (default 128 MiB); larger bodies get a 413.
    - ``PRELOAD_MODELS`` (env ``GORDO_SERVER_PRELOAD_MODELS``): load up to
      ``N_CACHED_MODELS`` models (the expected ones first) in a background thread
      when the app starts (default true).
    - ``MAX_ROWS`` (env ``GORDO_SERVER_MAX_ROWS``): most rows of ``X`` or ``y`` in
      one request (default 100 000); ``MAX_CELLS`` (env
      ``GORDO_SERVER_MAX_CELLS``): most values of ``X`` and ``y`` together
      (default 2 000 000). Both are checked before the body is decoded; more
      gets a 413 naming the limit.
    - ``ALLOW_DELETE`` (env ``GORDO_SERVER_ALLOW_DELETE``): ``true`` turns on
      ``DELETE .../<model>/revision/<revision>`` (default false).
    - ``PERIOD_MAX_ROWS`` (env ``GORDO_SERVER_PERIOD_MAX_ROWS``): most rows the GET
      period routes read (default 20 000, :mod:`gordo.server.views.period`).
    - ``ALLOW_INCOMPLETE`` (env ``GORDO_SERVER_ALLOW_INCOMPLETE``, or
      ``gordo run-server --allow-incomplete``): serve revisions whose
      ``build-project`` did not finish (default false: refused).
    """

    def __init__(self, overrides: dict[str, Any] | None = None):
        values = {**os.environ, **{k: v for k, v in (overrides or {}).items() if v is not None}}
        collection_dir = values.get("MODEL_COLLECTION_DIR")
        if not collection_dir:
            raise ConfigException(
                "MODEL_COLLECTION_DIR is not set: point it at the directory of the "
                "revision to serve, <root>/<project>/<revision>"
            )
        self.MODEL_COLLECTION_DIR = str(Path(collection_dir))
        self.PROJECT: str | None = values.get("PROJECT") or None
        self.EXPECTED_MODELS = _parse_expected_models(values.get("EXPECTED_MODELS"))
        self.ENABLE_PROMETHEUS = _flag(values.get("ENABLE_PROMETHEUS", False))
        self.N_CACHED_MODELS = _positive_int(
            values.get("N_CACHED_MODELS"), "N_CACHED_MODELS", model_store.DEFAULT_N_CACHED_MODELS
        )
        self.MAX_CONTENT_LENGTH = _positive_int(
            _server_setting(values, "MAX_CONTENT_LENGTH"),
            "MAX_CONTENT_LENGTH",
            DEFAULT_MAX_CONTENT_LENGTH,
        )
        preload = values.get("PRELOAD_MODELS", values.get("GORDO_SERVER_PRELOAD_MODELS", True))
        self.PRELOAD_MODELS = _flag(preload)
        self.MAX_ROWS = _positive_int(
            _server_setting(values, "MAX_ROWS"), "MAX_ROWS", BodyLimits.max_rows
        )
        self.MAX_CELLS = _positive_int(
            _server_setting(values, "MAX_CELLS"), "MAX_CELLS", BodyLimits.max_cells
        )
        self.PERIOD_MAX_ROWS = _positive_int(
            _server_setting(values, "PERIOD_MAX_ROWS"), "PERIOD_MAX_ROWS", DEFAULT_PERIOD_MAX_ROWS
        )
        self.ALLOW_DELETE = _flag(_server_setting(values, "ALLOW_DELETE"))
        self.ALLOW_INCOMPLETE = _flag(_server_setting(values, "ALLOW_INCOMPLETE"))
        if not self.ALLOW_INCOMPLETE and revision_manifest.is_incomplete(collection_dir):
            raise ConfigException(
                f"MODEL_COLLECTION_DIR {collection_dir} is an incomplete revision: the "
                "build-project that wrote it did not finish. Build the project again, or serve "
                "it anyway with gordo run-server --allow-incomplete "
                "(GORDO_SERVER_ALLOW_INCOMPLETE=true)"
            )

    @property
    def project_shown(self) -> str:
        """``PROJECT``, or when unset (any project is served) the name of the directory
        above the revision, as ``build-project`` lays revisions out."""
        return self.PROJECT or Path(self.MODEL_COLLECTION_DIR).parent.name


def _server_setting(values: dict, key: str) -> Any:
    """The value of ``key``, or else of its environment name ``GORDO_SERVER_<key>``."""
    value = values.get(key)
    return value if value not in (None, "") else values.get(f"GORDO_SERVER_{key}")


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in _TRUE


def _positive_int(raw: Any, key: str, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ConfigException(f"{key} must be a positive integer, got {raw!r}")
    return number


def _parse_expected_models(raw: Any) -> list[str]:
    if raw in (None, ""):
        return []
    import yaml

    try:
        parsed = yaml.safe_load(raw) if isinstance(raw, str) else raw
    except yaml.YAMLError as exc:
        raise ConfigException(f"EXPECTED_MODELS is not a YAML/JSON list: {exc}") from None
    if parsed is None:
        return []
    if not isinstance(parsed, list):
        raise ConfigException(f"EXPECTED_MODELS must be a list of model names, got {raw!r}")
    return [str(name) for name in parsed]


def enable_prometheus() -> bool:
    """Whether ``ENABLE_PROMETHEUS`` asks for metrics."""
    return _flag(os.environ.get("ENABLE_PROMETHEUS", ""))


def create_prometheus_metrics(project: str | None = None, registry=None):
    """The server's Prometheus metrics (a ``gordo.server.prometheus.metrics.GordoServer``)."""
    from gordo.server.prometheus.metrics import GordoServer

    return GordoServer(project=project, registry=registry)


def build_app(config: dict[str, Any] | None = None, prometheus_registry=None) -> flask.Flask:
    """Build the app and its routes; ``config`` overrides the environment (see :class:`Config`).

    flask is imported here, not with this module: ``gordo run-server`` (gunicorn's
    master) imports this module but never serves, so it stays small.
    """
    import flask

    from gordo.server import openapi, routes, startup
    from gordo.server.responses import json_response, register_error_handlers
    from gordo.server.views import dashboard
    from gordo.server.wsgi import refuse_too_large, request_class

    settings = Config(config)
    single_threaded_blas()  # requests run on threads; BLAS threads would fight them for cores
    malloc.limit_arenas(2)  # and each thread's own malloc arena would keep its peak memory
    malloc.reuse_large_blocks()  # large requests reuse freed blocks instead of faulting pages in
    model_store.MODELS.resize(settings.N_CACHED_MODELS)
    app = flask.Flask(__name__)
    # routes answer with and without a trailing slash or doubled slashes: no HTML redirects
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False
    app.request_class = request_class()
    app.config["GORDO"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_CONTENT_LENGTH
    app.wsgi_app = adapt_proxy_deployment(
        read_body_at_once(app.wsgi_app, settings.MAX_CONTENT_LENGTH)
    )
    current_revision = Path(settings.MODEL_COLLECTION_DIR).name

    if settings.ENABLE_PROMETHEUS:
        create_prometheus_metrics(settings.PROJECT, prometheus_registry).prepare_app(app)

    @app.route("/healthcheck")
    def healthcheck():
        return json_response({"gordo-server-version": __version__})

    @app.route("/server-version")
    def server_version():
        return json_response({"revision": current_revision, "version": __version__})

    @app.before_request
    def _start_clock():
        flask.g.request_start = time.perf_counter()
        refuse_too_large(flask.request.environ)

    @app.after_request
    def _revision_header(response: flask.Response):
        response.headers["revision"] = flask.g.get("revision") or current_revision
        if (flask.request.content_length or 0) > TRIM_AFTER_BYTES:
            response.call_on_close(_trim_later)  # once the answer is sent
        return response

    register_error_handlers(app)
    app.register_blueprint(openapi.build_blueprint())
    app.register_blueprint(routes.build_blueprint())
    app.register_blueprint(dashboard.build_blueprint())
    startup.start_preloading(
        app,
        startup.preload_for(
            settings.MODEL_COLLECTION_DIR,
            settings.EXPECTED_MODELS,
            settings.N_CACHED_MODELS,
            settings.PRELOAD_MODELS,
        ),
    )
    _warn_of_incomplete_revisions(settings)
    return app


def _warn_of_incomplete_revisions(settings: Config) -> None:
    """Log the revisions beside the served one whose ``build-project`` did not finish."""
    from gordo.server.collection import ModelCollection

    incomplete = ModelCollection(settings.MODEL_COLLECTION_DIR).incomplete_revisions()
    if incomplete:
        allowed = "served on request" if settings.ALLOW_INCOMPLETE else "refused (409)"
        logger.warning(
            "Incomplete revisions of project %s (their build-project did not finish), %s: %s",
            settings.project_shown,
            allowed,
            ", ".join(incomplete),
        )


def _trim_later() -> None:
    malloc.trim_later(TRIM_DELAY)


def run_cmd(cmd: list[str]) -> None:
    """Run ``cmd`` and wait for it, passing it the SIGTERM/SIGINT this process gets meanwhile.

    Its stderr goes to its stdout. Raises ``OSError`` (such as
    ``FileNotFoundError``) when ``cmd`` cannot start, and
    :class:`subprocess.CalledProcessError` when it fails; a command that ended
    on a SIGTERM/SIGINT passed on to it has not failed.

    >>> run_cmd([sys.executable, "-c", "pass"])
    >>> run_cmd([sys.executable, "-c", "raise SystemExit(3)"])
    Traceback (most recent call last):
    ...
    subprocess.CalledProcessError: Command '[...]' returned non-zero exit status 3.
    >>> run_cmd(["/nonexistent/gordo-no-such-program"])
    Traceback (most recent call last):
    ...
    FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/gordo-no-such-program'
    """
    process = subprocess.Popen(cmd, stderr=subprocess.STDOUT)
    passed_on: set[int] = set()

    def forward(signum, _frame):
        passed_on.add(signum)
        process.send_signal(signum)

    previous = {}
    if threading.current_thread() is threading.main_thread():  # signals reach the main thread
        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        code = process.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if code != 0 and -code not in passed_on:
        raise subprocess.CalledProcessError(code, cmd)


def gunicorn_command(
    host: str,
    port: int,
    workers: int,
    log_level: str,
    config_module: str | None = None,
    worker_connections: int | None = None,
    threads: int | None = None,
    worker_class: str = "gthread",
    server_app: str = DEFAULT_SERVER_APP,
) -> list[str]:
    """The gunicorn command line (arguments after ``gunicorn``) that :func:`run_server` runs.

    Without ``config_module``, gunicorn reads :mod:`gordo.server.gunicorn_config`
    (libraries imported and the app built in the master, models loaded per worker).
    ``gthread`` runs gunicorn's gthread worker whose own error answers (414, 431,
    400 for what gunicorn cannot parse) are JSON, like the app's
    (:mod:`gordo.server.gunicorn_worker`).

    >>> gunicorn_command("0.0.0.0", 5555, 2, "debug", threads=8)
    ['--bind', '0.0.0.0:5555', '--log-level', 'debug', '--workers', '2', '--worker-class', 'gordo.server.gunicorn_worker.ThreadWorker', '--worker-tmp-dir', '/dev/shm', '--config', 'python:gordo.server.gunicorn_config', '--threads', '8', 'gordo.server.server:build_app()']
    """
    cmd = ["--bind", f"{host}:{port}", "--log-level", log_level, "--workers", str(workers)]
    cmd += ["--worker-class", JSON_ERROR_WORKERS.get(worker_class, worker_class)]
    if Path("/dev/shm").is_dir():
        cmd += ["--worker-tmp-dir", "/dev/shm"]
    cmd += ["--config", f"python:{config_module or DEFAULT_GUNICORN_CONFIG}"]
    if worker_connections is not None:
        cmd += ["--worker-connections", str(worker_connections)]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    return [*cmd, server_app]


def run_server(
    host: str,
    port: int,
    workers: int,
    log_level: str,
    config_module: str | None = None,
    worker_connections: int | None = None,
    threads: int | None = None,
    worker_class: str = "gthread",
    server_app: str = DEFAULT_SERVER_APP,
) -> None:
    """Run the app with gunicorn, in this process (see :func:`gunicorn_command`).

    The original ran ``gunicorn`` through :func:`run_cmd`; here this process
    becomes gunicorn's master, so no second interpreter starts and
    SIGTERM/SIGINT reach gunicorn directly (docs/decisions.md). For the default
    app, the master first imports what serving needs, once for every worker
    (:func:`gordo.server.startup.prepare_master`). Returns when gunicorn stops;
    exits with its code if it fails.
    """
    from gunicorn.app.wsgiapp import WSGIApplication

    from gordo.server import startup

    if server_app == DEFAULT_SERVER_APP:  # not for another app, such as the metrics sidecar
        startup.prepare_master()
    args = gunicorn_command(
        host,
        port,
        workers,
        log_level,
        config_module=config_module,
        worker_connections=worker_connections,
        threads=threads,
        worker_class=worker_class,
        server_app=server_app,
    )
    saved = sys.argv
    sys.argv = ["gunicorn", *args]
    try:
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn").run()
    finally:
        sys.argv = saved
