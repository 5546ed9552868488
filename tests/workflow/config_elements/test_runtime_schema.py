"""runtime_schema: problems of builder env/mounts/labels/volumes, and their coercion."""

from __future__ import annotations

import pytest

from gordo.exceptions import ConfigException
from gordo.workflow.config_elements.runtime_schema import (
    builder_problems,
    coerce_builder,
    coerce_volumes,
    env_problems,
    runtime_problems,
    volume_mount_problems,
    volume_problems,
)


def test_valid_env_forms():
    env = [
        {"name": "A", "value": "1"},
        {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k", "optional": True}}},
        {
            "name": "C",
            "valueFrom": {"configMapKeyRef": {"name": "gordo-components-config-map", "key": "k"}},
        },
        {"name": "D", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "E"},
    ]
    assert env_problems(env) == []


def test_env_problems():
    env = [
        {"value": "x"},
        {"name": "A", "value": "1", "valueFrom": {"fieldRef": {"fieldPath": "a"}}},
        {"name": "B", "valueFrom": {"configMapKeyRef": {"key": "k", "value": "v"}}},
        {"name": "C", "valueFrom": {"secretKeyRef": {"name": "n", "key": "k"}, "fieldRef": {}}},
        {"name": "D", "valu": "typo"},
        "E=1",
    ]
    assert env_problems(env) == [
        ("env[0].name", "is required"),
        ("env[1]", "has both value and valueFrom"),
        ("env[2].valueFrom.configMapKeyRef.name", "is required"),
        (
            "env[2].valueFrom.configMapKeyRef",
            "unknown keys ['value'] (Kubernetes uses key and name)",
        ),
        (
            "env[3].valueFrom",
            "must have exactly one of ['configMapKeyRef', 'fieldRef', 'resourceFieldRef', 'secretKeyRef'], got {'secretKeyRef': {'name': 'n', 'key': 'k'}, 'fieldRef': {}}",
        ),
        ("env[4]", "unknown keys ['valu']"),
        ("env[5]", "must be a mapping with name and value, got 'E=1'"),
    ]
    assert env_problems({"A": "1"}) == [
        ("env", "must be a list of environment variables, got {'A': '1'}")
    ]


def test_volume_mount_problems():
    assert (
        volume_mount_problems([{"name": "a", "mountPath": "/a", "readOnly": False, "subPath": "x"}])
        == []
    )
    assert volume_mount_problems([{"name": "a", "readOnly": "yes", "mountpath": "/a"}, 3]) == [
        ("volumeMounts[0].mountPath", "must be a non-empty string, got None"),
        ("volumeMounts[0].readOnly", "must be true or false, got 'yes'"),
        ("volumeMounts[0]", "unknown keys ['mountpath']"),
        ("volumeMounts[1]", "must be a mapping with name and mountPath, got 3"),
    ]
    assert volume_mount_problems("x") == [
        ("volumeMounts", "must be a list of volume mounts, got 'x'")
    ]


def test_builder_problems():
    builder = {
        "image": "",
        "metadata": {"labels": {"ok": 1, "bad": None}},
        "remote_logging": {"enable": "yes"},
        "exceptions_report_level": "everything",
    }
    assert builder_problems(builder) == [
        ("builder.image", "must be a non-empty string, got ''"),
        ("builder.metadata.labels.bad", "must be a string, number or boolean"),
        ("builder.remote_logging", "must be {enable: true|false}, got {'enable': 'yes'}"),
        (
            "builder.exceptions_report_level",
            "Invalid 'runtime.builder.exceptions_report_level' value 'everything' (one of EXIT_CODE, TYPE, MESSAGE, TRACEBACK)",
        ),
    ]
    assert builder_problems({"metadata": ["x"]}) == [
        ("builder.metadata", "must be a mapping with labels, got ['x']")
    ]
    assert builder_problems({"metadata": {"labels": "x"}}) == [
        ("builder.metadata.labels", "must be a mapping, got 'x'")
    ]
    assert builder_problems(3) == [("builder", "must be a mapping, got 3")]


def test_volume_problems_and_coercion():
    assert volume_problems([{"name": "v", "csi": {"driver": "d"}}]) == []
    assert volume_problems(
        [{"csi": {"readOnly": 1, "volumeAttributes": []}}, {"name": "v"}, 1]
    ) == [
        ("volumes[0].name", "must be a non-empty string, got None"),
        ("volumes[0].csi.driver", "must be a non-empty string, got None"),
        ("volumes[0].csi.readOnly", "must be true or false, got 1"),
        ("volumes[0].csi.volumeAttributes", "must be a mapping"),
        ("volumes[1].csi", "must be a mapping with a driver, got None"),
        ("volumes[2]", "must be a mapping with name and csi, got 1"),
    ]
    assert volume_problems({}) == [("volumes", "must be a list of volumes, got {}")]
    full = {
        "name": "v",
        "csi": {"driver": "d", "readOnly": True, "fsType": "ext4", "volumeAttributes": {"a": "b"}},
    }
    assert coerce_volumes([full]) == [full]
    with pytest.raises(
        ConfigException, match=r"^runtime.volumes\[0\].name: must be a non-empty string"
    ):
        coerce_volumes([{"csi": {"driver": "d"}}])


def test_coerce_builder():
    assert coerce_builder(
        {"image": "i", "remote_logging": {"enable": True}, "env": [], "resources": None}
    ) == {
        "image": "i",
        "remote_logging": {"enable": True},
        "env": [],
    }
    assert coerce_builder({"metadata": {"labels": {"flag": True}}}) == {
        "metadata": {"labels": {"flag": "true"}}
    }
    assert coerce_builder({"metadata": {}}) == {"metadata": {}}
    with pytest.raises(ConfigException, match=r"^runtime.builder.env\[0\].name: is required"):
        coerce_builder({"env": [{"value": "1"}]})


def test_runtime_problems():
    assert (
        runtime_problems(
            {"log_level": "debug", "influx": {"enable": False}, "client": {"max_instances": 3}}
        )
        == []
    )
    assert runtime_problems(
        {"log_level": 10, "influx": {"enable": "no"}, "client": {"max_instances": True}}
    ) == [
        ("log_level", "must be a log level name, got 10"),
        ("influx.enable", "must be true or false, got 'no'"),
        ("client.max_instances", "must be a positive integer, got True"),
    ]
    assert runtime_problems({"server": {"resources": ["x"]}}) == [
        ("server.resources", "must be a mapping with requests/limits, got ['x']")
    ]
    assert runtime_problems({"server": {"resources": {"limits": 3}}}) == [
        ("server.resources.limits", "must be a mapping of memory/cpu, got 3")
    ]
    assert runtime_problems([]) == [("", "must be a mapping, got []")]
