"""PostgresReporter against a real PostgreSQL server."""

from __future__ import annotations

import psycopg
import pytest

from gordo.exceptions import ReporterException, exit_code_for
from gordo.reporters.postgres import PostgresReporter
from tests.reporters.helpers import built_machine
from tests.servers import free_port

pytestmark = pytest.mark.integration


def test_report_upserts_machine(postgres):
    reporter = PostgresReporter(
        host=postgres.host,
        port=postgres.port,
        user=postgres.user,
        database=postgres.dbname,
        table="machine_reporter_test",
    )
    machine = built_machine("pg-machine")
    reporter.report(machine)
    machine.metadata.build_metadata.model.model_offset = 7
    reporter.report(machine)  # replaces the row
    with psycopg.connect(postgres.dsn) as conn:
        rows = conn.execute(
            "SELECT name, project_name, dataset, model, metadata FROM machine_reporter_test"
        ).fetchall()
    assert len(rows) == 1
    name, project, dataset, model, metadata = rows[0]
    assert (name, project) == ("pg-machine", "test-proj")
    assert dataset["tag_list"] and "sklearn.pipeline.Pipeline" in model
    build = metadata["build_metadata"]["model"]
    assert build["model_offset"] == 7
    assert build["cross_validation"]["scores"]["r2-score"]["fold-2"] == 0.7


def test_unreachable_server_is_a_reporter_exception():
    reporter = PostgresReporter(host="127.0.0.1", port=free_port(), connect_timeout=2)
    with pytest.raises(
        ReporterException, match=r"machine-1.*postgresql://postgres@127\.0\.0\.1"
    ) as info:
        reporter.report(built_machine())
    assert exit_code_for(info.value) == 90
