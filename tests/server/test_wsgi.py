"""The WSGI layer: splitting multipart bodies as werkzeug does."""

from __future__ import annotations

import pytest

from gordo.server import wsgi


@pytest.mark.parametrize(
    "preamble, fields, files",
    [
        (b"", None, {"X": b"x\r\n--bytes"}),
        (b"a preamble werkzeug skips\r\n", None, {"X": b"x\r\n--bytes"}),
        (b"", [("note", "not a file")], {}),
        (b"", [("X", ("X", b"")), ("y", ("y", b"y"))], {"X": b"", "y": b"y"}),
    ],
)
def test_uploaded_files_are_the_files_werkzeug_parses(preamble, fields, files):
    import flask
    from urllib3 import encode_multipart_formdata
    from werkzeug.test import EnvironBuilder

    if fields is None:
        fields = [("X", ("X", b"x\r\n--bytes")), ("note", "not a file"), ("X", ("X2", b"second"))]
    body, content_type = encode_multipart_formdata(fields)

    def request(data: bytes) -> flask.Request:
        environ = EnvironBuilder(
            method="POST", data=data, headers={"Content-Type": content_type}
        ).get_environ()
        return flask.Request(environ)

    expected = {name: part.read() for name, part in request(preamble + body).files.items()}
    assert expected == files
    assert wsgi.uploaded_files(request(preamble + body)) == expected
    for cut in (body[:-4], body.replace(b"\r\n\r\n", b"\r\n", 1)):  # no end, no blank line
        broken = {name: part.read() for name, part in request(cut).files.items()}
        assert wsgi.uploaded_files(request(cut)) == broken
