"""The documented helpers of gordo.workflow.workflow_generator.workflow_generator."""

from __future__ import annotations

import io

import jinja2
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from gordo.cli.cli import gordo
from gordo.exceptions import ConfigException
from gordo.workflow.workflow_generator.workflow_generator import (
    ArgoVersionError,
    default_image_pull_policy,
    get_dict_from_yaml,
    load_workflow_template,
    parse_argo_version,
    yaml_filter,
)
from tests.workflow.test_cli import DATA

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.sampled_from(
        ["123", "true", "null", "~", "1e3", "0x1f", "yes", "a: b", "- x", "{{x}}", "'\"", "#c"]
    ),
)
_data = st.recursive(
    _scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=8
)


@given(_data)
def test_yaml_filter_round_trips_inside_flow_and_block_context(value):
    assert yaml.safe_load(yaml_filter(value)) == value
    assert yaml.safe_load("key: " + yaml_filter(value)) == {"key": value}
    assert yaml.safe_load("{key: " + yaml_filter(value) + "}") == {"key": value}
    assert "\n" not in yaml_filter(value)


@pytest.mark.parametrize(
    ("version", "policy"),
    [
        ("2.10.23", "IfNotPresent"),
        ("1.2.3rc1", "IfNotPresent"),
        ("0.1.0.dev3_g1a2b3c4", "IfNotPresent"),
        ("1.2", "Always"),
        ("10", "Always"),
        ("latest", "Always"),
        ("stable", "Always"),
        ("pr-43", "Always"),
        ("3a1c2f9e", "IfNotPresent"),
        ("3a1c2f9e77c0d1b2a3f4e5d6c7b8a9f0e1d2c3b4", "IfNotPresent"),
    ],
)
def test_default_image_pull_policy(version, policy):
    assert default_image_pull_policy(version) == policy


@pytest.mark.parametrize("version", ["", "v1", "1.2.3 4", "PR-1", "abc"])
def test_malformed_versions(version):
    with pytest.raises(ValueError, match="Malformed gordo version"):
        default_image_pull_policy(version)


def test_parse_argo_version():
    assert parse_argo_version("argo: v3.6.2\n") == (3, 6, 2)
    with pytest.raises(ArgoVersionError):
        parse_argo_version("argo: unknown")


def test_get_dict_from_yaml(tmp_path):
    assert get_dict_from_yaml(DATA / "config-test-simple.yml")["machines"][0]["name"] == "machine-1"
    with pytest.raises(FileNotFoundError, match="Unable to find config file"):
        get_dict_from_yaml(tmp_path / "missing.yml")
    with pytest.raises(ConfigException, match="Error loading YAML from 'p.yml'"):
        get_dict_from_yaml(io.StringIO("a: [b"), "p.yml")


def test_custom_template_is_strict_and_can_include_its_neighbours(tmp_path):
    (tmp_path / "part.j2").write_text("name: {{ project_name | yaml }}\n")
    (tmp_path / "main.j2").write_text(
        '{% include "part.j2" %}models: {{ machines | map(attribute="name") | list | yaml }}\n'
    )
    template = load_workflow_template(tmp_path / "main.j2")
    assert isinstance(template, jinja2.Template)
    assert yaml.safe_load(template.render(project_name="123", machines=[{"name": "a"}])) == {
        "name": "123",
        "models": ["a"],
    }
    with pytest.raises(jinja2.UndefinedError):
        template.render(project_name="p")


def test_cli_renders_a_custom_template(tmp_path):
    template = tmp_path / "mine.yml.j2"
    template.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n"
        "metadata: {generateName: {{ (project_name ~ '-') | yaml }}}\n"
        "spec:\n  entrypoint: main\n  templates:\n"
        "{% for m in machines %}\n  - name: {{ ('build-' ~ m.task) | yaml }}\n"
        "    container: {image: {{ image.builder | yaml }}, env: [{name: MACHINE, value: {{ m.json | yaml }}}]}\n"
        "{% endfor %}\n  - name: main\n    container: {image: busybox}\n"
    )
    argv = ["workflow", "generate", "--machine-config", str(DATA / "config-test-with-models.yml")]
    argv += ["--project-name", "proj", "--argo-version", "3", "--workflow-template", str(template)]
    result = CliRunner().invoke(gordo, argv)
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(result.stdout)
    assert [t["name"] for t in doc["spec"]["templates"]] == [
        "build-machine-1",
        "build-machine-2",
        "main",
    ]


def test_the_image_has_what_the_workflow_uses():
    """The Dockerfile installs every tool the scripts call and ships the Grafana dashboard."""
    root = DATA.parents[2]
    dockerfile = (root / "docker" / "Dockerfile").read_text()
    template = (
        root
        / "gordo"
        / "workflow"
        / "workflow_generator"
        / "resources"
        / "argo-workflow.yml.template"
    ).read_text()
    for tool in ("kubectl", "jq", "curl"):
        assert f" {tool} " in template and tool in dockerfile
    assert "pip install" in dockerfile and "-c constraints.txt" in dockerfile
    assert "/opt/gordo/grafana/dashboards/machines.json" in template
    assert "COPY docker/grafana /opt/gordo/grafana" in dockerfile
    dashboard = yaml.safe_load(
        (root / "docker" / "grafana" / "dashboards" / "machines.json").read_text()
    )
    assert {p["datasource"] for p in dashboard["panels"]} == {"influx", "Postgres-metadata"}
