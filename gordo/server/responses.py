"""JSON responses (orjson) and the JSON error answers of the server.

Every JSON answer carries the ``revision`` it was computed from (when a project
route was asked) and every answer has a ``revision`` header (see server.py).
"""

from __future__ import annotations

import logging
from typing import Any

import flask
import orjson
from werkzeug.exceptions import HTTPException

from gordo.exceptions import ArtifactError, ServingError

logger = logging.getLogger(__name__)

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY
#: orjson writes dicts with non-string keys only with this option, at half the speed
_NON_STR_KEYS = _OPTIONS | orjson.OPT_NON_STR_KEYS


def json_response(payload: dict, status: int = 200) -> flask.Response:
    """``payload`` (plus the request's ``revision``) as a JSON response."""
    revision = flask.g.get("revision")
    if revision is not None and "revision" not in payload:
        payload = {**payload, "revision": revision}
    return flask.Response(dumps(payload), status, mimetype="application/json")


def dumps(payload: Any) -> bytes:
    """``payload`` as JSON bytes; numpy values and non-string keys (as strings) allowed.

    >>> dumps({"a": 1, 2: [0.5, None]})
    b'{"a":1,"2":[0.5,null]}'
    """
    try:
        return orjson.dumps(payload, option=_OPTIONS)
    except orjson.JSONEncodeError:  # a non-string key: the slower option writes it
        return orjson.dumps(payload, option=_NON_STR_KEYS)


def error_response(message: str, status: int) -> flask.Response:
    return json_response({"error": message, "status-code": status}, status)


def register_error_handlers(app: flask.Flask) -> None:
    """Answer every error with a JSON body naming the problem, and never a server path.

    A model artifact that cannot be read is a 503 (see
    :class:`gordo.server.model_store.BrokenModelError`); an HTTP error keeps its
    headers (``Allow`` on a 405); an unexpected error is a 500 that names the
    route and the error's type only, the rest going to the server's log.
    """

    @app.errorhandler(ServingError)
    def _serving_error(exc: ServingError):
        return error_response(exc.message, exc.status_code)

    @app.errorhandler(ArtifactError)
    def _artifact_error(exc: ArtifactError):
        logger.error("Broken model artifact on %s: %s", flask.request.path, exc)
        return error_response(
            f"A model artifact on {flask.request.path} cannot be loaded (see the server log)", 503
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        response = error_response(f"{exc.name}: {exc.description}", exc.code or 500)
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        logger.exception("Unhandled error on %s", flask.request.path)
        return error_response(
            f"Internal error on {flask.request.path} ({type(exc).__name__}; "
            "the details are in the server log)",
            500,
        )
