"""The OpenAPI document of the server and a Swagger UI served from local assets.

The Swagger UI files come from the ``swagger-ui-bundle`` package, so ``/``
works without internet access (no CDN).

>>> doc = openapi_document("demo", ["model-a"])
>>> sorted(doc["paths"])[:3]
['/gordo/v0/{gordo_project}/', '/gordo/v0/{gordo_project}/dashboard/', '/gordo/v0/{gordo_project}/dashboard/models.json']
"""

from __future__ import annotations

import flask

from gordo import __version__

_ERROR = {
    "description": "A JSON body naming the problem",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"error": {"type": "string"}, "status-code": {"type": "integer"}},
            }
        }
    },
}
_JSON = {"content": {"application/json": {"schema": {"type": "object"}}}}
_BINARY = {
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
}
_HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}
_NUMBERS = {"type": "array", "items": {"type": "number"}}
_FRAME_INPUT = {
    "oneOf": [
        _NUMBERS,
        {"type": "array", "items": _NUMBERS},
        {
            "type": "object",
            "description": "dataframe_to_dict form: {tag: {time: value}}",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "number"}},
        },
    ]
}


def _ok(description: str, body: dict = _JSON) -> dict:
    return {"description": description, **body}


def _choices(values: list[str]) -> dict:
    return {"type": "string", **({"enum": values} if values else {})}


def openapi_document(project: str | None, models: list[str], revisions: list[str] = ()) -> dict:
    """The OpenAPI 3 document of a server for ``project`` serving ``models``.

    The project (any name when None), the current revision's models and the
    available revisions are listed as the parameters' choices.
    """
    project_param = {
        "name": "gordo_project",
        "in": "path",
        "required": True,
        "schema": _choices([project] if project else []),
    }
    model_param = {"name": "gordo_name", "in": "path", "required": True, "schema": _choices(models)}
    revision_schema = _choices(list(revisions))
    revision_params = [
        {"name": "revision", "in": where, "required": False, "schema": revision_schema}
        for where in ("query", "header")
    ]
    format_param = {
        "name": "format",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["json", "parquet"]},
    }
    errors = {code: _ERROR for code in ("400", "404", "409", "410", "413", "422", "503")}

    def get(summary: str, body: dict = _JSON, model: bool = False) -> dict:
        params = [project_param, *([model_param] if model else []), *revision_params]
        return {
            "get": {
                "summary": summary,
                "parameters": params,
                "responses": {"200": _ok(summary, body), **errors},
            }
        }

    def post(summary: str, y_required: bool) -> dict:
        json_schema = {
            "type": "object",
            "required": ["X", "y"] if y_required else ["X"],
            "properties": {"X": _FRAME_INPUT, "y": _FRAME_INPUT},
        }
        parquet_schema = {
            "type": "object",
            "required": ["X", "y"] if y_required else ["X"],
            "properties": {
                "X": {"type": "string", "format": "binary"},
                "y": {"type": "string", "format": "binary"},
            },
        }
        return {
            "post": {
                "summary": summary,
                "parameters": [project_param, model_param, format_param, *revision_params],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": json_schema},
                        "multipart/form-data": {"schema": parquet_schema},
                    },
                },
                "responses": {
                    "200": {
                        "description": "data (model-input, model-output, start, end, ...) "
                        "and time-seconds; parquet bytes with ?format=parquet",
                        "content": {**_JSON["content"], **_BINARY["content"]},
                    },
                    **errors,
                },
            }
        }

    def period_get(summary: str) -> dict:
        period = [
            {
                "name": key,
                "in": "query",
                "required": True,
                "description": f"{key} of the period, ISO 8601 with a time zone",
                "schema": {"type": "string", "format": "date-time"},
            }
            for key in ("start", "end")
        ]
        return {
            "get": {
                "summary": summary,
                "description": "The server reads the period's data with the machine's own "
                "dataset and data provider; at most PERIOD_MAX_ROWS rows (400 beyond); "
                "404 without data, 503 if the data source cannot be reached.",
                "parameters": [project_param, model_param, *period, format_param,
                               *revision_params],
                "responses": {
                    "200": post(summary, False)["post"]["responses"]["200"],
                    "503": _ERROR,
                    **errors,
                },
            }
        }

    base = "/gordo/v0/{gordo_project}"
    model = base + "/{gordo_name}"
    plain = {"responses": {"200": _ok("OK")}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"gordo ML server: project {project}",
            "version": __version__,
            "description": "Every model of the project; revisions select older builds. "
            f"[Open the dashboard](gordo/v0/{project}/dashboard/) to see the fleet's anomalies.",
        },
        "paths": {
            "/healthcheck": {"get": {"summary": "Server liveness", **plain}},
            "/ready": {
                "get": {
                    "summary": "Readiness: every worker has loaded its preloaded models",
                    "responses": {"200": _ok("Ready"), "503": _ok("Still loading")},
                }
            },
            "/server-version": {"get": {"summary": "Server version", **plain}},
            base + "/": get("Project index: every model's endpoint, metadata and health"),
            base + "/models": get("Models of the revision"),
            base + "/revisions": get("Latest and available revisions"),
            base + "/expected-models": get("Models the deployment expects"),
            model + "/prediction": {
                **post("Model output for X", y_required=False),
                **period_get("Model output for the machine's data of a period"),
            },
            model + "/anomaly/prediction": {
                **post("Anomaly scores for X and y", y_required=True),
                **period_get("Anomaly scores for the machine's data of a period"),
            },
            base + "/dashboard/": get("Dashboard: the fleet page (HTML)", _HTML),
            base + "/dashboard/models.json": get("Dashboard: a page of models and their health"),
            base + "/dashboard/{gordo_name}": get("Dashboard: a machine's page (HTML)", _HTML, True),
            model + "/metadata": get("Model metadata", model=True),
            model + "/healthcheck": get("Model health (its metadata, once it loads)", model=True),
            model + "/download-model": get("gordo.serializer.dumps bytes", _BINARY, model=True),
            model + "/revision/{revision}": {
                "delete": {
                    "summary": "Delete the model of an old revision (not the served one); "
                    "only with GORDO_SERVER_ALLOW_DELETE=true",
                    "parameters": [
                        project_param,
                        model_param,
                        {
                            "name": "revision",
                            "in": "path",
                            "required": True,
                            "schema": revision_schema,
                        },
                    ],
                    "responses": {"200": _ok("Deleted"), "403": _ERROR, **errors},
                }
            },
        },
    }


_INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>gordo ML server</title>
  <link rel="stylesheet" href="{css}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{bundle}"></script>
  <script src="{preset}"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{spec}", dom_id: "#swagger-ui",
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    }});
  </script>
</body>
</html>
"""


def build_blueprint() -> flask.Blueprint:
    """``/`` (Swagger UI), ``/openapi.json`` and the UI's static files."""
    from swagger_ui_bundle import swagger_ui_path

    bp = flask.Blueprint(
        "openapi", __name__, static_folder=swagger_ui_path, static_url_path="/swagger-ui"
    )

    @bp.route("/")
    def swagger_ui():
        def asset(name: str) -> str:
            return flask.url_for("openapi.static", filename=name)

        html = _INDEX.format(
            css=asset("swagger-ui.css"),
            bundle=asset("swagger-ui-bundle.js"),
            preset=asset("swagger-ui-standalone-preset.js"),
            spec=flask.url_for("openapi.openapi_json"),
        )
        return flask.Response(html, mimetype="text/html")

    @bp.route("/openapi.json")
    def openapi_json():
        from gordo.server.collection import ModelCollection

        config = flask.current_app.config["GORDO"]
        collection = ModelCollection(config.MODEL_COLLECTION_DIR)
        models = collection.models() if collection.collection_dir.is_dir() else []
        return flask.jsonify(
            openapi_document(config.project_shown, models, collection.revisions())
        )

    return bp
