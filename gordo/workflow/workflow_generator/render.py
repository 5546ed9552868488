"""Turn a normalised project into Argo Workflow documents.

The machines are cut into chunks of ``--split-workflows``; each chunk becomes
one complete Workflow, rendered from the Jinja2 template with the context
built by :func:`build_context`. A chunk whose document would pass Argo's
object-size limit is halved until it fits.

>>> entry = MachineEntry.from_dict({
...     "name": "123", "project_name": "p",
...     "dataset": {"train_start_date": "2020-01-01T00:00:00+00:00",
...                 "data_provider": {"type": "RandomDataProvider"}},
...     "runtime": {"influx": {"enable": False}}})
>>> entry.name, entry.task, entry.train_start_date, entry.influx
('123', '123', '2020-01-01 00:00:00+00:00', False)
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from gordo.workflow.config_elements.runtime_schema import EXCEPTIONS_REPORT_LEVELS
from gordo.workflow.workflow_generator.options import WorkflowOptions, check_env_vars, check_labels
from gordo.workflow.workflow_generator.workflow_generator import (
    DEFAULT_TEMPLATE,
    default_image_pull_policy,
    load_workflow_template,
)

logger = logging.getLogger(__name__)

#: A Workflow document larger than this is split further (Argo/etcd refuse
#: objects over ~1 MB, and Argo adds the node status to the same object).
MAX_WORKFLOW_BYTES = 900_000

EXCEPTIONS_REPORTER_FILE = "/tmp/exception.json"

POSTGRES_REPORTER = "gordo.reporters.postgres.PostgresReporter"
MLFLOW_REPORTER = "gordo.reporters.mlflow.MlFlowReporter"

_COMPONENTS = ("deployer", "builder", "server", "prometheus_metrics_server", "client")


@dataclass(frozen=True)
class MachineEntry:
    """What the template needs to know about one machine."""

    name: str
    task: str
    json: str
    train_start_date: str
    data_provider: str
    influx: bool

    @classmethod
    def from_dict(cls, machine: dict, task: str | None = None) -> MachineEntry:
        """Build from a machine's ``to_dict()`` (after the reporters are added)."""
        dataset = machine.get("dataset") or {}
        start = dataset.get("train_start_date")
        if isinstance(start, str):
            start = dt.datetime.fromisoformat(start)
        influx = ((machine.get("runtime") or {}).get("influx") or {}).get("enable", True)
        return cls(
            name=str(machine["name"]),
            task=task if task is not None else task_suffixes([str(machine["name"])])[0],
            json=json.dumps(machine, ensure_ascii=False, separators=(",", ":"), default=str),
            train_start_date=str(start),
            data_provider=json.dumps(dataset.get("data_provider") or {}, default=str),
            influx=bool(influx),
        )


_NOT_IN_TASK_NAME = re.compile(r"[^a-z0-9-]")


def task_suffixes(names: Sequence[str]) -> list[str]:
    """Argo task-name suffixes for machine names (Argo allows only ``[a-zA-Z0-9-]``).

    Dots become dashes; a suffix that collides with an earlier one gets ``-<index>``.

    >>> task_suffixes(["a.b", "a-b", "c"])
    ['a-b', 'a-b-1', 'c']
    """
    seen: set[str] = set()
    suffixes = []
    for index, name in enumerate(names):
        suffix = _NOT_IN_TASK_NAME.sub("-", name.lower())
        if suffix in seen:
            suffix = f"{suffix}-{index}"
        seen.add(suffix)
        suffixes.append(suffix)
    return suffixes


def add_reporters(machines: list[dict], enable_influx: bool, project_name: str) -> list[dict]:
    """Add the reporters the deployment needs to each machine's runtime (new dicts).

    With influx on for any machine, every machine reports to the project's
    Postgres; a machine with remote logging on also reports to MLflow.

    >>> add_reporters([{"runtime": {"reporters": []}}], True, "p")[0]["runtime"]["reporters"]
    [{'gordo.reporters.postgres.PostgresReporter': {'host': 'gordo-postgres-p'}}]
    """
    result = []
    for machine in machines:
        runtime = dict(machine.get("runtime") or {})
        reporters = list(runtime.get("reporters") or [])
        if enable_influx and not _has_reporter(reporters, POSTGRES_REPORTER):
            reporters.append({POSTGRES_REPORTER: {"host": f"gordo-postgres-{project_name}"}})
        remote = ((runtime.get("builder") or {}).get("remote_logging") or {}).get("enable")
        if remote and not _has_reporter(reporters, MLFLOW_REPORTER):
            reporters.append(MLFLOW_REPORTER)
        runtime["reporters"] = reporters
        result.append({**machine, "runtime": runtime})
    return result


def _has_reporter(reporters: list, path: str) -> bool:
    return any(r == path or (isinstance(r, dict) and path in r) for r in reporters)


