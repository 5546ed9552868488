"""Small machines for builder tests: tiny random data, fast sklearn models."""

from __future__ import annotations

from typing import Any

from gordo.machine import Machine

LINEAR = {
    "sklearn.pipeline.Pipeline": {
        "steps": ["sklearn.preprocessing.MinMaxScaler", "sklearn.linear_model.LinearRegression"]
    }
}

ANOMALY = {"gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {"base_estimator": LINEAR}}


def keras_pipeline(model: str, **params: Any) -> dict:
    """MinMaxScaler then ``gordo.machine.model.models.<model>`` with ``params``, as a definition.

    >>> keras_pipeline("KerasAutoEncoder", kind="feedforward_hourglass")["sklearn.pipeline.Pipeline"]
    {'steps': ['sklearn.preprocessing.MinMaxScaler', {'gordo.machine.model.models.KerasAutoEncoder': {'kind': 'feedforward_hourglass'}}]}
    """
    keras_step = {f"gordo.machine.model.models.{model}": params}
    return {
        "sklearn.pipeline.Pipeline": {"steps": ["sklearn.preprocessing.MinMaxScaler", keras_step]}
    }


def keras_anomaly(model: str, **params: Any) -> dict:
    """A DiffBasedAnomalyDetector definition over :func:`keras_pipeline`."""
    detector = "gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector"
    return {detector: {"base_estimator": keras_pipeline(model, **params)}}


KERAS_ANOMALY = keras_anomaly(
    "KerasAutoEncoder", kind="feedforward_hourglass", epochs=2, batch_size=64
)


def dataset_config(tags: list[str] | None = None, **overrides: Any) -> dict:
    """A TimeSeriesDataset of random data over one day at 10 minutes (about 145 rows)."""
    tags = tags or ["tag-1", "tag-2", "tag-3"]
    config = {
        "type": "TimeSeriesDataset",
        "data_provider": {"type": "RandomDataProvider"},
        "tags": tags,
        "target_tag_list": tags,
        "train_start_date": "2020-01-01T00:00:00+00:00",
        "train_end_date": "2020-01-02T00:00:00+00:00",
        "resolution": "10T",
    }
    config.update(overrides)
    return config


def machine_config(name: str = "machine-1", model: Any = None, **sections: Any) -> dict:
    """A machine config block (as in a project YAML)."""
    config = {"name": name, "model": model or LINEAR, "dataset": dataset_config()}
    config.update(sections)
    return config


def make_machine(name: str = "machine-1", model: Any = None, **sections: Any) -> Machine:
    """A Machine of project ``test-proj`` built from :func:`machine_config`."""
    return Machine.from_config(machine_config(name, model, **sections), project_name="test-proj")
