"""The view decorators: the model, its metadata and the request's X and y, into ``flask.g``."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from gordo.server import payloads
from gordo.server.model_store import load_metadata, load_model
from gordo.server.wsgi import BodyLimits

#: Requests a worker parses, predicts and answers at once (see :func:`extract_X_y`).
CONCURRENT_REQUESTS = 2
#: The slots of :data:`CONCURRENT_REQUESTS`, taken by every view that computes on frames.
COMPUTING = threading.BoundedSemaphore(CONCURRENT_REQUESTS)


def extract_X_y(method: Callable) -> Callable:
    """Decorate a view: parse ``X`` (and ``y``) of the request into ``flask.g``.

    A request the parser rejects gets a 400 JSON answer naming the problem, and
    ``method`` is not run; a body over the server's ``MAX_ROWS`` or ``MAX_CELLS`` gets a 413. Both JSON bodies and ``?format=parquet`` multipart
    bodies are accepted (see :mod:`gordo.server.payloads`). A view whose class
    sets ``uses_y = False`` gets ``g.y = None`` without ``y`` being parsed.

    At most :data:`CONCURRENT_REQUESTS` requests of a worker parse, predict and
    answer at once; the others wait for a slot. A worker's threads share one
    GIL, and eight requests computing together spend CPU trading it. Loading the
    model (``model_required``) and the other routes are outside the limit.
    """

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        import flask

        with_y = getattr(args[0], "uses_y", True) if args else True
        settings = flask.current_app.config.get("GORDO")
        limits = BodyLimits(settings.MAX_ROWS, settings.MAX_CELLS) if settings else BodyLimits()
        with COMPUTING:
            flask.g.X, flask.g.y = payloads.read_X_y(flask.request, with_y, limits)
            return method(*args, **kwargs)

    return wrapper


def metadata_required(f: Callable) -> Callable:
    """Decorate a view taking ``gordo_name``: set ``g.metadata`` to that model's metadata."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        import flask

        flask.g.metadata = load_metadata(flask.g.collection_dir, kwargs["gordo_name"])
        return f(*args, **kwargs)

    return wrapper


def model_required(f: Callable) -> Callable:
    """Decorate a view taking ``gordo_name``: set ``g.model`` and ``g.metadata``."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        import flask

        name = kwargs["gordo_name"]
        flask.g.metadata = load_metadata(flask.g.collection_dir, name)
        flask.g.model = load_model(flask.g.collection_dir, name)
        return f(*args, **kwargs)

    return wrapper


def anomaly_required(f: Callable) -> Callable:
    """Decorate a view after ``model_required``: a 422 naming the model if it has no
    ``anomaly`` method, before the request's data is read."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        import flask

        from gordo.exceptions import ServingError

        model = flask.g.model
        if not callable(getattr(model, "anomaly", None)):
            raise ServingError(
                f"Model {kwargs['gordo_name']!r} ({type(model).__name__}) has no anomaly "
                "method; use the /prediction route",
                status_code=422,
            )
        return f(*args, **kwargs)

    return wrapper
