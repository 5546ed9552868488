"""A client's mistake gets a 4xx JSON body naming the problem, never a 500."""

from __future__ import annotations

import io

import pytest

from gordo.server import utils
from gordo.server.server import build_app
from tests.server.conftest import PROJECT, TAGS, training_frame

BASE = f"/gordo/v0/{PROJECT}"
PREDICT = f"{BASE}/sk-model/prediction"


def _error(response, status: int) -> str:
    assert response.status_code == status, response.data
    assert response.is_json
    return response.json["error"]


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"X": [1, 2, 3]}, "has 3 feature(s) but the model expects 4"),
        ({"X": [[1, 2, 3, 4], [1, 2]]}, "same length"),
        ({"X": [1, "a", 3, 4]}, "only numbers"),
        ({"X": [1, None, 3, 4]}, "only numbers"),
        ({"X": [1, True, 3, 4]}, "only numbers"),
        (
            {
                "X": {
                    "TAG-1": {"2020-01-01": "x"},
                    "TAG-2": {"2020-01-01": 1},
                    "TAG-3": {"2020-01-01": 1},
                    "TAG-4": {"2020-01-01": 1},
                }
            },
            "only numbers",
        ),
        ({"X": {"TAG-1": {"2020-01-01": 1}}}, "lacks tag(s) ['TAG-2', 'TAG-3', 'TAG-4']"),
        ({"X": {t: {"2020-01-01": "1.5"} for t in TAGS}}, "only numbers (found '1.5')"),
        ({"X": {t: {"2020-01-01": True} for t in TAGS}}, "only numbers (found True)"),
        ({"X": {t: {"2020-01-01": None} for t in TAGS}}, "only numbers (found None)"),
        ({"X": []}, "non-empty"),
        ({"X": 5}, "non-empty"),
        ({"Y": [1, 2, 3, 4]}, 'key "X"'),
        ([1, 2], 'key "X"'),
    ],
)
def test_bad_json_payloads(client, body, expected):
    assert expected in _error(client.post(PREDICT, json=body), 400)


def test_non_finite_values_are_refused(client):
    X = training_frame(TAGS, rows=3)
    X.iloc[1, 2] = float("inf")
    payload = utils.dataframe_into_parquet_bytes(X)
    response = client.post(PREDICT + "?format=parquet", data={"X": (io.BytesIO(payload), "X")})
    message = _error(response, 400)
    assert "non-finite" in message and "TAG-3" in message


def test_malformed_json_and_parquet(client):
    bad_json = client.post(PREDICT, data=b'{"X": [1, 2', content_type="application/json")
    assert "Malformed JSON" in _error(bad_json, 400)
    assert "Malformed JSON" in _error(
        client.post(PREDICT, data=b'{"X": [NaN, 1, 2, 3]}', content_type="application/json"), 400
    )
    assert "no body" in _error(client.post(PREDICT), 400)
    bad_parquet = client.post(
        PREDICT + "?format=parquet", data={"X": (io.BytesIO(b"not parquet"), "X")}
    )
    assert "Malformed parquet in file 'X'" in _error(bad_parquet, 400)
    no_file = client.post(PREDICT + "?format=parquet", json={"X": [1, 2, 3, 4]})
    assert "file 'X'" in _error(no_file, 400)


def test_body_over_the_size_limit(app_config):
    client = build_app({**app_config, "MAX_CONTENT_LENGTH": 64}).test_client()
    response = client.post(PREDICT, json={"X": [[1.0, 2.0, 3.0, 4.0]] * 50})
    assert "Too Large" in _error(response, 413)


def test_unknown_project_model_and_bad_names(client):
    assert "Unknown project 'other'" in _error(client.get("/gordo/v0/other/models"), 404)
    assert "No model named 'nope'" in _error(client.get(f"{BASE}/nope/metadata"), 404)
    assert "path separators" in _error(client.get(f"{BASE}/..%2e/metadata"), 400)
    assert "path separators" in _error(client.post(f"{BASE}/a..b/prediction", json={}), 400)
    _error(client.get(f"{BASE}/a/b/metadata"), 404)


def test_anomaly_route_needs_an_anomaly_model(client):
    response = client.post(f"{BASE}/sk-model/anomaly/prediction", json={"X": [1, 2, 3, 4]})
    assert "has no anomaly method" in _error(response, 422)


def test_wrong_method_is_a_json_405(client):
    assert "Method Not Allowed" in _error(client.put(PREDICT), 405)


def test_prediction_ignores_y_and_anomaly_checks_it(client):
    body = {"X": [1, 2, 3, 4], "y": "not a table"}
    assert client.post(PREDICT, json=body).status_code == 200
    anomaly = client.post(f"{BASE}/ae-model/anomaly/prediction", json=body)
    assert "y must be a non-empty list" in _error(anomaly, 400)
