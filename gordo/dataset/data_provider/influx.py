"""InfluxDB 1.x (InfluxQL over the HTTP API, with ``requests``).

Data convention: a measurement (``sensors``) whose Influx tag key ``tag`` holds
the sensor name and whose field ``value_name`` (``Value``) holds the value::

    sensors,tag=TAG-1 Value=1.5 1451606400000000000

Each sensor is fetched with one query over ``[start, end)``::

    SELECT "Value" AS "TAG-1" FROM "sensors" WHERE "tag" = 'TAG-1' AND time >= <ns> AND time < <ns>

>>> provider = InfluxDataProvider("sensors", uri="root:secret@db.local:8086/testdb")
>>> provider.base_url, provider.database
('http://db.local:8086', 'testdb')
>>> print(InfluxDataProvider.select("sensors", "Value", "it's", 0, 10))
SELECT "Value" AS "it's" FROM "sensors" WHERE "tag" = 'it\\'s' AND time >= 0 AND time < 10
"""

from __future__ import annotations

import io
import logging
import os
import threading
import time
from typing import Any

import pandas as pd

from gordo.dataset.data_provider.base import DEFAULT_THREADS, GordoBaseDataProvider, utc_index
from gordo.dataset.data_provider.file_system import missing_tag
from gordo.dataset.params import capture_args
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import ConfigException, DataError, DataSourceUnavailableError

logger = logging.getLogger(__name__)

#: seconds the list of known tags is cached
TAG_CACHE_SECONDS = 600
DEFAULT_API_KEY_HEADER = "Ocp-Apim-Subscription-Key"


