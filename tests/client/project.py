"""A small built project served by ``gordo run-server``, for the client tests.

``<root>/client-project/<REVISION>/`` holds two models built by the real
ModelBuilder from RandomDataProvider data: ``ae-model`` (DiffBasedAnomalyDetector
over an sklearn pipeline) and ``sk-model`` (a plain pipeline, no ``anomaly``).
``<root>/client-project/<BAD_REVISION>/bad-model`` is a model whose metadata
lists fewer tags than it was trained on, so the server answers 400.
``<root>/client-project/<LOOKBACK_REVISION>/lookback-model`` answers
``LOOKBACK - 1`` rows fewer than it is sent (:class:`tests.client.lookback.WindowMean`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from gordo import serializer
from gordo.client import Client
from tests.client.lookback import WindowMean
from tests.servers import running_server

PROJECT = "client-project"
REVISION = "1700000000000"
BAD_REVISION = "1600000000000"
LOOKBACK_REVISION = "1650000000000"
LOOKBACK = 5
TAGS = ["TAG-1", "TAG-2", "TAG-3"]
START, END = "2021-01-01T00:00:00+00:00", "2021-01-02T00:00:00+00:00"
PIPELINE = {
    "sklearn.pipeline.Pipeline": {
        "steps": ["sklearn.preprocessing.MinMaxScaler", "sklearn.linear_model.LinearRegression"]
    }
}
MODELS = {
    "ae-model": {
        "gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {
            "base_estimator": PIPELINE,
            "require_thresholds": False,
        }
    },
    "sk-model": PIPELINE,
}


def build(name: str, model: dict, output_dir: Path, tags: list[str] = TAGS):
    from gordo.builder.build_model import ModelBuilder
    from gordo.machine import Machine

    config = {
        "name": name,
        "dataset": {
            "tags": tags,
            "train_start_date": "2020-01-01T00:00:00+00:00",
            "train_end_date": "2020-01-03T00:00:00+00:00",
            "data_provider": {"type": "RandomDataProvider", "min_size": 300, "max_size": 400},
        },
        "model": model,
        "evaluation": {"cv_mode": "build_only"},
    }
    machine = Machine.from_config(config, project_name=PROJECT)
    return ModelBuilder(machine).build(output_dir=output_dir)


def build_project(root: Path) -> Path:
    project_dir = root / PROJECT
    for name, model in MODELS.items():
        build(name, model, project_dir / REVISION / name)
    bad_dir = project_dir / BAD_REVISION / "bad-model"
    build("bad-model", PIPELINE, bad_dir)
    metadata = serializer.load_metadata(bad_dir)
    metadata["dataset"]["tag_list"] = TAGS[:2]
    tags = metadata["metadata"]["build_metadata"]["dataset"]["dataset_meta"]
    del tags["tag_loading_metadata"]["tags"][TAGS[2]]
    serializer.dump(serializer.load(bad_dir), bad_dir, metadata=metadata)
    metadata = {**serializer.load_metadata(project_dir / REVISION / "sk-model")}
    metadata["name"] = "lookback-model"
    model = WindowMean(lookback_window=LOOKBACK).fit(np.zeros((LOOKBACK, len(TAGS))))
    serializer.dump(model, project_dir / LOOKBACK_REVISION / "lookback-model", metadata=metadata)
    return project_dir


@pytest.fixture(scope="session")
def project_dir(tmp_path_factory) -> Path:
    return build_project(tmp_path_factory.mktemp("client-models"))


@pytest.fixture(scope="session")
def server_url(project_dir) -> Iterator[str]:
    env = {
        "MODEL_COLLECTION_DIR": str(project_dir / REVISION),
        "PROJECT": PROJECT,
        "ENABLE_PROMETHEUS": "false",
    }
    with running_server(["--workers", "1", "--threads", "4"], env) as url:
        yield url


def client_for(url: str, **kwargs) -> Client:
    """A client of the test server at ``url`` (``http://127.0.0.1:<port>``)."""
    host, port = url.removeprefix("http://").split(":")
    return Client(PROJECT, host=host, port=int(port), scheme="http", **kwargs)
