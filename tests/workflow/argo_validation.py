"""Offline validation of generated Argo Workflows (spec workflow.md §8).

No Argo CLI, cluster or Docker here, so a generated document is checked in
four ways, each returning a list of problems (empty = valid):

1. :func:`schema_problems`: strictly against Argo's Workflow schema, through
   hera's generated pydantic models; fields the schema does not know are
   reported (hera ignores them silently, so the input is compared with what
   the model kept).
2. :func:`lint_problems`: what ``argo lint`` checks beyond the schema: names,
   template and task references, dependency cycles, declared parameters.
3. :func:`manifest_problems`: every Kubernetes object the workflow applies,
   with kubernetes-validate's strict schemas for core kinds and small JSON
   Schemas for the custom resources (KEDA, Prometheus operator, Istio, Model).
4. :func:`validate_workflows`: all of the above on a whole multi-document text.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

# Test-only dependencies (the `test` extra); without them the workflow tests are skipped.
jsonschema = pytest.importorskip("jsonschema")
kubernetes_validate = pytest.importorskip("kubernetes_validate")
pytest.importorskip("hera")

KUBERNETES_VERSION = "1.29.0"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_documents(text: str) -> list[dict]:
    """The non-empty YAML documents of ``text``; each must be a Workflow mapping."""
    docs = [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]
    for doc in docs:
        assert isinstance(doc, dict) and doc.get("kind") == "Workflow", str(doc)[:200]
    return docs


# --- 1. schema ---------------------------------------------------------------


def _unknown_fields(given: Any, kept: Any, path: str) -> Iterator[str]:
    if isinstance(given, dict) and isinstance(kept, dict):
        for key, value in given.items():
            if key not in kept:
                yield f"{path}.{key}: unknown field"
            else:
                yield from _unknown_fields(value, kept[key], f"{path}.{key}")
    elif isinstance(given, list) and isinstance(kept, list):
        for i, (a, b) in enumerate(zip(given, kept, strict=False)):
            yield from _unknown_fields(a, b, f"{path}[{i}]")


def schema_problems(doc: dict) -> list[str]:
    """Problems of ``doc`` against Argo's Workflow schema, unknown fields included."""
    import pydantic
    from hera.workflows.models import Workflow

    try:
        model = Workflow.model_validate(doc)
    except pydantic.ValidationError as exc:
        return [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
    kept = model.model_dump(by_alias=True, exclude_unset=True, mode="json")
    return [p for p in _unknown_fields(doc, kept, "$") if p not in ARGO2_ONLY_FIELDS]


#: Argo 2's TTL field: hera's schema is Argo 4's, which dropped it.
ARGO2_ONLY_FIELDS = {"$.spec.ttlSecondsAfterFinished: unknown field"}


# --- 2. lint -----------------------------------------------------------------

_FIELD_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
_PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+$")
_PLACEHOLDER = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
_INPUT_PARAM = re.compile(r"^inputs\.parameters\.([-a-zA-Z0-9_]+)$")
_GLOBAL_VARIABLES = {"workflow.name", "workflow.namespace", "workflow.uid"}


def _declared_inputs(template: dict) -> dict[str, bool]:
    """Input parameter name -> whether a call must pass it (no default/value)."""
    params = (template.get("inputs") or {}).get("parameters") or []
    return {p["name"]: "default" not in p and "value" not in p for p in params}


def _check_call(call: dict, where: str, templates: dict[str, dict]) -> list[str]:
    name = call.get("template")
    if name not in templates:
        return [f"{where}: template {name!r} does not exist"]
    declared = _declared_inputs(templates[name])
    passed = [p["name"] for p in (call.get("arguments") or {}).get("parameters") or []]
    problems = [
        f"{where}: parameter {p!r} passed twice" for p in set(passed) if passed.count(p) > 1
    ]
    problems += [f"{where}: {name!r} takes no parameter {p!r}" for p in passed if p not in declared]
    problems += [
        f"{where}: parameter {p!r} of {name!r} is missing"
        for p, required in declared.items()
        if required and p not in passed
    ]
    return problems


def _cycle(tasks: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        if state.get(node) == 1:
            return [*trail, node]
        if state.get(node) == 2:
            return None
        state[node] = 1
        for dep in tasks.get(node, []):
            found = visit(dep, [*trail, node])
            if found:
                return found
        state[node] = 2
        return None

    for task in tasks:
        found = visit(task, [])
        if found:
            return found
    return None


def lint_problems(doc: dict) -> list[str]:
    """What ``argo lint`` would refuse beyond the schema."""
    spec = doc.get("spec") or {}
    problems: list[str] = []
    template_list = spec.get("templates") or []
    names = [t.get("name") for t in template_list]
    templates = {t["name"]: t for t in template_list}
    problems += [f"template {n!r} defined twice" for n in set(names) if names.count(n) > 1]
    for key in ("entrypoint", "onExit"):
        if spec.get(key) and spec[key] not in templates:
            problems.append(f"spec.{key}: template {spec[key]!r} does not exist")
    for name, template in templates.items():
        where = f"template {name!r}"
        if not _FIELD_NAME.match(name) or len(name) > 128:
            problems.append(f"{where}: not a valid Argo name")
        declared = _declared_inputs(template)
        problems += [
            f"{where}: bad parameter name {p!r}" for p in declared if not _PARAM_NAME.match(p)
        ]
        for expression in _PLACEHOLDER.findall(json.dumps(template)):
            match = _INPUT_PARAM.match(expression)
            if match and match.group(1) not in declared:
                problems.append(f"{where}: uses undeclared {expression!r}")
            elif not match and expression not in _GLOBAL_VARIABLES:
                problems.append(f"{where}: unknown placeholder {{{{{expression}}}}}")
        for i, group in enumerate(template.get("steps") or []):
            for step in group:
                problems += _check_call(step, f"{where} step {step.get('name')!r}", templates)
            step_names = [s.get("name") for s in group]
            problems += [
                f"{where} group {i}: step {s!r} twice"
                for s in set(step_names)
                if step_names.count(s) > 1
            ]
        if "dag" in template:
            tasks = template["dag"].get("tasks") or []
            task_names = [t.get("name") for t in tasks]
            problems += [
                f"{where}: task {t!r} defined twice"
                for t in set(task_names)
                if task_names.count(t) > 1
            ]
            graph = {}
            for task in tasks:
                tname = task.get("name", "")
                if not _FIELD_NAME.match(tname) or len(tname) > 128:
                    problems.append(f"{where}: task name {tname!r} is not a valid Argo name")
                problems += _check_call(task, f"{where} task {tname!r}", templates)
                deps = task.get("dependencies") or []
                problems += [
                    f"{where} task {tname!r}: depends on unknown task {d!r}"
                    for d in deps
                    if d not in task_names
                ]
                graph[tname] = deps
            cycle = _cycle(graph)
            if cycle:
                problems.append(f"{where}: dependency cycle {' -> '.join(cycle)}")
    return problems


# --- 3. embedded manifests -----------------------------------------------------

#: Values put in place of Argo placeholders before an embedded manifest is parsed.
PLACEHOLDER_VALUES = {
    "inputs.parameters.host-name": "gordo-srv-project",
    "inputs.parameters.model-name": "machine-1",
    "inputs.parameters.config": '{"name": "machine-1", "dataset": {"tags": ["a"]}}',
}


def _placeholder_values(doc: dict) -> dict[str, str]:
    """PLACEHOLDER_VALUES, with the model name and config of the workflow's first Model task."""
    values = dict(PLACEHOLDER_VALUES)
    for template in doc["spec"]["templates"]:
        for task in (template.get("dag") or {}).get("tasks") or []:
            if task.get("template") == "gordo-model":
                for param in task["arguments"]["parameters"]:
                    values[f"inputs.parameters.{param['name']}"] = param["value"]
                return values
    return values


def embedded_manifests(doc: dict) -> list[tuple[str, dict]]:
    """(template name, object) for every Kubernetes object the workflow applies.

    Argo placeholders are replaced as Argo would, with the first machine's
    model name and config (the raw JSON text) for the Model resource.
    """
    found = []
    placeholders = _placeholder_values(doc)
    for template in doc["spec"]["templates"]:
        texts = []
        if "resource" in template:
            texts.append(template["resource"]["manifest"])
        for group in template.get("steps") or []:
            for step in group:
                for param in (step.get("arguments") or {}).get("parameters") or []:
                    if param["name"] == "resource":
                        texts.append(param["value"])
        for text in texts:
            for expression, value in placeholders.items():
                text = text.replace("{{" + expression + "}}", value)
            for obj in yaml.load_all(text, Loader=_Loader):
                if obj is not None:
                    found.append((template["name"], obj))
    return found


_LABELS = {"type": "object", "additionalProperties": {"type": "string"}}
_METADATA = {
    "type": "object",
    "required": ["name", "labels"],
    "properties": {
        "name": {
            "type": "string",
            "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
            "maxLength": 253,
        },
        "labels": _LABELS,
        "ownerReferences": {"type": "array"},
    },
    "additionalProperties": False,
}
_TARGET = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "name": {"type": "string"},
    },
    "additionalProperties": False,
}


