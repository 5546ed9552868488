"""The server's WSGI layer: proxy paths, reading request bodies, and splitting uploads.

Everything between the socket and the views' payload parsing
(:mod:`gordo.server.payloads`) is here: a body of known length is read in one
call (:func:`read_body_at_once`) and handed to the views as it is
(:func:`request_body`); a multipart body's files are views of it
(:func:`uploaded_parts`).

flask and werkzeug are imported when first needed: ``gordo run-server``
imports this module (through :mod:`gordo.server.server`) but never serves.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

#: the WSGI environ key of a request body read whole (see :func:`read_body_at_once`)
BODY_KEY = "gordo.request_body"
#: the WSGI environ key set (to the byte limit) when a body is over it
TOO_LARGE_KEY = "gordo.request_body_too_large"
#: how much of a chunked body is read at a time
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BodyLimits:
    """The most rows of ``X`` or ``y`` and values of both in one request (see payloads)."""

    max_rows: int = 100_000
    max_cells: int = 2_000_000


def adapt_proxy_deployment(wsgi_app: Callable) -> Callable:
    """Wrap a WSGI app so it works behind a path-prefixing proxy (Envoy/Ambassador).

    ``HTTP_X_ENVOY_ORIGINAL_PATH`` is the full path (with the prefix) and
    ``PATH_INFO`` the path the app knows; the difference becomes ``SCRIPT_NAME``,
    so generated URLs carry the prefix.

    >>> import flask
    >>> app = flask.Flask(__name__)
    >>> app.wsgi_app = adapt_proxy_deployment(app.wsgi_app)
    >>> @app.route("/metadata")
    ... def metadata():
    ...     return flask.url_for("metadata")
    >>> headers = {"X-Envoy-Original-Path": "/gordo/v0/p/m/metadata"}
    >>> app.test_client().get("/metadata", headers=headers).text
    '/gordo/v0/p/m/metadata'
    """

    def wrapper(environ: dict, start_response: Callable):
        original = environ.get("HTTP_X_ENVOY_ORIGINAL_PATH", "").split("?", 1)[0]
        path = environ.get("PATH_INFO", "")
        if original and path and original != path and original.endswith(path):
            environ["SCRIPT_NAME"] = original[: -len(path)]
        return wsgi_app(environ, start_response)

    return wrapper


def read_body_at_once(wsgi_app: Callable, max_length: int) -> Callable:
    """Wrap a WSGI app so a request body is read in one call, or refused unread.

    werkzeug reads a body 64 KiB at a time; under gunicorn each such read copies
    what gunicorn has buffered ahead (up to 1 MiB), holding the GIL. The body is
    kept as ``environ[BODY_KEY]``, so the views take it as it is
    (:func:`request_body`) instead of werkzeug copying it again in 64 KiB
    pieces. A chunked body (no ``Content-Length``) is read 1 MiB at a time up to
    ``max_length``. A body over ``max_length`` (by its ``Content-Length``, or
    found so while reading it) is not kept: ``environ[TOO_LARGE_KEY]`` is set to
    the limit, and the app answers 413 (see :func:`refuse_too_large`).

    >>> def app(environ, start_response):
    ...     return [environ["wsgi.input"].read(), environ.get(TOO_LARGE_KEY)]
    >>> wrapped = read_body_at_once(app, max_length=10)
    >>> wrapped({"CONTENT_LENGTH": "3", "wsgi.input": io.BytesIO(b"abc")}, None)
    [b'abc', None]
    >>> chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"x" * 11)}
    >>> wrapped(chunked, None)[1]
    10
    """

    def wrapper(environ: dict, start_response: Callable):
        length = environ.get("CONTENT_LENGTH", "")
        if length.isdigit() and int(length) > max_length:
            environ[TOO_LARGE_KEY] = max_length
        elif length.isdigit() and int(length) > 0:
            _keep(environ, environ["wsgi.input"].read(int(length)))
        elif not length and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = _read_at_most(environ["wsgi.input"], max_length)
            if body is None:
                environ[TOO_LARGE_KEY] = max_length
            else:
                _keep(environ, body)
                environ["CONTENT_LENGTH"] = str(len(body))
        return wsgi_app(environ, start_response)

    return wrapper


def _keep(environ: dict, body: bytes) -> None:
    environ[BODY_KEY] = body
    environ["wsgi.input"] = io.BytesIO(body)


def _read_at_most(stream, max_length: int) -> bytes | None:
    """The whole of ``stream``, or None as soon as it is longer than ``max_length``."""
    pieces, size = [], 0
    while piece := stream.read(CHUNK):
        size += len(piece)
        if size > max_length:
            return None
        pieces.append(piece)
    return b"".join(pieces)


def refuse_too_large(environ: dict) -> None:
    """Raise a 413 naming the byte limit if :func:`read_body_at_once` found the body over it."""
    limit = environ.get(TOO_LARGE_KEY)
    if limit is not None:
        from gordo.exceptions import PayloadTooLargeError

        raise PayloadTooLargeError(
            f"The request body is larger than this server's limit of {limit} bytes "
            "(MAX_CONTENT_LENGTH, env GORDO_SERVER_MAX_CONTENT_LENGTH)"
        )


@functools.cache
def request_class() -> type:
    """The app's request class: a ``flask.Request`` whose uploaded files stay in memory.

    werkzeug spools uploads over 500 KB to a temporary file; bodies here are
    bounded by ``MAX_CONTENT_LENGTH`` and read whole right away.
    """
    import flask

    class UploadsInMemoryRequest(flask.Request):
        def _get_file_stream(self, *args, **kwargs) -> io.BytesIO:
            return io.BytesIO()

    return UploadsInMemoryRequest


def wants_parquet(request) -> bool:
    """Whether the request asks for parquet in and out (``?format=parquet``)."""
    return request.args.get("format", "").lower() == "parquet"


def request_body(request, cache: bool = False) -> bytes:
    """The body of ``request``: as the server read it whole, or from werkzeug."""
    body = request.environ.get(BODY_KEY)
    return body if body is not None else request.get_data(cache=cache)


def uploaded_files(request) -> dict[str, bytes]:
    """The files of a ``multipart/form-data`` body by field name (the first of each name).

    A well-formed body (``--boundary``, CRLF, part headers, CRLF CRLF, content,
    CRLF, ... ``--boundary--``) is split with ``bytes.split``; anything else goes
    through werkzeug's parser (``request.files``). As there, only parts with a
    ``filename`` are files.

    >>> import flask
    >>> from werkzeug.test import EnvironBuilder
    >>> request = flask.Request(EnvironBuilder(
    ...     method="POST", data={"X": (io.BytesIO(b"x-bytes"), "X"), "note": "text"}
    ... ).get_environ())
    >>> uploaded_files(request)
    {'X': b'x-bytes'}
    """
    return {name: bytes(content) for name, content in uploaded_parts(request).items()}


def uploaded_parts(request) -> dict[str, bytes | memoryview]:
    """:func:`uploaded_files`, a well-formed body's files as views of it (not copies)."""
    files = _split_multipart(request)
    if files is None:
        return {name: part.read() for name, part in request.files.items()}
    return files


