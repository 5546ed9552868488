"""Machine (seed §1.4): from_config merging, dict round trips, descriptors, reporters, tags."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import ConfigException
from gordo.machine import Machine, MachineEncoder
from gordo.machine import machine as machine_module
from gordo.machine.metadata import Metadata
from gordo.reporters.base import BaseReporter

MODEL = {"sklearn.decomposition.PCA": {"n_components": 2}}
DATASET = {
    "tags": ["TAG 1", "TAG 2", "TAG 3"],
    "train_start_date": "2016-11-07T09:11:30+01:00",
    "train_end_date": "2016-11-09T03:01:00+01:00",
    "data_provider": {"type": "RandomDataProvider"},
}

# The seed's example (§1.4), with a data provider added: a dataset needs one.
SEED_EXAMPLE = """
name: ct-23-0001
dataset:
  tags:
    - TAG 1
    - TAG 2
    - TAG 3
  train_start_date: 2016-11-07T09:11:30+01:00
  train_end_date: 2018-09-15T03:01:00+01:00
  data_provider: {type: RandomDataProvider}
metadata:
  arbitrary-key: arbitrary-value
model:
  sklearn.pipeline.Pipeline:
    steps:
      - sklearn.preprocessing.MinMaxScaler
      - sklearn.decomposition.PCA: {n_components: 2}
