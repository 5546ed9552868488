"""MlFlowReporter with a local file store."""

from __future__ import annotations

import pytest
from mlflow import MlflowClient

from gordo.exceptions import ReporterException
from gordo.reporters.mlflow import MlFlowReporter
from tests.reporters.helpers import built_machine


def test_report_logs_params_metrics_and_artifacts(tmp_path):
    uri = f"file://{tmp_path}/mlruns"
    MlFlowReporter(tracking_uri=uri).report(built_machine())
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("test-proj")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.run_name == "machine-1" and run.info.status == "FINISHED"
    assert run.data.params["name"] == "machine-1"
    assert run.data.params["n_tags"] == "3"
    history = client.get_metric_history(run.info.run_id, "r2-score")
    assert sorted((m.step, m.value) for m in history) == [(1, 0.5), (2, 0.7)]
    assert run.data.metrics["r2-score-fold-mean"] == 0.6
    assert run.data.metrics["r2-score-tag_1-fold-mean"] == 0.5
    assert run.data.metrics["cv-duration-sec"] == 1.25
    artifacts = [a.path for a in client.list_artifacts(run.info.run_id)]
    assert artifacts == ["metadata.json"]


def test_missing_tracking_uri(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    with pytest.raises(ReporterException, match="machine-1.*MLFLOW_TRACKING_URI"):
        MlFlowReporter().report(built_machine())
