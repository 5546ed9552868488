"""``gordo workflow``: turn a project config into Argo Workflows for Kubernetes.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(workflow_cli, ["generate", "--help"]).exit_code
0
"""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path
from typing import Any

import click

from gordo import __version__

logger = logging.getLogger(__name__)

_PREFIX = "WORKFLOW_GENERATOR_"


class JsonParam(click.ParamType):
    """A JSON option value checked against one of the generator's schemas."""

    def __init__(self, name: str, check) -> None:
        self.name = name
        self._check = check

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        from gordo.workflow.workflow_generator.options import OptionError

        try:
            return self._check(
                json.loads(value), f"--{param.name.replace('_', '-')}" if param else ""
            )
        except json.JSONDecodeError as exc:
            self.fail(f"{value!r} is not valid JSON: {exc}", param, ctx)
        except OptionError as exc:
            self.fail(str(exc), param, ctx)


def _check_security_context(value: Any, where: str) -> dict:
    from gordo.workflow.workflow_generator.options import SECURITY_CONTEXT, check_schema

    return check_schema(value, SECURITY_CONTEXT, where)


def _check_pod_security_context(value: Any, where: str) -> dict:
    from gordo.workflow.workflow_generator.options import POD_SECURITY_CONTEXT, check_schema

    return check_schema(value, POD_SECURITY_CONTEXT, where)


def _check_envs(value: Any, where: str) -> list[dict]:
    from gordo.workflow.workflow_generator.options import check_env_vars

    return check_env_vars(value, where)