def _crd(spec: dict) -> dict:
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {"apiVersion": {}, "kind": {}, "metadata": _METADATA, "spec": spec},
        "additionalProperties": False,
    }


#: Hand-written schemas of the custom resources (fields gordo uses; others refused).
CRD_SCHEMAS: dict[tuple[str, str], dict] = {
    ("keda.sh/v1alpha1", "ScaledObject"): _crd(
        {
            "type": "object",
            "required": ["scaleTargetRef", "triggers"],
            "additionalProperties": False,
            "properties": {
                "scaleTargetRef": _TARGET,
                "pollingInterval": {"type": "integer"},
                "cooldownPeriod": {"type": "integer"},
                "minReplicaCount": {"type": "integer", "minimum": 0},
                "maxReplicaCount": {"type": "integer", "minimum": 1},
                "triggers": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["type", "metadata"],
                        "additionalProperties": False,
                        "properties": {
                            "type": {"const": "prometheus"},
                            "metadata": {
                                "type": "object",
                                "required": ["serverAddress", "query", "threshold"],
                                "additionalProperties": {"type": "string"},
                            },
                        },
                    },
                },
            },
        }
    ),
    ("monitoring.coreos.com/v1", "ServiceMonitor"): _crd(
        {
            "type": "object",
            "required": ["endpoints", "selector"],
            "additionalProperties": False,
            "properties": {
                "endpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"path": {"type": "string"}, "port": {"type": "string"}},
                    },
                },
                "selector": {
                    "type": "object",
                    "required": ["matchLabels"],
                    "properties": {"matchLabels": _LABELS},
                    "additionalProperties": False,
                },
            },
        }
    ),
    ("networking.istio.io/v1alpha3", "VirtualService"): _crd(
        {
            "type": "object",
            "required": ["hosts", "http"],
            "additionalProperties": False,
            "properties": {
                "hosts": {"type": "array", "items": {"type": "string"}},
                "gateways": {"type": "array", "items": {"type": "string"}},
                "http": {"type": "array", "items": {"type": "object", "required": ["route"]}},
            },
        }
    ),
    ("equinor.com/v1", "Model"): _crd(
        {
            "type": "object",
            "required": ["gordo-version", "config"],
            "additionalProperties": False,
            "properties": {"gordo-version": {"type": "string"}, "config": {"type": "object"}},
        }
    ),
}


