"""Built model collections for the server tests: ``<root>/<project>/<revision>/<model>/``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from gordo import serializer
from gordo.server import model_store
from gordo.server.server import build_app

PROJECT = "test-project"
OLD_REVISION = "1600000000000"
REVISION = "1700000000000"
TAGS = ["TAG-1", "TAG-2", "TAG-3", "TAG-4"]
TARGETS = ["TARGET-1", "TARGET-2"]


def training_frame(columns: list[str], rows: int = 60, seed: int = 0) -> pd.DataFrame:
    index = pd.date_range("2020-01-01", periods=rows, freq="10min", tz="UTC")
    values = np.random.default_rng(seed).random((rows, len(columns)))
    return pd.DataFrame(values, index=index, columns=columns)


def machine_dict(name: str, tags: list[str], targets: list[str], model: dict) -> dict:
    """Metadata in the shape of ``Machine.to_dict()``."""
    return {
        "name": name,
        "project_name": PROJECT,
        "model": model,
        "dataset": {
            "type": "TimeSeriesDataset",
            "tag_list": tags,
            "target_tag_list": targets,
            "resolution": "10T",
            "train_start_date": "2020-01-01T00:00:00+00:00",
            "train_end_date": "2020-01-02T00:00:00+00:00",
        },
        "evaluation": {"cv_mode": "full_build"},
        "metadata": {
            "user_defined": {},
            "build_metadata": {"dataset": {"query_duration_sec": 0.1}},
        },
        "runtime": {},
    }


def sklearn_model(targets: list[str]) -> Pipeline:
    X = training_frame(TAGS)
    y = training_frame(targets, seed=1)
    return Pipeline([("scale", MinMaxScaler()), ("reg", LinearRegression())]).fit(X, y)


def anomaly_model():
    """DiffBasedAnomalyDetector(Pipeline[MinMaxScaler, KerasAutoEncoder]), 1 epoch, no CV."""
    from gordo.machine.model.anomaly.diff import DiffBasedAnomalyDetector
    from gordo.machine.model.models import KerasAutoEncoder

    X = training_frame(TAGS, rows=120)
    model = DiffBasedAnomalyDetector(
        base_estimator=Pipeline(
            [
                ("scale", MinMaxScaler()),
                ("ae", KerasAutoEncoder(kind="feedforward_hourglass", epochs=1, batch_size=32)),
            ]
        ),
        require_thresholds=False,
    )
    return model.fit(X, X)


def dump_model(revision_dir: Path, name: str, model, targets: list[str]) -> None:
    definition = {"sklearn.pipeline.Pipeline": {"steps": ["sklearn.preprocessing.MinMaxScaler"]}}
    serializer.dump(
        model, revision_dir / name, metadata=machine_dict(name, TAGS, targets, definition)
    )


@pytest.fixture(scope="session")
def collection_root(tmp_path_factory) -> Path:
    """Two revisions of the project with sklearn models; the current one has an anomaly model."""
    root = tmp_path_factory.mktemp("models") / PROJECT
    for revision in (OLD_REVISION, REVISION):
        dump_model(root / revision, "sk-model", sklearn_model(TARGETS), TARGETS)
        dump_model(root / revision, "sk-model-2", sklearn_model(TAGS), TAGS)
    dump_model(root / REVISION, "ae-model", anomaly_model(), TAGS)
    return root


@pytest.fixture
def app_config(collection_root) -> dict:
    return {
        "MODEL_COLLECTION_DIR": str(collection_root / REVISION),
        "PROJECT": PROJECT,
        "EXPECTED_MODELS": '["sk-model", "sk-model-2", "missing-model"]',
        "ENABLE_PROMETHEUS": "false",
        "PRELOAD_MODELS": "false",
    }


@pytest.fixture
def client(app_config):
    model_store.MODELS.discard(lambda key: True)
    model_store.METADATA.discard(lambda key: True)
    return build_app(app_config).test_client()
