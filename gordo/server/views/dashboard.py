"""The dashboard: a fleet page and a machine page per project, served by the model server.

- ``/gordo/v0/<project>/dashboard/``: the fleet, a page of models at a time
  (``models.json``); the browser asks each model's scores for a recent period
  lazily (``GET .../anomaly/prediction?start=&end=``) and sorts the rows it has
  scored, most anomalous first.
- ``/gordo/v0/<project>/dashboard/<model>``: one machine's scores, alarms, tags
  and model card for a chosen period.

The pages are plain HTML and JavaScript modules shipped with gordo
(``gordo/server/dashboard/``); the chart library is plotly.js as the ``plotly``
package ships it (``plotly/package_data/plotly.min.js``), served from this
server, so the pages work without internet access and without a build step.

>>> summary("m-1", {"name": "m-1", "dataset": {"tag_list": ["a", "b"]},
...                 "metadata": {"user_defined": {"description": "pump"}}})
{'name': 'm-1', 'healthy': True, 'error': None, 'description': 'pump', 'tags': 2}
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import flask

from gordo.exceptions import BadRequestError, NotFoundError, ServingError
from gordo.server import model_metadata, model_store
from gordo.server.responses import json_response

#: the dashboard's HTML templates and JavaScript/CSS files
ASSETS = Path(__file__).resolve().parent.parent / "dashboard"
#: models per page of the fleet page (and the most ``models.json`` answers at once)
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@cache
def chart_library() -> Path:
    """The ``plotly.min.js`` the installed ``plotly`` package ships (plotly is not imported)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        path = Path(str(distribution("plotly").locate_file("plotly/package_data/plotly.min.js")))
    except PackageNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise ServingError(
            "The dashboard's chart library is missing: install the 'plotly' package "
            "(a dependency of gordo), which ships plotly/package_data/plotly.min.js",
            503,
        )
    return path


def summary(name: str, metadata: dict) -> dict[str, Any]:
    """What the fleet page shows of a model before scoring it."""
    user = (metadata.get("metadata") or {}).get("user_defined") or {}
    return {
        "name": name,
        "healthy": True,
        "error": None,
        "description": str(
            user.get("description") or (user.get("machine-metadata") or {}).get("description") or ""
        ),
        "tags": len(model_metadata.tag_names(metadata)),
    }


def _page_argument(key: str, default: int, most: int, least: int = 0) -> int:
    raw = flask.request.args.get(key, str(default))
    if not (raw.isascii() and raw.isdecimal()) or not least <= int(raw) <= most:
        raise BadRequestError(
            f"GET {flask.request.path}: {key} must be an integer from {least} to {most}, "
            f"not {raw!r}"
        )
    return int(raw)


def fleet_models():
    """``models.json?offset=&limit=``: a page of the revision's models with their health.

    A model is healthy as the project index reports it: the model store's
    :func:`~gordo.server.model_store.load_metadata` answers only for an artifact
    that verifies against its manifest and has not failed to load.
    """
    names = flask.g.collection.models(flask.g.revision)
    offset = _page_argument("offset", 0, max(len(names), 0))
    limit = _page_argument("limit", PAGE_SIZE, MAX_PAGE_SIZE, least=1)
    rows = []
    for name in names[offset : offset + limit]:
        try:
            rows.append(summary(name, model_store.load_metadata(flask.g.collection_dir, name)))
        except ServingError as exc:
            rows.append({"name": name, "healthy": False, "error": exc.message, "description": "",
                         "tags": 0})
    return json_response({"total": len(names), "offset": offset, "models": rows})


def _page(template: str, **context: Any) -> flask.Response:
    html = flask.render_template(
        template,
        project=flask.g.project,
        plotly_url=flask.url_for("gordo_dashboard.chart_library_js"),
        asset=lambda name: flask.url_for("gordo_dashboard.static", filename=name),
        api=flask.url_for("gordo_project.project_index", gordo_project=flask.g.project),
        **context,
    )
    return flask.Response(html, mimetype="text/html")


def fleet_page():
    """The fleet page: every model, ``per_page`` (default 25) at a time, most anomalous first."""
    return _page("fleet.html", page_size=_page_argument("per_page", PAGE_SIZE, MAX_PAGE_SIZE, least=1))


def machine_page(gordo_name: str):
    """One machine's page; a 404 JSON answer if the revision has no such model."""
    if not model_store.model_dir(flask.g.collection_dir, gordo_name).is_dir():
        raise NotFoundError(
            f"No model {gordo_name!r} in project {flask.g.project!r} "
            f"(revision {flask.g.revision})"
        )
    return _page("machine.html", model=gordo_name)


def add_routes(bp: flask.Blueprint) -> None:
    """Add the dashboard pages to the project blueprint."""
    bp.add_url_rule("/dashboard/", "dashboard_fleet", fleet_page, methods=["GET"])
    bp.add_url_rule("/dashboard/models.json", "dashboard_models", fleet_models, methods=["GET"])
    bp.add_url_rule("/dashboard/<gordo_name>", "dashboard_machine", machine_page, methods=["GET"])


def build_blueprint() -> flask.Blueprint:
    """The dashboard's templates, static files and chart library (``/dashboard-static/``)."""
    bp = flask.Blueprint(
        "gordo_dashboard",
        __name__,
        static_folder=str(ASSETS / "static"),
        static_url_path="/dashboard-static",
        template_folder=str(ASSETS / "templates"),
    )

    @bp.route("/dashboard-static/vendor/plotly.min.js")
    def chart_library_js():
        return flask.send_file(chart_library(), mimetype="text/javascript", max_age=86400)

    return bp
