"""Sinks for the client's predictions: InfluxDB 1.x, or one file per machine.

A forwarder is called once per machine with the machine's predictions (two-level
columns, as the server answers), the client's metadata and, with
``forward_resampled_sensors``, the input sensor values the client sent.

>>> import pandas as pd, tempfile
>>> index = pd.date_range("2020-01-01", periods=2, freq="10min", tz="UTC")
>>> predictions = pd.DataFrame(
...     [[1.0, 0.5], [2.0, 0.25]], index=index,
...     columns=pd.MultiIndex.from_tuples([("model-output", "T1"), ("total-anomaly-scaled", "")]))
>>> out = tempfile.mkdtemp()
>>> sink = ForwardPredictionsIntoFiles(out, file_format="csv")
>>> sink(predictions=predictions, machine_name="m-1", metadata={})
>>> sorted(p.name for p in sink.output_dir.iterdir())
['m-1.csv']
"""

from __future__ import annotations

import abc
import logging
import threading
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import requests

from gordo.client.line_protocol import frame_lines
from gordo.client.transport import request
from gordo.dataset.data_provider.influx import DEFAULT_API_KEY_HEADER, parse_uri
from gordo.exceptions import ConfigException

logger = logging.getLogger(__name__)

#: predictions columns that hold times, not values
_TIME_GROUPS = ("start", "end")
#: measurement of the input sensor values (tag ``tag`` = sensor name, field ``Value``)
RESAMPLED_MEASUREMENT = "resampled"
#: lines per write request
WRITE_BATCH = 5000


class PredictionForwarder(abc.ABC):
    """Receives each machine's predictions from :class:`gordo.client.Client`."""

    @abc.abstractmethod
    def __call__(
        self,
        *,
        predictions: pd.DataFrame,
        machine_name: str,
        metadata: Mapping[str, str],
        resampled_sensor_data: pd.DataFrame | None = None,
    ) -> None:
        """Store ``predictions`` of ``machine_name`` (and the sensor values, if given)."""


#: File formats of ForwardPredictionsIntoFiles: the ``-flat`` ones have one header row.
FILE_FORMATS = ("parquet", "csv", "parquet-flat", "csv-flat")


