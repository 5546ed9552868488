"""The server loads models with light twins: no scikit-learn import, the same answers."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from gordo import serializer
from gordo.server import model_store
from tests.server.conftest import PROJECT, REVISION, TAGS, training_frame

BASE = f"/gordo/v0/{PROJECT}"

HEAVY = ["sklearn", "scipy", "keras", "jax"]


def test_server_loads_the_twin_of_an_anomaly_model(collection_root):
    directory = collection_root / REVISION
    model_store.MODELS.discard(lambda key: True)
    served = model_store.load_model(directory, "ae-model")
    assert type(served).__module__ == "gordo.machine.model.light.estimators"
    original = serializer.load(directory / "ae-model")
    X = training_frame(TAGS, rows=30, seed=5)
    frequency = pd.Timedelta("10min")
    pd.testing.assert_frame_equal(
        served.anomaly(X, X, frequency=frequency),
        original.anomaly(X, X, frequency=frequency),
        check_exact=True,
    )


def test_models_without_a_twin_are_served_as_built(collection_root):
    model_store.MODELS.discard(lambda key: True)
    served = model_store.load_model(collection_root / REVISION, "sk-model")
    assert type(served).__name__ == "Pipeline"  # LinearRegression has no twin


@pytest.mark.integration
def test_loading_and_serving_a_twin_imports_no_heavy_library(collection_root):
    code = f"""
import json, sys
import numpy as np, pandas as pd
from gordo.server import model_store
model = model_store.load_model({str(collection_root / REVISION)!r}, "ae-model")
index = pd.date_range("2020-01-01", periods=10, freq="10min", tz="UTC")
X = pd.DataFrame(np.random.default_rng(0).random((10, {len(TAGS)})), index, {TAGS!r})
model_store.warm_up(model, model_store.load_metadata({str(collection_root / REVISION)!r}, "ae-model"))
frame = model.anomaly(X, X, frequency=pd.Timedelta("10min"))
print(json.dumps({{"rows": len(frame), "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(result.stdout.splitlines()[-1]) == {"rows": 10, "heavy": []}


def test_download_gives_the_model_file_as_built(client, collection_root):
    response = client.get(f"{BASE}/ae-model/download-model")
    assert response.status_code == 200
    assert response.data == (collection_root / REVISION / "ae-model" / "model.pkl").read_bytes()
