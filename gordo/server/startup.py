"""How a server process starts: imports in gunicorn's master, models in each worker, readiness.

``gordo run-server`` runs gunicorn with :mod:`gordo.server.gunicorn_config`
in a process that first imports the libraries that serving needs
(:func:`prepare_master`); gunicorn's master then builds the app once
(``preload_app``), so every worker shares those pages;
nothing in the master starts a thread, so forking is safe. Each worker then
runs its own set-up after the fork (:func:`start_worker`): it loads the models
it was asked to preload (:class:`Preload`) in a background thread.

``/ready`` (the readiness route) answers 200 once every worker has finished
preloading, 503 before; ``/healthcheck`` answers as soon as a worker runs
(liveness). Outside gunicorn (tests, ``flask run``) there is no fork: the app
starts its preload at once and ``/ready`` speaks for this process alone.

>>> preload = Preload(Path("/nonexistent"), names=[], missing=["model-a"])
>>> preload.start().wait(timeout=1)
True
>>> preload.status()
{'ready': True, 'loaded': [], 'failed': {}, 'loading': [], 'missing': ['model-a']}
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import flask

logger = logging.getLogger(__name__)

#: What a served model needs, imported once in gunicorn's master. scikit-learn and
#: gordo's model classes come with the pickles; keras and jax are not here: they
#: start threads when imported (a neural model that needs Keras loads it in its worker).
SERVING_MODULES = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "orjson",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "sklearn.compose",
    "gordo.serializer",
    "gordo.machine.model.anomaly.diff",
    "gordo.machine.model.models",
)

#: Set in the master before the libraries load, unless already set: the server keeps
#: BLAS on one thread anyway (:mod:`gordo.util.blas`), and pyarrow's bundled jemalloc
#: would otherwise start its background purging thread when loaded.
NO_THREAD_ENVIRONMENT = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
}

#: Per-worker tasks waiting for the fork; ``None`` when there is no fork to wait for.
_AFTER_FORK: list[Callable[[], None]] | None = None
#: Shared by gunicorn's master and its workers: one file per ready worker.
_READY_DIR: Path | None = None
#: How many workers the master runs (known in the worker from :func:`start_worker`).
_WORKERS = 1


def prepare_master() -> None:
    """In gunicorn's master, before it loads the app: import :data:`SERVING_MODULES`.

    Per-worker tasks given to :func:`in_each_worker` from now on wait for the fork.
    """
    global _AFTER_FORK
    for key, value in NO_THREAD_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    for module in SERVING_MODULES:
        importlib.import_module(module)
    _AFTER_FORK = []


def master_prepared() -> bool:
    """Whether :func:`prepare_master` ran in this process (gunicorn's master, before the fork)."""
    return _AFTER_FORK is not None


def in_each_worker(task: Callable[[], None]) -> None:
    """Run ``task`` in each gunicorn worker after the fork, or now when there is none."""
    if _AFTER_FORK is None:
        task()
    else:
        _AFTER_FORK.append(task)


def share_readiness(workers: int) -> None:
    """In the master, before the fork: a directory where ready workers leave a file."""
    global _READY_DIR, _WORKERS
    shm = Path("/dev/shm")
    _READY_DIR = Path(tempfile.mkdtemp(prefix="gordo-ready-", dir=shm if shm.is_dir() else None))
    _WORKERS = workers


def start_worker(workers: int) -> None:
    """In a worker just forked (gunicorn's ``post_fork``): run the tasks set aside for it."""
    global _AFTER_FORK, _WORKERS
    tasks, _AFTER_FORK, _WORKERS = _AFTER_FORK or [], None, workers
    for task in tasks:
        task()


def forget_worker(pid: int) -> None:
    """In the master, when worker ``pid`` exits: it no longer counts as ready."""
    if _READY_DIR is not None:
        (_READY_DIR / str(pid)).unlink(missing_ok=True)


def stop_sharing() -> None:
    """In the master, when gunicorn exits: remove the readiness directory."""
    global _READY_DIR
    if _READY_DIR is not None:
        shutil.rmtree(_READY_DIR, ignore_errors=True)
        _READY_DIR = None


def _ready_workers() -> int:
    if _READY_DIR is None:
        return 1
    return sum(1 for _ in _READY_DIR.iterdir()) if _READY_DIR.is_dir() else 0


class Preload:
    """One worker's loading of the models ``names`` of ``directory`` (and their metadata).

    ``missing`` are the expected models that the revision does not have. Each
    loaded model also predicts once on 1 and on 100 rows of zeros
    (:func:`gordo.server.model_store.warm_up`). A failure is logged and
    recorded; the request for that model answers the error.
    """

    def __init__(self, directory: Path, names: list[str], missing: list[str]):
        self.directory = directory
        self.names = names
        self.missing = missing
        self.loaded: list[str] = []
        self.failed: dict[str, str] = {}
        self._done = threading.Event()

    def start(self) -> Preload:
        """Load the models in a background thread (if there are any); return ``self``."""
        if self.names:
            threading.Thread(target=self._run, name="gordo-preload", daemon=True).start()
        else:
            self._run()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Whether every model was loaded (or failed) within ``timeout`` seconds."""
        return self._done.wait(timeout)

    def _run(self) -> None:
        from gordo.server import model_store

        try:
            for name in self.names:
                try:
                    model = model_store.load_model(self.directory, name)
                    model_store.warm_up(model, model_store.load_metadata(self.directory, name))
                    self.loaded.append(name)
                except Exception as exc:  # reported again when the model is requested
                    logger.warning(
                        "Preloading model %r from %s failed: %s", name, self.directory, exc
                    )
                    self.failed[name] = str(exc)
        finally:
            if _READY_DIR is not None:
                with contextlib.suppress(OSError):  # gunicorn is exiting
                    (_READY_DIR / str(os.getpid())).touch()
            self._done.set()

    def status(self) -> dict:
        """What this worker has loaded, and whether it is ready."""
        done = set(self.loaded) | set(self.failed)
        return {
            "ready": self._done.is_set(),
            "loaded": list(self.loaded),
            "failed": dict(self.failed),
            "loading": [name for name in self.names if name not in done],
            "missing": list(self.missing),
        }


def preload_for(
    collection_dir: str | os.PathLike, expected: list[str], limit: int, enabled: bool
) -> Preload:
    """The preload of a server: up to ``limit`` models, the ``expected`` ones first.

    Nothing is loaded when ``enabled`` is false; expected models that the
    revision lacks are only reported (``missing``).
    """
    from gordo.server.collection import ModelCollection

    directory = Path(collection_dir)
    available = ModelCollection(directory).models() if directory.is_dir() else []
    missing = [name for name in expected if name not in available]
    names = [name for name in expected if name in available]
    names += [name for name in available if name not in names]
    return Preload(directory, names[:limit] if enabled else [], missing)


def readiness_blueprint() -> flask.Blueprint:
    """``GET /ready``: 200 once every worker has preloaded its models, else 503."""
    blueprint = flask.Blueprint("readiness", __name__)

    @blueprint.route("/ready")
    def ready():
        from gordo.server.responses import json_response

        preload: Preload = flask.current_app.extensions["gordo_preload"]
        status = preload.status()
        status["workers"] = _WORKERS
        status["workers-ready"] = min(_ready_workers(), _WORKERS) if status["ready"] else 0
        status["ready"] = status["ready"] and status["workers-ready"] >= _WORKERS
        return json_response(status, status=200 if status["ready"] else 503)

    return blueprint


def start_preloading(app: flask.Flask, preload: Preload) -> None:
    """Serve ``/ready`` from ``app`` and start ``preload`` (in each worker, after the fork)."""
    app.extensions["gordo_preload"] = preload
    app.register_blueprint(readiness_blueprint())
    in_each_worker(preload.start)
