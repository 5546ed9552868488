"""Request count and latency metrics of the ML server.

Both are labelled by ``method``, ``path`` (the route, e.g.
``/gordo/v0/<gordo_project>/<gordo_name>/prediction``), ``status_code``,
``project`` and ``model``. The metric names are those the generated KEDA
trigger queries (``gordo_server_request_duration_seconds_count``).

>>> from prometheus_client import CollectorRegistry
>>> registry = CollectorRegistry()
>>> metrics = GordoServer(project="demo", registry=registry)
>>> metrics.observe("GET", "/models", 200, "", 0.01)
>>> registry.get_sample_value("gordo_server_requests_total", {"method": "GET",
...     "path": "/models", "status_code": "200", "project": "demo", "model": ""})
1.0
"""

from __future__ import annotations

import os
import time

import flask
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

LABELS = ("method", "path", "status_code", "project", "model")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
IGNORED_PATHS = frozenset({"/healthcheck", "/metrics", "/ready", "/server-version"})


def multiprocess_dir() -> str | None:
    """The prometheus_client multiprocess directory, if one is configured."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


class GordoServer:
    """The server's metrics, registered in ``registry``."""

    def __init__(self, project: str | None = None, registry: CollectorRegistry | None = None):
        self.project = project or ""
        self.registry = registry if registry is not None else CollectorRegistry()
        self.requests = Counter(
            "gordo_server_requests",
            "HTTP requests answered by the gordo server",
            LABELS,
            registry=self.registry,
        )
        self.request_duration_seconds = Histogram(
            "gordo_server_request_duration_seconds",
            "HTTP request duration, in seconds",
            LABELS,
            registry=self.registry,
            buckets=BUCKETS,
        )

    def observe(self, method: str, path: str, status: int, model: str, seconds: float) -> None:
        project = self.project or flask.g.get("project", "")
        labels = (method, path, str(status), project, model)
        self.requests.labels(*labels).inc()
        self.request_duration_seconds.labels(*labels).observe(seconds)

    def prepare_app(self, app: flask.Flask) -> None:
        """Time every request of ``app`` and serve ``/metrics``."""

        @app.before_request
        def _start_timer():
            flask.g.prometheus_start = time.perf_counter()

        @app.after_request
        def _record(response: flask.Response):
            # a route's spellings (``…/prediction`` and ``…/prediction/``) match one rule
            rule = flask.request.url_rule
            path = rule.rule if rule is not None else "<unknown>"
            start = flask.g.get("prometheus_start")
            if start is not None and path not in IGNORED_PATHS:
                model = (flask.request.view_args or {}).get("gordo_name", "")
                self.observe(
                    flask.request.method,
                    path,
                    response.status_code,
                    model,
                    time.perf_counter() - start,
                )
            return response

        app.add_url_rule("/metrics", "metrics", self.metrics_view)

    def metrics_view(self) -> flask.Response:
        return metrics_response(self.registry)


def metrics_response(registry: CollectorRegistry | None = None) -> flask.Response:
    """The text exposition of the metrics; summed over the workers in multiprocess mode."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    return flask.Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