def _identifier(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parse_uri(uri: str) -> dict[str, Any]:
    """Split ``<username>:<password>@<host>:<port>/<optional-path>/<db_name>``.

    >>> parse_uri("user:pw@host:8086/some/path/db")
    {'username': 'user', 'password': 'pw', 'host': 'host', 'port': 8086, 'path': 'some/path', 'database': 'db'}
    """
    parts = uri.replace("/", ":").replace("@", ":").split(":")
    if len(parts) < 5 or not parts[-1]:
        raise ConfigException(
            f"data_provider.uri {uri!r} is not '<username>:<password>@<host>:<port>/[<path>/]<db_name>'"
        )
    username, password, host, port, *path, database = parts
    try:
        port_number = int(port)
    except ValueError:
        raise ConfigException(f"data_provider.uri: port {port!r} is not a number") from None
    return {
        "username": username,
        "password": password,
        "host": host,
        "port": port_number,
        "path": "/".join(path),
        "database": database,
    }


class InfluxDataProvider(GordoBaseDataProvider):
    """Reads sensors from an InfluxDB 1.x measurement.

    Connection: ``uri`` (``user:password@host:port/[path/]database``; with an
    ``api_key`` it is https) or ``host``/``port``/``username``/``password``/
    ``database``/``ssl``. ``password`` may be omitted and read from the
    environment variable named by ``password_env`` (default ``INFLUXDB_PASSWORD``).
    """

    @capture_args
    def __init__(
        self,
        measurement: str,
        value_name: str = "Value",
        api_key: str | None = None,
        api_key_header: str | None = None,
        uri: str | None = None,
        host: str = "localhost",
        port: int = 8086,
        username: str | None = None,
        password: str | None = None,
        password_env: str = "INFLUXDB_PASSWORD",
        database: str | None = None,
        ssl: bool = False,
        proxies: dict[str, str] | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        threads: int = DEFAULT_THREADS,
    ):
        super().__init__(threads=threads)
        if not measurement or not isinstance(measurement, str):
            raise ConfigException("data_provider.measurement must be a non-empty string")
        self.measurement, self.value_name = measurement, value_name
        path = ""
        if uri:
            parsed = parse_uri(uri)
            host, port, path = parsed["host"], parsed["port"], parsed["path"]
            username, password, database = (
                parsed["username"],
                parsed["password"],
                parsed["database"],
            )
            ssl = bool(api_key)
            api_key_header = api_key_header or DEFAULT_API_KEY_HEADER
        elif api_key and not api_key_header:
            raise ConfigException(
                "If supplying an api key, you must supply the header key to insert it under."
            )
        if not database:
            raise ConfigException("data_provider.database (or the database part of uri) is empty")
        self.host, self.port, self.database = host, int(port), database
        self.username = username or None
        self.password = password if password is not None else os.environ.get(password_env)
        scheme = "https" if ssl else "http"
        self.base_url = f"{scheme}://{host}:{self.port}" + (f"/{path.strip('/')}" if path else "")
        self.headers = {api_key_header: api_key} if api_key else {}
        self.proxies = proxies if proxies is not None else {"http": "", "https": ""}
        self.timeout = (connect_timeout, timeout)
        self._reset_runtime_state()

    def _reset_runtime_state(self) -> None:
        self._rt_sessions = threading.local()
        self._rt_tags: tuple[float, frozenset[str]] | None = None
        self._rt_tags_lock = threading.Lock()

    # --- HTTP ----------------------------------------------------------------

    def _session(self):
        import requests

        session = getattr(self._rt_sessions, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(self.headers)
            if self.username:
                session.auth = (self.username, self.password or "")
            session.trust_env = False
            self._rt_sessions.session = session
        return session

    def _get(self, statement: str, accept: str):
        """The HTTP response to one statement; connection and HTTP errors raised."""
        import requests

        where = f"InfluxDB at {self.host}:{self.port}"
        try:
            response = self._session().get(
                f"{self.base_url}/query",
                params={"db": self.database, "q": statement, "epoch": "ns"},
                headers={"Accept": accept},
                timeout=self.timeout,
                proxies=self.proxies,
            )
        except (requests.ConnectionError, requests.Timeout) as err:
            raise DataSourceUnavailableError(
                f"{where} is unreachable (timeout {self.timeout[0]} s): {err}"
            ) from err
        if response.status_code in (401, 403):
            raise PermissionError(
                f"{where}: not authorised for database {self.database!r}: {response.text[:200]}"
            )
        if response.status_code >= 400:
            message = response.text.strip().removeprefix("error").strip().strip('"')
            raise DataError(f"{where}, database {self.database!r}: {message[:300]}")
        return response

    def query(self, statement: str) -> list[dict]:
        """The ``series`` of one InfluxQL statement's result (JSON)."""
        import orjson

        response = self._get(statement, "application/json")
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = {"error": response.text[:200]}
        error = body.get("error") or next(
            (r["error"] for r in body.get("results", []) if "error" in r), None
        )
        if error:
            raise DataError(
                f"InfluxDB at {self.host}:{self.port}, database {self.database!r}: {error}"
            )
        results = body.get("results") or [{}]
        return results[0].get("series") or []

    def known_tags(self) -> frozenset[str]:
        """Sensor names in the measurement (cached for 10 minutes)."""
        with self._rt_tags_lock:
            if self._rt_tags is None or time.monotonic() - self._rt_tags[0] > TAG_CACHE_SECONDS:
                series = self.query(
                    f'SHOW TAG VALUES FROM {_identifier(self.measurement)} WITH KEY = "tag"'
                )
                names = frozenset(v[1] for s in series for v in s.get("values", []))
                self._rt_tags = (time.monotonic(), names)
            return self._rt_tags[1]

    @staticmethod
    def select(measurement: str, value_name: str, tag: str, start_ns: int, end_ns: int) -> str:
        """The query of one sensor over ``[start_ns, end_ns)``."""
        return (
            f"SELECT {_identifier(value_name)} AS {_identifier(tag)} FROM {_identifier(measurement)} "
            f'WHERE "tag" = {_literal(tag)} AND time >= {start_ns} AND time < {end_ns}'
        )

    # --- provider --------------------------------------------------------------

    def load_tag(self, start: pd.Timestamp, end: pd.Timestamp, tag: SensorTag) -> pd.Series:
        statement = self.select(self.measurement, self.value_name, tag.name, start.value, end.value)
        body = self._get(statement, "application/csv").content  # CSV: faster both ends
        if not body.strip():
            if tag.name not in self.known_tags():  # JSON: reports a missing database too
                raise missing_tag(
                    tag.name,
                    f"tag {tag.name!r} not found in InfluxDB measurement {self.measurement!r} of "
                    f"database {self.database!r} at {self.host}:{self.port}",
                )
            return pd.Series(
                [], index=pd.DatetimeIndex([], tz="UTC"), dtype="float64", name=tag.name
            )
        frame = pd.read_csv(io.BytesIO(body), usecols=[2, 3])  # name,tags,time,<value>
        times = frame.iloc[:, 0].to_numpy(dtype="int64").astype("datetime64[ns]")
        values = pd.to_numeric(frame.iloc[:, 1], errors="coerce").to_numpy(dtype="float64")
        return pd.Series(values, index=utc_index(times), name=tag.name)

    def can_handle_tag(self, tag: SensorTag) -> bool:
        return tag.name in self.known_tags()