def flat_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with two-level columns as one level named ``<tag>|<column>``.

    A column without a tag (``total-anomaly-scaled``, or ``start`` under ``start``)
    keeps its name.

    >>> columns = pd.MultiIndex.from_tuples(
    ...     [("start", "start"), ("model-output", "T1"), ("total-anomaly-scaled", "")])
    >>> list(flat_columns(pd.DataFrame([["2020", 1.0, 2.0]], columns=columns)).columns)
    ['start', 'T1|model-output', 'total-anomaly-scaled']
    """
    if not isinstance(frame.columns, pd.MultiIndex):
        return frame
    names = [
        f"{tag}|{column}" if str(tag) and tag != column else str(column)
        for column, tag in frame.columns
    ]
    return frame.set_axis(names, axis=1)


class ForwardPredictionsIntoFiles(PredictionForwarder):
    """Writes ``<output_dir>/<machine>.parquet`` (or ``.csv``) per machine.

    With sensor data, ``<machine>.sensors.parquet`` (or ``.csv``) too. Plain
    ``csv`` files have two header rows (the two column levels); read them back
    with ``pd.read_csv(path, header=[0, 1], index_col=0)``. ``csv-flat`` and
    ``parquet-flat`` write one header row, each column named ``<tag>|<column>``
    (:func:`flat_columns`), for spreadsheets and tools without column levels.
    """

    def __init__(self, output_dir: str | Path, file_format: str = "parquet"):
        if file_format not in FILE_FORMATS:
            raise ConfigException(
                f"file_format must be one of {', '.join(FILE_FORMATS)}, not {file_format!r}"
            )
        self.flat = file_format.endswith("-flat")
        file_format = file_format.removesuffix("-flat")
        self.output_dir = Path(output_dir)
        self.file_format = file_format
        self.output_dir.mkdir(parents=True, exist_ok=True)

    def __call__(
        self,
        *,
        predictions: pd.DataFrame,
        machine_name: str,
        metadata: Mapping[str, str],
        resampled_sensor_data: pd.DataFrame | None = None,
    ) -> None:
        self._write(predictions, machine_name)
        if resampled_sensor_data is not None:
            self._write(resampled_sensor_data, f"{machine_name}.sensors")

    def _write(self, frame: pd.DataFrame, stem: str) -> None:
        path = self.output_dir / f"{stem}.{self.file_format}"
        partial = path.with_name(path.name + ".partial")
        if self.flat:
            frame = flat_columns(frame)
        if self.file_format == "parquet":
            frame.to_parquet(partial)
        else:
            frame.to_csv(partial)
        partial.replace(path)
        logger.info("Wrote %d rows to %s", len(frame), path)


class ForwardPredictionsIntoInflux(PredictionForwarder):
    """Writes predictions to InfluxDB 1.x with the line protocol over HTTP.

    Each top-level column group (``model-output``, ``tag-anomaly-scaled``,
    ``total-anomaly-scaled``, ...) is a measurement whose fields are its
    sub-columns, tagged ``machine=<name>`` plus every metadata item. Sensor
    values go to the measurement ``resampled``, one series per sensor (tag
    ``tag``, field ``Value``: the layout :class:`InfluxDataProvider` reads).

    ``destination_influx_uri`` is ``<user>:<password>@<host>:<port>/[<path>/]<db>``
    (https when an api key is given). With ``destination_influx_recreate``, the
    database is created if missing and each machine's earlier points are
    dropped before its first write; other machines' points are kept, so the
    per-machine clients of one workflow can run at the same time.
    """

    def __init__(
        self,
        destination_influx_uri: str,
        destination_influx_api_key: str | None = None,
        destination_influx_recreate: bool = False,
        n_retries: int = 5,
        retry_backoff: float = 1.0,
        timeout: float = 60.0,
    ):
        try:
            parsed = parse_uri(destination_influx_uri)
        except ConfigException as exc:
            raise ConfigException(f"Influx URI: {exc}") from None
        scheme = "https" if destination_influx_api_key else "http"
        path = f"/{parsed['path'].strip('/')}" if parsed["path"] else ""
        self.base_url = f"{scheme}://{parsed['host']}:{parsed['port']}{path}"
        self.database = parsed["database"]
        self.recreate = destination_influx_recreate
        self._http = {"n_retries": n_retries, "backoff": retry_backoff, "timeout": timeout}
        self.session = requests.Session()
        self.session.trust_env = False
        if parsed["username"]:
            self.session.auth = (parsed["username"], parsed["password"])
        if destination_influx_api_key:
            self.session.headers[DEFAULT_API_KEY_HEADER] = destination_influx_api_key
        self._cleared: set[str] = set()
        self._lock = threading.Lock()
        if self.recreate:
            self.query(f"CREATE DATABASE {_identifier(self.database)}")

    def query(self, statement: str) -> dict:
        """Run one InfluxQL statement (POST /query); an error in the answer raises."""
        response = self._post("/query", {"q": statement})
        errors = [r["error"] for r in response.json().get("results", []) if "error" in r]
        if errors:
            raise ConfigException(f"InfluxDB {self.base_url} refused {statement!r}: {errors[0]}")
        return response.json()

    def write(self, lines: list[str]) -> None:
        """POST lines to ``/write`` in batches of :data:`WRITE_BATCH`."""
        for first in range(0, len(lines), WRITE_BATCH):
            body = "\n".join(lines[first : first + WRITE_BATCH]).encode()
            self._post("/write", {"precision": "ns"}, data=body)

    def _post(self, path: str, params: dict[str, str], **kwargs) -> requests.Response:
        """POST to ``path`` of the database, retried as configured."""
        params = {"db": self.database, **params}
        return request(
            self.session, "POST", self.base_url, path, params=params, **self._http, **kwargs
        )

    def __call__(
        self,
        *,
        predictions: pd.DataFrame,
        machine_name: str,
        metadata: Mapping[str, str],
        resampled_sensor_data: pd.DataFrame | None = None,
    ) -> None:
        self._clear(machine_name)
        tags = {**{str(k): str(v) for k, v in metadata.items()}, "machine": machine_name}
        lines: list[str] = []
        if isinstance(predictions.columns, pd.MultiIndex):
            for group in predictions.columns.get_level_values(0).unique():
                if group not in _TIME_GROUPS:
                    frame = predictions[group]
                    frame.columns = [str(sub) or str(group) for sub in frame.columns]
                    lines.extend(frame_lines(str(group), tags, frame))
        else:
            lines.extend(frame_lines("predictions", tags, predictions))
        if resampled_sensor_data is not None:
            for sensor in resampled_sensor_data.columns:
                sensor_tags = {**tags, "tag": str(sensor)}
                values = resampled_sensor_data[[sensor]].set_axis(["Value"], axis=1)
                lines.extend(frame_lines(RESAMPLED_MEASUREMENT, sensor_tags, values))
        self.write(lines)
        logger.info("Wrote %d points of %s to InfluxDB %s", len(lines), machine_name, self.database)

    def _clear(self, machine_name: str) -> None:
        """Drop the machine's earlier points once, when recreating."""
        with self._lock:
            if not self.recreate or machine_name in self._cleared:
                return
            self._cleared.add(machine_name)
        self.query(f"DROP SERIES WHERE \"machine\" = '{_quote(machine_name)}'")


def _identifier(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


class ForwardPredictionsIntoAll(PredictionForwarder):
    """Hands each machine's predictions to several forwarders, in order."""

    def __init__(self, forwarders: list[PredictionForwarder]):
        self.forwarders = list(forwarders)

    def __call__(
        self,
        *,
        predictions: pd.DataFrame,
        machine_name: str,
        metadata: Mapping[str, str],
        resampled_sensor_data: pd.DataFrame | None = None,
    ) -> None:
        for forwarder in self.forwarders:
            forwarder(
                predictions=predictions,
                machine_name=machine_name,
                metadata=metadata,
                resampled_sensor_data=resampled_sensor_data,
            )