def manifest_problems(obj: dict, where: str = "") -> list[str]:
    """Problems of one applied Kubernetes object (strict: unknown fields refused)."""
    return [f"{where} {problem}" for problem in _cached_problems(json.dumps(obj, sort_keys=True))]


@functools.lru_cache(maxsize=4096)
def _cached_problems(text: str) -> tuple[str, ...]:
    return tuple(_manifest_problems(json.loads(text)))


def _manifest_problems(obj: dict) -> list[str]:
    key = (obj.get("apiVersion"), obj.get("kind"))
    prefix = f"{key[1]} {obj.get('metadata', {}).get('name')!r}: "
    if key in CRD_SCHEMAS:
        validator = jsonschema.Draft202012Validator(CRD_SCHEMAS[key])
        return [
            prefix + f"{'.'.join(str(p) for p in err.absolute_path)}: {err.message}"
            for err in validator.iter_errors(obj)
        ]
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [prefix + f"{'.'.join(str(p) for p in exc.absolute_path)}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError:
        return [prefix + "no schema for this kind"]
    return []


# --- 4. all together -----------------------------------------------------------


def workflow_problems(doc: dict) -> list[str]:
    """Every problem of one Workflow document."""
    problems = schema_problems(doc) + lint_problems(doc)
    for where, obj in embedded_manifests(doc):
        problems += manifest_problems(obj, where)
    return problems


def validate_workflows(text: str) -> list[dict]:
    """Parse and fully validate generated output; return the documents, raise on problems."""
    docs = load_documents(text)
    for i, doc in enumerate(docs):
        problems = workflow_problems(doc)
        assert not problems, f"workflow {i}:\n" + "\n".join(problems)
    return docs
