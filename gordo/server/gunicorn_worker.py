"""gunicorn's threaded worker, answering the errors gunicorn raises itself as JSON.

gunicorn answers a request it cannot parse (a request line over
``limit_request_line``: 414; too many or too large headers: 431; a malformed
request: 400) before the app sees it, with an HTML page. :class:`ThreadWorker`
(gunicorn's documented way: a subclass of its worker given as the worker class)
lets gunicorn choose the status and message as usual, and writes them as the
app's JSON error body: ``{"error": "<reason>: <message>", "status-code": <status>}``.

>>> page = (b"HTTP/1.1 414 URI Too Long\\r\\nConnection: close\\r\\nContent-Type: text/html\\r\\n"
...         b"Content-Length: 9\\r\\n\\r\\n<html>\\n<h1><p>URI Too Long</p></h1>\\n  5000 &gt; 4094\\n</html>")
>>> print(json_answer(page).decode().split("\\r\\n\\r\\n")[1])
{"error": "URI Too Long: 5000 > 4094", "status-code": 414}
"""

from __future__ import annotations

import html
import json
import re

from gunicorn.workers.gthread import ThreadWorker as _GunicornThreadWorker

_STATUS = re.compile(rb"HTTP/1\.[01] (\d{3}) ([^\r\n]*)\r\n")
_TAGS = re.compile(r"<[^>]*>")


class ThreadWorker(_GunicornThreadWorker):
    """gunicorn's ``gthread`` worker whose own error answers are JSON."""

    def handle_error(self, req, client, addr, exc):
        super().handle_error(req, _JSONErrors(client), addr, exc)


class _JSONErrors:
    """A client socket whose HTML error page, written by gunicorn, goes out as JSON."""

    def __init__(self, sock):
        self._sock = sock

    def sendall(self, data: bytes) -> None:
        self._sock.sendall(json_answer(data))

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


def json_answer(data: bytes) -> bytes:
    """The HTTP answer ``data`` (gunicorn's HTML error page) with a JSON body; as is if not one."""
    status = _STATUS.match(data)
    head, separator, page = data.partition(b"\r\n\r\n")
    if status is None or not separator or b"text/html" not in head:
        return data
    code, reason = int(status.group(1)), status.group(2).decode("latin-1")
    text = page.decode("latin-1").split("</h1>", 1)[-1]
    message = " ".join(html.unescape(_TAGS.sub(" ", text)).split())
    body = json.dumps({"error": f"{reason}: {message}" if message else reason, "status-code": code})
    return (
        f"HTTP/1.1 {code} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode("latin-1")
