"""Rendering normalised machines into Argo Workflows, validated offline (spec §4, §8)."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from gordo.workflow.workflow_generator.options import WorkflowOptions
from gordo.workflow.workflow_generator.render import (
    MAX_WORKFLOW_BYTES,
    render_workflows,
    task_suffixes,
)
from tests.workflow.argo_validation import (
    embedded_manifests,
    validate_workflows,
)

RUNTIME = {
    "builder": {
        "image": "gordo-base",
        "resources": {
            "requests": {"memory": 3900, "cpu": 1001},
            "limits": {"memory": 31200, "cpu": 1001},
        },
        "remote_logging": {"enable": False},
    },
    "server": {"image": "gordo-base", "resources": {"requests": {"memory": 3000, "cpu": 1000}}},
    "prometheus_metrics_server": {"image": "gordo-base", "resources": {"limits": {"memory": 1000}}},
    "client": {"image": "gordo-base", "max_instances": 30, "resources": {"requests": {"cpu": 100}}},
    "deployer": {"image": "gordo-base"},
    "influx": {"enable": True, "resources": {"requests": {"memory": 3440, "cpu": 520}}},
    "reporters": [],
}


def machine(name: str, influx: bool = True, **dataset) -> dict:
    """A machine as ``Machine.to_dict()`` gives it after normalisation."""
    return {
        "name": name,
        "project_name": "proj",
        "dataset": {
            "type": "TimeSeriesDataset",
            "tags": ["tag-1", 'CT"2', "CT'3"],
            "train_start_date": "2016-11-07T09:11:30+01:00",
            "train_end_date": "2017-11-07T10:11:30+01:00",
            "data_provider": {"type": "gordo.dataset.data_provider.providers.RandomDataProvider"},
            **dataset,
        },
        "model": {"sklearn.decomposition.PCA": {"n_components": 1}},
        "metadata": {"user_defined": {"global-metadata": {}, "machine-metadata": {"k'1": 'v"1'}}},
        "runtime": {**copy.deepcopy(RUNTIME), "influx": {"enable": influx}},
        "evaluation": {"cv_mode": "full_build"},
    }


def options(**kwargs) -> WorkflowOptions:
    return WorkflowOptions(
        **{"project_name": "proj", "project_revision": "1600000000000", **kwargs}
    )


def render(machines=None, runtime=None, **kwargs) -> list[dict]:
    machines = machines if machines is not None else [machine("machine-1"), machine("machine-2")]
    text = "\n---\n".join(render_workflows(machines, runtime or RUNTIME, options(**kwargs)))
    return validate_workflows(text)


def templates(doc: dict) -> dict[str, dict]:
    return {t["name"]: t for t in doc["spec"]["templates"]}


def tasks(doc: dict) -> list[dict]:
    return templates(doc)["do-all"]["dag"]["tasks"]


def manifests(doc: dict) -> dict[str, dict]:
    return {f"{obj['kind']}/{where}": obj for where, obj in embedded_manifests(doc)}


OWNER = [{"uid": "u-1", "name": "proj", "kind": "Gordo", "apiVersion": "equinor.com/v1"}]

VARIANTS = {
    "default": {},
    "argo2": {"argo_major_version": 2},
    "without-prometheus": {"without_prometheus": True},
    "keda-cleanup": {"with_keda": True},
    "hpa-none": {"ml_server_hpa_type": "none"},
    "keda-hpa-none": {"with_keda": True, "ml_server_hpa_type": "none"},
    "keda": {
        "with_keda": True,
        "ml_server_hpa_type": "keda",
        "prometheus_server_address": "http://prom:9090",
    },
    "everything": {
        "owner_references": OWNER,
        "security_context": {"runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}},
        "pod_security_context": {"runAsUser": 1000, "fsGroup": 2000},
        "resources_labels": {"team": "ml", "cost.example.com/centre": "42"},
        "model_builder_labels": {"builder": "yes"},
        "server_labels": {"sl": "x"},
        "gordo_server_workers": 3,
        "gordo_server_threads": 9,
        "gordo_server_probe_timeout": 11,
        "image_pull_policy": "Never",
        "model_builder_class": "my.Builder",
        "n_servers": 4,
    },
}


@pytest.mark.parametrize("variant", VARIANTS, ids=list(VARIANTS))
def test_every_variant_validates(variant):
    (doc,) = render(**VARIANTS[variant])
    assert doc["metadata"]["generateName"] == "proj-1600000000000-"


@pytest.mark.parametrize(
    ("kwargs", "steps"),
    [
        ({}, ["gordo-server-hpa"]),
        ({"with_keda": True}, ["gordo-server-hpa", "gordo-server-keda-cleanup"]),
        ({"ml_server_hpa_type": "none"}, ["gordo-server-hpa-cleanup"]),
        (
            {"with_keda": True, "ml_server_hpa_type": "none"},
            ["gordo-server-keda-cleanup", "gordo-server-hpa-cleanup"],
        ),
        (
            {
                "with_keda": True,
                "ml_server_hpa_type": "keda",
                "prometheus_server_address": "http://p",
            },
            ["gordo-server-keda", "gordo-server-hpa-cleanup"],
        ),
    ],
)
def test_autoscaler_steps(kwargs, steps):
    (doc,) = render(**kwargs)
    server = templates(doc)["gordo-server"]["steps"]
    assert server[0][0]["template"] == "gordo-server-deployment"
    names = [step["template"] for step in server[1]]
    assert names == [*steps, "gordo-server-svc", "gordo-server-monitor", "gordo-server-istio"]
    # The KEDA cleanup comes with --with-keda, the ScaledObject only with the keda type.
    keda = kwargs.get("with_keda", False) + (kwargs.get("ml_server_hpa_type") == "keda")
    assert len(templates(doc)) == 30 + keda


def test_dag_order_and_dependencies():
    (doc,) = render()
    names = [t["name"] for t in tasks(doc)]
    assert names == [
        "ensure-single-workflow",
        "gordo-mdl-machine-1",
        "gordo-mdl-machine-2",
        "gordo-server",
        "model-builder-machine-1",
        "model-builder-machine-2",
        "postgres-cleanup",
        "influx-cleanup",
        "gordo-postgres",
        "gordo-influx",
        "gordo-grafana",
        "gordo-client-machine-1",
        "gordo-client-machine-2",
    ]
    by_name = {t["name"]: t for t in tasks(doc)}
    assert by_name["gordo-server"]["dependencies"] == ["gordo-mdl-machine-1", "gordo-mdl-machine-2"]
    assert by_name["model-builder-machine-1"]["dependencies"] == ["gordo-server", "gordo-postgres"]
    assert by_name["gordo-client-machine-2"]["dependencies"] == [
        "gordo-server",
        "gordo-influx",
        "model-builder-machine-2",
    ]
    client_args = {
        p["name"]: p["value"] for p in by_name["gordo-client-machine-1"]["arguments"]["parameters"]
    }
    assert client_args["train-start-date"] == "2016-11-07 09:11:30+01:00"
    assert json.loads(client_args["data-provider"])["type"].endswith("RandomDataProvider")


def test_influx_disabled_everywhere_leaves_only_the_cleanups():
    (doc,) = render([machine("machine-1", influx=False), machine("machine-2", influx=False)])
    names = [t["name"] for t in tasks(doc)]
    assert [n for n in names if "influx" in n or "postgres" in n or "grafana" in n] == [
        "postgres-cleanup",
        "influx-cleanup",
    ]
    assert not [n for n in names if n.startswith("gordo-client")]
    builder = next(t for t in tasks(doc) if t["name"] == "model-builder-machine-1")
    assert builder["dependencies"] == ["gordo-server"]
    machine_json = json.loads(builder["arguments"]["parameters"][1]["value"])
    assert machine_json["runtime"]["reporters"] == []


def test_selective_influx_gives_one_client_but_postgres_reporting_for_all():
    (doc,) = render([machine("ct-23-0001", influx=False), machine("ct-23-0002")])
    names = [t["name"] for t in tasks(doc)]
    assert [n for n in names if "influx" in n] == ["influx-cleanup", "gordo-influx"]
    assert [n for n in names if n.startswith("gordo-client")] == ["gordo-client-ct-23-0002"]
    for task in tasks(doc):
        if task["name"].startswith("model-builder-"):
            reporters = json.loads(task["arguments"]["parameters"][1]["value"])["runtime"][
                "reporters"
            ]
            assert reporters == [
                {"gordo.reporters.postgres.PostgresReporter": {"host": "gordo-postgres-proj"}}
            ]
    waiter = templates(doc)["gordo-client-waiter"]["script"]["env"]
    assert {"name": "GORDO_TOTAL_NR_OF_CLIENTS", "value": "1"} in waiter


def test_remote_logging_adds_the_mlflow_reporter():
    m = machine("machine-1", influx=False)
    m["runtime"]["builder"]["remote_logging"]["enable"] = True
    (doc,) = render([m])
    value = next(t for t in tasks(doc) if t["name"] == "model-builder-machine-1")["arguments"][
        "parameters"
    ][1]["value"]
    assert json.loads(value)["runtime"]["reporters"] == ["gordo.reporters.mlflow.MlFlowReporter"]


@pytest.mark.parametrize("name", ["123", "true", "null", "1e3", "0x1f", "yes", "on"])
def test_machine_names_yaml_would_retype_stay_strings(name):
    """QUIRK fixed (§4.2): the machine-name argument is quoted like every other value."""
    (doc,) = render([machine(name)])
    values = [
        p["value"]
        for t in tasks(doc)
        for p in (t.get("arguments") or {}).get("parameters", [])
        if p["name"] in ("machine-name", "model-name")
    ]
    assert values == [name, name, name]
    assert json.loads(doc["metadata"]["annotations"]["gordo-models"]) == [name]


def test_dotted_machine_names_get_argo_safe_task_names():
    """Argo task names allow only [a-zA-Z0-9-]; dots become dashes, collisions get an index."""
    assert task_suffixes(["a.b", "a-b"]) == ["a-b", "a-b-1"]
    (doc,) = render([machine("a.b"), machine("a-b")])
    names = [t["name"] for t in tasks(doc) if t["name"].startswith("model-builder-")]
    assert names == ["model-builder-a-b", "model-builder-a-b-1"]


def test_quotes_in_tags_and_metadata_survive():
    (doc,) = render([machine("machine-1")])
    for task in tasks(doc):
        if task["name"] == "model-builder-machine-1":
            sent = json.loads(task["arguments"]["parameters"][1]["value"])
    assert sent["dataset"]["tags"] == ["tag-1", 'CT"2', "CT'3"]
    assert sent["metadata"]["user_defined"]["machine-metadata"] == {"k'1": 'v"1'}
    model = manifests(doc)["Model/gordo-model"]
    assert model["metadata"]["name"] == "proj-machine-1"
    # The raw machine JSON that Argo pastes into the Model manifest is valid YAML, quotes and all.
    assert model["spec"]["config"] == sent


def test_train_start_date_appears_three_times_per_machine():
    text = "".join(render_workflows([machine("m-1"), machine("m-2")], RUNTIME, options()))
    assert text.count("2016-11-07") == 6
    assert text.count("2017-11-07") == 4


def test_builder_template():
    runtime = copy.deepcopy(RUNTIME)
    runtime["builder"].update(
        image="new-builder-image",
        env=[
            {
                "name": "DL_PWD",
                "valueFrom": {"secretKeyRef": {"name": "deltalake-pwd", "key": "pwd"}},
            }
        ],
        volumeMounts=[{"name": "secrets-store", "mountPath": "/kvmnt", "readOnly": True}],
        metadata={"labels": {"key1": "value1", "key2": 2, "example.com/k.3": "v"}},
        exceptions_report_level="MESSAGE",
    )
    runtime["volumes"] = [
        {
            "name": "secrets-store",
            "csi": {
                "driver": "secrets-store.csi.k8s.io",
                "readOnly": True,
                "volumeAttributes": {"secretProviderClass": "kv-sync"},
            },
        }
    ]
    (doc,) = render(runtime=runtime, model_builder_labels={"mb": "1"}, resources_labels={"rl": "r"})
    builder = templates(doc)["model-builder"]
    container = builder["container"]
    assert container["image"] == "ghcr.io/equinor/new-builder-image:0.1.0"
    assert container["resources"] == {
        "requests": {"memory": "3900M", "cpu": "1001m"},
        "limits": {"memory": "31200M", "cpu": "1001m"},
    }
    env = {e["name"]: e for e in container["env"]}
    assert (
        env["OUTPUT_DIR"]["value"]
        == "/gordo/models/proj/models/1600000000000/{{inputs.parameters.machine-name}}"
    )
    assert env["MACHINE"]["value"] == "{{inputs.parameters.machine}}"
    assert env["DL_PWD"]["valueFrom"]["secretKeyRef"] == {"name": "deltalake-pwd", "key": "pwd"}
    # QUIRK fixed (§2.5): the configured exceptions report level takes effect.
    assert env["EXCEPTIONS_REPORT_LEVEL"]["value"] == "MESSAGE"
    assert (
        env["EXCEPTIONS_REPORTER_FILE"]["value"]
        == container["terminationMessagePath"]
        == "/tmp/exception.json"
    )
    assert container["volumeMounts"][-1] == {
        "name": "secrets-store",
        "mountPath": "/kvmnt",
        "readOnly": True,
    }
    labels = builder["metadata"]["labels"]
    assert labels["key2"] == "2" and labels["example.com/k.3"] == "v" and labels["mb"] == "1"
    assert labels["rl"] == "r" and labels["app"] == "gordo-model-builder"
    assert (
        labels["applications.gordo.equinor.com/model-name"] == "{{inputs.parameters.machine-name}}"
    )
    assert labels["applications.gordo.equinor.com/project-workflow"] == "0"
    assert doc["spec"]["volumes"][-1] == runtime["volumes"][0]
    client = templates(doc)["gordo-client"]
    assert client["script"]["volumeMounts"] == runtime["builder"]["volumeMounts"]
    assert {
        "name": "DL_PWD",
        "valueFrom": {"secretKeyRef": {"name": "deltalake-pwd", "key": "pwd"}},
    } in client["script"]["env"]
    assert (
        client["metadata"]["labels"]["key1"] == "value1"
        and "mb" not in client["metadata"]["labels"]
    )


def test_exit_code_level_drops_the_report_file():
    runtime = copy.deepcopy(RUNTIME)
    runtime["builder"]["exceptions_report_level"] = "EXIT_CODE"
    (doc,) = render(runtime=runtime)
    container = templates(doc)["model-builder"]["container"]
    assert "terminationMessagePath" not in container
    assert "EXCEPTIONS_REPORTER_FILE" not in {e["name"] for e in container["env"]}


def test_bad_exceptions_report_level_is_refused():
    runtime = copy.deepcopy(RUNTIME)
    runtime["builder"]["exceptions_report_level"] = "LOUD"
    with pytest.raises(
        ValueError, match="Invalid 'runtime.builder.exceptions_report_level' value 'LOUD'"
    ):
        render_workflows([machine("m")], runtime, options())


def test_resources_labels_reach_the_client_without_builder_labels():
    """QUIRK fixed (§4.3): resources labels on gordo-client even with no builder labels."""
    (doc,) = render(resources_labels={"team": "ml"})
    assert templates(doc)["gordo-client"]["metadata"]["labels"]["team"] == "ml"
    for name, obj in manifests(doc).items():
        assert obj["metadata"]["labels"]["team"] == "ml", name
    assert doc["metadata"]["labels"]["team"] == "ml"


def test_gordo_labels_win_over_resources_labels():
    (doc,) = render(
        resources_labels={"app": "mine", "applications.gordo.equinor.com/project-name": "x"}
    )
    assert templates(doc)["model-builder"]["metadata"]["labels"]["app"] == "gordo-model-builder"
    assert doc["metadata"]["labels"]["applications.gordo.equinor.com/project-name"] == "proj"


def test_server_labels_on_deployment_and_its_pods():
    """QUIRK fixed (§4.4): the labels land on spec.template.metadata.labels, not spec.template."""
    (doc,) = render(server_labels={"sl": "x"})
    deployment = manifests(doc)["Deployment/gordo-server-deployment"]
    assert deployment["metadata"]["labels"]["sl"] == "x"
    assert deployment["spec"]["template"]["metadata"]["labels"]["sl"] == "x"
    assert set(deployment["spec"]["template"]) == {"metadata", "spec"}


def test_server_deployment():
    (doc,) = render(gordo_server_workers=3, gordo_server_probe_timeout=7)
    deployment = manifests(doc)["Deployment/gordo-server-deployment"]
    main, sidecar = deployment["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in main["env"]}
    assert yaml.safe_load(env["EXPECTED_MODELS"]) == ["machine-1", "machine-2"]
    assert env["MODEL_COLLECTION_DIR"] == "/gordo/models/proj/models/1600000000000"
    assert env["GORDO_SERVER_WORKERS"] == "3" and "GORDO_SERVER_THREADS" not in env
    assert env["ENABLE_PROMETHEUS"] == "true" and env["prometheus_multiproc_dir"] == "/metrics"
    assert main["command"] == ["gordo", "run-server", "--with-prometheus-config"]
    assert main["livenessProbe"]["timeoutSeconds"] == 7
    assert main["livenessProbe"]["initialDelaySeconds"] == 600
    assert sidecar["name"] == "gordoserver-prometheus-proj"
    assert "gordo.server.prometheus.server:build_app()" in sidecar["command"]
    hpa = manifests(doc)["HorizontalPodAutoscaler/gordo-server-hpa"]
    assert hpa["spec"]["maxReplicas"] == 20 and hpa["spec"]["targetCPUUtilizationPercentage"] == 50
    monitor = manifests(doc)["ServiceMonitor/gordo-server-monitor"]
    assert monitor["spec"]["endpoints"] == [{"path": "/metrics", "port": "metrics-gordo"}]


def test_without_prometheus_removes_every_part_of_it():
    (doc,) = render(without_prometheus=True)
    deployment = manifests(doc)["Deployment/gordo-server-deployment"]
    pod = deployment["spec"]["template"]["spec"]
    assert len(pod["containers"]) == 1
    assert [v["name"] for v in pod["volumes"]] == ["gstor"]
    env = {e["name"]: e["value"] for e in pod["containers"][0]["env"]}
    assert env["ENABLE_PROMETHEUS"] == "false" and "prometheus_multiproc_dir" not in env
    assert pod["containers"][0]["command"] == ["gordo", "run-server"]
    service = manifests(doc)["Service/gordo-server-svc"]
    assert [p["name"] for p in service["spec"]["ports"]] == ["http-gordo"]
    assert "gordo-server-monitor" not in templates(doc)


def test_keda_scaled_object_with_a_quote_in_the_query():
    """QUIRK fixed (§4.6): the query is serialised, so a quote in it is harmless."""
    (doc,) = render(
        with_keda=True,
        ml_server_hpa_type="keda",
        prometheus_server_address="http://prom:9090",
        keda_prometheus_query="sum(rate(x{project='{{project_name}}'}[1m]))",
        keda_prometheus_threshold="2.5",
    )
    scaled = manifests(doc)["ScaledObject/gordo-server-keda"]
    assert scaled["spec"]["maxReplicaCount"] == 20
    assert scaled["spec"]["triggers"][0]["metadata"] == {
        "serverAddress": "http://prom:9090",
        "metricName": "gordo_server_request_duration_seconds_count",
        "threshold": "2.5",
        "query": "sum(rate(x{project='proj'}[1m]))",
    }


def test_owner_references_on_workflow_and_every_manifest():
    (doc,) = render(owner_references=OWNER)
    assert doc["metadata"]["ownerReferences"] == OWNER
    for name, obj in manifests(doc).items():
        assert obj["metadata"]["ownerReferences"] == OWNER, name


def test_security_contexts_reach_every_container():
    """QUIRK fixed (§4.7): keda-cleanup, influx-cleanup and cleanup get the context too."""
    context = {"runAsNonRoot": True, "runAsGroup": 1000}
    (doc,) = render(
        security_context=context,
        pod_security_context={"runAsUser": 7},
        with_keda=True,
        ml_server_hpa_type="keda",
        prometheus_server_address="http://prom",
    )
    assert doc["spec"]["securityContext"] == {"runAsUser": 7}
    containers = [t.get("script") or t.get("container") for t in doc["spec"]["templates"]]
    containers = [c for c in containers if c]
    assert len(containers) == 12
    for container in containers:
        assert container["securityContext"] == context
    for where, obj in embedded_manifests(doc):
        pod = (obj.get("spec") or {}).get("template", {}).get("spec")
        for container in (pod or {}).get("containers", []):
            assert container["securityContext"] == context, where


def test_argo_versions_set_the_ttl_field():
    (doc2,) = render(argo_major_version=2)
    assert doc2["spec"]["ttlSecondsAfterFinished"] == 115200 and "ttlStrategy" not in doc2["spec"]
    (doc3,) = render()
    assert doc3["spec"]["ttlStrategy"] == {"secondsAfterCompletion": 115200}


def test_model_builder_class_is_added_even_without_other_env():
    """QUIRK fixed (§3.1): MODEL_BUILDER_CLASS no longer needs a non-empty env list."""
    (doc,) = render(model_builder_class="my.Builder")
    env = templates(doc)["model-builder"]["container"]["env"]
    assert {"name": "MODEL_BUILDER_CLASS", "value": "my.Builder"} in env


def test_log_level_from_runtime_wins_and_is_upper_cased():
    runtime = {**RUNTIME, "log_level": "debug"}
    (doc,) = render(runtime=runtime, log_level="WARNING")
    text = json.dumps(doc)
    assert text.count('"GORDO_LOG_LEVEL", "value": "DEBUG"') > 10
    assert '"value": "WARNING"' not in text
    (doc,) = render(log_level="WARNING")
    assert '"GORDO_LOG_LEVEL", "value": "WARNING"' in json.dumps(doc)


def test_split_workflows_chunks_and_shares_project_totals():
    machines = [machine(f"m-{i}", influx=i != 0) for i in range(5)]
    docs = render(machines, split_workflows=2)
    assert len(docs) == 3
    assert [
        d["metadata"]["labels"]["applications.gordo.equinor.com/project-workflow"] for d in docs
    ] == ["0", "1", "2"]
    assert [json.loads(d["metadata"]["annotations"]["gordo-models"]) for d in docs] == [
        ["m-0", "m-1"],
        ["m-2", "m-3"],
        ["m-4"],
    ]
    for doc in docs:
        assert (
            manifests(doc)["HorizontalPodAutoscaler/gordo-server-hpa"]["spec"]["maxReplicas"] == 50
        )
        waiter = templates(doc)["gordo-client-waiter"]["script"]["env"]
        assert {"name": "GORDO_TOTAL_NR_OF_CLIENTS", "value": "4"} in waiter
        # QUIRK fixed (§3.3): every chunk applies the same Deployment, listing every machine.
        server = manifests(doc)["Deployment/gordo-server-deployment"]["spec"]["template"]["spec"]
        expected = next(e for e in server["containers"][0]["env"] if e["name"] == "EXPECTED_MODELS")
        assert yaml.safe_load(expected["value"]) == [f"m-{i}" for i in range(5)]
        assert doc["metadata"]["generateName"] == "proj-1600000000000-"


def test_no_machines_no_output():
    assert render_workflows([], RUNTIME, options()) == []


def test_oversized_chunks_are_halved_until_they_fit(monkeypatch):
    from gordo.workflow.workflow_generator import render

    monkeypatch.setattr(render, "MAX_WORKFLOW_BYTES", 80_000)
    big = [machine(f"m-{i}", tags=[f"tag-{j:04d}-{'x' * 40}" for j in range(60)]) for i in range(9)]
    docs = render_workflows(big, RUNTIME, options(split_workflows=30))
    assert len(docs) > 2
    assert all(len(d.encode()) <= 80_000 for d in docs)
    loaded = [yaml.safe_load(d) for d in docs]
    names = [n for d in loaded for n in json.loads(d["metadata"]["annotations"]["gordo-models"])]
    assert names == [f"m-{i}" for i in range(9)]
    chunk_labels = [
        d["metadata"]["labels"]["applications.gordo.equinor.com/project-workflow"] for d in loaded
    ]
    assert chunk_labels == [str(i) for i in range(len(docs))]
    assert MAX_WORKFLOW_BYTES < 1_000_000
