"""Project validation (gordo.machine.validation): every problem, one line each, with key paths."""

from __future__ import annotations

import copy

import pytest

from gordo.exceptions import ConfigValidationError
from gordo.machine.validation import ProblemCollector, check_project, model_problems, plain_config

DATASET = {
    "tags": ["a", "b"],
    "train_start_date": "2020-01-01T00:00:00+00:00",
    "train_end_date": "2020-02-01T00:00:00+00:00",
    "data_provider": {"type": "RandomDataProvider"},
}
MODEL = {
    "sklearn.pipeline.Pipeline": {
        "steps": [
            "sklearn.preprocessing.MinMaxScaler",
            {"sklearn.decomposition.PCA": {"n_components": 1}},
        ]
    }
}


def project(*machines, **globals_) -> dict:
    return {"machines": list(machines), "globals": globals_}


def machine(name="m-1", **overrides) -> dict:
    return {"name": name, "dataset": copy.deepcopy(DATASET), "model": MODEL, **overrides}


def test_a_good_project_has_no_problems():
    assert check_project(project(machine(), machine("m-2")), "proj") == []


def test_both_shapes_are_accepted():
    crd = {
        "apiVersion": "equinor.com/v1",
        "kind": "Gordo",
        "metadata": {"name": "x"},
        "spec": {"config": project(machine())},
    }
    assert plain_config(crd) == project(machine())
    assert check_project(crd, "proj") == []
    with pytest.raises(ConfigValidationError, match="spec.config: must be a mapping"):
        plain_config({"spec": {"deploy-version": "1"}})
    with pytest.raises(ConfigValidationError, match="must be a mapping, got list"):
        plain_config([1])


def test_every_problem_is_listed_with_index_name_and_key_path():
    bad_dates = machine("m-3")
    bad_dates["dataset"]["train_start_date"] = "2020-03-01T00:00:00+00:00"
    naive = machine("m-2")
    naive["dataset"]["train_end_date"] = "2020-02-01T00:00:00"
    no_tags = machine("m-4")
    no_tags["dataset"]["tags"] = None
    lines = check_project(
        project(
            machine("Bad_Name"),
            naive,
            bad_dates,
            no_tags,
            machine("m-2"),
            machine("m-6", model="sklearn.decomposition.PCX"),
            {"dataset": DATASET, "model": MODEL},
        ),
        "proj",
    )
    assert lines == [
        "machines[0] 'Bad_Name': name: 'Bad_Name' is not a valid Gordo url value. Only lower-case alphanumeric with dashes allowed.",
        "machines[1] 'm-2': dataset.train_end_date: must be timezone-aware (add a timezone, e.g. 2020-02-01T00:00:00Z or 2020-02-01T00:00:00+00:00)",
        "machines[2] 'm-3': dataset.train_end_date: must be after train_start_date (2020-03-01T00:00:00+00:00), got 2020-02-01T00:00:00+00:00",
        "machines[3] 'm-4': dataset.tags: Requires setting a non-empty list of strings",
        "machines[4] 'm-2': name: duplicate of machines[1]",
        "machines[5] 'm-6': model: Cannot import 'sklearn.decomposition.PCX': module 'sklearn.decomposition' has no attribute 'PCX'; did you mean: sklearn.decomposition.PCA?",
        "machines[6]: name: is empty",
    ]


def test_host_name_length_and_project_name():
    lines = check_project(project(machine("m" * 40)), "p" * 15)
    assert lines == [
        f"machines[0] '{'m' * 40}': name: the server host name 'gordoserver-{'p' * 15}-{'m' * 40}' "
        "has 68 chars, at most 63 allowed: shorten the machine or project name"
    ]
    assert check_project(project(machine()), "Proj")[0].startswith(
        "project_name: 'Proj' is not a valid"
    )


def test_globals_are_merged_before_checking():
    m = {"name": "m-1", "dataset": {"tags": ["a"]}}
    g = {"model": MODEL, "dataset": {k: v for k, v in DATASET.items() if k != "tags"}}
    assert check_project(project(m, **g), "proj") == []
    assert check_project(project(m), "proj") == [
        "machines[0] 'm-1': dataset.train_start_date: is required",
        "machines[0] 'm-1': dataset.train_end_date: is required",
        "machines[0] 'm-1': dataset.data_provider: is empty. Make sure data_provider.type is also specified.",
        "machines[0] 'm-1': model: model is empty (set it on the machine or in globals.model)",
    ]


def test_default_data_provider():
    m = machine()
    del m["dataset"]["data_provider"]
    assert check_project(project(m), "proj", default_data_provider="RandomDataProvider") == []
    m["dataset"]["data_provider"] = {"min_size": 10}
    assert check_project(project(m), "proj") == [
        "machines[0] 'm-1': dataset.data_provider.type: is empty"
    ]
    assert check_project(project(m), "proj", default_data_provider="RandomDataProvider") == []