def _argo_binary(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not re.match(r"^argo\d*$", value):
        raise click.BadParameter(f"{value!r} must match ^argo\\d*$ (argo, argo2, argo3, ...)")
    return value


@click.group("workflow")
def workflow_cli() -> None:
    """Generate Argo Workflows that build and serve a project on Kubernetes."""


def _opt(name: str, envvar: str | None = None, **kwargs):
    """A generate option whose env var is WORKFLOW_GENERATOR_<NAME> unless given."""
    env = envvar or _PREFIX + name.lstrip("-").replace("-", "_").upper()
    return click.option(name, envvar=env, show_envvar=True, **kwargs)


@workflow_cli.command("generate")
@_opt(
    "--machine-config",
    type=click.Path(dir_okay=False),
    required=True,
    help="Machine configuration file (plain or the Gordo custom resource).",
)
@_opt(
    "--workflow-template",
    type=click.Path(dir_okay=False),
    help="Jinja2 template to expand instead of the built-in one.",
)
@_opt(
    "--owner-references",
    help="Kubernetes owner references to inject into all created resources. Should be a "
    "nonempty yaml/json list of owner-references, each owner-reference a dict containing "
    "at least the keys 'uid', 'name', 'kind', and 'apiVersion'",
)
@_opt(
    "--gordo-version",
    default=__version__.replace("+", "_"),
    show_default=True,
    help="Version of gordo to use (the image tag), if different than this one",
)
@_opt(
    "--project-name",
    help="Name of the project which owns the workflow (default: metadata.name of a Gordo "
    "resource, else the file name, as for gordo config validate and build-project).",
)
@_opt(
    "--project-revision",
    default=None,
    help="Revision of the project which own the workflow (default: now, in epoch ms).",
)
@_opt("--output-file", type=click.Path(dir_okay=False), help="Optional file to render to")
@_opt(
    "--namespace",
    default="kubeflow",
    show_default=True,
    help="Kept for compatibility; the workflow deploys into the namespace it runs in.",
)
@_opt(
    "--split-workflows",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="At most this many machines per workflow; the workflows are written one after "
    "the other with '---' in between, so kubectl can apply them all at once.",
)
@_opt(
    "--n-servers",
    type=click.IntRange(min=1),
    default=None,
    help="Max number of ML Servers to use, defaults to N machines * 10",
)
@_opt(
    "--docker-repository",
    default="equinor",
    show_default=True,
    help="The docker repo to use for pulling component images from",
)
@_opt(
    "--docker-registry",
    default="ghcr.io",
    show_default=True,
    help="The docker registry to use for pulling component images from",
)
@_opt(
    "--retry-backoff-duration",
    default="15s",
    show_default=True,
    help="retryStrategy.backoff.duration for workflow steps",
)
@_opt(
    "--retry-backoff-factor",
    type=int,
    default=2,
    show_default=True,
    help="retryStrategy.backoff.factor for workflow steps",
)
@_opt(
    "--gordo-server-workers",
    type=click.IntRange(min=1),
    default=None,
    help="The number of worker processes for handling Gordo server requests.",
)
@_opt(
    "--gordo-server-threads",
    type=click.IntRange(min=1),
    default=None,
    help="The number of worker threads for handling requests.",
)
@_opt(
    "--gordo-server-probe-timeout",
    type=click.IntRange(min=1),
    default=None,
    help="timeoutSeconds value for livenessProbe and readinessProbe of Gordo server Deployment",
)
@_opt(
    "--gordo-server-readiness-initial-delay",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="initialDelaySeconds of the server's readinessProbe",
)
@_opt(
    "--gordo-server-liveness-initial-delay",
    type=click.IntRange(min=0),
    default=600,
    show_default=True,
    help="initialDelaySeconds of the server's livenessProbe",
)
@_opt(
    "--without-prometheus",
    is_flag=True,
    help="Do not deploy Prometheus for Gordo servers monitoring",
)
@_opt(
    "--prometheus-metrics-server-workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Number of workers for Prometheus metrics servers",
)
@_opt(
    "--image-pull-policy",
    type=click.Choice(["Always", "IfNotPresent", "Never"]),
    default=None,
    help="Default imagePullPolicy for all gordo's images (default: from --gordo-version)",
)
@_opt("--with-keda", is_flag=True, help="Enable support for the KEDA autoscaler")
@_opt(
    "--ml-server-hpa-type",
    type=click.Choice(["none", "k8s_cpu", "keda"]),
    default="k8s_cpu",
    show_default=True,
    help="HPA type for the ML server",
)
@_opt(
    "--custom-model-builder-envs",
    type=JsonParam("env-list", _check_envs),
    default=None,
    help="List of custom environment variables in JSON (Kubernetes EnvVar), the default "
    "of globals.runtime.builder.env",
)
@_opt(
    "--prometheus-server-address",
    default=None,
    help='Prometheus url. Required for "--ml-server-hpa-type=keda"',
)
@_opt(
    "--keda-prometheus-metric-name",
    default="gordo_server_request_duration_seconds_count",
    show_default=True,
    help="metricName value for the KEDA prometheus scaler",
)
@_opt(
    "--keda-prometheus-query",
    default=None,
    help="query value for the KEDA prometheus scaler; {{project_name}} is replaced",
)
@_opt(
    "--keda-prometheus-threshold",
    default="1.0",
    show_default=True,
    help="threshold value for the KEDA prometheus scaler",
)
@_opt(
    "--resources-labels",
    envvar=_PREFIX + "RESOURCE_LABELS",
    default="",
    help="Additional labels for resources. Have to be empty string or a dictionary in JSON format",
)
@_opt(
    "--model-builder-labels",
    default="",
    help="Additional labels for the model-builder pods (empty or a JSON dictionary)",
)
@_opt(
    "--server-labels",
    default="",
    help="Additional labels for the server Deployment and its pods (empty or a JSON dictionary)",
)
@_opt(
    "--server-termination-grace-period",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="terminationGracePeriodSeconds for the gordo server",
)
@_opt(
    "--server-target-cpu-utilization-percentage",
    type=click.IntRange(1, 100),
    default=50,
    show_default=True,
    help="targetCPUUtilizationPercentage for gordo-server's HPA",
)
@_opt(
    "--security-context",
    type=JsonParam("security-context", _check_security_context),
    default=None,
    help="Container securityContext (JSON) for gordo's containers",
)
@_opt(
    "--pod-security-context",
    type=JsonParam("pod-security-context", _check_pod_security_context),
    default=None,
    help="Workflow pod securityContext (JSON)",
)
@_opt(
    "--default-data-provider",
    default=None,
    help="data_provider.type for machines that give none, e.g. RandomDataProvider",
)
@_opt(
    "--model-builder-class",
    envvar="MODEL_BUILDER_CLASS",
    default=None,
    help="Sets MODEL_BUILDER_CLASS in the model builder's environment",
)
@_opt(
    "--argo-binary",
    default="argo",
    show_default=True,
    callback=_argo_binary,
    help="Argo CLI asked for the Argo version (argo version --short)",
)
@_opt(
    "--argo-version",
    default=None,
    help="Argo version to generate for (e.g. 3.5.0); skips asking --argo-binary",
)
@click.pass_context
def generate(ctx: click.Context, **kwargs: Any) -> None:
    """Machine Configuration to Argo Workflow.

    Writes one Workflow per --split-workflows machines, as multi-document
    YAML, to stdout or --output-file. Nothing is written if the config is bad.

    \b
    Example:
        gordo workflow generate --machine-config project.yaml \\
            --project-name my-project --argo-version 3.5.0 | kubectl create -f -
    """
    from gordo.cli.config import default_project_name
    from gordo.workflow.config_elements.loader import load_project_config
    from gordo.workflow.workflow_generator.options import (
        DEFAULT_KEDA_QUERY,
        OptionError,
        WorkflowOptions,
        parse_labels,
        parse_owner_references,
    )
    from gordo.workflow.workflow_generator.render import generate_workflows
    from gordo.workflow.workflow_generator.workflow_generator import (
        get_argo_version,
        load_workflow_template,
        parse_argo_version,
    )

    machine_config = kwargs.pop("machine_config")
    project_config = load_project_config(machine_config)  # read and checked once
    if not kwargs["project_name"]:
        kwargs["project_name"] = default_project_name(project_config, machine_config)
    template_path = kwargs.pop("workflow_template")
    output_file = kwargs.pop("output_file")
    argo_binary = kwargs.pop("argo_binary")
    argo_version = kwargs.pop("argo_version")
    if argo_version:
        major = parse_argo_version(argo_version)[0]
    else:
        found = get_argo_version(argo_binary)
        if found is None:
            logger.warning("%r not found; generating for Argo 3 (set --argo-version)", argo_binary)
        major = found[0] if found else 3
    try:
        options = WorkflowOptions(
            **kwargs
            | {
                "project_revision": kwargs["project_revision"] or str(int(time.time() * 1000)),
                "owner_references": parse_owner_references(kwargs["owner_references"]),
                "custom_model_builder_envs": kwargs["custom_model_builder_envs"] or [],
                "keda_prometheus_query": kwargs["keda_prometheus_query"] or DEFAULT_KEDA_QUERY,
                "resources_labels": parse_labels(kwargs["resources_labels"], "--resources-labels"),
                "model_builder_labels": parse_labels(
                    kwargs["model_builder_labels"], "--model-builder-labels"
                ),
                "server_labels": parse_labels(kwargs["server_labels"], "--server-labels"),
                "argo_major_version": major,
                "log_level": (ctx.obj or {}).get("log_level", "INFO"),
            }
        )
    except OptionError as exc:
        raise click.ClickException(str(exc)) from exc
    template = load_workflow_template(template_path) if template_path else None
    documents = generate_workflows(project_config, options, template)
    text = "\n---\n\n".join(doc.rstrip("\n") + "\n" for doc in documents)
    if output_file:
        Path(output_file).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
