"""Write built machines into a PostgreSQL table.

One row per machine name, replaced on every report: the machine's ``name``,
``project_name``, and its ``dataset``, ``model`` and ``metadata`` sections as
JSONB (the same content as ``metadata.json``).

>>> PostgresReporter(host="db.local").to_dict()
{'gordo.reporters.postgres.PostgresReporter': {'host': 'db.local'}}
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from gordo.exceptions import ReporterException
from gordo.reporters.base import BaseReporter
from gordo.util.extras import require

if TYPE_CHECKING:
    from gordo.machine import Machine

logger = logging.getLogger(__name__)

_CREATE = """
CREATE TABLE IF NOT EXISTS {table} (
    name text PRIMARY KEY,
    project_name text,
    dataset jsonb,
    model jsonb,
    metadata jsonb,
    reported_at timestamptz NOT NULL DEFAULT now()
)
"""

_UPSERT = """
INSERT INTO {table} (name, project_name, dataset, model, metadata)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (name) DO UPDATE SET
    project_name = EXCLUDED.project_name,
    dataset = EXCLUDED.dataset,
    model = EXCLUDED.model,
    metadata = EXCLUDED.metadata,
    reported_at = now()
"""


class PostgresReporter(BaseReporter):
    """Upsert each reported machine into ``table`` of a PostgreSQL database.

    The table is created if missing. Any database error becomes a
    :class:`~gordo.exceptions.ReporterException` naming the machine and server.
    """

    def __init__(
        self,
        host: str,
        port: int = 5432,
        user: str = "postgres",
        password: str | None = None,
        database: str = "postgres",
        table: str = "machine",
        connect_timeout: int = 10,
    ):
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.table = table
        self.connect_timeout = connect_timeout

    @property
    def location(self) -> str:
        """``postgresql://user@host:port/database`` (no password), for messages."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def report(self, machine: Machine) -> None:
        require("psycopg", "the PostgreSQL reporter")
        import psycopg
        from psycopg import sql

        from gordo.machine.encoders import MachineEncoder

        record = machine.to_dict()
        row = [record["name"], record.get("project_name")] + [
            json.dumps(record.get(key), cls=MachineEncoder)
            for key in ("dataset", "model", "metadata")
        ]
        table = sql.Identifier(self.table)
        try:
            with psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password,
                dbname=self.database,
                connect_timeout=self.connect_timeout,
            ) as conn:
                try:  # concurrent builders may race to create the table
                    conn.execute(sql.SQL(_CREATE).format(table=table))
                    conn.commit()
                except psycopg.errors.UniqueViolation:
                    conn.rollback()
                conn.execute(sql.SQL(_UPSERT).format(table=table), row)
        except psycopg.Error as exc:
            raise ReporterException(
                f"PostgresReporter: cannot report machine {machine.name!r} "
                f"to {self.location} table {self.table!r}: {exc}"
            ) from exc
        logger.info("Reported machine %r to %s", machine.name, self.location)
