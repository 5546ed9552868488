"""NormalizedConfig (seed §1.9.1, spec §2): defaults, globals, images, per-machine merge, errors."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path

import pytest
import yaml

from gordo.exceptions import ConfigValidationError
from gordo.machine import MachineEncoder
from gordo.workflow.config_elements.loader import load_project_config
from gordo.workflow.config_elements.normalized_config import NormalizedConfig, influx_resources

DATA = Path(__file__).parent / "data"
DATASET = {
    "tags": ["a", "b"],
    "train_start_date": "2016-11-07T09:11:30+01:00",
    "train_end_date": "2016-11-09T09:11:30+01:00",
    "data_provider": {"type": "RandomDataProvider"},
}
MODEL = "sklearn.decomposition.PCA"


def machine(name: str = "m-1", **overrides) -> dict:
    return {"name": name, "dataset": copy.deepcopy(DATASET), **overrides}


def normalize(*machines, project_name: str = "proj", **kwargs) -> NormalizedConfig:
    globals_ = kwargs.pop("globals_", {"model": MODEL})
    return NormalizedConfig(
        {"machines": list(machines), "globals": globals_}, project_name, **kwargs
    )


def res(req_memory: int, req_cpu: int, lim_memory: int, lim_cpu: int) -> dict:
    return {
        "requests": {"memory": req_memory, "cpu": req_cpu},
        "limits": {"memory": lim_memory, "cpu": lim_cpu},
    }


def test_default_globals_match_the_spec():
    runtime = normalize(machine(), machine("m-2")).globals["runtime"]
    assert runtime["reporters"] == []
    assert runtime["server"]["resources"] == res(3000, 1000, 6000, 2000)
    assert runtime["prometheus_metrics_server"]["resources"] == res(200, 100, 1000, 200)
    assert runtime["builder"]["resources"] == res(3900, 1001, 31200, 1001)
    assert runtime["builder"]["remote_logging"] == {"enable": False}
    assert runtime["client"] == {
        "resources": res(3500, 100, 4000, 2000),
        "max_instances": 30,
        "image": "gordo-base",
    }
    assert runtime["influx"] == {"enable": True, "resources": res(3440, 520, 3440, 10040)}
    evaluation = normalize(machine()).globals["evaluation"]
    assert evaluation == {
        "cv_mode": "full_build",
        "scoring_scaler": "sklearn.preprocessing.MinMaxScaler",
        "metrics": [
            "explained_variance_score",
            "r2_score",
            "mean_squared_error",
            "mean_absolute_error",
        ],
    }


def test_influx_resources_are_capped():
    assert influx_resources(200) == res(28000, 2500, 47000, 14000)
    assert influx_resources(1000) == res(28000, 4000, 48000, 30000)


@pytest.mark.parametrize(
    "version, builder, server, deployer",
    [
        ("1.0.0", "gordo-model-builder", "gordo-model-server", "gordo-deploy"),
        ("1.1.0", "gordo-model-builder", "gordo-model-server", "gordo-deploy"),
        ("1.2.0", "gordo-base", "gordo-base", "gordo-base"),
        ("1.3.0", "gordo-base", "gordo-base", "gordo-base"),
        ("0.39.1.dev12_gbe3bbd3", "gordo-model-builder", "gordo-model-server", "gordo-deploy"),
        ("latest", "gordo-base", "gordo-base", "gordo-base"),
        ("pr-43", "gordo-base", "gordo-base", "gordo-base"),
        (None, "gordo-base", "gordo-base", "gordo-base"),
    ],
)
def test_images_depend_on_the_gordo_version(version, builder, server, deployer):
    runtime = normalize(machine(), gordo_version=version).globals["runtime"]
    assert runtime["builder"]["image"] == builder
    assert runtime["server"]["image"] == server
    assert runtime["deployer"]["image"] == deployer
    assert runtime["prometheus_metrics_server"]["image"] == server


def test_user_images_override_the_defaults():
    g = {
        "model": MODEL,
        "runtime": {
            "builder": {"image": "new-builder-image"},
            "client": {"image": "new-client-image"},
        },
    }
    runtime = normalize(machine(), globals_=g, gordo_version="1.0.0").globals["runtime"]
    assert runtime["builder"]["image"] == "new-builder-image"
    assert runtime["client"]["image"] == "new-client-image"
    assert runtime["server"]["image"] == "gordo-model-server"


def test_runtime_resource_fixture_expectations():
    """Spec §5 config-test-runtime-resource: limits raised to requests; influx from globals."""
    g = {
        "model": MODEL,
        "runtime": {
            "builder": {"resources": {"requests": {"memory": 121}, "limits": {"memory": 120}}},
            "client": {
                "resources": {"requests": {"memory": 221}, "limits": {"memory": 221}},
                "max_instances": 10,
            },
            "influx": {"resources": {"requests": {"memory": 321}, "limits": {"memory": 321}}},
        },
    }
    runtime = normalize(machine(), machine("m-2"), globals_=g).globals["runtime"]
    assert runtime["builder"]["resources"]["requests"] == {"memory": 121, "cpu": 1001}
    assert runtime["builder"]["resources"]["limits"]["memory"] == 121
    assert runtime["client"]["resources"]["requests"] == {"memory": 221, "cpu": 100}
    assert runtime["client"]["max_instances"] == 10
    assert runtime["influx"]["resources"] == {
        "requests": {"memory": 321, "cpu": 520},
        "limits": {"memory": 321, "cpu": 10040},
    }


def test_builder_is_coerced_and_keeps_the_exceptions_report_level(caplog):
    """QUIRK fixed: the original dropped exceptions_report_level with the unknown keys."""
    g = {
        "model": MODEL,
        "runtime": {
            "builder": {
                "exceptions_report_level": "message",
                "metadata": {"labels": {"key1": "value1", "key2": 2, "a.b/c": "x"}},
                "volumeMounts": [
                    {"name": "secrets-store", "mountPath": "/kvmnt", "readOnly": True}
                ],
                "env": [
                    {
                        "name": "DL_PWD",
                        "valueFrom": {"secretKeyRef": {"name": "deltalake-pwd", "key": "pwd"}},
                    }
                ],
                "typo_key": 1,
            },
            "volumes": [
                {
                    "name": "secrets-store",
                    "csi": {
                        "driver": "secrets-store.csi.k8s.io",
                        "readOnly": True,
                        "volumeAttributes": {"secretProviderClass": "kv-sync"},
                    },
                    "ignored": 1,
                }
            ],
        },
    }
    with caplog.at_level(logging.WARNING):
        runtime = normalize(machine(), globals_=g).globals["runtime"]
    builder = runtime["builder"]
    assert builder["exceptions_report_level"] == "MESSAGE"
    assert builder["metadata"] == {"labels": {"key1": "value1", "key2": "2", "a.b/c": "x"}}
    assert builder["volumeMounts"] == [
        {"name": "secrets-store", "mountPath": "/kvmnt", "readOnly": True}
    ]
    assert builder["env"][0]["valueFrom"]["secretKeyRef"] == {"name": "deltalake-pwd", "key": "pwd"}
    assert "typo_key" not in builder and "ignoring unknown keys ['typo_key']" in caplog.text
    assert runtime["volumes"] == [
        {
            "name": "secrets-store",
            "csi": {
                "driver": "secrets-store.csi.k8s.io",
                "readOnly": True,
                "volumeAttributes": {"secretProviderClass": "kv-sync"},
            },
        }
    ]


def test_model_builder_env_is_a_default_the_user_env_replaces():
    cli_env = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert (
        normalize(machine(), model_builder_env=cli_env).globals["runtime"]["builder"]["env"]
        == cli_env
    )
    g = {"model": MODEL, "runtime": {"builder": {"env": [{"name": "C", "value": "3"}]}}}
    env = normalize(machine(), globals_=g, model_builder_env=cli_env).globals["runtime"]["builder"][
        "env"
    ]
    assert env == [{"name": "C", "value": "3"}], (
        "lists are replaced, not merged by index (decision)"
    )


def test_per_machine_merge():
    g = {
        "model": MODEL,
        "dataset": {"asset": "global-asset", "resolution": "10T"},
        "metadata": {"g": 1},
        "runtime": {"log_level": "info"},
        "evaluation": {"metrics": ["r2_score"]},
    }
    own_model = {"sklearn.decomposition.PCA": {"n_components": 1}}
    nc = normalize(
        machine(
            dataset={**DATASET, "resolution": "2T"},
            evaluation={"scoring_scaler": None},
            metadata={"m": 2},
        ),
        machine(
            "m-2", model=own_model, runtime={"influx": {"enable": False}, "reporters": ["a.B"]}
        ),
        globals_=g,
    )
    first, second = nc.machines
    assert first.model == MODEL and second.model == own_model
    assert first.dataset.to_dict()["asset"] == "global-asset"
    assert first.dataset.to_dict()["resolution"] == "2T", "the machine wins (decision)"
    assert second.dataset.to_dict()["resolution"] == "10T"
    assert first.evaluation == {
        "cv_mode": "full_build",
        "scoring_scaler": None,
        "metrics": ["r2_score"],
    }
    assert first.metadata.user_defined == {
        "global-metadata": {"g": 1},
        "machine-metadata": {"m": 2},
    }
    assert first.runtime["influx"]["enable"] is True and first.runtime["reporters"] == []
    assert second.runtime["influx"] == {
        "enable": False,
        "resources": nc.globals["runtime"]["influx"]["resources"],
    }
    assert second.runtime["reporters"] == ["a.B"]
    assert second.runtime["log_level"] == "info"
    assert nc.project_name == "proj"


def test_default_data_provider():
    m = machine()
    del m["dataset"]["data_provider"]
    nc = normalize(m, default_data_provider="RandomDataProvider")
    assert nc.machines[0].dataset.to_dict()["data_provider"]["type"].endswith("RandomDataProvider")
    with pytest.raises(ConfigValidationError, match="dataset.data_provider: is empty"):
        normalize(m)


def test_crd_and_plain_shapes_give_the_same_machines():
    crd = load_project_config(DATA / "project-good.yaml")
    plain = crd["spec"]["config"]
    a, b = NormalizedConfig(crd, "good-project"), NormalizedConfig(plain, "good-project")
    assert [m.to_dict() for m in a.machines] == [m.to_dict() for m in b.machines]
    assert a.globals == b.globals
    first, second = a.machines
    assert first.dataset.to_dict()["train_start_date"] == "2018-01-01T00:00:00+00:00"
    assert second.dataset.to_dict()["tag_list"] == ["tag-3", "tag-4", "tag-5"]
    assert second.metadata.user_defined["global-metadata"] == {
        "what-does-this-do": "This metadata will get mapped to every machine's metadata!"
    }
    assert first.runtime["builder"]["resources"]["limits"]["memory"] == 121


def test_machine_json_round_trips_and_has_the_start_date_once():
    nc = NormalizedConfig(load_project_config(DATA / "project-good.yaml"), "good-project")
    for m in nc.machines:
        text = json.dumps(m.to_dict(), cls=MachineEncoder)
        assert text.count(m.dataset.to_dict()["train_start_date"]) == 1
        assert set(json.loads(text)) == {
            "name",
            "project_name",
            "dataset",
            "model",
            "metadata",
            "runtime",
            "evaluation",
        }


def test_zero_machines_is_an_error():
    with pytest.raises(ConfigValidationError, match="machines: must list at least one machine"):
        NormalizedConfig({"machines": []}, "proj")


def test_quotes_survive():
    """Spec §5 config-test-quotes: tags and metadata with quotes are kept as written."""
    m = machine(metadata={"it's": 'say "hi"'})
    m["dataset"]["tags"] = ["CT/1", 'CT"2', "CT'3"]
    (built,) = normalize(m).machines
    again = json.loads(json.dumps(built.to_dict(), cls=MachineEncoder))
    assert again["dataset"]["tag_list"] == ["CT/1", 'CT"2', "CT'3"]
    assert again["metadata"]["user_defined"]["machine-metadata"] == {"it's": 'say "hi"'}


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"name": None}, "machines[0]: name: is empty"),
        ({"name": "UPPER"}, "name: 'UPPER' is not a valid Gordo url value"),
        (
            {"dataset": {**DATASET, "train_end_date": "2017-11-07T10:10:01"}},
            "train_end_date: must be timezone-aware",
        ),
        (
            {"dataset": {**DATASET, "tags": []}},
            "dataset.tags: Requires setting a non-empty list of strings",
        ),
        (
            {"dataset": {**DATASET, "tags": None}},
            "dataset.tags: Requires setting a non-empty list of strings",
        ),
        (
            {"dataset": {**DATASET, "train_start_date": DATASET["train_end_date"]}},
            "must be after train_start_date",
        ),
        (
            {"dataset": {**DATASET, "type": "NoSuchDataset"}},
            'dataset: Dataset type "NoSuchDataset" is not supported',
        ),
        (
            {"dataset": {**DATASET, "resolution": 10}},
            "dataset.resolution: must be a pandas frequency string",
        ),
        (
            {"model": {"sklearn.pipeline.Pipeline": {"step": ["sklearn.decomposition.PCA"]}}},
            "model: sklearn.pipeline.Pipeline does not take parameter 'step' (did you mean 'steps'?)",
        ),
        ({"runtime": {"reporters": {"a.B": {}}}}, "runtime.reporters: must be a list"),
        ({"dataset": "tags: [a"}, "Error loading YAML from 'dataset'"),
    ],
)
def test_spec_error_cases(change, fragment):
    with pytest.raises(ConfigValidationError) as info:
        normalize({**machine(), **change})
    assert isinstance(info.value, ValueError)
    assert any(fragment in line for line in info.value.problems), info.value.problems


def test_no_model_anywhere_and_bad_globals():
    with pytest.raises(ConfigValidationError, match="model: model is empty"):
        normalize(machine(), globals_={})
    g = {"model": MODEL, "runtime": {"influx": {"resources": {"requests": {"memory": "321M"}}}}}
    with pytest.raises(
        ConfigValidationError, match="Resource descriptions must be integers, and '321M' is not."
    ):
        normalize(machine(), globals_=g)


def test_construction_errors_of_several_machines_are_collected():
    bad = {"sklearn.decomposition.PCA": {"n_componets": 1}}
    with pytest.raises(ConfigValidationError) as info:
        normalize(machine(model=bad), machine("m-2"), machine("m-3", model=bad))
    assert [p.split(":")[0] for p in info.value.problems] == [
        "machines[0] 'm-1'",
        "machines[2] 'm-3'",
    ]


def test_unquoted_yaml_timestamps_and_naive_ones():
    text = """
