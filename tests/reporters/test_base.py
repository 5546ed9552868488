"""Building reporters from config definitions."""

from __future__ import annotations

import pytest

from gordo.exceptions import ConfigException, DefinitionImportError
from gordo.reporters.base import BaseReporter
from gordo.reporters.mlflow import MlFlowReporter
from gordo.reporters.postgres import PostgresReporter


def test_from_dict_round_trip():
    reporter = BaseReporter.from_dict(
        {"gordo.reporters.postgres.PostgresReporter": {"host": "db", "port": 5433}}
    )
    assert isinstance(reporter, PostgresReporter) and reporter.port == 5433
    assert BaseReporter.from_dict(reporter.to_dict()).to_dict() == reporter.to_dict()
    assert isinstance(
        BaseReporter.from_dict("gordo.reporters.mlflow.MlFlowReporter"), MlFlowReporter
    )


def test_machine_report_builds_reporters_from_runtime(tmp_path):
    from tests.reporters.helpers import built_machine

    machine = built_machine()
    machine.runtime["reporters"] = [
        {"gordo.reporters.mlflow.MlFlowReporter": {"tracking_uri": f"file://{tmp_path}"}}
    ]
    machine.report()
    assert any(p.is_dir() for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    ("definition", "error", "match"),
    [
        ("gordo.reporters.nothing.Reporter", DefinitionImportError, "Cannot import"),
        ("sklearn.decomposition.PCA", ConfigException, "not a gordo reporter"),
        ({"a.B": {}, "c.D": {}}, ConfigException, "one class"),
        ({"gordo.reporters.postgres.PostgresReporter": {"hots": "x"}}, ConfigException, "hots"),
    ],
)
def test_bad_definitions(definition, error, match):
    with pytest.raises(error, match=match):
        BaseReporter.from_dict(definition)
