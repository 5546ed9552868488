"""``gordo workflow generate`` end to end: configs in, validated Argo Workflows out (spec §3, §5, §6)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from gordo.cli.cli import gordo
from tests.workflow.argo_validation import embedded_manifests, validate_workflows

DATA = Path(__file__).parent / "data"
FIXTURES = sorted(p.name for p in DATA.iterdir())


def run(config: str | Path, *args: str, env: dict | None = None, parent: tuple = ()):
    """Invoke the CLI in-process; return the click Result."""
    path = config if isinstance(config, Path) else DATA / config
    argv = [*parent, "workflow", "generate", "--machine-config", str(path)]
    argv += [
        "--project-name",
        "proj",
        "--project-revision",
        "1600000000000",
        "--argo-version",
        "3.5.0",
    ]
    return CliRunner().invoke(gordo, [*argv, *args], env=env, catch_exceptions=False)


def generate(config: str | Path, *args: str, **kwargs) -> list[dict]:
    """Generate, check success and validate every document offline."""
    result = run(config, *args, **kwargs)
    assert result.exit_code == 0, result.output
    return validate_workflows(result.stdout)


def templates(doc: dict) -> dict[str, dict]:
    return {t["name"]: t for t in doc["spec"]["templates"]}


def tasks(doc: dict) -> dict[str, dict]:
    return {t["name"]: t for t in templates(doc)["do-all"]["dag"]["tasks"]}


def args(task: dict) -> dict[str, str]:
    return {p["name"]: p["value"] for p in task["arguments"]["parameters"]}


def env(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def manifest(doc: dict, kind: str) -> dict:
    return next(obj for _, obj in embedded_manifests(doc) if obj["kind"] == kind)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_fixture_generates_valid_workflows(fixture):
    """The acceptance list of spec §5: each config gives workflows that validate."""
    docs = generate(fixture, "--default-data-provider", "RandomDataProvider")
    assert docs


def test_two_machines_share_the_global_model():
    (doc,) = generate("config-test-with-models.yml")
    assert json.loads(doc["metadata"]["annotations"]["gordo-models"]) == ["machine-1", "machine-2"]
    expected = {
        "sklearn.pipeline.Pipeline": {
            "steps": [
                "sklearn.preprocessing.MinMaxScaler",
                {"sklearn.decomposition.PCA": {"n_components": 1}},
            ]
        }
    }
    for name in ("machine-1", "machine-2"):
        config = json.loads(args(tasks(doc)[f"gordo-mdl-{name}"])["config"])
        assert config["model"] == expected and config["project_name"] == "proj"


def test_quotes_survive_to_the_builder():
    (doc,) = generate("config-test-quotes.yml")
    machine = json.loads(args(tasks(doc)["model-builder-machine-1"])["machine"])
    assert [t if isinstance(t, str) else t["name"] for t in machine["dataset"]["tag_list"]] == [
        "CT/1",
        'CT"2',
        "CT'3",
    ]
    assert machine["metadata"]["user_defined"]["machine-metadata"] == {
        "it's": 'say "hi"',
        'a "b"': "it's",
    }


def test_client_data_provider_is_the_registered_name():
    (doc,) = generate("config-test-datasource.yml")
    provider = json.loads(args(tasks(doc)["gordo-client-machine-1"])["data-provider"])
    assert provider["type"] == "RandomDataProvider"  # as the original writes it


def test_runtime_resources():
    (doc,) = generate("config-test-runtime-resource.yaml")
    builder = templates(doc)["model-builder"]["container"]["resources"]
    assert builder["requests"] == {"memory": "121M", "cpu": "1001m"}
    assert builder["limits"]["memory"] == "121M"
    client = templates(doc)["gordo-client"]["script"]["resources"]
    assert (
        client["requests"] == {"memory": "221M", "cpu": "100m"}
        and client["limits"]["memory"] == "221M"
    )
    assert env(templates(doc)["gordo-client-waiter"]["script"])["GORDO_MAX_CLIENTS"] == "10"
    influx = manifest(doc, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert influx == {
        "requests": {"memory": "321M", "cpu": "520m"},
        "limits": {"memory": "321M", "cpu": "10040m"},
    }
    # Per-machine builder resources reach only that machine's JSON, not the pod spec.
    machine = json.loads(args(tasks(doc)["model-builder-machine-2"])["machine"])
    assert machine["runtime"]["builder"]["resources"]["requests"]["memory"] == 999


def test_runtime_images():
    (doc,) = generate("config-test-runtime-images.yaml", "--gordo-version", "1.3.0")
    tpl = templates(doc)
    assert tpl["model-builder"]["container"]["image"] == "ghcr.io/equinor/new-builder-image:1.3.0"
    assert tpl["gordo-client"]["script"]["image"] == "ghcr.io/equinor/new-client-image:1.3.0"
    assert tpl["cleanup"]["script"]["image"] == "ghcr.io/equinor/new-deployer-image:1.3.0"
    server, sidecar = manifest(doc, "Deployment")["spec"]["template"]["spec"]["containers"]
    assert server["image"] == sidecar["image"] == "ghcr.io/equinor/new-server-image:1.3.0"


@pytest.mark.parametrize(
    ("version", "builder_image", "policy"),
    [
        ("1.1.0", "gordo-model-builder", "IfNotPresent"),
        ("1.3.0", "gordo-base", "IfNotPresent"),
        ("latest", "gordo-base", "Always"),
        ("1.2", "gordo-base", "Always"),
    ],
)
def test_gordo_version_chooses_images_and_pull_policy(version, builder_image, policy):
    """QUIRK fixed (§2.4): --gordo-version, not the installed version, picks the image names."""
    (doc,) = generate(
        "config-test-simple.yml",
        "--gordo-version",
        version,
        "--docker-registry",
        "registry.example.com",
        "--docker-repository",
        "plant",
    )
    container = templates(doc)["model-builder"]["container"]
    assert container["image"] == f"registry.example.com/plant/{builder_image}:{version}"
    assert container["imagePullPolicy"] == policy
    influx = manifest(doc, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]
    assert influx["imagePullPolicy"] == "IfNotPresent"
    assert manifest(doc, "Model")["spec"]["gordo-version"] == version


def test_runtime_labels_are_strings():
    (doc,) = generate("config-test-runtime-labels.yaml")
    labels = templates(doc)["model-builder"]["metadata"]["labels"]
    assert labels["key1"] == "value1" and labels["key2"] == "2"
    assert labels["example.com/key3"] == "value3" and labels["key.4"] == "value4"


def test_model_builder_spec():
    (doc,) = generate("config-test-model-builder-spec.yaml")
    secret = {"secretKeyRef": {"name": "deltalake-pwd", "key": "password"}}
    mount = {"name": "secrets-store", "mountPath": "/kvmnt", "readOnly": True}
    for template, part in (("model-builder", "container"), ("gordo-client", "script")):
        tpl = templates(doc)[template]
        assert tpl["metadata"]["labels"]["key1"] == "value1"
        assert env(tpl[part])["DL_PWD"] == secret
        assert mount in tpl[part]["volumeMounts"]
    assert {
        "name": "secrets-store",
        "csi": {
            "driver": "secrets-store.csi.k8s.io",
            "readOnly": True,
            "volumeAttributes": {"secretProviderClass": "kv-sync"},
        },
    } in doc["spec"]["volumes"]


def test_disabled_and_selective_influx():
    (doc,) = generate("config-test-disable-influx.yml")
    names = list(tasks(doc))
    assert [n for n in names if "influx" in n] == ["influx-cleanup"]
    assert not [n for n in names if n.startswith("gordo-client") or n.startswith("gordo-grafana")]
    (doc,) = generate("config-test-selective-influx.yml")
    names = list(tasks(doc))
    assert [n for n in names if "influx" in n] == ["influx-cleanup", "gordo-influx"]
    assert [n for n in names if n.startswith("gordo-client")] == ["gordo-client-ct-23-0002"]


def test_timestamps_appear_once_per_place():
    result = run("config-test-allowed-timestamps.yml")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("2016-11-07") == 9
    assert result.stdout.count("2017-11-07") == 6
    (doc,) = validate_workflows(result.stdout)
    assert json.loads(doc["metadata"]["annotations"]["gordo-models"]) == [
        "machine-1",
        "machine-2",
        "machine-3",
    ]
    assert (
        args(tasks(doc)["gordo-client-machine-1"])["train-start-date"]
        == "2016-11-07 09:11:30+01:00"
    )


def _log_levels(doc: dict) -> set[str]:
    text = json.dumps(doc) + "".join(json.dumps(obj) for _, obj in embedded_manifests(doc))
    return {part.split('"')[0] for part in text.split('"name": "GORDO_LOG_LEVEL", "value": "')[1:]}


def test_log_level():
    (doc,) = generate("config-test-with-log-key.yml")
    assert _log_levels(doc) == {"DEBUG"}
    (doc,) = generate("config-test-simple.yml")
    assert _log_levels(doc) == {"INFO"}
    (doc,) = generate("config-test-simple.yml", parent=("--log-level", "warning"))
    assert _log_levels(doc) == {"WARNING"}


def test_default_data_provider():
    result = run("config-empty-default-data-provider.yml")
    assert result.exit_code == 100 and "data_provider" in result.output
    result = run(
        "config-empty-default-data-provider.yml", "--default-data-provider", "RandomDataProvider"
    )
    assert result.exit_code == 0 and "RandomDataProvider" in result.stdout


def test_custom_resource_form():
    (doc,) = generate("config-test-crd.yml")
    assert json.loads(doc["metadata"]["annotations"]["gordo-models"]) == ["crd-machine"]


def test_custom_resource_as_json(tmp_path):
    """``kubectl get gordos NAME -o json`` output works as the config."""
    resource = yaml.safe_load((DATA / "config-test-crd.yml").read_text())
    path = tmp_path / "gordo.json"
    path.write_text(json.dumps(resource, indent=2))
    (doc,) = generate(path)
    assert json.loads(doc["metadata"]["annotations"]["gordo-models"]) == ["crd-machine"]


def test_output_file_equals_stdout(tmp_path):
    out = tmp_path / "workflow.yaml"
    out.write_text("old content that must go\n")
    printed = run("config-test-with-models.yml", "--split-workflows", "1").stdout
    result = run("config-test-with-models.yml", "--split-workflows", "1", "--output-file", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text().rstrip() == printed.rstrip()
    assert printed.count("\n---\n") == 1 and len(validate_workflows(printed)) == 2


def test_env_vars_give_option_defaults():
    result = CliRunner().invoke(
        gordo,
        ["workflow", "generate"],
        env={
            "WORKFLOW_GENERATOR_MACHINE_CONFIG": str(DATA / "config-test-with-models.yml"),
            "WORKFLOW_GENERATOR_PROJECT_NAME": "envproj",
            "WORKFLOW_GENERATOR_PROJECT_REVISION": "123",
            "WORKFLOW_GENERATOR_ARGO_VERSION": "3.4.0",
            "WORKFLOW_GENERATOR_SPLIT_WORKFLOWS": "1",
            "WORKFLOW_GENERATOR_RESOURCE_LABELS": '{"team": "ml"}',
            "WORKFLOW_GENERATOR_WITHOUT_PROMETHEUS": "true",
            "WORKFLOW_GENERATOR_N_SERVERS": "3",
            "MODEL_BUILDER_CLASS": "my.Builder",
        },
    )
    assert result.exit_code == 0, result.output
    docs = validate_workflows(result.stdout)
    assert len(docs) == 2
    doc = docs[0]
    assert doc["metadata"]["generateName"] == "envproj-123-"
    assert doc["metadata"]["labels"]["team"] == "ml"
    assert "gordo-server-monitor" not in templates(doc)
    assert manifest(doc, "HorizontalPodAutoscaler")["spec"]["maxReplicas"] == 3
    assert env(templates(doc)["model-builder"]["container"])["MODEL_BUILDER_CLASS"] == "my.Builder"


def test_default_revision_is_epoch_milliseconds():
    before = int(time.time() * 1000)
    result = CliRunner().invoke(
        gordo,
        ["workflow", "generate", "--machine-config", str(DATA / "config-test-simple.yml")]
        + ["--project-name", "proj", "--argo-version", "3.5.0"],
    )
    (doc,) = validate_workflows(result.stdout)
    revision = int(doc["metadata"]["labels"]["applications.gordo.equinor.com/project-revision"])
    assert before <= revision <= int(time.time() * 1000)


def test_security_contexts():
    (doc,) = generate(
        "config-test-simple.yml",
        "--security-context",
        '{"runAsNonRoot": true, "runAsGroup": 1000}',
        "--pod-security-context",
        '{"runAsNonRoot": true}',
    )
    assert doc["spec"]["securityContext"] == {"runAsNonRoot": True}
    assert templates(doc)["cleanup"]["script"]["securityContext"] == {
        "runAsNonRoot": True,
        "runAsGroup": 1000,
    }


@pytest.mark.parametrize(
    "option",
    [
        ("--security-context", '{"runAsNonRoot": true, "sudo": true}'),
        ("--security-context", '{"runAsGroup": true}'),
        ("--pod-security-context", '{"fsGroup": "x"}'),
        ("--security-context", "{not json"),
        ("--custom-model-builder-envs", '[{"value": "1"}]'),
        ("--custom-model-builder-envs", '[{"name": "A", "value": 1}]'),
        ("--custom-model-builder-envs", "[{"),
        ("--argo-binary", "kubectl"),
        ("--ml-server-hpa-type", "magic"),
        ("--image-pull-policy", "Sometimes"),
    ],
)
def test_bad_option_values_are_usage_errors(option):
    result = run("config-test-simple.yml", *option)
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--resources-labels", "{bad"), '"--resources-labels={bad" contains invalid JSON value'),
        (("--server-labels", "[1]"), "contains value with type list instead of dict"),
        (("--model-builder-labels", '{"a": "b c"}'), "not a valid label value"),
        (("--ml-server-hpa-type", "keda"), 'only supported with the "--with-keda" flag'),
        (
            ("--ml-server-hpa-type", "keda", "--with-keda"),
            '--prometheus-server-address should be specified for "--ml-server-hpa-type=keda"',
        ),
    ],
)
def test_command_errors_exit_1(option, message):
    result = run("config-test-simple.yml", *option)
    assert result.exit_code == 1 and message in result.output


@pytest.mark.parametrize(
    ("refs", "message"),
    [
        ("[]", "must be a list with at least one element"),
        ("- key: value", "must contain a uid, name, kind, and apiVersion key"),
    ],
)
def test_bad_owner_references(refs, message):
    result = run("config-test-simple.yml", "--owner-references", refs)
    assert result.exit_code == 1 and message in result.output


def test_owner_references():
    refs = [{"uid": "1", "name": "proj", "kind": "Gordo", "apiVersion": "equinor.com/v1"}]
    (doc,) = generate("config-test-simple.yml", "--owner-references", json.dumps(refs))
    assert doc["metadata"]["ownerReferences"] == refs
    assert all(obj["metadata"]["ownerReferences"] == refs for _, obj in embedded_manifests(doc))


def test_custom_builder_envs_are_the_default_of_the_builder_env():
    envs = [{"name": "CUSTOM", "value": "1"}]
    (doc,) = generate("config-test-simple.yml", "--custom-model-builder-envs", json.dumps(envs))
    assert env(templates(doc)["model-builder"]["container"])["CUSTOM"] == "1"
    (doc,) = generate(
        "config-test-model-builder-spec.yaml", "--custom-model-builder-envs", json.dumps(envs)
    )
    assert "DL_PWD" in env(templates(doc)["model-builder"]["container"])


def test_server_options():
    (doc,) = generate(
        "config-test-simple.yml",
        "--gordo-server-workers",
        "3",
        "--gordo-server-threads",
        "5",
        "--gordo-server-probe-timeout",
        "9",
        "--gordo-server-readiness-initial-delay",
        "7",
        "--gordo-server-liveness-initial-delay",
        "70",
        "--server-termination-grace-period",
        "30",
        "--server-target-cpu-utilization-percentage",
        "80",
        "--prometheus-metrics-server-workers",
        "2",
        "--server-labels",
        '{"tier": "gold"}',
        "--retry-backoff-duration",
        "1m",
        "--retry-backoff-factor",
        "3",
    )
    deployment = manifest(doc, "Deployment")
    pod = deployment["spec"]["template"]
    server, sidecar = pod["spec"]["containers"]
    assert env(server)["GORDO_SERVER_WORKERS"] == "3" and env(server)["GORDO_SERVER_THREADS"] == "5"
    assert yaml.safe_load(env(server)["EXPECTED_MODELS"]) == ["machine-1"]
    assert server["readinessProbe"] == {
        "httpGet": {"path": "/ready", "port": "http-api"},  # 200 once the models are loaded
        "initialDelaySeconds": 7,
        "timeoutSeconds": 9,
    }
    assert server["livenessProbe"]["initialDelaySeconds"] == 70
    assert pod["spec"]["terminationGracePeriodSeconds"] == 30
    assert sidecar["command"][sidecar["command"].index("--workers") + 1] == "2"
    assert deployment["metadata"]["labels"]["tier"] == pod["metadata"]["labels"]["tier"] == "gold"
    assert manifest(doc, "HorizontalPodAutoscaler")["spec"]["targetCPUUtilizationPercentage"] == 80
    assert templates(doc)["cleanup"]["retryStrategy"]["backoff"] == {"duration": "1m", "factor": 3}


def test_keda_options():
    (doc,) = generate(
        "config-test-simple.yml",
        "--with-keda",
        "--ml-server-hpa-type",
        "keda",
        "--prometheus-server-address",
        "http://prometheus:9090",
        "--keda-prometheus-threshold",
        "3",
        "--keda-prometheus-metric-name",
        "m",
    )
    trigger = manifest(doc, "ScaledObject")["spec"]["triggers"][0]["metadata"]
    assert trigger["serverAddress"] == "http://prometheus:9090" and trigger["threshold"] == "3"
    assert trigger["metricName"] == "m" and 'project=~"proj"' in trigger["query"]


def _fake_argo(tmp_path: Path, version: str) -> dict:
    script = tmp_path / "argo"
    script.write_text(f"#!/bin/sh\necho 'argo: v{version}'\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize(
    ("version", "field"), [("2.1.0", "ttlSecondsAfterFinished"), ("3.1.0", "ttlStrategy")]
)
def test_argo_version_from_the_argo_binary(tmp_path, version, field):
    argv = [
        "workflow",
        "generate",
        "--machine-config",
        str(DATA / "config-test-simple.yml"),
        "--project-name",
        "p",
    ]
    result = CliRunner().invoke(gordo, argv, env=_fake_argo(tmp_path, version))
    assert result.exit_code == 0, result.output
    assert field in yaml.safe_load(result.stdout)["spec"]


def test_an_argo_binary_without_a_version_is_an_error(tmp_path):
    argv = ["workflow", "generate", "--machine-config", str(DATA / "config-test-simple.yml")]
    result = CliRunner().invoke(
        gordo, [*argv, "--project-name", "p"], env=_fake_argo(tmp_path, "X")
    )
    assert result.exit_code == 1
    assert "ArgoVersionError" in result.stderr and result.stdout == ""


def test_without_the_argo_binary_argo_3_is_assumed(tmp_path):
    argv = ["workflow", "generate", "--machine-config", str(DATA / "config-test-simple.yml")]
    result = CliRunner().invoke(gordo, [*argv, "--project-name", "p", "--argo-binary", "argo17"])
    assert result.exit_code == 0
    assert "ttlStrategy" in yaml.safe_load(result.stdout)["spec"]


def test_missing_config_file():
    result = CliRunner().invoke(
        gordo,
        [
            "workflow",
            "generate",
            "--machine-config",
            "/no/such.yml",
            "--project-name",
            "p",
            "--argo-version",
            "3",
        ],
    )
    assert result.exit_code == 30 and "Unable to find config file /no/such.yml" in result.output


def test_no_machines_no_output(tmp_path):
    config = tmp_path / "empty.yml"
    config.write_text("machines: []\n")
    result = run(config)
    assert result.exit_code == 100 and result.stdout == ""
    assert "machines: must list at least one machine" in result.stderr


_BASE = """
machines:
  - name: {name}
    dataset:
      tags: {tags}
      train_start_date: {start}
      train_end_date: {end}
      {extra}