"""


def _machine(**overrides) -> Machine:
    kwargs = {"name": "m-1", "model": MODEL, "dataset": DATASET, "project_name": "proj"}
    return Machine(**{**kwargs, **overrides})


def test_seed_example_from_config():
    config = yaml.safe_load(SEED_EXAMPLE)
    machine = Machine.from_config(config, project_name="test-proj")
    assert machine.name == "ct-23-0001"
    assert machine.project_name == "test-proj"
    assert machine.host == "gordoserver-test-proj-ct-23-0001"
    assert machine.evaluation == {"cv_mode": "full_build"}
    assert machine.runtime == {"reporters": []}
    assert machine.metadata.user_defined == {
        "global-metadata": {},
        "machine-metadata": {"arbitrary-key": "arbitrary-value"},
    }
    assert machine.dataset.to_dict()["tag_list"] == ["TAG 1", "TAG 2", "TAG 3"]


def test_from_config_with_globals():
    """Spec §6 test_machine_from_config: asset from globals, scoring_scaler null kept, reporters."""
    config_globals = {
        "model": MODEL,
        "dataset": {"asset": "global-asset", "resolution": "10T"},
        "evaluation": {
            "cv_mode": "full_build",
            "scoring_scaler": "sklearn.preprocessing.MinMaxScaler",
            "metrics": ["r2_score", "mean_squared_error"],
        },
        "runtime": {"server": {"resources": {"requests": {"cpu": 5}, "limits": {"cpu": 4}}}},
        "metadata": {"team": "a"},
    }
    config = {
        "name": "m-1",
        "dataset": {**DATASET, "resolution": "2T"},
        "evaluation": {"scoring_scaler": None, "metrics": ["r2_score"]},
        "runtime": {"influx": {"enable": False}},
        "metadata": {"k": "v"},
    }
    machine = Machine.from_config(config, "proj", config_globals=config_globals)
    assert machine.model == MODEL
    dataset = machine.dataset.to_dict()
    assert dataset["asset"] == "global-asset"
    assert dataset["resolution"] == "2T", "the machine wins over globals (decision)"
    assert machine.evaluation == {
        "cv_mode": "full_build",
        "scoring_scaler": None,
        "metrics": ["r2_score"],
    }
    assert machine.runtime == {
        "server": {"resources": {"requests": {"cpu": 5}, "limits": {"cpu": 5}}},
        "influx": {"enable": False},
        "reporters": [],
    }
    assert machine.metadata.user_defined == {
        "global-metadata": {"team": "a"},
        "machine-metadata": {"k": "v"},
    }


def test_machine_model_wins_and_sections_may_be_yaml_strings():
    config = {
        "name": "m-1",
        "model": "sklearn.preprocessing.MinMaxScaler",
        "dataset": yaml.safe_dump(DATASET),
        "evaluation": "cv_mode: cross_val_only",
    }
    machine = Machine.from_config(config, "proj", config_globals={"model": MODEL})
    assert machine.model == "sklearn.preprocessing.MinMaxScaler"
    assert machine.evaluation == {"cv_mode": "cross_val_only"}


def test_global_cv_mode_applies_when_the_machine_has_no_evaluation():
    config = {"name": "m-1", "model": MODEL, "dataset": DATASET}
    machine = Machine.from_config(config, "proj", {"evaluation": {"cv_mode": "build_only"}})
    assert machine.evaluation == {"cv_mode": "build_only"}


def test_from_config_errors():
    with pytest.raises(ConfigException, match="name is empty"):
        Machine.from_config({"model": MODEL, "dataset": DATASET}, "proj")
    with pytest.raises(ValueError, match="^model: model is empty"):
        Machine.from_config({"name": "a", "dataset": DATASET}, "proj")
    with pytest.raises(ConfigException, match="Error loading YAML from 'dataset'"):
        Machine.from_config({"name": "a", "model": MODEL, "dataset": "tags: [a"}, "proj")


def test_to_dict_from_dict_round_trip_and_json():
    machine = _machine(runtime={"reporters": ["gordo.reporters.postgres.PostgresReporter"]})
    d = machine.to_dict()
    assert set(d) == {
        "name",
        "dataset",
        "model",
        "metadata",
        "runtime",
        "project_name",
        "evaluation",
    }
    assert d["metadata"] == Metadata().to_dict()
    again = Machine.from_dict(json.loads(json.dumps(d, cls=MachineEncoder)))
    assert again == machine
    assert Machine.from_dict({**d, "host": "ignored", "extra": 1}).host == "gordoserver-proj-m-1"
    assert json.loads(machine.to_json()) == json.loads(json.dumps(d, cls=MachineEncoder))
    assert machine != _machine(name="m-2") and machine != "m-1"
    assert repr(machine) == "Machine(name='m-1', project_name='proj')"


def test_encoder_is_also_exported_from_machine_module():
    assert machine_module.MachineEncoder is MachineEncoder


def test_metadata_forms():
    assert _machine().metadata == Metadata()
    assert _machine(metadata={"a": 1}).metadata == Metadata(user_defined={"a": 1})
    full = Metadata(user_defined={"x": 2})
    assert _machine(metadata=full.to_dict()).metadata == full
    assert _machine(metadata=full).metadata is full


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": "Bad_Name"}, "^name: 'Bad_Name' is not a valid Gordo url value"),
        ({"project_name": "-proj"}, "^project_name: '-proj' is not a valid"),
        ({"name": "n" * 50}, "^host: 'gordoserver-proj-n+' should be less than 64 chars"),
        ({"model": {}}, "^model: model is empty"),
        (
            {"model": {"sklearn.decomposition.PCA": {"n_componets": 2}}},
            "^model: Pipeline from definition failed: .*n_components",
        ),
        (
            {"model": "sklearn.nothing.Here"},
            "^model: Pipeline from definition failed: Cannot import",
        ),
        ({"dataset": {**DATASET, "tags": []}}, "^dataset: "),
        (
            {"dataset": {**DATASET, "type": "NoSuchDataset"}},
            '^dataset: Dataset type "NoSuchDataset" is not supported',
        ),
        ({"dataset": 3}, "^dataset: must be a GordoBaseDataset"),
        ({"runtime": {"reporters": "x"}}, "^runtime: reporters: must be a list"),
        (
            {"runtime": {"builder": {"resources": {"limits": {"memory": "1G"}}}}},
            "Resource descriptions must be integers, and '1G' is not.",
        ),
        ({"metadata": [1]}, "^metadata: must be a dict or Metadata"),
    ],
)
def test_invalid_machines(overrides, message):
    with pytest.raises(ValueError, match=message):
        _machine(**overrides)


def test_dataset_object_is_accepted():
    dataset = _machine().dataset
    assert _machine(dataset=dataset).dataset is dataset


class RecordingReporter(BaseReporter):
    """Appends the names of the machines it reports to a class-level list."""

    seen: list[str] = []

    def __init__(self, label: str = "default"):
        self.label = label

    def report(self, machine: Machine) -> None:
        RecordingReporter.seen.append(f"{self.label}:{machine.name}")


def test_report_runs_every_reporter_in_order():
    RecordingReporter.seen = []
    path = f"{__name__}.RecordingReporter"
    machine = _machine(runtime={"reporters": [path, {path: {"label": "second"}}]})
    machine.report()
    assert RecordingReporter.seen == ["default:m-1", "second:m-1"]
    _machine().report()
    assert RecordingReporter.seen == ["default:m-1", "second:m-1"]


def test_normalize_sensor_tags_uses_the_dataset_asset():
    machine = _machine(dataset={**DATASET, "asset": "plant-a"})
    tags = machine.normalize_sensor_tags(["T1", {"name": "T2", "asset": "other"}])
    assert tags == [SensorTag("T1", "plant-a"), SensorTag("T2", "other")]
    assert _machine().normalize_sensor_tags(["T1"]) == [SensorTag("T1")]


def test_machine_and_config_modules_import_no_deep_learning_framework():
    code = (
        "import sys, gordo.machine.machine, gordo.machine.validation, gordo.cli.config, "
        "gordo.workflow.config_elements.normalized_config\n"
        "loaded = [m for m in ('keras', 'jax', 'tensorflow', 'torch') if m in sys.modules]\n"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# The seed's §1.4 example exactly (model included): its dataset has no data provider.
SEED_MACHINE = """
- name: ct-23-0001
  dataset:
    tags:
      - TAG 1
      - TAG 2
      - TAG 3
    train_start_date: 2016-11-07T09:11:30+01:00
    train_end_date: 2018-09-15T03:01:00+01:00
  metadata:
    arbitrary-key: arbitrary-value
  model:
    gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector:
      base_estimator:
        sklearn.pipeline.Pipeline:
          steps:
            - sklearn.preprocessing.MinMaxScaler
            - gordo.machine.model.models.KerasAutoEncoder:
                kind: feedforward_hourglass
"""


def test_seed_machine_example_with_the_anomaly_model():
    (config,) = yaml.safe_load(SEED_MACHINE)
    machine = Machine.from_config(config, project_name="test-proj")
    assert machine.name == "ct-23-0001"
    assert next(iter(machine.model)) == "gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector"
    assert Machine.from_dict(machine.to_dict()) == machine
    # only loading data needs the provider, and says which key is missing
    with pytest.raises(ConfigException, match="dataset.data_provider is not set"):
        machine.dataset.get_data()