def _split_multipart(request) -> dict[str, memoryview] | None:
    boundary = request.mimetype_params.get("boundary")
    if request.mimetype != "multipart/form-data" or not boundary:
        return None
    data = request_body(request, cache=True)
    delimiter = b"--" + boundary.encode("latin-1")
    starts = [0] if data.startswith(delimiter) else []
    while starts and (found := data.find(delimiter, starts[-1] + len(delimiter))) >= 0:
        starts.append(found)
    closing = starts[-1] + len(delimiter) if starts else 0
    if not starts or data[closing : closing + 2] != b"--":
        return None
    view = memoryview(data)
    files: dict[str, memoryview] = {}
    for begin, end in zip(starts[:-1], starts[1:], strict=True):
        begin += len(delimiter)  # a part: CRLF, headers, CRLF CRLF, content, CRLF
        if data[begin : begin + 2] != b"\r\n" or data[end - 2 : end] != b"\r\n":
            return None
        blank = data.find(b"\r\n\r\n", begin + 2, end - 2)
        if blank < 0:
            return None
        options = _disposition(data[begin + 2 : blank])
        if options is None:
            return None
        if "filename" in options and "name" in options:
            files.setdefault(options["name"], view[blank + 4 : end - 2])
    return files


def _disposition(head: bytes) -> dict[str, str] | None:
    """The parameters of a part's ``Content-Disposition: form-data`` header, if it has one."""
    from werkzeug.http import parse_options_header

    for line in head.decode("latin-1").split("\r\n"):
        field, _, value = line.partition(":")
        if field.strip().lower() == "content-disposition":
            kind, options = parse_options_header(value)
            return options if kind == "form-data" else None
    return None
