"""The project blueprint: every route under ``/gordo/v0/<gordo_project>/``.

Before a view runs, the project is checked against the server's ``PROJECT``
(any project name is served when it is not set) and the revision is resolved:
the ``revision`` query parameter or header picks another revision than the
current one (410 if it is not there, 409 if its build did not finish).
"""

from __future__ import annotations

import datetime
import functools
import threading

import flask

from gordo import __version__
from gordo.exceptions import NotFoundError, ServingError
from gordo.server import model_store
from gordo.server.collection import ModelCollection
from gordo.server.responses import json_response
from gordo.server.views import dashboard, period
from gordo.server.views.anomaly import AnomalyView
from gordo.server.views.base import (
    BaseModelView,
    DownloadModel,
    ExpectedModels,
    MetaDataView,
    ModelHealthView,
    ModelListView,
    RevisionListView,
)

PREFIX = "/gordo/v0/<gordo_project>"

#: per worker: (revision dir, model) -> when its metadata last loaded fine
_LAST_SEEN: dict[tuple[str, str], str] = {}
_LAST_SEEN_LOCK = threading.Lock()


def requested_revision() -> str | None:
    """The revision asked by query parameter or header, if any."""
    return flask.request.args.get("revision") or flask.request.headers.get("revision")


def _enter_project(endpoint: str | None, values: dict | None) -> None:
    values = values if values is not None else {}
    project = values.pop("gordo_project", None)
    config = flask.current_app.config["GORDO"]
    if config.PROJECT is not None and project != config.PROJECT:
        raise NotFoundError(
            f"Unknown project {project!r}: this server serves project {config.PROJECT!r}"
        )
    flask.g.project = project
    flask.g.collection = collection = _collection(
        config.MODEL_COLLECTION_DIR, config.ALLOW_INCOMPLETE
    )
    flask.g.revision = collection.current_revision
    flask.g.collection_dir = collection.revision_dir(requested_revision())
    flask.g.revision = flask.g.collection_dir.name
    if "gordo_name" in values:
        flask.g.model_name = model_store.check_model_name(values["gordo_name"])


@functools.lru_cache(maxsize=16)
def _collection(collection_dir: str, allow_incomplete: bool) -> ModelCollection:
    """The (stateless) collection of a server's ``MODEL_COLLECTION_DIR``, made once."""
    return ModelCollection(collection_dir, allow_incomplete)


def project_index():
    """Every model of the asked revision (and every expected one) with its status."""
    collection: ModelCollection = flask.g.collection
    config = flask.current_app.config["GORDO"]
    names = collection.models(flask.g.revision)
    names += [name for name in config.EXPECTED_MODELS if name not in names]
    return json_response(
        {
            "project-name": flask.g.project,
            "endpoints": [_endpoint_status(name) for name in names],
        }
    )


def _endpoint_status(name: str) -> dict:
    now = datetime.datetime.now(datetime.UTC).isoformat()
    key = (str(flask.g.collection_dir), name)
    try:
        metadata = model_store.load_metadata(flask.g.collection_dir, name)
    except ServingError as exc:
        endpoint_metadata, healthy, error = {}, False, exc.message
    else:
        endpoint_metadata = {
            "gordo-server-version": __version__,
            "metadata": metadata,
            "env": {"MODEL_COLLECTION_DIR": str(flask.g.collection_dir)},
        }
        healthy, error = True, None
        with _LAST_SEEN_LOCK:
            _LAST_SEEN[key] = now
    with _LAST_SEEN_LOCK:
        last_seen = _LAST_SEEN.get(key)
    status = {
        "endpoint": f"/gordo/v0/{flask.g.project}/{name}",
        "endpoint-metadata": endpoint_metadata,
        "healthy": healthy,
        "last-checked": now,
        "last-seen": last_seen,
        "target": name,
    }
    return status if error is None else {**status, "error": error}


def delete_model_revision(gordo_name: str, revision: str):
    """Delete model ``gordo_name`` of an old ``revision`` (never the served one).

    Off unless the server's ``ALLOW_DELETE`` is true: 403 naming the switch.
    """
    if not flask.current_app.config["GORDO"].ALLOW_DELETE:
        raise ServingError(
            "Deleting models is turned off on this server; an operator turns it on with "
            "GORDO_SERVER_ALLOW_DELETE=true",
            status_code=403,
        )
    flask.g.collection.delete_model(gordo_name, revision)
    return json_response({"ok": True, "deleted": f"{revision}/{gordo_name}", "revision": revision})


def build_blueprint() -> flask.Blueprint:
    """The blueprint of the project routes.

    Every route also answers with a trailing slash (the documented headings spell
    ``/prediction/``, ``/metadata/``...), at the same view and without a redirect:
    the app's URL map is not strict about slashes (:func:`gordo.server.server.build_app`).
    """
    bp = flask.Blueprint("gordo_project", __name__, url_prefix=PREFIX)
    bp.url_value_preprocessor(_enter_project)

    bp.add_url_rule("/", "project_index", project_index, methods=["GET"])
    bp.add_url_rule("/models", view_func=ModelListView.as_view(ModelListView.endpoint))
    bp.add_url_rule("/revisions", view_func=RevisionListView.as_view(RevisionListView.endpoint))
    bp.add_url_rule("/expected-models", view_func=ExpectedModels.as_view(ExpectedModels.endpoint))
    bp.add_url_rule(
        "/<gordo_name>/prediction", view_func=BaseModelView.as_view(BaseModelView.endpoint)
    )
    bp.add_url_rule(
        "/<gordo_name>/anomaly/prediction", view_func=AnomalyView.as_view(AnomalyView.endpoint)
    )
    bp.add_url_rule("/<gordo_name>/metadata", view_func=MetaDataView.as_view(MetaDataView.endpoint))
    bp.add_url_rule(
        "/<gordo_name>/healthcheck", view_func=ModelHealthView.as_view(ModelHealthView.endpoint)
    )
    bp.add_url_rule(
        "/<gordo_name>/download-model", view_func=DownloadModel.as_view(DownloadModel.endpoint)
    )
    bp.add_url_rule(
        "/<gordo_name>/revision/<revision>",
        "delete_model_revision",
        delete_model_revision,
        methods=["DELETE"],
    )
    period.add_routes(bp)
    dashboard.add_routes(bp)
    return bp
