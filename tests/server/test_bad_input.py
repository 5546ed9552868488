"""A client's mistake gets a 4xx JSON body naming the problem, never a 500."""

from __future__ import annotations

import io

import orjson
import pandas as pd
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
    assert "limit of 64 bytes (MAX_CONTENT_LENGTH" in _error(response, 413)


def test_a_chunked_body_over_the_size_limit_is_a_413(app_config):
    client = build_app({**app_config, "MAX_CONTENT_LENGTH": 64}).test_client()
    body = orjson.dumps({"X": [[1.0, 2.0, 3.0, 4.0]] * 50})
    response = client.post(
        PREDICT,
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
    )
    assert "limit of 64 bytes" in _error(response, 413)
    small = client.post(
        PREDICT,
        input_stream=io.BytesIO(b'{"X": [1, 2, 3, 4]}'),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
    )
    assert small.status_code == 200, small.json


@pytest.mark.parametrize("kind", ["json", "parquet"])
def test_rows_and_cells_over_the_limits_are_a_413_naming_them(app_config, kind):
    client = build_app({**app_config, "MAX_ROWS": 10, "MAX_CELLS": 50}).test_client()

    def post(X):
        if kind == "json":
            return client.post(PREDICT, json={"X": utils.dataframe_to_dict(X)})
        payload = utils.dataframe_into_parquet_bytes(X)
        return client.post(PREDICT + "?format=parquet", data={"X": (io.BytesIO(payload), "X")})

    assert post(training_frame(TAGS, rows=10)).status_code == 200
    assert "at most 10 rows of X or y per request (MAX_ROWS" in _error(
        post(training_frame(TAGS[:1], rows=11)), 413
    )
    assert "at most 50 per request (MAX_CELLS" in _error(
        post(training_frame([*TAGS, "EXTRA-1", "EXTRA-2"], rows=10)), 413
    )
    anomaly = f"{BASE}/ae-model/anomaly/prediction"
    X = utils.dataframe_to_dict(training_frame(TAGS, rows=7))
    assert "(MAX_CELLS" in _error(client.post(anomaly, json={"X": X, "y": X}), 413)


def test_a_huge_json_list_is_refused_before_it_is_decoded(app_config):
    client = build_app({**app_config, "MAX_CELLS": 1000}).test_client()
    body = b'{"X": [' + b",".join([b"0"] * 5000) + b"]}"
    response = client.post(PREDICT, data=body, content_type="application/json")
    assert "more than 1000 values (counted by their separators" in _error(response, 413)


def test_a_parquet_bomb_is_refused_from_its_footer(app_config):
    import numpy as np
    import pandas as pd

    client = build_app(app_config).test_client()  # the default limits
    X = pd.DataFrame(np.zeros((200_001, 4)), columns=TAGS)
    payload = utils.dataframe_into_parquet_bytes(X, compression="zstd")
    assert len(payload) < 100_000
    response = client.post(PREDICT + "?format=parquet", data={"X": (io.BytesIO(payload), "X")})
    assert "X has 200001 rows; this server takes at most 100000" in _error(response, 413)


def test_unknown_project_model_and_bad_names(client):
    assert "Unknown project 'other'" in _error(client.get("/gordo/v0/other/models"), 404)
    assert "No model named 'nope'" in _error(client.get(f"{BASE}/nope/metadata"), 404)
    assert "path separators" in _error(client.get(f"{BASE}/..%2e/metadata"), 400)
    assert "path separators" in _error(client.post(f"{BASE}/a..b/prediction", json={}), 400)
    _error(client.get(f"{BASE}/a/b/metadata"), 404)


def test_anomaly_route_needs_an_anomaly_model(client):
    response = client.post(f"{BASE}/sk-model/anomaly/prediction", json={"X": [1, 2, 3, 4]})
    assert "has no anomaly method" in _error(response, 422)


def test_wrong_method_is_a_json_405_with_the_allowed_methods(client):
    response = client.put(PREDICT)
    assert "Method Not Allowed" in _error(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"POST"}


@pytest.mark.parametrize(
    "path",
    [f"{BASE}", f"{BASE}/models/", f"{BASE}/sk-model/metadata/", f"{BASE}//models"],
)
def test_no_html_redirects(client, path):
    response = client.get(path)
    assert response.is_json, (response.status_code, response.data[:200])
    assert response.status_code in (200, 404), response.json


def test_named_columns_must_be_the_model_tags(client):
    named = {"X": {f"other-{i}": {"2020-01-01": 1.0} for i in range(4)}}
    assert "X has no column named like the model's tags" in _error(
        client.post(PREDICT, json=named), 400
    )
    extra = {"X": {t: {"2020-01-01": 1.0} for t in [*TAGS[:3], "TAG-X"]}}
    message = _error(client.post(PREDICT, json=extra), 400)
    assert "lacks tag(s) ['TAG-4']" in message and "has unknown column(s) ['TAG-X']" in message
    more = {"X": {t: {"2020-01-01": 1.0} for t in [*TAGS, "TAG-X"]}}
    assert "has unknown column(s) ['TAG-X']" in _error(client.post(PREDICT, json=more), 400)
    positional = {"X": [[1.0, 2.0, 3.0, 4.0]]}
    assert client.post(PREDICT, json=positional).status_code == 200


def test_y_must_have_the_index_of_X(client):
    X = training_frame(TAGS, rows=3)
    y = X.copy()
    y.index = y.index + pd.Timedelta("1min")
    body = {"X": utils.dataframe_to_dict(X), "y": utils.dataframe_to_dict(y)}
    response = client.post(f"{BASE}/ae-model/anomaly/prediction", json=body)
    assert "y's index differs from X's" in _error(response, 400)


@pytest.mark.parametrize("where", ["prediction", "metadata", "healthcheck"])
def test_an_over_long_model_name_is_a_4xx_without_server_paths(client, app_config, where):
    name = "m" * 300
    response = (
        client.post(f"{BASE}/{name}/{where}", json={"X": [1, 2, 3, 4]})
        if where == "prediction"
        else client.get(f"{BASE}/{name}/{where}")
    )
    assert 400 <= response.status_code < 500 and response.is_json, response.data[:300]
    assert app_config["MODEL_COLLECTION_DIR"] not in response.text


def test_prediction_ignores_y_and_anomaly_checks_it(client):
    body = {"X": [1, 2, 3, 4], "y": "not a table"}
    assert client.post(PREDICT, json=body).status_code == 200
    anomaly = client.post(f"{BASE}/ae-model/anomaly/prediction", json=body)
    assert "y must be a non-empty list" in _error(anomaly, 400)
