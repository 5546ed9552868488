"""PostgreSQL (or TimescaleDB) long tables: one row per (tag, time, value), with psycopg 3.

The table and column names are configurable; the tag and the window are
pushed into SQL, and rows stream out with ``COPY ... TO STDOUT``::

    COPY (SELECT (extract(epoch FROM "time") * 1000000)::int8, "value" FROM "sensor_data"
          WHERE "tag" = 'TAG-1' AND "time" >= <start> AND "time" < <end> ORDER BY "time") TO STDOUT

A table suiting it::

    CREATE TABLE sensor_data (tag text, time timestamptz, value double precision,
                              PRIMARY KEY (tag, time));

>>> p = PostgresDataProvider(dsn="postgresql://gordo@127.0.0.1:5432/plant", table="raw.readings")
>>> p.where
'PostgreSQL at 127.0.0.1:5432, database plant'
"""

from __future__ import annotations

import contextlib
import io
import queue
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from gordo.dataset.data_provider.base import DEFAULT_THREADS, GordoBaseDataProvider, utc_index
from gordo.dataset.data_provider.file_system import missing_tag
from gordo.dataset.params import capture_args
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import ConfigException, DataError, DataSourceUnavailableError
from gordo.util.extras import require


class PostgresDataProvider(GordoBaseDataProvider):
    """Reads tags from a long table ``(tag, time, value[, status])`` in PostgreSQL.

    Connection: ``dsn`` (a libpq URI or ``key=value`` string) and/or ``host``,
    ``port``, ``user``, ``dbname``; the password comes from ``password``, or,
    better, from libpq's ``PGPASSWORD`` / ``~/.pgpass``. ``table`` may be
    ``schema.table``. With ``status_column``, rows whose status is in
    ``remove_status_codes`` are left out in SQL.
    """

    @capture_args
    def __init__(
        self,
        dsn: str | None = None,
        host: str | None = None,
        port: int | None = None,
        user: str | None = None,
        password: str | None = None,
        dbname: str | None = None,
        table: str = "sensor_data",
        tag_column: str = "tag",
        time_column: str = "time",
        value_column: str = "value",
        status_column: str | None = None,
        remove_status_codes: Sequence[int] = (),
        connect_timeout: int = 10,
        threads: int = DEFAULT_THREADS,
    ):
        super().__init__(threads=threads)
        require("psycopg", "the PostgreSQL data provider")
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        extra = {"host": host, "port": port, "user": user, "password": password, "dbname": dbname}
        try:
            self.conninfo = make_conninfo(
                dsn or "",
                **{k: v for k, v in extra.items() if v is not None},
                connect_timeout=connect_timeout,
                options="-c TimeZone=UTC",
            )
            info = conninfo_to_dict(self.conninfo)
        except Exception as err:  # psycopg.ProgrammingError for a malformed dsn
            raise ConfigException(f"data_provider.dsn: {err}") from None
        self.where = (
            f"PostgreSQL at {info.get('host', 'localhost')}:{info.get('port', 5432)}, "
            f"database {info.get('dbname', info.get('user', ''))}"
        )
        self.connect_timeout = connect_timeout
        for key, name in (
            ("table", table),
            ("tag_column", tag_column),
            ("time_column", time_column),
            ("value_column", value_column),
        ):
            if not isinstance(name, str) or not name:
                raise ConfigException(f"data_provider.{key} must be a non-empty string")
        self.table, self.status_column = table, status_column
        self.columns = (tag_column, time_column, value_column)
        self.remove_status_codes = [int(c) for c in remove_status_codes or ()]
        self._reset_runtime_state()

    def _reset_runtime_state(self) -> None:
        self._rt_idle: queue.SimpleQueue = queue.SimpleQueue()

    # --- connections ---------------------------------------------------------

    def _connect(self):
        import psycopg

        try:
            return psycopg.connect(self.conninfo, autocommit=True)
        except psycopg.OperationalError as err:
            raise DataSourceUnavailableError(
                f"{self.where} is unreachable (connect_timeout {self.connect_timeout} s): "
                f"{str(err).strip()}"
            ) from err

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        try:
            conn = self._rt_idle.get_nowait()
        except queue.Empty:
            conn = self._connect()
        try:
            yield conn
        except BaseException:
            conn.close()
            raise
        else:
            self._rt_idle.put(conn)

    def close(self) -> None:
        """Close idle connections."""
        while True:
            try:
                self._rt_idle.get_nowait().close()
            except queue.Empty:
                return

    def load_series(
        self,
        train_start_date: datetime,
        train_end_date: datetime,
        tag_list: Iterable[SensorTag],
        **kwargs: Any,
    ) -> Iterator[tuple[pd.Series, SensorTag]]:
        try:
            yield from super().load_series(train_start_date, train_end_date, tag_list, **kwargs)
        finally:
            self.close()

    # --- SQL ---------------------------------------------------------------------

    def _sql(self):
        from psycopg import sql

        table = sql.Identifier(*self.table.split("."))
        tag, time, value = (sql.Identifier(c) for c in self.columns)
        status = sql.SQL("")
        if self.status_column and self.remove_status_codes:
            status = sql.SQL(" AND NOT ({} = ANY({}))").format(
                sql.Identifier(self.status_column), sql.Literal(self.remove_status_codes)
            )
        select = sql.SQL(
            "COPY (SELECT (extract(epoch FROM {time}) * 1000000)::int8, {value} FROM {table} "
            "WHERE {tag} = %s AND {time} >= %s AND {time} < %s{status} ORDER BY {time}) TO STDOUT"
        ).format(time=time, value=value, table=table, tag=tag, status=status)
        exists = sql.SQL("SELECT EXISTS (SELECT 1 FROM {table} WHERE {tag} = %s)").format(
            table=table, tag=tag
        )
        return select, exists

    def load_tag(self, start: pd.Timestamp, end: pd.Timestamp, tag: SensorTag) -> pd.Series:
        import psycopg

        select, exists = self._sql()
        buffer = io.BytesIO()
        try:
            with self._connection() as conn, conn.cursor() as cur:
                with cur.copy(
                    select, (tag.name, start.to_pydatetime(), end.to_pydatetime())
                ) as copy:
                    for chunk in copy:
                        buffer.write(chunk)
                if not buffer.tell():
                    if not cur.execute(exists, (tag.name,)).fetchone()[0]:
                        raise missing_tag(
                            tag.name,
                            f"tag {tag.name!r} not found in table {self.table!r} of {self.where}",
                        )
        except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn) as err:
            raise ConfigException(
                f"{self.where}: {str(err).splitlines()[0]} (data_provider.table/*_column)"
            ) from err
        except psycopg.OperationalError as err:
            raise DataSourceUnavailableError(f"{self.where}: {str(err).strip()}") from err
        except psycopg.Error as err:
            raise DataError(f"{self.where}, table {self.table!r}: {str(err).strip()}") from err
        buffer.seek(0)
        frame = pd.read_csv(
            buffer,
            sep="\t",
            header=None,
            names=["t", "v"],
            na_values=["\\N"],
            dtype={"t": "int64", "v": "float64"},
        )
        index = utc_index(frame["t"].to_numpy().astype("datetime64[us]"))
        return pd.Series(frame["v"].to_numpy(), index=index, name=tag.name)
