"""gordo.client.Client against ``gordo run-server`` serving really built models."""

from __future__ import annotations

import http.server
import threading

import numpy as np
import pandas as pd
import pytest

from gordo.client.data import machine_data
from gordo.exceptions import NotFoundError, ServingError
from tests.client.project import (
    BAD_REVISION,
    END,
    LOOKBACK,
    LOOKBACK_REVISION,
    REVISION,
    START,
    TAGS,
    client_for,
)
from tests.servers import free_port

pytestmark = pytest.mark.integration


def by_name(results) -> dict:
    return {result.name: result for result in results}


def test_discovers_models_and_metadata(server_url):
    client = client_for(server_url)
    assert client.get_available_machines() == ["ae-model", "sk-model"]
    assert client.revision == REVISION
    metadata = client.get_metadata(["sk-model"])
    assert list(metadata) == ["sk-model"]
    assert metadata["sk-model"]["dataset"]["tag_list"] == TAGS


def test_predict_scores_every_machine_in_batches(server_url):
    results = by_name(client_for(server_url, batch_size=50, parallelism=2).predict(START, END))
    assert sorted(results) == ["ae-model", "sk-model"]
    for result in results.values():
        assert result.errors == []
        frame = result.predictions
        assert len(frame) == 144  # 10-minute rows of [START, END), over three batches
        assert frame.index.is_unique and frame.index.is_monotonic_increasing
        assert frame.index[0] == pd.Timestamp(START)
        assert frame.index[-1] < pd.Timestamp(END)
        assert sorted(frame["model-input"].columns) == TAGS
    anomaly = results["ae-model"].predictions
    assert (anomaly[("total-anomaly-scaled", "total-anomaly-scaled")] >= 0).all()
    assert (anomaly[("end", "end")] - anomaly[("start", "start")] == pd.Timedelta("10min")).all()
    assert "total-anomaly-scaled" not in results["sk-model"].predictions.columns.get_level_values(0)


def test_model_output_matches_the_downloaded_model(server_url):
    client = client_for(server_url)
    model = client.download_model(["sk-model"])["sk-model"]
    [result] = client.predict(START, END, targets=["sk-model"])
    X, _ = machine_data(client.machine_metadata("sk-model"), START, END)
    pd.testing.assert_frame_equal(result.predictions["model-input"], X, check_freq=False)
    np.testing.assert_allclose(result.predictions["model-output"].to_numpy(), model.predict(X))


@pytest.mark.parametrize("use_parquet", [False, True])
def test_look_back_models_leave_no_gap_between_batches(server_url, use_parquet):
    client = client_for(
        server_url, revision=LOOKBACK_REVISION, batch_size=40, use_parquet=use_parquet
    )
    [result] = client.predict(START, END)
    assert result.errors == []
    X, _ = machine_data(client.machine_metadata("lookback-model"), START, END)
    expected = X.rolling(LOOKBACK).mean().iloc[LOOKBACK - 1 :]
    assert result.predictions.index.equals(expected.index)
    np.testing.assert_allclose(result.predictions["model-output"].to_numpy(), expected.to_numpy())


def test_parquet_gives_the_json_answer(server_url):
    json_result = by_name(client_for(server_url).predict(START, END))
    parquet_result = by_name(client_for(server_url, use_parquet=True).predict(START, END))
    for name, result in parquet_result.items():
        assert result.errors == []
        expected = json_result[name].predictions
        pd.testing.assert_frame_equal(
            result.predictions[expected.columns], expected, check_freq=False, check_dtype=False
        )


def test_data_provider_replaces_each_machines_provider(server_url):
    def inputs(**kwargs) -> pd.DataFrame:
        [result] = client_for(server_url, **kwargs).predict(START, END, targets=["sk-model"])
        return result.predictions["model-input"]

    same = {"type": "RandomDataProvider", "min_size": 300, "max_size": 400}
    pd.testing.assert_frame_equal(inputs(data_provider=same), inputs())
    other = inputs(data_provider={**same, "seed": 7})
    assert not np.allclose(other.to_numpy(), inputs().to_numpy())
    # without a type, the mapping overrides arguments of the machine's own provider
    pd.testing.assert_frame_equal(inputs(data_provider={"seed": 7}), other)


def test_errors_name_the_machine_and_the_route(server_url):
    [result] = client_for(server_url, revision=BAD_REVISION).predict(START, END)
    assert result.name == "bad-model"
    assert result.predictions.empty
    [error] = result.errors
    assert error.startswith("Machine 'bad-model', rows 0-143 (2021-01-01 00:00:00+00:00")
    assert "POST /gordo/v0/client-project/bad-model/prediction answered 400" in error
    assert "TAG-3" in error


def test_unknown_target_and_bad_period_are_refused(server_url):
    client = client_for(server_url)
    with pytest.raises(NotFoundError, match="serves no model 'nope'"):
        client.predict(START, END, targets=["nope"])
    with pytest.raises(ValueError, match="end .* must be after start"):
        client.predict(END, START)
    with pytest.raises(ValueError, match="has no time zone"):
        client.predict("2021-01-01", END)


def test_connection_errors_are_retried_then_reported():
    client = client_for(f"http://127.0.0.1:{free_port()}", n_retries=2, retry_backoff=0.01)
    with pytest.raises(ServingError, match=r"GET /gordo/v0/client-project/revisions: .*3 tries"):
        client.get_available_machines()


class FlakyHandler(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first two requests, then the revisions JSON."""

    calls = 0

    def do_GET(self):
        type(self).calls += 1
        ok = type(self).calls > 2
        body = b'{"latest": "1", "available-revisions": ["1"]}' if ok else b'{"error": "busy"}'
        self.send_response(200 if ok else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_5xx_answers_are_retried():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert client_for(url, n_retries=2, retry_backoff=0.01).pinned_revision() == "1"
        assert FlakyHandler.calls == 3
        FlakyHandler.calls = 0
        with pytest.raises(ServingError, match="answered 503: busy"):
            client_for(url, n_retries=1, retry_backoff=0.01).pinned_revision()
    finally:
        server.shutdown()
        server.server_close()