def k8s_resources(resources: dict | None) -> dict:
    """Gordo's integer resources (MB, millicores) as Kubernetes quantities.

    >>> k8s_resources({"requests": {"memory": 100, "cpu": 10}, "limits": {"memory": 200}})
    {'requests': {'memory': '100M', 'cpu': '10m'}, 'limits': {'memory': '200M'}}
    """
    units = {"memory": "M", "cpu": "m"}
    result: dict = {}
    for side in ("requests", "limits"):
        values = (resources or {}).get(side) or {}
        converted = {
            key: f"{value}{units[key]}" if isinstance(value, int) else str(value)
            for key, value in values.items()
            if value is not None and key in units
        }
        if converted:
            result[side] = converted
    return result


def server_steps(options: WorkflowOptions) -> list[str]:
    """The templates run in parallel once the server Deployment is applied.

    >>> server_steps(WorkflowOptions("p", "1", with_keda=True, without_prometheus=True))
    ['gordo-server-hpa', 'gordo-server-keda-cleanup', 'gordo-server-svc', 'gordo-server-istio']
    """
    hpa = {
        "k8s_cpu": ["gordo-server-hpa"]
        + (["gordo-server-keda-cleanup"] if options.with_keda else []),
        "none": (["gordo-server-keda-cleanup"] if options.with_keda else [])
        + ["gordo-server-hpa-cleanup"],
        "keda": ["gordo-server-keda", "gordo-server-hpa-cleanup"],
    }[options.ml_server_hpa_type]
    monitor = [] if options.without_prometheus else ["gordo-server-monitor"]
    return [*hpa, "gordo-server-svc", *monitor, "gordo-server-istio"]


def exceptions_report_level(builder: dict) -> str:
    """``runtime.builder.exceptions_report_level``, checked (default TRACEBACK)."""
    level = str(builder.get("exceptions_report_level") or "TRACEBACK").upper()
    if level not in EXCEPTIONS_REPORT_LEVELS:
        raise ValueError(
            f"Invalid 'runtime.builder.exceptions_report_level' value "
            f"{builder.get('exceptions_report_level')!r}: use one of {', '.join(EXCEPTIONS_REPORT_LEVELS)}"
        )
    return level


def image_ref(options: WorkflowOptions, image: str) -> str:
    """``<registry>/<repository>/<image>:<gordo-version>``."""
    return f"{options.docker_registry}/{options.docker_repository}/{image}:{options.gordo_version}"


@dataclass(frozen=True)
class ProjectFacts:
    """What the whole project (not one chunk) decides: totals and shared settings."""

    runtime: dict
    machine_names: tuple[str, ...]
    n_clients: int


def build_context(
    machines: Sequence[MachineEntry],
    chunk_index: int,
    facts: ProjectFacts,
    options: WorkflowOptions,
) -> dict[str, Any]:
    """The template context of one chunk of machines."""
    runtime = facts.runtime
    builder = runtime.get("builder") or {}
    project = options.project_name
    revision = str(options.project_revision)
    resources_labels = options.resources_labels
    project_labels = {
        "applications.gordo.equinor.com/project-name": project,
        "applications.gordo.equinor.com/project-revision": revision,
    }
    runtime_builder_labels = check_labels(
        (builder.get("metadata") or {}).get("labels") or {},
        "globals.runtime.builder.metadata.labels",
    )
    builder_env = list(builder.get("env") or [])
    if options.model_builder_class:
        builder_env.append({"name": "MODEL_BUILDER_CLASS", "value": options.model_builder_class})
    check_env_vars(builder_env, "globals.runtime.builder.env")
    report_level = exceptions_report_level(builder)
    images = {
        component: image_ref(options, (runtime.get(component) or {}).get("image") or "gordo-base")
        for component in _COMPONENTS
    }
    log_level = str(runtime.get("log_level") or options.log_level).upper()
    return {
        "project_name": project,
        "project_revision": revision,
        "project_workflow": str(chunk_index),
        "gordo_version": options.gordo_version,
        "server_host": f"gordo-srv-{project}",
        "postgres_host": f"gordo-postgres-{project}",
        "workflow_labels": {
            **resources_labels,
            "app.kubernetes.io/managed-by": "gordo",
            **project_labels,
            "applications.gordo.equinor.com/project-workflow": str(chunk_index),
        },
        "workflow_annotations": {"gordo-models": json.dumps([m.name for m in machines])},
        "owner_references": options.owner_references,
        "argo_major": options.argo_major_version,
        "pod_security_context": options.pod_security_context,
        "security_context": options.security_context,
        "volumes": [
            {"name": "azurefile", "persistentVolumeClaim": {"claimName": "azurefile"}},
            {"name": "tmpdir", "emptyDir": {}},
            *(runtime.get("volumes") or []),
        ],
        "image": images,
        "pull_policy": options.image_pull_policy
        or default_image_pull_policy(options.gordo_version),
        "log_level": log_level,
        "retry": {
            "limit": 5,
            "retryPolicy": "Always",
            "backoff": {
                "duration": str(options.retry_backoff_duration),
                "factor": options.retry_backoff_factor,
            },
        },
        "resources": {
            name: k8s_resources((runtime.get(name) or {}).get("resources"))
            for name in ("builder", "server", "prometheus_metrics_server", "client", "influx")
        },
        "base_labels": {**resources_labels, **project_labels},
        "manifest_labels": {
            **resources_labels,
            "app.kubernetes.io/part-of": "gordo",
            "app.kubernetes.io/managed-by": "gordo",
            **project_labels,
        },
        "pvc_labels": project_labels,
        "builder": {
            "labels": {**runtime_builder_labels, **options.model_builder_labels},
            "env": builder_env,
            "volume_mounts": list(builder.get("volumeMounts") or []),
            "report_level": report_level,
            "reporter_file": None if report_level == "EXIT_CODE" else EXCEPTIONS_REPORTER_FILE,
        },
        "client": {
            "labels": runtime_builder_labels,
            "max_instances": (runtime.get("client") or {}).get("max_instances", 30),
            "total": facts.n_clients,
        },
        "server": {
            "labels": options.server_labels,
            "workers": options.gordo_server_workers,
            "threads": options.gordo_server_threads,
            "probe_timeout": options.gordo_server_probe_timeout or 5,
            "readiness_delay": options.gordo_server_readiness_initial_delay,
            "liveness_delay": options.gordo_server_liveness_initial_delay,
            "termination_grace": options.server_termination_grace_period,
            "target_cpu": options.server_target_cpu_utilization_percentage,
            "max_replicas": options.n_servers or 10 * len(facts.machine_names),
            "metrics_workers": options.prometheus_metrics_server_workers,
            # Every chunk applies the same Deployment, so it lists the whole project.
            "expected_models": json.dumps(list(facts.machine_names)),
        },
        "server_steps": server_steps(options),
        "with_prometheus": not options.without_prometheus,
        "with_keda": options.with_keda,
        "hpa_type": options.ml_server_hpa_type,
        "keda": {
            "server_address": options.prometheus_server_address,
            "metric_name": options.keda_prometheus_metric_name,
            "threshold": str(options.keda_prometheus_threshold),
            "query": options.keda_prometheus_query.replace("{{project_name}}", project),
        },
        "enable_influx": facts.n_clients > 0,
        "machines": list(machines),
    }


