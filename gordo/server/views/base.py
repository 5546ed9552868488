"""The basic views into the models of a project: prediction, metadata, lists, download.

Every view runs inside the project blueprint (see :mod:`gordo.server.routes`),
which sets ``g.collection`` (the :class:`~gordo.server.collection.ModelCollection`),
``g.revision`` and ``g.collection_dir`` (the directory of the asked revision).
"""

from __future__ import annotations

import time

import flask
import numpy as np
import pandas as pd
from flask.views import MethodView

from gordo import __version__
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import BadRequestError, ServingError
from gordo.server import model_io, model_metadata, model_store, payloads
from gordo.server.decorators import extract_X_y, metadata_required, model_required
from gordo.server.frame_codecs import answer_parquet_bytes
from gordo.server.frames import Table
from gordo.server.model_store import model_dir
from gordo.server.responses import json_response
from gordo.server.wsgi import wants_parquet


class BaseModelView(MethodView):
    """Apply the model to the posted ``X``: answer model-input, model-output, start, end."""

    endpoint = "base_model_view"
    methods = ["POST"]
    #: /prediction ignores a posted ``y``, so it is not parsed
    uses_y = False
    X: pd.DataFrame | None = None
    y: pd.DataFrame | None = None

    @property
    def tags(self) -> list[SensorTag]:
        """The input tags for this model."""
        return model_metadata.tags(flask.g.metadata)

    @property
    def target_tags(self) -> list[SensorTag]:
        """The target tags for this model (the input tags if it has none)."""
        return model_metadata.target_tags(flask.g.metadata)

    @property
    def frequency(self) -> pd.DateOffset | None:
        """The frequency the model was trained with in the dataset."""
        return model_metadata.resolution(flask.g.metadata)

    @staticmethod
    def load_build_dataset_metadata() -> dict:
        """The dataset part of the build metadata of the model being served."""
        build = (flask.g.metadata.get("metadata") or {}).get("build_metadata") or {}
        return build.get("dataset") or {}

    def tag_names(self) -> list[str]:
        names = model_metadata.serving_info(flask.g.metadata).tag_names
        if not names:
            raise ServingError(
                f"Model {flask.g.model_name!r} has no dataset.tag_list in its metadata", 500
            )
        return names

    def mediatypes(self) -> list[str]:
        return ["application/json", "application/octet-stream"]

    @model_required
    @extract_X_y
    def post(self, gordo_name: str):
        """Process a POST request by using provided user data."""
        return self.answer(gordo_name)

    def answer(self, gordo_name: str) -> flask.Response:
        """The answer for ``g.X``: model input and output (also the GET period route's)."""
        self.X = payloads.conform(flask.g.X, self.tag_names(), "X")
        return self.respond(self.predict_frame(self.X))

    def predict_frame(self, X: pd.DataFrame) -> Table:
        """Model input, output, start and end as a response table."""
        try:
            output = model_io.get_model_output(flask.g.model, X)
        except ValueError as exc:
            raise BadRequestError(f"Model {flask.g.model_name!r} rejected X: {exc}") from None
        return base_table(X, output, model_metadata.serving_info(flask.g.metadata).target_names)

    def respond(self, table: Table) -> flask.Response:
        """The table as parquet bytes (``?format=parquet``) or JSON with ``time-seconds``."""
        if wants_parquet(flask.request):
            return flask.Response(
                answer_parquet_bytes(table.to_arrow()), mimetype="application/octet-stream"
            )
        return json_response(
            {"data": table.to_payload(), "time-seconds": f"{elapsed_seconds():.4f}"}
        )


def elapsed_seconds() -> float:
    """Seconds since the request started (set by the app's ``before_request``)."""
    return time.perf_counter() - flask.g.get("request_start", time.perf_counter())


def base_table(X: pd.DataFrame, output: np.ndarray, targets: list[str]) -> Table:
    """The /prediction table: model-input, model-output, start and an empty end.

    Output shorter than the input (look-back models) is aligned to the last rows.
    """
    if len(output) != len(X):
        X = X.iloc[len(X) - len(output) :]
    table = Table(X.index)
    inputs = X.to_numpy().T
    for name, column in zip(X.columns, inputs, strict=True):
        table.add("model-input", str(name), column)
    names = targets if output.shape[1] == len(targets) else [str(i) for i in range(output.shape[1])]
    for name, column in zip(names, np.asarray(output, dtype=np.float64).T, strict=True):
        table.add("model-output", name, column)
    is_time = isinstance(X.index, pd.DatetimeIndex)
    table.add("start", "start", X.index if is_time else None)
    table.add("end", "end", None)
    return table


class MetaDataView(MethodView):
    """Serve model / server metadata."""

    endpoint = "meta_data_view"
    methods = {"GET"}

    def mediatypes(self) -> list[str]:
        return ["application/json"]

    @metadata_required
    def get(self, gordo_name: str):
        """Metadata about this model."""
        return json_response(
            {
                "gordo-server-version": __version__,
                "metadata": flask.g.metadata,
                "env": {"MODEL_COLLECTION_DIR": str(flask.g.collection_dir)},
            }
        )


class ModelHealthView(MetaDataView):
    """A model's health: its metadata once the model verifies and loads, else a 503."""

    endpoint = "model_healthcheck"

    def get(self, gordo_name: str):
        model_store.load_model(flask.g.collection_dir, gordo_name)
        return super().get(gordo_name=gordo_name)


class DownloadModel(MethodView):
    """Download the trained model, loadable with ``gordo.serializer.loads``."""

    endpoint = "download_model"
    methods = {"GET"}

    def mediatypes(self) -> list[str]:
        return ["application/octet-stream"]

    @model_required
    def get(self, gordo_name: str):
        """Responds with the model file as built (``gordo.serializer.dumps`` bytes), verified."""
        from gordo import serializer

        data = serializer.read_model_bytes(model_dir(flask.g.collection_dir, gordo_name))
        return flask.Response(data, mimetype="application/octet-stream")


class ModelListView(MethodView):
    """List the models the server can serve (in the asked revision)."""

    endpoint = "model_list_view"
    methods = {"GET"}

    def mediatypes(self) -> list[str]:
        return ["application/json"]

    def get(self):
        """Every model of the revision; those that cannot be served also under ``broken-models``."""
        names = flask.g.collection.models(flask.g.revision)
        broken = {}
        for name in names:
            cause = model_store.health(flask.g.collection_dir, name)
            if cause is not None:
                broken[name] = cause
        return json_response({"models": names, "broken-models": broken})


class RevisionListView(MethodView):
    """List the available revisions the model can serve."""

    endpoint = "revision_list_view"
    methods = {"GET"}

    def mediatypes(self) -> list[str]:
        return ["application/json"]

    def get(self):
        collection = flask.g.collection
        return json_response(
            {
                "latest": collection.current_revision,
                "available-revisions": collection.revisions(),
                "incomplete-revisions": collection.incomplete_revisions(),
            }
        )


class ExpectedModels(MethodView):
    """The models this project's deployment is expected to serve (``EXPECTED_MODELS``)."""

    endpoint = "expected_models"
    methods = {"GET"}

    def mediatypes(self) -> list[str]:
        return ["application/json"]

    def get(self):
        return json_response({"expected-models": flask.current_app.config["GORDO"].EXPECTED_MODELS})
