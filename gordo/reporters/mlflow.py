"""Log built machines to an MLflow tracking server (or a local ``file://`` store).

Each report is one MLflow run named after the machine, in the experiment
``experiment_name`` (default: the machine's project). The run holds:

- params: machine, project, model class, dataset window and resolution, tag
  count, cross-validation mode, gordo version;
- metrics: every cross-validation score per fold (``step`` = fold number), its
  fold min/max/mean/std as ``{score}-fold-mean`` etc., and the build durations;
- artifacts: ``metadata.json`` (the machine as ``metadata.json`` of the model holds it).

MLflow is imported only when a report is made.

>>> MlFlowReporter(tracking_uri="file:///tmp/mlruns").to_dict()
{'gordo.reporters.mlflow.MlFlowReporter': {'tracking_uri': 'file:///tmp/mlruns'}}
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import TYPE_CHECKING, Any

from gordo.exceptions import ReporterException
from gordo.reporters.base import BaseReporter

if TYPE_CHECKING:
    from gordo.machine import Machine

logger = logging.getLogger(__name__)

_FOLD = re.compile(r"^fold-(\d+)$")
_BAD_NAME_CHARS = re.compile(r"[^\w\-. /:]")
_MAX_PARAM_LENGTH = 6000


def _name(key: str) -> str:
    """An MLflow-safe metric/param name."""
    return _BAD_NAME_CHARS.sub("_", key)


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def machine_params(record: dict) -> dict[str, str]:
    """The params logged for a machine ``record`` (``Machine.to_dict()``).

    >>> machine_params({"name": "m", "project_name": "p", "model": {"a.B": {}},
    ...                 "dataset": {"tag_list": ["t1", "t2"]}})["n_tags"]
    '2'
    """
    model = record.get("model")
    dataset = record.get("dataset") or {}
    tags = dataset.get("tag_list") or dataset.get("tags") or []
    params = {
        "name": record.get("name"),
        "project_name": record.get("project_name"),
        "model": next(iter(model)) if isinstance(model, dict) and model else model,
        "dataset_type": dataset.get("type"),
        "train_start_date": dataset.get("train_start_date"),
        "train_end_date": dataset.get("train_end_date"),
        "resolution": dataset.get("resolution"),
        "n_tags": len(tags),
        "cv_mode": _get(record, "evaluation", "cv_mode"),
        "model_builder_version": _get(
            record, "metadata", "build_metadata", "model", "model_builder_version"
        ),
        "model_config": json.dumps(model, default=str),
    }
    return {k: str(v)[:_MAX_PARAM_LENGTH] for k, v in params.items() if v is not None}


def machine_metrics(record: dict) -> list[tuple[str, float, int]]:
    """``(name, value, step)`` of every metric logged for a machine ``record``.

    >>> scores = {"r2-score": {"fold-1": 0.5, "fold-2": 0.7, "fold-mean": 0.6}}
    >>> record = {"metadata": {"build_metadata": {"model": {
    ...     "cross_validation": {"scores": scores, "cv_duration_sec": 1.5}}}}}
    >>> machine_metrics(record)
    [('r2-score', 0.5, 1), ('r2-score', 0.7, 2), ('r2-score-fold-mean', 0.6, 0), ('cv-duration-sec', 1.5, 0)]
    """
    build = _get(record, "metadata", "build_metadata") or {}
    metrics: list[tuple[str, float, int]] = []
    for score, folds in (_get(build, "model", "cross_validation", "scores") or {}).items():
        for key, value in folds.items():
            match = _FOLD.match(key)
            if match:
                metrics.append((_name(score), float(value), int(match.group(1))))
            else:
                metrics.append((_name(f"{score}-{key}"), float(value), 0))
    durations = {
        "cv-duration-sec": _get(build, "model", "cross_validation", "cv_duration_sec"),
        "model-training-duration-sec": _get(build, "model", "model_training_duration_sec"),
        "data-query-duration-sec": _get(build, "dataset", "query_duration_sec"),
    }
    metrics += [(k, float(v), 0) for k, v in durations.items() if v is not None]
    return metrics


class MlFlowReporter(BaseReporter):
    """Log a machine's build to MLflow as one run.

    ``tracking_uri`` defaults to the ``MLFLOW_TRACKING_URI`` environment
    variable; ``experiment_name`` to the machine's project name. A local
    ``file://`` store works too (MLflow 3 needs ``MLFLOW_ALLOW_FILE_STORE``
    for it, which is then set).
    """

    def __init__(self, tracking_uri: str | None = None, experiment_name: str | None = None):
        self.tracking_uri = tracking_uri
        self.experiment_name = experiment_name

    def report(self, machine: Machine) -> None:
        from mlflow import MlflowClient
        from mlflow.entities import Metric, Param
        from mlflow.exceptions import MlflowException

        from gordo.machine.encoders import MachineEncoder

        uri = self.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
        if not uri:
            raise ReporterException(
                f"MlFlowReporter: no tracking URI for machine {machine.name!r}: set "
                "'tracking_uri' or the MLFLOW_TRACKING_URI environment variable"
            )
        if uri.startswith("file:") or "://" not in uri:
            # MLflow 3 keeps its file store only on request; a file URI is that request.
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        record = json.loads(json.dumps(machine.to_dict(), cls=MachineEncoder))
        experiment = self.experiment_name or record.get("project_name") or "gordo"
        now = int(time.time() * 1000)
        try:
            client = MlflowClient(tracking_uri=uri)
            found = client.get_experiment_by_name(experiment)
            experiment_id = found.experiment_id if found else client.create_experiment(experiment)
            run = client.create_run(experiment_id, run_name=machine.name)
            run_id = run.info.run_id
            client.log_batch(
                run_id,
                metrics=[Metric(k, v, now, step) for k, v, step in machine_metrics(record)],
                params=[Param(k, v) for k, v in machine_params(record).items()],
            )
            client.log_dict(run_id, record, "metadata.json")
            client.set_terminated(run_id)
        except (MlflowException, OSError) as exc:
            raise ReporterException(
                f"MlFlowReporter: cannot report machine {machine.name!r} to {uri}: {exc}"
            ) from exc
        logger.info("Reported machine %r to MLflow run %s at %s", machine.name, run_id, uri)
