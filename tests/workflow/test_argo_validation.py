"""The offline validators refuse deliberately broken workflows (so a pass means something)."""

from __future__ import annotations

import copy
import functools

import pytest
import yaml

from gordo.workflow.workflow_generator.options import WorkflowOptions
from gordo.workflow.workflow_generator.render import render_workflows
from tests.workflow.argo_validation import (
    lint_problems,
    manifest_problems,
    schema_problems,
    workflow_problems,
)
from tests.workflow.test_render import RUNTIME, machine


@functools.cache
def _valid() -> dict:
    options = WorkflowOptions(
        "proj",
        "1",
        with_keda=True,
        ml_server_hpa_type="keda",
        prometheus_server_address="http://prom",
    )
    (text,) = render_workflows([machine("m-1"), machine("m-2")], RUNTIME, options)
    return yaml.safe_load(text)


def valid() -> dict:
    return copy.deepcopy(_valid())


def template(doc: dict, name: str) -> dict:
    return next(t for t in doc["spec"]["templates"] if t["name"] == name)


def task(doc: dict, name: str) -> dict:
    return next(t for t in template(doc, "do-all")["dag"]["tasks"] if t["name"] == name)


def test_generated_workflow_is_valid():
    assert workflow_problems(valid()) == []


def _rename_ttl(doc):
    doc["spec"]["TTLStrategy"] = doc["spec"].pop("ttlStrategy")


def _numeric_label(doc):
    doc["metadata"]["labels"]["n"] = 5


def _container_typo(doc):
    template(doc, "model-builder")["container"]["imagePulPolicy"] = "Always"


def _backoff_typo(doc):
    template(doc, "cleanup")["retryStrategy"]["backoff"]["duraton"] = "1s"


def _numeric_quantity(doc):
    template(doc, "model-builder")["container"]["resources"]["limits"]["cpu"] = 2


def _string_dependencies(doc):
    task(doc, "gordo-server")["dependencies"] = "gordo-mdl-m-1"


def _mapping_parameter(doc):
    task(doc, "gordo-mdl-m-1")["arguments"]["parameters"][1]["value"] = {"a": 1}


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (_rename_ttl, "TTLStrategy"),
        (_numeric_label, "labels.n"),
        (_container_typo, "imagePulPolicy"),
        (_backoff_typo, "duraton"),
        (_numeric_quantity, "cpu"),
        (_string_dependencies, "dependencies"),
        (_mapping_parameter, "value"),
    ],
)
def test_schema_refuses(fault, expected):
    doc = valid()
    fault(doc)
    problems = schema_problems(doc)
    assert problems and expected in " ".join(problems)


def _unknown_template(doc):
    task(doc, "gordo-server")["template"] = "gordo-servr"


def _unknown_dependency(doc):
    task(doc, "gordo-server")["dependencies"].append("nope")


def _cycle(doc):
    task(doc, "ensure-single-workflow")["dependencies"] = ["model-builder-m-1"]


def _undeclared_placeholder(doc):
    template(doc, "cleanup")["script"]["source"] += "echo {{inputs.parameters.ghost}}\n"


def _stray_jinja(doc):
    template(doc, "cleanup")["script"]["source"] += "echo {{ project_name }}\n"


def _missing_argument(doc):
    task(doc, "model-builder-m-1")["arguments"]["parameters"].pop()


def _extra_argument(doc):
    task(doc, "model-builder-m-1")["arguments"]["parameters"].append({"name": "x", "value": "1"})


def _dotted_task(doc):
    task(doc, "model-builder-m-1")["name"] = "model-builder-m.1"


def _missing_entrypoint(doc):
    doc["spec"]["entrypoint"] = "do-nothing"


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (_unknown_template, "'gordo-servr' does not exist"),
        (_unknown_dependency, "unknown task 'nope'"),
        (_cycle, "dependency cycle"),
        (_undeclared_placeholder, "undeclared 'inputs.parameters.ghost'"),
        (_stray_jinja, "unknown placeholder"),
        (_missing_argument, "parameter 'machine' of 'model-builder' is missing"),
        (_extra_argument, "takes no parameter 'x'"),
        (_dotted_task, "not a valid Argo name"),
        (_missing_entrypoint, "spec.entrypoint"),
    ],
)
def test_lint_refuses(fault, expected):
    doc = valid()
    fault(doc)
    problems = lint_problems(doc)
    assert problems and expected in " ".join(problems)


HPA = {
    "apiVersion": "autoscaling/v1",
    "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "h", "labels": {}},
    "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"},
        "maxReplicas": 2,
        "targetCPUUtilizationPercentage": 50,
    },
}


def test_manifest_checks():
    assert manifest_problems(HPA) == []
    bad = copy.deepcopy(HPA)
    bad["spec"]["targetCPUUtilizationPercentage"] = "50"
    assert manifest_problems(bad)
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}},
    }
    assert "selector" in " ".join(manifest_problems(deployment))
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 80, "prot": "TCP"}]},
    }
    assert "prot" in " ".join(manifest_problems(service))
    monitor = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "m", "labels": {}},
        "spec": {"endpoints": [{"port": "x", "interval": 3}], "selector": {"matchLabels": {}}},
    }
    assert "interval" in " ".join(manifest_problems(monitor))
    scaled = {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": "s", "labels": {}},
        "spec": {
            "scaleTargetRef": {"name": "d"},
            "triggers": [{"type": "prometheus", "metadata": {"query": "q", "threshold": "1"}}],
        },
    }
    assert "serverAddress" in " ".join(manifest_problems(scaled))
    unknown = {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"}}
    assert "no schema" in " ".join(manifest_problems(unknown))
