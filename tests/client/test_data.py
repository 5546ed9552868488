"""gordo.client.data reads a machine's dataset from its metadata in every naming form."""

from __future__ import annotations

import pytest

from gordo.client.data import machine_data
from gordo.dataset.datasets import TimeSeriesDataset

FORMS = [
    ("TimeSeriesDataset", "RandomDataProvider"),  # registered names (what builds write)
    (
        "gordo.dataset.datasets.TimeSeriesDataset",
        "gordo.dataset.data_provider.providers.RandomDataProvider",
    ),  # our import paths (what earlier builds of ours wrote)
    (
        "gordo_core.time_series.TimeSeriesDataset",
        "gordo_core.data_providers.providers.RandomDataProvider",
    ),  # the original packages' paths
]


def _metadata(dataset_type: str, provider_type: str) -> dict:
    return {
        "name": "m-1",
        "dataset": {
            "type": dataset_type,
            "tag_list": ["T1", "T2"],
            "resolution": "10T",
            "data_provider": {"type": provider_type, "min_size": 50, "max_size": 60},
        },
    }


@pytest.mark.parametrize("dataset_type, provider_type", FORMS)
def test_every_naming_form_loads_the_same_data(dataset_type, provider_type):
    start, end = "2020-01-01T00:00:00+00:00", "2020-01-01T06:00:00+00:00"
    X, y = machine_data(_metadata(dataset_type, provider_type), start, end)
    X_registered, _ = machine_data(_metadata(*FORMS[0]), start, end)
    assert list(X.columns) == ["T1", "T2"] and len(X) > 0
    assert X.equals(X_registered) and y is not None and y.equals(X)


def test_built_dataset_writes_the_registered_names():
    dataset = TimeSeriesDataset.from_dict(
        {
            **_metadata(*FORMS[1])["dataset"],
            "train_start_date": "2020-01-01T00:00:00+00:00",
            "train_end_date": "2020-01-02T00:00:00+00:00",
        }
    )
    written = dataset.to_dict()
    assert written["type"] == "TimeSeriesDataset"
    assert written["data_provider"] == {
        "type": "RandomDataProvider",
        "min_size": 50,
        "max_size": 60,
    }