machines:
  - name: m-1
    dataset:
      tags: [a]
      train_start_date: 2016-11-07T00:00:00Z
      train_end_date: 2017-11-07T10:10:01
      data_provider: {type: RandomDataProvider}
globals: {model: sklearn.decomposition.PCA}
"""
    with pytest.raises(ConfigValidationError, match="train_end_date: must be timezone-aware"):
        NormalizedConfig(yaml.safe_load(text), "proj")
    good = yaml.safe_load(text.replace("10:10:01", "10:10:01+00:00"))
    assert (
        NormalizedConfig(good, "proj").machines[0].dataset.to_dict()["train_end_date"]
        == "2017-11-07T10:10:01+00:00"
    )


def test_class_attributes_and_helpers():
    assert NormalizedConfig.UNIFYING_GORDO_VERSION == "1.2.0"
    assert set(NormalizedConfig.UNIFIED_DOCKER_IMAGES["runtime"]) == set(
        NormalizedConfig.SPLITTED_DOCKER_IMAGES["runtime"]
    )
    defaults = NormalizedConfig.get_default_globals("1.3.0")
    defaults["runtime"]["reporters"].append("x")
    assert NormalizedConfig.DEFAULT_CONFIG_GLOBALS["runtime"]["reporters"] == [], (
        "defaults are copied"
    )
    prepared = NormalizedConfig.prepare_patched_globals(
        {"runtime": {"server": {"resources": {"requests": {"cpu": 3}, "limits": {"cpu": 2}}}}}
    )
    assert prepared["runtime"]["server"]["resources"]["limits"]["cpu"] == 3
