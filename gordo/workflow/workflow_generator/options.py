"""The settings of ``gordo workflow generate`` and the checks of their values.

Values that come in as JSON or YAML text (labels, owner references, security
contexts, builder env vars) are parsed and checked here, so that a bad value
is refused before anything is generated, with a message naming the option.

>>> parse_labels('{"team": "ml", "tier": 2}', "--resources-labels")
{'team': 'ml', 'tier': '2'}
>>> check_schema({"runAsNonRoot": True, "runAsUser": 1000}, SECURITY_CONTEXT, "--security-context")
{'runAsNonRoot': True, 'runAsUser': 1000}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from gordo import __version__
from gordo.exceptions import ConfigException
from gordo.workflow.config_elements.runtime_schema import env_problems

#: Autoscaler types of the ML server.
HPA_TYPES = ("none", "k8s_cpu", "keda")

DEFAULT_KEDA_QUERY = (
    'sum(rate(gordo_server_request_duration_seconds_count{project=~"{{project_name}}",'
    'path=~".*prediction"}[30s]))'
)


class OptionError(ConfigException):
    """A command-line option of the workflow generator has a bad value."""


# --- small structural schemas ------------------------------------------------
# A schema is a type (bool, int, str), a list [item-schema], or a dict of
# key -> schema; dict keys not in the schema are refused.

_SE_LINUX = {"level": str, "role": str, "type": str, "user": str}
_SECCOMP = {"localhostProfile": str, "type": str}
_WINDOWS = {"gmsaCredentialSpec": str, "gmsaCredentialSpecName": str, "runAsUserName": str}

#: Kubernetes container SecurityContext (runAsGroup is an integer, as in Kubernetes).
SECURITY_CONTEXT: dict = {
    "allowPrivilegeEscalation": bool,
    "capabilities": {"add": [str], "drop": [str]},
    "privileged": bool,
    "procMount": str,
    "readOnlyRootFilesystem": bool,
    "runAsNonRoot": bool,
    "runAsGroup": int,
    "runAsUser": int,
    "seLinuxOptions": _SE_LINUX,
    "seccompProfile": _SECCOMP,
    "windowsOptions": _WINDOWS,
}

#: Kubernetes PodSecurityContext.
POD_SECURITY_CONTEXT: dict = {
    "fsGroup": int,
    "fsGroupChangePolicy": str,
    "runAsGroup": int,
    "runAsNonRoot": bool,
    "runAsUser": int,
    "seLinuxOptions": _SE_LINUX,
    "seccompProfile": _SECCOMP,
    "supplementalGroups": [int],
    "sysctls": [{"name": str, "value": str}],
    "windowsOptions": _WINDOWS,
}


def _schema_errors(value: Any, schema: Any, path: str) -> list[str]:
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{path}: expected a mapping, got {type(value).__name__}"]
        errors = []
        for key, item in value.items():
            if key not in schema:
                errors.append(f"{path}: unknown key {key!r}")
            else:
                errors.extend(_schema_errors(item, schema[key], f"{path}.{key}"))
        return errors
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        return [
            e
            for i, item in enumerate(value)
            for e in _schema_errors(item, schema[0], f"{path}[{i}]")
        ]
    if schema is int and isinstance(value, bool) or not isinstance(value, schema):
        return [f"{path}: expected {schema.__name__}, got {value!r}"]
    return []


def check_schema(value: Any, schema: Any, where: str) -> Any:
    """Return ``value`` if it fits ``schema``, else raise OptionError naming every problem.

    >>> check_schema({"runAsUser": "root"}, SECURITY_CONTEXT, "--security-context")
    Traceback (most recent call last):
    ...
    gordo.workflow.workflow_generator.options.OptionError: --security-context.runAsUser: expected int, got 'root'
    """
    errors = _schema_errors(value, schema, where)
    if errors:
        raise OptionError("; ".join(errors))
    return value


def check_env_vars(value: Any, where: str) -> list[dict]:
    """Check a list of Kubernetes EnvVars (the runtime schema's rules); return it.

    >>> check_env_vars([{"name": "A", "value": "1"}], "env")
    [{'name': 'A', 'value': '1'}]
    >>> check_env_vars([{"value": "1"}], "env")
    Traceback (most recent call last):
    ...
    gordo.workflow.workflow_generator.options.OptionError: env[0].name: is required
    """
    problems = env_problems(value, where)
    if problems:
        raise OptionError("; ".join(f"{path}: {message}" for path, message in problems))
    return value


def parse_json_option(text: str | None, option: str) -> Any:
    """Parse a JSON option value; ``None`` or an empty string gives ``None``."""
    if text is None or not str(text).strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise OptionError(f'"{option}={text}" contains invalid JSON value: {exc}') from exc


_LABEL_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def label_value(value: Any) -> str:
    """A label value as text: strings unchanged, anything else as JSON (``true``, ``2``).

    >>> label_value(True), label_value(2), label_value("x")
    ('true', '2', 'x')
    """
    return value if isinstance(value, str) else json.dumps(value)


def check_labels(labels: Any, where: str) -> dict[str, str]:
    """Check Kubernetes labels (``prefix/name: value``) and return them with string values.

    >>> check_labels({"example.com/team": "a.b", "n": 1}, "labels")
    {'example.com/team': 'a.b', 'n': '1'}
    >>> check_labels({"bad key": "x"}, "labels")
    Traceback (most recent call last):
    ...
    gordo.workflow.workflow_generator.options.OptionError: labels: 'bad key' is not a valid label key
    """
    if not isinstance(labels, dict):
        raise OptionError(
            f"{where}: contains value with type {type(labels).__name__} instead of dict"
        )
    checked = {}
    for key, value in labels.items():
        key = str(key)
        prefix, _, name = key.rpartition("/")
        if (
            not name
            or len(name) > 63
            or not _LABEL_NAME.match(name)
            or (prefix and (len(prefix) > 253 or not _LABEL_PREFIX.match(prefix)))
        ):
            raise OptionError(f"{where}: {key!r} is not a valid label key")
        text = label_value(value)
        if len(text) > 63 or not _LABEL_NAME.match(text):
            raise OptionError(
                f"{where}: {text!r} (label {key!r}) is not a valid label value: at most 63 "
                "characters of [A-Za-z0-9-_.], starting and ending with a letter or digit"
            )
        checked[key] = text
    return checked


def parse_labels(text: str | None, option: str) -> dict[str, str]:
    """Parse a labels option: empty, or a JSON object of label -> value."""
    data = parse_json_option(text, option)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise OptionError(
            f'"{option}={text}" contains value with type {type(data).__name__} instead of dict'
        )
    return check_labels(data, option)


def parse_owner_references(text: str | None) -> list[dict] | None:
    """Parse ``--owner-references``: a non-empty YAML/JSON list of full owner references.

    >>> parse_owner_references('[{uid: "1", name: p, kind: Gordo, apiVersion: equinor.com/v1}]')
    [{'uid': '1', 'name': 'p', 'kind': 'Gordo', 'apiVersion': 'equinor.com/v1'}]
    >>> parse_owner_references("[]")
    Traceback (most recent call last):
    ...
    TypeError: --owner-references must be a list with at least one element
    """
    if text is None or not str(text).strip():
        return None
    try:
        refs = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OptionError(f"--owner-references is not valid YAML/JSON: {exc}") from exc
    if not isinstance(refs, list) or not refs:
        raise TypeError("--owner-references must be a list with at least one element")
    for ref in refs:
        if not isinstance(ref, dict) or not {"uid", "name", "kind", "apiVersion"} <= set(ref):
            raise TypeError(
                "Each of --owner-references must contain a uid, name, kind, and apiVersion key"
            )
    return refs


@dataclass
class WorkflowOptions:
    """Every setting of ``gordo workflow generate`` (see its --help), already parsed.

    >>> WorkflowOptions(project_name="p", project_revision="1").split_workflows
    30
    """

    project_name: str
    project_revision: str
    gordo_version: str = __version__.replace("+", "_")
    owner_references: list[dict] | None = None
    namespace: str = "kubeflow"
    split_workflows: int = 30
    n_servers: int | None = None
    docker_repository: str = "equinor"
    docker_registry: str = "ghcr.io"
    retry_backoff_duration: str = "15s"
    retry_backoff_factor: int = 2
    gordo_server_workers: int | None = None
    gordo_server_threads: int | None = None
    gordo_server_probe_timeout: int | None = None
    gordo_server_readiness_initial_delay: int = 5
    gordo_server_liveness_initial_delay: int = 600
    server_termination_grace_period: int = 60
    server_target_cpu_utilization_percentage: int = 50
    without_prometheus: bool = False
    prometheus_metrics_server_workers: int = 1
    image_pull_policy: str | None = None
    with_keda: bool = False
    ml_server_hpa_type: str = "k8s_cpu"
    custom_model_builder_envs: list[dict] = field(default_factory=list)
    prometheus_server_address: str | None = None
    keda_prometheus_metric_name: str = "gordo_server_request_duration_seconds_count"
    keda_prometheus_query: str = DEFAULT_KEDA_QUERY
    keda_prometheus_threshold: str = "1.0"
    resources_labels: dict[str, str] = field(default_factory=dict)
    model_builder_labels: dict[str, str] = field(default_factory=dict)
    server_labels: dict[str, str] = field(default_factory=dict)
    security_context: dict | None = None
    pod_security_context: dict | None = None
    default_data_provider: str | None = None
    model_builder_class: str | None = None
    argo_major_version: int = 3
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Refuse inconsistent settings (the KEDA ones, the split size, the HPA type)."""
        if self.ml_server_hpa_type not in HPA_TYPES:
            raise OptionError(
                f"--ml-server-hpa-type must be one of {', '.join(HPA_TYPES)}, "
                f"not {self.ml_server_hpa_type!r}"
            )
        if self.ml_server_hpa_type == "keda":
            if not self.with_keda:
                raise OptionError(
                    '"--ml-server-hpa-type=keda" is only supported with the "--with-keda" flag'
                )
            if not self.prometheus_server_address:
                raise OptionError(
                    '--prometheus-server-address should be specified for "--ml-server-hpa-type=keda"'
                )
        if self.split_workflows < 1:
            raise OptionError(f"--split-workflows must be at least 1, not {self.split_workflows}")
        if self.argo_major_version < 2:
            raise OptionError(f"Argo {self.argo_major_version} is not supported (2 or later)")
