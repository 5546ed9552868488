"""Checks and coercion of the ``runtime`` section (builder pod settings, volumes, resources).

Problems are returned as ``(key path, message)`` pairs so a caller can report
every one of them; the ``coerce_*`` functions give the cleaned-up values.

>>> runtime_problems({"builder": {"env": [{"value": 1}]}, "reporters": "x"})  # doctest: +NORMALIZE_WHITESPACE
[('reporters', "must be a list of reporter definitions, got 'x'"),
 ('builder.env[0].name', 'is required'),
 ('builder.env[0].value', 'must be a string (quote it in YAML), got 1')]
>>> coerce_builder({"image": "b", "metadata": {"labels": {"key2": 2}}, "exceptions_report_level": "message"})
{'image': 'b', 'metadata': {'labels': {'key2': '2'}}, 'exceptions_report_level': 'MESSAGE'}
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from gordo.exceptions import ConfigException
from gordo.machine.validators import reporters_problem, resource_problems

logger = logging.getLogger(__name__)

Problems = list[tuple[str, str]]

#: Levels of detail of the builder's exceptions report file (``gordo build``).
EXCEPTIONS_REPORT_LEVELS = ("EXIT_CODE", "TYPE", "MESSAGE", "TRACEBACK")

_BUILDER_KEYS = (
    "image",
    "resources",
    "metadata",
    "env",
    "volumeMounts",
    "remote_logging",
    "exceptions_report_level",
)
_VOLUME_MOUNT_KEYS = {
    "name",
    "mountPath",
    "readOnly",
    "subPath",
    "subPathExpr",
    "mountPropagation",
    "recursiveReadOnly",
}
_KEY_REFS = {"secretKeyRef", "configMapKeyRef"}
_VALUE_FROM = {
    "secretKeyRef": ({"name", "key"}, {"optional"}),
    "configMapKeyRef": ({"name", "key"}, {"optional"}),
    "fieldRef": ({"fieldPath"}, {"apiVersion"}),
    "resourceFieldRef": ({"resource"}, {"containerName", "divisor"}),
}
_CSI_KEYS = ("driver", "readOnly", "fsType", "volumeAttributes")


def _join(path: str, key: str) -> str:
    """``path.key`` (``path[i]`` for an index); either part may be empty."""
    if not path or not key:
        return path or key
    return f"{path}{key}" if key.startswith("[") else f"{path}.{key}"


def _string_problem(value: Any, path: str) -> Problems:
    if not isinstance(value, str) or not value:
        return [(path, f"must be a non-empty string, got {value!r}")]
    return []


def _each_mapping(
    items: Any, path: str, plural: str, keys: str, item_problems: Callable[[Mapping, str], Problems]
) -> Problems:
    """Problems of a list of mappings: the list itself, then ``item_problems(item, "path[i]")``."""
    if not isinstance(items, list):
        return [(path, f"must be a list of {plural}, got {items!r}")]
    problems: Problems = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        if isinstance(item, Mapping):
            problems.extend(item_problems(item, where))
        else:
            problems.append((where, f"must be a mapping with {keys}, got {item!r}"))
    return problems


def env_problems(env: Any, path: str = "env") -> Problems:
    """Problems of a list of Kubernetes EnvVars (``name`` plus ``value`` or ``valueFrom``)."""
    return _each_mapping(env, path, "environment variables", "name and value", _env_var_problems)


def _env_var_problems(var: Mapping, where: str) -> Problems:
    problems: Problems = []
    if not var.get("name"):
        problems.append((f"{where}.name", "is required"))
    unknown = set(var) - {"name", "value", "valueFrom"}
    if unknown:
        problems.append((where, f"unknown keys {sorted(unknown)}"))
    if "value" in var and "valueFrom" in var:
        problems.append((where, "has both value and valueFrom"))
    if "value" in var and not isinstance(var["value"], str):
        problems.append(
            (f"{where}.value", f"must be a string (quote it in YAML), got {var['value']!r}")
        )
    if "valueFrom" in var:
        problems.extend(_value_from_problems(var["valueFrom"], f"{where}.valueFrom"))
    return problems


def _value_from_problems(source: Any, path: str) -> Problems:
    if not isinstance(source, Mapping) or len(source) != 1 or next(iter(source)) not in _VALUE_FROM:
        return [(path, f"must have exactly one of {sorted(_VALUE_FROM)}, got {source!r}")]
    ((kind, ref),) = source.items()
    required, optional = _VALUE_FROM[kind]
    if not isinstance(ref, Mapping):
        return [(f"{path}.{kind}", f"must be a mapping, got {ref!r}")]
    problems = [(f"{path}.{kind}.{key}", "is required") for key in sorted(required - set(ref))]
    unknown = set(ref) - required - optional
    if unknown:
        hint = " (Kubernetes uses key and name)" if kind in _KEY_REFS else ""
        problems.append((f"{path}.{kind}", f"unknown keys {sorted(unknown)}{hint}"))
    return problems


def volume_mount_problems(mounts: Any, path: str = "volumeMounts") -> Problems:
    """Problems of a list of Kubernetes VolumeMounts (``name``, ``mountPath``, ``readOnly``...)."""
    return _each_mapping(mounts, path, "volume mounts", "name and mountPath", _mount_problems)


def _mount_problems(mount: Mapping, where: str) -> Problems:
    problems: Problems = []
    for key in ("name", "mountPath"):
        problems.extend(_string_problem(mount.get(key), f"{where}.{key}"))
    if "readOnly" in mount and not isinstance(mount["readOnly"], bool):
        problems.append((f"{where}.readOnly", f"must be true or false, got {mount['readOnly']!r}"))
    unknown = set(mount) - _VOLUME_MOUNT_KEYS
    if unknown:
        problems.append((where, f"unknown keys {sorted(unknown)}"))
    return problems


def builder_problems(builder: Any, path: str = "builder") -> Problems:
    """Problems of ``runtime.builder`` (image, resources, labels, env, mounts, logging, report level)."""
    if not isinstance(builder, Mapping):
        return [(path, f"must be a mapping, got {builder!r}")]
    problems: Problems = []
    if "image" in builder:
        problems.extend(_string_problem(builder["image"], _join(path, "image")))
    metadata = builder.get("metadata")
    if metadata is not None and not isinstance(metadata, Mapping):
        problems.append(
            (_join(path, "metadata"), f"must be a mapping with labels, got {metadata!r}")
        )
    labels = metadata.get("labels") if isinstance(metadata, Mapping) else None
    if labels is not None and not isinstance(labels, Mapping):
        problems.append((_join(path, "metadata.labels"), f"must be a mapping, got {labels!r}"))
    elif labels:
        problems.extend(
            (_join(path, f"metadata.labels.{k}"), "must be a string, number or boolean")
            for k, v in labels.items()
            if v is None or isinstance(v, list | Mapping)
        )
    if "env" in builder:
        problems.extend(env_problems(builder["env"], _join(path, "env")))
    if "volumeMounts" in builder:
        problems.extend(volume_mount_problems(builder["volumeMounts"], _join(path, "volumeMounts")))
    logging_ = builder.get("remote_logging")
    if logging_ is not None and not (
        isinstance(logging_, Mapping) and isinstance(logging_.get("enable", False), bool)
    ):
        problems.append(
            (_join(path, "remote_logging"), f"must be {{enable: true|false}}, got {logging_!r}")
        )
    level = builder.get("exceptions_report_level")
    if level is not None and str(level).upper() not in EXCEPTIONS_REPORT_LEVELS:
        problems.append(
            (
                _join(path, "exceptions_report_level"),
                f"Invalid 'runtime.builder.exceptions_report_level' value '{level}' "
                f"(one of {', '.join(EXCEPTIONS_REPORT_LEVELS)})",
            )
        )
    return problems


def volume_problems(volumes: Any, path: str = "volumes") -> Problems:
    """Problems of ``runtime.volumes``: a list of ``{name, csi: {driver, ...}}``."""
    return _each_mapping(volumes, path, "volumes", "name and csi", _volume_problems)


def _volume_problems(volume: Mapping, where: str) -> Problems:
    problems = _string_problem(volume.get("name"), f"{where}.name")
    csi = volume.get("csi")
    if not isinstance(csi, Mapping):
        return [*problems, (f"{where}.csi", f"must be a mapping with a driver, got {csi!r}")]
    problems.extend(_string_problem(csi.get("driver"), f"{where}.csi.driver"))
    if not isinstance(csi.get("readOnly", False), bool):
        problems.append(
            (f"{where}.csi.readOnly", f"must be true or false, got {csi['readOnly']!r}")
        )
    if not isinstance(csi.get("volumeAttributes", {}), Mapping):
        problems.append((f"{where}.csi.volumeAttributes", "must be a mapping"))
    return problems


def runtime_problems(runtime: Any) -> Problems:
    """Problems of a whole ``runtime`` section; paths are relative to it."""
    if not isinstance(runtime, Mapping):
        return [("", f"must be a mapping, got {runtime!r}")]
    problems: Problems = []
    if "reporters" in runtime:
        problem = reporters_problem(runtime["reporters"])
        if problem:
            problems.append(("reporters", problem))
    if "log_level" in runtime and not isinstance(runtime["log_level"], str):
        problems.append(("log_level", f"must be a log level name, got {runtime['log_level']!r}"))
    for key, entry in runtime.items():
        if isinstance(entry, Mapping) and "resources" in entry:
            problems.extend(
                (_join(f"{key}.resources", sub), msg)
                for sub, msg in resource_problems(entry["resources"])
            )
    influx = runtime.get("influx")
    if isinstance(influx, Mapping) and not isinstance(influx.get("enable", True), bool):
        problems.append(("influx.enable", f"must be true or false, got {influx['enable']!r}"))
    client = runtime.get("client")
    if isinstance(client, Mapping) and "max_instances" in client:
        n = client["max_instances"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            problems.append(("client.max_instances", f"must be a positive integer, got {n!r}"))
    if "builder" in runtime:
        problems.extend(builder_problems(runtime["builder"]))
    if "volumes" in runtime:
        problems.extend(volume_problems(runtime["volumes"]))
    return problems


def _raise_if(problems: Problems, where: str) -> None:
    if problems:
        raise ConfigException("; ".join(f"{_join(where, path)}: {msg}" for path, msg in problems))


def _label_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def coerce_builder(builder: Mapping[str, Any]) -> dict[str, Any]:
    """``runtime.builder`` with only the known keys, labels as strings, the report level upper-cased.

    Unknown keys are dropped with a warning; invalid values raise ConfigException.
    """
    _raise_if(builder_problems(builder, ""), "runtime.builder")
    unknown = sorted(set(builder) - set(_BUILDER_KEYS))
    if unknown:
        logger.warning("runtime.builder: ignoring unknown keys %s", unknown)
    coerced = {key: builder[key] for key in _BUILDER_KEYS if builder.get(key) is not None}
    if "metadata" in coerced:
        labels = coerced["metadata"].get("labels")
        coerced["metadata"] = (
            {"labels": {str(k): _label_value(v) for k, v in labels.items()}} if labels else {}
        )
    if "remote_logging" in coerced:
        coerced["remote_logging"] = {"enable": bool(coerced["remote_logging"].get("enable", False))}
    if "exceptions_report_level" in coerced:
        coerced["exceptions_report_level"] = str(coerced["exceptions_report_level"]).upper()
    return coerced


def coerce_volumes(volumes: list) -> list[dict[str, Any]]:
    """``runtime.volumes`` keeping only ``name`` and ``csi`` (``readOnly`` defaults to false).

    >>> coerce_volumes([{"name": "s", "csi": {"driver": "d", "x": 1}, "extra": 2}])
    [{'name': 's', 'csi': {'driver': 'd', 'readOnly': False}}]
    """
    _raise_if(volume_problems(volumes, ""), "runtime.volumes")
    coerced = []
    for volume in volumes:
        csi = {"readOnly": False, **volume["csi"]}
        coerced.append(
            {
                "name": volume["name"],
                "csi": {k: csi[k] for k in _CSI_KEYS if csi.get(k) is not None},
            }
        )
    return coerced
