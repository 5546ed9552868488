"""The GET period routes: the server reads the machine's own data for [start, end) and scores it."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gordo import serializer
from gordo.client.data import machine_data
from gordo.exceptions import ConfigException
from gordo.server import model_store
from gordo.server.server import DEFAULT_PERIOD_MAX_ROWS, Config, build_app
from gordo.server.utils import dataframe_from_dict, dataframe_to_dict
from tests.client.project import MODELS, build
from tests.servers import free_port

PROJECT = "client-project"
REVISION = "1700000000000"
START, END = "2021-01-01T00:00:00+00:00", "2021-01-01T12:00:00+00:00"
PERIOD = {"start": START, "end": END}


def with_provider(revision: Path, source: str, name: str, provider: dict | None) -> None:
    """Model ``source`` again as ``name``, its dataset reading from ``provider``."""
    metadata = serializer.load_metadata(revision / source)
    metadata["name"] = name
    if provider is None:
        del metadata["dataset"]["data_provider"]
    else:
        metadata["dataset"]["data_provider"] = provider
    serializer.dump(serializer.load(revision / source), revision / name, metadata=metadata)


@pytest.fixture(scope="module")
def revision(tmp_path_factory) -> Path:
    revision = tmp_path_factory.mktemp("period") / PROJECT / REVISION
    for name in ("ae-model", "sk-model"):
        build(name, MODELS[name], revision / name)
    with_provider(revision, "sk-model", "no-provider", None)
    with_provider(
        revision,
        "sk-model",
        "unreachable",
        {"type": "InfluxDataProvider", "measurement": "sensors",
         "uri": f"u:p@127.0.0.1:{free_port()}/db", "timeout": 2},
    )
    empty = tmp_path_factory.mktemp("empty-lake")
    with_provider(
        revision, "sk-model", "no-data", {"type": "FileSystemDataProvider", "root": str(empty)}
    )
    return revision


@pytest.fixture
def client(revision):
    model_store.MODELS.discard(lambda key: True)
    model_store.METADATA.discard(lambda key: True)
    app = build_app({"MODEL_COLLECTION_DIR": str(revision), "PROJECT": PROJECT,
                     "PRELOAD_MODELS": "false", "PERIOD_MAX_ROWS": "100"})
    return app.test_client()


def url(model: str, route: str = "anomaly/prediction") -> str:
    return f"/gordo/v0/{PROJECT}/{model}/{route}"


@pytest.mark.parametrize(("model", "route"), [("ae-model", "anomaly/prediction"),
                                              ("sk-model", "prediction")])
def test_get_answers_what_post_answers_for_the_periods_data(client, revision, model, route):
    X, y = machine_data(serializer.load_metadata(revision / model), START, END)
    assert len(X) == 72
    posted = client.post(url(model, route), json={"X": dataframe_to_dict(X),
                                                   "y": dataframe_to_dict(y)})
    got = client.get(url(model, route), query_string=PERIOD)
    assert got.status_code == posted.status_code == 200
    expected = dataframe_from_dict(posted.json["data"])
    answer = dataframe_from_dict(got.json["data"])
    pd.testing.assert_frame_equal(answer, expected)
    assert answer.index[0] == pd.Timestamp(START) and answer.index[-1] < pd.Timestamp(END)


def test_get_answers_parquet_too(client):
    got = client.get(url("ae-model"), query_string={**PERIOD, "format": "parquet"})
    assert got.status_code == 200 and got.mimetype == "application/octet-stream"
    frame = pd.read_parquet(io.BytesIO(got.data))
    as_json = dataframe_from_dict(client.get(url("ae-model"), query_string=PERIOD).json["data"])
    assert len(frame) == len(as_json) == 72
    assert "total-anomaly-scaled" in frame.columns.get_level_values(0)


def test_a_period_over_the_limit_is_refused_naming_it(client):
    answer = client.get(url("sk-model", "prediction"),
                        query_string={"start": START, "end": "2021-01-02T00:00:00+00:00"})
    assert answer.status_code == 400
    assert "PERIOD_MAX_ROWS=100" in answer.json["error"]
    assert "144 rows" in answer.json["error"] and "'sk-model'" in answer.json["error"]


@pytest.mark.parametrize(
    ("model", "status", "words"),
    [
        ("unreachable", 503, ["'unreachable'", "InfluxDataProvider", "cannot be reached"]),
        ("no-data", 404, ["'no-data'", "FileSystemDataProvider"]),
        ("no-provider", 422, ["'no-provider'", "not configured"]),
    ],
)
def test_provider_errors_name_the_machine_and_the_provider(client, model, status, words):
    answer = client.get(url(model, "prediction"), query_string=PERIOD)
    assert answer.status_code == status, answer.json
    assert all(word in answer.json["error"] for word in words), answer.json["error"]


def test_a_model_without_anomaly_gets_422_on_the_anomaly_route(client):
    answer = client.get(url("sk-model"), query_string=PERIOD)
    assert answer.status_code == 422 and "/prediction" in answer.json["error"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({}, ["start, end"]),
        ({"start": START}, ["missing: end"]),
        ({"start": "2021-01-01", "end": END}, ["no time zone"]),
        ({"start": END, "end": START}, ["must be after start"]),
        ({"start": "yesterday", "end": END}, ["not an ISO 8601 time"]),
    ],
)
def test_a_bad_period_gets_400_naming_the_problem(client, query, words):
    answer = client.get(url("ae-model"), query_string=query)
    assert answer.status_code == 400
    assert all(word in answer.json["error"] for word in words), answer.json["error"]


@settings(max_examples=40, deadline=None)
@given(start=st.text(max_size=30), end=st.text(max_size=30))
def test_any_period_text_gets_an_answer_never_a_server_error(revision, start, end):
    app = build_app({"MODEL_COLLECTION_DIR": str(revision), "PROJECT": PROJECT,
                     "PRELOAD_MODELS": "false", "PERIOD_MAX_ROWS": "100"})
    answer = app.test_client().get(url("sk-model", "prediction"),
                                   query_string={"start": start, "end": end})
    assert answer.status_code in (200, 400, 404), orjson.loads(answer.data)


def test_the_limit_comes_from_the_config_or_the_environment(monkeypatch, tmp_path):
    def max_period_rows(overrides=None) -> int:
        return Config({"MODEL_COLLECTION_DIR": str(tmp_path), **(overrides or {})}).PERIOD_MAX_ROWS

    monkeypatch.delenv("GORDO_SERVER_PERIOD_MAX_ROWS", raising=False)
    monkeypatch.delenv("PERIOD_MAX_ROWS", raising=False)
    assert max_period_rows() == DEFAULT_PERIOD_MAX_ROWS
    monkeypatch.setenv("GORDO_SERVER_PERIOD_MAX_ROWS", "300")
    assert max_period_rows() == 300
    assert max_period_rows({"PERIOD_MAX_ROWS": 5}) == 5
    with pytest.raises(ConfigException, match="PERIOD_MAX_ROWS"):
        max_period_rows({"PERIOD_MAX_ROWS": "-1"})
