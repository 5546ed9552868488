"""load_project_config (files, YAML errors with line numbers) and YAML string sections."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from gordo.exceptions import ConfigException
from gordo.workflow.config_elements.loader import load_project_config
from gordo.workflow.config_elements.sections import load_section, load_sections

DATA = Path(__file__).parent / "data"


def test_loads_the_gordo_resource_with_tz_aware_timestamps():
    config = load_project_config(DATA / "project-good.yaml")
    assert config["kind"] == "Gordo" and config["metadata"]["name"] == "good-project"
    start = config["spec"]["config"]["machines"][0]["dataset"]["train_start_date"]
    assert isinstance(start, datetime) and start.utcoffset() is not None


def test_yaml_syntax_error_names_file_line_and_column():
    with pytest.raises(ConfigException) as info:
        load_project_config(str(DATA / "project-syntax-error.yaml"))
    message = str(info.value)
    assert message.startswith(
        f"Invalid YAML in {DATA / 'project-syntax-error.yaml'}, line 5, column 23:"
    )
    assert "started at line 4, column 13" in message


def test_json_is_yaml(tmp_path):
    path = tmp_path / "gordo.json"
    path.write_text('{"spec": {"config": {"machines": []}}}')
    assert load_project_config(path) == {"spec": {"config": {"machines": []}}}


def test_missing_file_and_non_mapping_documents(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=f"Unable to find config file {tmp_path / 'nope.yaml'}"
    ):
        load_project_config(tmp_path / "nope.yaml")
    for text, kind in (("", "NoneType"), ("- a\n- b\n", "list")):
        path = tmp_path / "p.yaml"
        path.write_text(text)
        with pytest.raises(ConfigException, match=f"must be a mapping .*got {kind}"):
            load_project_config(path)


def test_tab_indentation_error_has_a_position(tmp_path):
    path = tmp_path / "tabs.yaml"
    path.write_text("machines:\n\t- name: a\n")
    with pytest.raises(ConfigException, match=r"tabs.yaml, line 2, column 1: "):
        load_project_config(path)


def test_sections():
    assert load_section({"a": 1}, "x") == {"a": 1}
    assert load_section("a: 2017-11-07T10:10:01Z", "x")["a"].utcoffset() is not None
    loaded = load_sections(
        {"name": "n", "model": "sklearn.decomposition.PCA", "runtime": "influx: {enable: false}"},
        "m",
    )
    assert loaded == {
        "name": "n",
        "model": "sklearn.decomposition.PCA",
        "runtime": {"influx": {"enable": False}},
    }
    with pytest.raises(
        ConfigException, match=r"^Error loading YAML from 'machines\[3\].dataset': "
    ):
        load_sections({"dataset": "a: ["}, "machines[3]")


def _laughs(levels: int, width: int = 9) -> str:
    """A 'billion laughs' YAML: each anchor a list of ``width`` aliases of the one before."""
    lines = ["a0: &a0 [lol]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + f"\nmachines:\n  - name: m\n    metadata: *a{levels}\n"


def test_nested_anchors_that_expand_too_far_are_refused(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(_laughs(9))
    with pytest.raises(ConfigException, match=r"bomb.yaml: .* expands to more than 1000000 values"):
        load_project_config(path)
    with pytest.raises(ConfigException, match="'machines\\[0\\].dataset': .* more than 1000000"):
        load_section(_laughs(9), "machines[0].dataset")
    path.write_text(_laughs(3))  # 729 values: fine
    assert len(load_project_config(path)["machines"][0]["metadata"]) == 9


def test_self_referencing_and_too_deep_documents_are_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("machines: &m\n  - name: m\n    metadata: *m\n")
    with pytest.raises(ConfigException, match=r"loop.yaml: .* refers to itself \(at machines\[0\]"):
        load_project_config(path)
    for depth in (200, 5000):  # within libyaml's own limit, and beyond it
        path.write_text("machines: " + "[" * depth + "]" * depth + "\n")
        with pytest.raises(ConfigException, match="loop.yaml: .* nested deeper than 100 levels"):
            load_project_config(path)


def test_non_utf8_bytes_name_the_file_and_the_offset(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("machines:\n  - name: pump\n    metadata: {note: caf\xe9}\n".encode("latin-1"))
    with pytest.raises(ConfigException) as info:
        load_project_config(path)
    assert str(info.value) == (
        f"{path}: not UTF-8 text: byte 0xe9 at offset 49 (invalid continuation byte); "
        "save the file as UTF-8"
    )
