"""Score a project's served models over a period: data per machine, server, sinks.

For each machine the client reads the machine's metadata from the server,
fetches X (and y) for [start, end) with the machine's own dataset config (or a
given data provider), posts it in batches to ``/anomaly/prediction`` (or
``/prediction`` for a model without ``anomaly``, which the server answers
with 422), joins the answers and hands them to the prediction forwarder.
A look-back model answers fewer rows than it is sent; the rows the first batch
lost are sent again at the start of each later batch, so the joined answer
has no gaps between batches.
Machines run in parallel (``parallelism`` at a time); a failing machine or
batch is reported in the result and never stops the others.

The revision is pinned at the first request (the server's latest unless
``revision`` is given), so a deployment switching revisions mid-run cannot mix
two revisions' models.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, NamedTuple

import orjson
import pandas as pd
import requests

from gordo.client.data import machine_data
from gordo.client.forwarders import PredictionForwarder
from gordo.client.transport import request
from gordo.dataset.data_provider.base import GordoBaseDataProvider
from gordo.exceptions import ConfigException, NotFoundError, ServingError
from gordo.server.utils import (
    dataframe_from_dict,
    dataframe_from_parquet_bytes,
    dataframe_into_parquet_bytes,
    dataframe_to_dict,
)

logger = logging.getLogger(__name__)

ANOMALY_ROUTE = "anomaly/prediction"
PREDICTION_ROUTE = "prediction"


class MachinePredictions(NamedTuple):
    """One machine's result: its name, its predictions and what went wrong."""

    name: str
    predictions: pd.DataFrame
    errors: list[str]


def parse_time(value: datetime | str, what: str) -> pd.Timestamp:
    """A tz-aware timestamp from an ISO string or datetime.

    >>> parse_time("2020-01-01T00:00:00+01:00", "start").isoformat()
    '2020-01-01T00:00:00+01:00'
    >>> parse_time("2020-01-01", "start")
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: start '2020-01-01' has no time zone (e.g. 2020-01-01T00:00:00+00:00)
    """
    try:
        stamp = pd.Timestamp(value)
    except ValueError as exc:
        raise ConfigException(f"{what} {value!r} is not an ISO 8601 time: {exc}") from None
    if stamp.tzinfo is None:
        raise ConfigException(
            f"{what} {str(value)!r} has no time zone (e.g. 2020-01-01T00:00:00+00:00)"
        )
    return stamp


