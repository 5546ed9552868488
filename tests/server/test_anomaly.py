"""The anomaly route on a DiffBasedAnomalyDetector wrapping a KerasAutoEncoder."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from gordo import serializer
from gordo.server import utils
from tests.server.conftest import PROJECT, REVISION, TAGS, training_frame

ANOMALY = f"/gordo/v0/{PROJECT}/ae-model/anomaly/prediction"


def test_anomaly_json_matches_the_model(client, collection_root):
    X, y = training_frame(TAGS, rows=6, seed=3), training_frame(TAGS, rows=6, seed=4)
    response = client.post(
        ANOMALY, json={"X": utils.dataframe_to_dict(X), "y": utils.dataframe_to_dict(y)}
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["revision"] == REVISION and float(body["time-seconds"]) >= 0
    data = body["data"]
    for key in (
        "model-input",
        "model-output",
        "tag-anomaly-scaled",
        "tag-anomaly-unscaled",
        "total-anomaly-scaled",
        "total-anomaly-unscaled",
        "start",
        "end",
    ):
        assert key in data, key
    assert data["end"]["end"]["2020-01-01 00:00:00+00:00"] == "2020-01-01T00:10:00+00:00"
    frame = utils.dataframe_from_dict(data)
    model = serializer.load(collection_root / REVISION / "ae-model")
    expected = model.anomaly(X, y)
    np.testing.assert_allclose(
        frame["total-anomaly-scaled"].to_numpy(),
        expected["total-anomaly-scaled"].to_numpy(),
        rtol=1e-5,
    )


def test_anomaly_parquet_round_trip(client):
    """Any parquet reader reads the answer; its floats are the JSON answer's."""
    X, y = training_frame(TAGS, rows=5), training_frame(TAGS, rows=5, seed=9)
    response = client.post(
        ANOMALY + "?format=parquet",
        data={
            "X": (io.BytesIO(utils.dataframe_into_parquet_bytes(X)), "X"),
            "y": (io.BytesIO(utils.dataframe_into_parquet_bytes(y)), "y"),
        },
    )
    assert response.status_code == 200, response.data[:300]
    frame = utils.dataframe_from_parquet_bytes(response.data)
    assert len(frame) == 5 and list(frame["tag-anomaly-scaled"].columns) == TAGS
    read_by_pandas = pd.read_parquet(io.BytesIO(response.data))
    pd.testing.assert_frame_equal(read_by_pandas, frame, check_exact=True)
    json_answer = client.post(
        ANOMALY, json={"X": utils.dataframe_to_dict(X), "y": utils.dataframe_to_dict(y)}
    )
    floats = utils.dataframe_from_dict(json_answer.json["data"]).drop(
        columns=["start", "end"], level=0
    )
    pd.testing.assert_frame_equal(
        frame.drop(columns=["start", "end"], level=0), floats, check_exact=True, check_freq=False
    )


def test_anomaly_needs_y_of_the_same_length(client):
    X = utils.dataframe_to_dict(training_frame(TAGS, rows=4))
    missing = client.post(ANOMALY, json={"X": X})
    assert missing.status_code == 400 and "y is required" in missing.json["error"]
    short = client.post(ANOMALY, json={"X": X, "y": [[1, 2, 3, 4]]})
    assert short.status_code == 400 and "X has 4 rows but y has 1" in short.json["error"]


def test_prediction_route_serves_the_anomaly_model_too(client):
    response = client.post(f"/gordo/v0/{PROJECT}/ae-model/prediction", json={"X": [1, 2, 3, 4]})
    assert response.status_code == 200
    assert list(response.json["data"]["model-output"]) == TAGS