def test_string_sections_are_parsed_and_their_errors_reported():
    ok = machine(
        dataset="tags: [a]\ntrain_start_date: 2020-01-01T00:00:00Z\ntrain_end_date: 2020-01-02T00:00:00Z\ndata_provider: {type: RandomDataProvider}"
    )
    assert check_project(project(ok), "proj") == []
    broken = machine(dataset="tags: [a")
    (line,) = check_project(project(broken), "proj")
    assert line.startswith(
        "machines[0] 'm-1': Error loading YAML from 'dataset': while parsing a flow sequence"
    )
    lines = check_project(
        project(machine(runtime={"log_level": 1}), runtime="a: [", model=MODEL), "proj"
    )
    assert len(lines) == 1 and lines[0].startswith("globals: Error loading YAML from 'runtime'")
    (line,) = check_project(project(machine(), machine("m-2"), dataset="a: [", model=MODEL), "proj")
    assert line.startswith("globals: Error loading YAML from 'dataset'")


def test_sections_of_the_wrong_type():
    lines = check_project(
        project(machine(evaluation=["x"], metadata="just text"), evaluation=3), "proj"
    )
    assert lines == [
        "globals: evaluation: must be a mapping, got int",
        "machines[0] 'm-1': evaluation: must be a mapping, got list",
        "machines[0] 'm-1': metadata: must be a mapping, got str",
    ]


def test_runtime_problems_of_globals_are_reported_once():
    g = {"runtime": {"influx": {"resources": {"requests": {"memory": "321M"}}}, "reporters": "x"}}
    m = machine(
        runtime={"builder": {"env": [{"name": "A", "value": 1}]}, "client": {"max_instances": 0}}
    )
    assert check_project(project(m, machine("m-2"), **g), "proj") == [
        "globals: runtime.reporters: must be a list of reporter definitions, got 'x'",
        "globals: runtime.influx.resources.requests.memory: Resource descriptions must be integers, and '321M' is not.",
        "machines[0] 'm-1': runtime.client.max_instances: must be a positive integer, got 0",
        "machines[0] 'm-1': runtime.builder.env[0].value: must be a string (quote it in YAML), got 1",
    ]


def test_top_level_shape_problems():
    assert check_project({"machines": {"a": 1}}, "proj") == [
        "machines: must be a list of machines, got {'a': 1}"
    ]
    assert check_project({"globals": [1]}, "proj") == [
        "globals: must be a mapping",
        "machines: must be a list of machines, got None",
    ]
    assert check_project(project("text"), "proj") == ["machines[0]: must be a mapping, got 'text'"]


@pytest.mark.parametrize(
    "model, expected",
    [
        (MODEL, []),
        ("sklearn.decomposition.PCA", []),
        (
            {
                "sklearn.pipeline.Pipeline": {
                    "steps": [
                        "sklearn.preprocessing.MinMaxScalr",
                        {"sklearn.decomposition.PCX": {}},
                    ]
                }
            },
            ["MinMaxScalr", "PCX"],
        ),
        (
            {
                "sklearn.compose.TransformedTargetRegressor": {
                    "func": "numpy.log1p",
                    "inverse_func": "numpy.nothing",
                }
            },
            ["numpy.nothing"],
        ),
        ({"gordo.model.models.KerasAutoEncoder": {"kind": "feedforward_hourglass"}}, []),
        ({"a": 1, "b": 2}, ["must be an import path or a mapping"]),
        (
            {"sklearn.decomposition.PCA": {"svd_solver": "auto", "note": "not.a.path"}},
            ["does not take parameter 'note'"],
        ),
        ({"subprocess.Popen": {"args": ["true"]}}, ["'subprocess.Popen' is not allowed"]),
    ],
)
def test_model_problems(model, expected):
    problems = model_problems(model)
    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem


def test_problem_collector_keeps_nested_validation_errors():
    collector = ProblemCollector(["globals: x"])
    with collector.machine(1, {"name": "m"}):
        raise ConfigValidationError(["a: b", "c: d"])
    with collector.machine(2, {}):
        raise TypeError("bad type")
    with collector.machine(3, {"name": "ok"}):
        pass
    assert collector.lines == [
        "globals: x",
        "machines[1] 'm': a: b",
        "machines[1] 'm': c: d",
        "machines[2]: bad type",
    ]
    with pytest.raises(ConfigValidationError) as info:
        collector.raise_if_any(source="p.yaml")
    assert info.value.source == "p.yaml" and len(info.value.problems) == 4
    ProblemCollector().raise_if_any()
