"""The anomaly route of a model with the event layer: the event columns pass through."""

from __future__ import annotations

import io

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from gordo.machine.model.anomaly.robust import RobustEventAnomalyDetector
from gordo.server import model_store, utils
from gordo.server.server import build_app
from tests.server.conftest import PROJECT, TAGS, dump_model, training_frame

ANOMALY = f"/gordo/v0/{PROJECT}/event-model/anomaly/prediction"


@pytest.fixture(scope="module")
def event_client(tmp_path_factory):
    revision = tmp_path_factory.mktemp("event-models") / PROJECT / "1700000000000"
    X = training_frame(TAGS, rows=2000)
    model = RobustEventAnomalyDetector(base_estimator=LinearRegression())
    model.cross_validate(X=X, y=X)
    dump_model(revision, "event-model", model.fit(X, X), TAGS)
    model_store.MODELS.discard(lambda key: True)
    model_store.METADATA.discard(lambda key: True)
    config = {
        "MODEL_COLLECTION_DIR": str(revision),
        "PROJECT": PROJECT,
        "ENABLE_PROMETHEUS": "false",
        "PRELOAD_MODELS": "false",
    }
    return build_app(config).test_client(), model


def _faulty(rows: int = 40):
    X = training_frame(TAGS, rows=rows, seed=5)
    X.iloc[20:, 1] += 5.0
    return X


def test_json_has_the_event_columns(event_client):
    client, model = event_client
    X = _faulty()
    body = {"X": utils.dataframe_to_dict(X), "y": utils.dataframe_to_dict(X)}
    response = client.post(ANOMALY, json=body)
    assert response.status_code == 200, response.json
    data = response.json["data"]
    events = list(data["anomaly-event"]["anomaly-event"].values())
    assert all(isinstance(v, bool) for v in events)
    assert events == model.anomaly(X, X)["anomaly-event"].to_numpy()[:, 0].tolist()
    assert any(events[20:]) and not any(events[:20])
    for key in (
        "anomaly-score",
        "tag-anomaly-score",
        "tag-anomaly-event",
        "tag-anomaly-attribution",
    ):
        assert key in data, key
    shares = data["tag-anomaly-attribution"]
    assert sorted(shares) == sorted(TAGS)
    last = max(shares[TAGS[1]])
    assert shares[TAGS[1]][last] == max(shares[tag][last] for tag in TAGS)


def test_parquet_has_the_event_column(event_client):
    client, model = event_client
    X = _faulty()
    parquet = utils.dataframe_into_parquet_bytes(X)
    response = client.post(
        ANOMALY + "?format=parquet",
        data={"X": (io.BytesIO(parquet), "X"), "y": (io.BytesIO(parquet), "y")},
    )
    assert response.status_code == 200, response.data[:300]
    frame = utils.dataframe_from_parquet_bytes(response.data)
    expected = model.anomaly(X, X)["anomaly-event"].to_numpy()[:, 0]
    np.testing.assert_array_equal(frame["anomaly-event"].to_numpy()[:, 0].astype(bool), expected)