class Client:
    """Batch-score the models a gordo server serves for ``project``.

    ``metadata`` (key -> value) goes with every prediction to the forwarder
    (as InfluxDB tags). ``data_provider`` (a provider or its config dict)
    replaces the provider of every machine's dataset. ``batch_size`` rows go in
    one request; ``parallelism`` machines are scored at a time. Connection
    errors and 5xx answers are retried ``n_retries`` times with exponential
    backoff starting at ``retry_backoff`` seconds.
    """

    def __init__(
        self,
        project: str,
        host: str = "localhost",
        port: int = 443,
        scheme: str = "https",
        metadata: Mapping[str, Any] | None = None,
        data_provider: GordoBaseDataProvider | Mapping | None = None,
        prediction_forwarder: PredictionForwarder | None = None,
        batch_size: int = 10_000,
        parallelism: int = 10,
        forward_resampled_sensors: bool = False,
        n_retries: int = 5,
        use_parquet: bool = False,
        session: requests.Session | None = None,
        revision: str | None = None,
        retry_backoff: float = 1.0,
        timeout: float = 300.0,
    ):
        if batch_size < 1 or parallelism < 1 or n_retries < 0:
            raise ConfigException(
                "batch_size and parallelism must be at least 1 and n_retries at least 0, "
                f"not {batch_size}, {parallelism}, {n_retries}"
            )
        self.project = project
        self.base_url = f"{scheme}://{host}:{port}"
        self.metadata = {str(k): str(v) for k, v in (metadata or {}).items()}
        self.data_provider = data_provider
        self.prediction_forwarder = prediction_forwarder
        self.batch_size = batch_size
        self.parallelism = parallelism
        self.forward_resampled_sensors = forward_resampled_sensors
        self.use_parquet = use_parquet
        self.revision = revision
        self._http = {"n_retries": n_retries, "backoff": retry_backoff, "timeout": timeout}
        self.session = session or self._new_session(parallelism)
        self._revision_lock = threading.Lock()

    @staticmethod
    def _new_session(parallelism: int) -> requests.Session:
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(parallelism, 10))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    # --- HTTP -------------------------------------------------------------------

    def _route(self, path: str) -> str:
        return f"/gordo/v0/{self.project}/{path}"

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        params = {**kwargs.pop("params", {}), "revision": self.pinned_revision()}
        return request(
            self.session,
            method,
            self.base_url,
            self._route(path),
            params=params,
            **self._http,
            **kwargs,
        )

    def pinned_revision(self) -> str:
        """The revision every request asks for (the server's latest, fetched once)."""
        with self._revision_lock:
            if self.revision is None:
                answer = request(
                    self.session, "GET", self.base_url, self._route("revisions"), **self._http
                )
                self.revision = str(answer.json()["latest"])
                logger.info("Project %s: using revision %s", self.project, self.revision)
            return self.revision

    # --- discovery ----------------------------------------------------------------

    def get_available_machines(self) -> list[str]:
        """Names of the models the server serves for the project."""
        return list(self._call("GET", "models").json()["models"])

    def machine_metadata(self, name: str) -> dict[str, Any]:
        """The metadata of one model (``Machine.to_dict()`` of its build)."""
        return self._call("GET", f"{name}/metadata").json()["metadata"]

    def get_metadata(self, targets: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """Machine name -> metadata, for ``targets`` or every served model."""
        names = self._targets(targets)
        with ThreadPoolExecutor(self.parallelism) as pool:
            return dict(zip(names, pool.map(self.machine_metadata, names), strict=True))

    def download_model(self, targets: Iterable[str] | None = None) -> dict[str, Any]:
        """Machine name -> the served model (``download-model`` bytes, loaded)."""
        from gordo import serializer

        return {
            name: serializer.loads(self._call("GET", f"{name}/download-model").content)
            for name in self._targets(targets)
        }

    def _targets(self, targets: Iterable[str] | None) -> list[str]:
        """``targets`` (all served models if None); unknown names raise NotFoundError."""
        available = self.get_available_machines()
        if targets is None:
            return available
        names = list(dict.fromkeys(targets))
        unknown = [name for name in names if name not in available]
        if unknown:
            raise NotFoundError(
                f"Project {self.project!r} (revision {self.revision}) serves no model "
                f"{', '.join(map(repr, unknown))}; it serves {available}"
            )
        return names

    # --- prediction ------------------------------------------------------------------

    def predict(
        self,
        start: datetime | str,
        end: datetime | str,
        targets: Iterable[str] | None = None,
    ) -> list[MachinePredictions]:
        """Score every machine (or ``targets``) over [start, end); one result per machine."""
        start_time, end_time = parse_time(start, "start"), parse_time(end, "end")
        if start_time >= end_time:
            raise ConfigException(f"end ({end_time}) must be after start ({start_time})")
        names = self._targets(targets)
        logger.info("Scoring %d machine(s) from %s to %s", len(names), start_time, end_time)
        with ThreadPoolExecutor(self.parallelism) as pool:
            return list(
                pool.map(lambda name: self.predict_machine(name, start_time, end_time), names)
            )

    def predict_machine(
        self, name: str, start: pd.Timestamp, end: pd.Timestamp
    ) -> MachinePredictions:
        """Score one machine; every failure is recorded in the result's errors."""
        try:
            metadata = self.machine_metadata(name)
            X, y = machine_data(metadata, start, end, self.data_provider)
        except Exception as exc:  # one machine's failure must not stop the others
            logger.debug("Machine %s: no metadata or data", name, exc_info=True)
            return MachinePredictions(name, pd.DataFrame(), [f"Machine {name!r}: {_describe(exc)}"])
        frames, errors = [], []
        route = ANOMALY_ROUTE if y is not None else PREDICTION_ROUTE
        overlap = 0  # rows a look-back model consumes before its first output
        for position in range(0, len(X), self.batch_size):
            begin, stop = max(position - overlap, 0), position + self.batch_size
            X_batch = X.iloc[begin:stop]
            y_batch = y.iloc[begin:stop] if y is not None else None
            try:
                route, frame = self._post_batch(name, route, X_batch, y_batch)
            except Exception as exc:  # record the batch, go on with the next one
                where = f"rows {begin}-{begin + len(X_batch) - 1}"
                if isinstance(X_batch.index, pd.DatetimeIndex) and len(X_batch):
                    where += f" ({X_batch.index[0]} to {X_batch.index[-1]})"
                errors.append(f"Machine {name!r}, {where}: {_describe(exc)}")
                continue
            if not frames:  # the first answer sent no overlap: measure what it lost
                overlap = max(len(X_batch) - len(frame), 0)
            new_rows = len(X_batch) - (position - begin)
            frames.append(frame.iloc[max(len(frame) - new_rows, 0) :])
        predictions = pd.concat(frames) if frames else pd.DataFrame()
        if len(X) == 0:
            errors.append(f"Machine {name!r}: no data between {start} and {end}")
        if self.prediction_forwarder is not None and len(predictions):
            try:
                self.prediction_forwarder(
                    predictions=predictions,
                    machine_name=name,
                    metadata=self.metadata,
                    resampled_sensor_data=X if self.forward_resampled_sensors else None,
                )
            except Exception as exc:
                errors.append(f"Machine {name!r}: forwarding failed: {_describe(exc)}")
        logger.info("Machine %s: %d rows, %d error(s)", name, len(predictions), len(errors))
        return MachinePredictions(name, predictions, errors)

    def _post_batch(
        self, name: str, route: str, X: pd.DataFrame, y: pd.DataFrame | None
    ) -> tuple[str, pd.DataFrame]:
        """(route used, answer frame); falls back to /prediction on a 422 from the anomaly route."""
        try:
            return route, self._post(f"{name}/{route}", X, y)
        except ServingError as exc:
            if route != ANOMALY_ROUTE or exc.status_code != 422:
                raise
        logger.info("Machine %s has no anomaly method; using /%s", name, PREDICTION_ROUTE)
        return PREDICTION_ROUTE, self._post(f"{name}/{PREDICTION_ROUTE}", X, None)

    def _post(self, path: str, X: pd.DataFrame, y: pd.DataFrame | None) -> pd.DataFrame:
        if self.use_parquet:
            files = {"X": ("X", dataframe_into_parquet_bytes(X))}
            if y is not None:
                files["y"] = ("y", dataframe_into_parquet_bytes(y))
            answer = self._call("POST", path, params={"format": "parquet"}, files=files)
            return _with_times(dataframe_from_parquet_bytes(answer.content))
        body = {"X": dataframe_to_dict(X)}
        if y is not None:
            body["y"] = dataframe_to_dict(y)
        answer = self._call(
            "POST", path, data=orjson.dumps(body), headers={"Content-Type": "application/json"}
        )
        return _with_times(dataframe_from_dict(orjson.loads(answer.content)["data"]))


def _with_times(frame: pd.DataFrame) -> pd.DataFrame:
    """``start``/``end`` as UTC times (JSON carries ISO strings, an empty column is None)."""
    for column in (("start", "start"), ("end", "end")):
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, ServingError) else f"{type(exc).__name__}: {exc}"