@functools.cache
def _default_template() -> jinja2.Template:
    return load_workflow_template(DEFAULT_TEMPLATE)


def chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    """Consecutive slices of at most ``size`` items.

    >>> [list(c) for c in chunks([1, 2, 3], 2)]
    [[1, 2], [3]]
    """
    for start in range(0, len(items), size):
        yield items[start : start + size]


def render_workflows(
    machines: Sequence[dict],
    runtime: dict,
    options: WorkflowOptions,
    template: jinja2.Template | None = None,
) -> list[str]:
    """Render the Workflow documents of a project.

    ``machines`` are the normalised machines as dicts (``Machine.to_dict()``),
    ``runtime`` the normalised ``globals.runtime``. Returns one YAML document
    per chunk, in order; an empty project gives no documents.
    """
    template = template or _default_template()
    n_clients = sum(
        bool(((m.get("runtime") or {}).get("influx") or {}).get("enable", True)) for m in machines
    )
    machines = add_reporters(list(machines), n_clients > 0, options.project_name)
    entries = [
        MachineEntry.from_dict(machine, task)
        for machine, task in zip(
            machines, task_suffixes([str(m["name"]) for m in machines]), strict=True
        )
    ]
    facts = ProjectFacts(
        runtime=runtime, machine_names=tuple(e.name for e in entries), n_clients=n_clients
    )
    documents: list[str] = []
    pending = list(chunks(entries, options.split_workflows))
    while pending:
        chunk = pending.pop(0)
        text = template.render(build_context(chunk, len(documents), facts, options))
        if len(text.encode()) > MAX_WORKFLOW_BYTES and len(chunk) > 1:
            half = len(chunk) // 2
            logger.info("Workflow of %d machines is too large; splitting it in two", len(chunk))
            pending[:0] = [chunk[:half], chunk[half:]]
            continue
        if len(text.encode()) > MAX_WORKFLOW_BYTES:
            logger.warning(
                "The workflow of machine %r is %d bytes, over Argo's object-size limit",
                chunk[0].name,
                len(text.encode()),
            )
        documents.append(text)
    return documents


def generate_workflows(
    config: os.PathLike | str | dict,
    options: WorkflowOptions,
    template: jinja2.Template | None = None,
) -> list[str]:
    """Normalise a project config (a file or its parsed dict) and render its workflows."""
    from gordo.workflow.config_elements.loader import load_project_config
    from gordo.workflow.config_elements.normalized_config import NormalizedConfig

    if not isinstance(config, dict):
        config = load_project_config(config)
    normalized = NormalizedConfig(
        config,
        project_name=options.project_name,
        gordo_version=options.gordo_version,
        model_builder_env=options.custom_model_builder_envs or None,
        default_data_provider=options.default_data_provider,
    )
    machines = [machine.to_dict() for machine in normalized.machines]
    return render_workflows(machines, normalized.globals.get("runtime") or {}, options, template)
