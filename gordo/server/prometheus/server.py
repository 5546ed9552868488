"""The metrics sidecar app: ``/metrics`` summed over the ML server's workers.

Run as ``gordo run-server --port 5000 --server-app
"gordo.server.prometheus.server:build_app()"`` next to the ML server, sharing its
``PROMETHEUS_MULTIPROC_DIR``.

>>> client = build_app().test_client()
>>> client.get("/healthcheck").status_code
200
"""

from __future__ import annotations

import flask

from gordo import __version__
from gordo.server.prometheus.metrics import metrics_response


def build_app() -> flask.Flask:
    """A Flask app serving ``/metrics`` and ``/healthcheck``."""
    app = flask.Flask(__name__)
    app.add_url_rule("/metrics", "metrics", lambda: metrics_response())
    app.add_url_rule("/healthcheck", "healthcheck", lambda: {"gordo-server-version": __version__})
    return app