globals:
  model: {model}
  {globals_extra}
"""


def _config(**kwargs) -> str:
    values = {
        "name": "machine-7",
        "tags": "[TAG-1]",
        "start": "2016-11-07T09:11:30+01:00",
        "end": "2016-11-08T09:11:30+01:00",
        "extra": "data_provider: {type: RandomDataProvider}",
        "model": "sklearn.decomposition.PCA",
        "globals_extra": "",
    }
    return _BASE.format(**{**values, **kwargs})


BAD_CONFIGS = {
    "missing-timezone": (
        _config(end="2017-11-07T10:10:01"),
        "train_end_date: must be timezone-aware",
    ),
    "missing-timezone-quoted": (
        _config(end="'2017-11-07T10:10:01'"),
        "train_end_date: must be timezone-aware",
    ),
    "failing-resource-format": (
        _config(globals_extra="runtime: {influx: {resources: {requests: {memory: 321M}}}}"),
        "Resource descriptions must be integers, and '321M' is not.",
    ),
    "empty-tag-list": (_config(tags=""), "tags: Requires setting a non-empty list of strings"),
    "explicit-empty-tag-list": (
        _config(tags="[]"),
        "tags: Requires setting a non-empty list of strings",
    ),
    "start-after-end": (
        _config(start="2018-01-01T00:00:00Z", end="2017-01-01T00:00:00Z"),
        "must be after train_start_date",
    ),
    "no-data-provider": (_config(extra=""), "data_provider: is empty"),
    "unknown-dataset-type": (
        _config(extra="type: NoSuchDataset\n      data_provider: {type: RandomDataProvider}"),
        'Dataset type "NoSuchDataset" is not supported',
    ),
    "bad-resolution": (
        _config(extra="resolution: 10parsecs\n      data_provider: {type: RandomDataProvider}"),
        "is not a pandas frequency",
    ),
    "step-instead-of-steps": (
        _config(model="{sklearn.pipeline.Pipeline: {step: [sklearn.decomposition.PCA]}}"),
        "sklearn.pipeline.Pipeline does not take parameter 'step' (did you mean 'steps'?)",
    ),
    "no-model": (_config(model="null"), "model is empty"),
    "bad-name": (_config(name="Machine_7"), "is not a valid Gordo url value"),
    "long-name": (_config(name="m" * 60), "at most 63 allowed"),
    "reporters-not-a-list": (_config(globals_extra="runtime: {reporters: 5}"), "runtime.reporters"),
    "bad-report-level": (
        _config(globals_extra="runtime: {builder: {exceptions_report_level: LOUD}}"),
        "Invalid 'runtime.builder.exceptions_report_level' value 'LOUD'",
    ),
    "bad-builder-label": (
        _config(globals_extra="runtime: {builder: {metadata: {labels: {key: 'a b'}}}}"),
        "not a valid label value",
    ),
}


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=list(BAD_CONFIGS))
def test_bad_configs_fail_naming_the_place_and_print_nothing(tmp_path, case):
    text, message = BAD_CONFIGS[case]
    config = tmp_path / "project.yml"
    config.write_text(text)
    result = run(config)
    assert result.exit_code == 100, result.output
    assert message in result.stderr
    assert "machines[0] '" in result.stderr or "runtime." in result.stderr
    assert result.stdout == ""


def test_bad_config_writes_no_output_file(tmp_path):
    config = tmp_path / "project.yml"
    config.write_text(BAD_CONFIGS["missing-timezone"][0])
    out = tmp_path / "out.yaml"
    result = run(config, "--output-file", str(out))
    assert result.exit_code == 100
    assert not out.exists()


def test_thousand_machines_are_fast_and_fit_argo(tmp_path):
    """1 000 machines: generation well under the 10 s target, every document under ~1 MB."""
    machines = [
        {
            "name": f"machine-{i:04d}",
            "dataset": {
                "tags": [f"plant-{i}-tag-{j}" for j in range(20)],
                "train_start_date": "2020-01-01T00:00:00Z",
                "train_end_date": "2020-02-01T00:00:00Z",
            },
        }
        for i in range(1000)
    ]
    config = {
        "machines": machines,
        "globals": {
            "model": {
                "sklearn.pipeline.Pipeline": {
                    "steps": [
                        "sklearn.preprocessing.MinMaxScaler",
                        {"sklearn.decomposition.PCA": {"n_components": 2}},
                    ]
                }
            },
            "dataset": {"data_provider": {"type": "RandomDataProvider"}, "resolution": "10T"},
        },
    }
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(config))
    start, cpu_start = time.perf_counter(), time.process_time()
    result = run(path, "--split-workflows", "100")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(f"\n1000 machines generated in {seconds:.2f} s ({cpu:.2f} s CPU)")
    assert result.exit_code == 0
    assert cpu < 30  # CPU time: a generous bound that other processes on the machine cannot break
    documents = result.stdout.split("\n---\n")
    assert len(documents) == 10
    assert all(len(d.encode()) < 1_000_000 for d in documents)
    first, last = validate_workflows(documents[0] + "\n---\n" + documents[-1])
    assert json.loads(last["metadata"]["annotations"]["gordo-models"])[-1] == "machine-0999"
    assert manifest(last, "HorizontalPodAutoscaler")["spec"]["maxReplicas"] == 10_000
    docs = yaml.load_all(result.stdout, Loader=yaml.CSafeLoader)
    names = [n for d in docs for n in json.loads(d["metadata"]["annotations"]["gordo-models"])]
    assert names == [m["name"] for m in machines]


@pytest.mark.integration
def test_cli_in_a_subprocess_imports_no_deep_learning_framework(tmp_path):
    out = tmp_path / "wf.yaml"
    code = (
        "import sys; from gordo.cli.cli import gordo\n"
        "try:\n    gordo(['workflow', 'generate'])\n"
        "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        "loaded = {'keras', 'jax', 'tensorflow', 'torch'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "WORKFLOW_GENERATOR_MACHINE_CONFIG": str(DATA / "config-test-keras-model.yml"),
            "WORKFLOW_GENERATOR_PROJECT_NAME": "proj",
            "WORKFLOW_GENERATOR_ARGO_VERSION": "3.5.0",
            "WORKFLOW_GENERATOR_OUTPUT_FILE": str(out),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert len(validate_workflows(out.read_text())) == 1


def test_the_project_name_defaults_to_the_file_name_as_for_validate(tmp_path):
    config = tmp_path / "plant-a.yaml"
    config.write_text(_config())
    result = CliRunner().invoke(
        gordo, ["workflow", "generate", "--machine-config", str(config), "--argo-version", "3.5.0"]
    )
    assert result.exit_code == 0, result.output
    (workflow,) = validate_workflows(result.stdout)
    assert workflow["metadata"]["labels"]["applications.gordo.equinor.com/project-name"] == (
        "plant-a"
    )
    bad = tmp_path / "plant.v2.yaml"
    bad.write_text(_config())
    result = CliRunner().invoke(
        gordo, ["workflow", "generate", "--machine-config", str(bad), "--argo-version", "3.5.0"]
    )
    assert result.exit_code == 2 and "--project-name" in result.output


def test_every_generate_option_reads_an_environment_variable():
    """docs/kubernetes.md: every option also reads WORKFLOW_GENERATOR_<OPTION> (or its own)."""
    from gordo.cli.workflow import generate as command

    missing = [p.name for p in command.params if isinstance(p, click.Option) and not p.envvar]
    assert missing == []
    result = CliRunner().invoke(
        gordo, ["workflow", "generate", "--machine-config", "x.yaml"],
        env={"WORKFLOW_GENERATOR_ARGO_BINARY": "not-argo"},
    )
    assert result.exit_code == 2 and "'not-argo' must match" in result.output
