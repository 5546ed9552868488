"""Prediction forwarders: a real InfluxDB 1.x, and files read back with pandas."""

from __future__ import annotations

import pandas as pd
import pytest
import requests

from gordo.client import ForwardPredictionsIntoFiles, ForwardPredictionsIntoInflux
from gordo.exceptions import ConfigException
from tests.client.project import END, START, TAGS, client_for

pytestmark = pytest.mark.integration

HALF_END = "2021-01-01T12:00:00+00:00"


def influx_uri(influxdb_url: str, database: str) -> str:
    """The forwarder's URI form, as the workflow writes it (no user, no path)."""
    return f":@{influxdb_url.removeprefix('http://')}//{database}"


def count(influxdb_url: str, database: str, statement: str) -> dict[str, int]:
    """``SELECT count(..)`` grouped by a tag, as {tag value: count}."""
    answer = requests.get(
        f"{influxdb_url}/query", params={"db": database, "q": statement}, timeout=10
    ).json()
    series = answer["results"][0].get("series", [])
    return {next(iter(s["tags"].values())): s["values"][0][1] for s in series}


def test_influx_gets_predictions_and_sensors_per_machine(server_url, influxdb_url):
    database = "feeder_test"
    sink = ForwardPredictionsIntoInflux(
        influx_uri(influxdb_url, database), destination_influx_recreate=True
    )
    client = client_for(
        server_url,
        prediction_forwarder=sink,
        forward_resampled_sensors=True,
        metadata={"version": "1700000000000"},
        parallelism=2,
    )
    assert all(result.errors == [] for result in client.predict(START, END))
    total = 'SELECT count("total-anomaly-scaled") FROM "total-anomaly-scaled" GROUP BY "machine"'
    assert count(influxdb_url, database, total) == {"ae-model": 144}
    outputs = 'SELECT count("TAG-1") FROM "model-output" WHERE "version" = \'1700000000000\''
    assert count(influxdb_url, database, outputs + ' GROUP BY "machine"') == {
        "ae-model": 144,
        "sk-model": 144,
    }
    sensors = 'SELECT count("Value") FROM "resampled" WHERE "machine" = \'sk-model\' GROUP BY "tag"'
    assert count(influxdb_url, database, sensors) == dict.fromkeys(TAGS, 144)

    # Recreating drops the scored machine's earlier points only.
    again = ForwardPredictionsIntoInflux(
        influx_uri(influxdb_url, database), destination_influx_recreate=True
    )
    client = client_for(
        server_url, prediction_forwarder=again, metadata={"version": "1700000000000"}
    )
    client.predict(START, HALF_END, ["sk-model"])
    assert count(influxdb_url, database, outputs + ' GROUP BY "machine"') == {
        "ae-model": 144,
        "sk-model": 72,
    }
    assert count(influxdb_url, database, sensors) == {}


def test_influx_uri_must_name_a_database():
    with pytest.raises(ConfigException, match="Influx URI"):
        ForwardPredictionsIntoInflux("localhost:8086")


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_files_hold_one_frame_per_machine(server_url, tmp_path, file_format):
    sink = ForwardPredictionsIntoFiles(tmp_path / "out", file_format=file_format)
    client = client_for(server_url, prediction_forwarder=sink, forward_resampled_sensors=True)
    results = client.predict(START, END)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        f"{stem}.{file_format}"
        for stem in ("ae-model", "ae-model.sensors", "sk-model", "sk-model.sensors")
    ]
    for result in results:
        path = tmp_path / "out" / f"{result.name}.{file_format}"
        if file_format == "parquet":
            stored = pd.read_parquet(path)
        else:
            stored = pd.read_csv(path, header=[0, 1], index_col=0, parse_dates=True)
        expected = result.predictions.drop(columns=["start", "end"], level=0)
        stored = stored.drop(columns=["start", "end"], level=0)
        pd.testing.assert_frame_equal(stored, expected, check_freq=False, check_index_type=False)


def test_file_format_is_checked(tmp_path):
    with pytest.raises(ConfigException, match="one of parquet, csv, parquet-flat, csv-flat"):
        ForwardPredictionsIntoFiles(tmp_path, file_format="xlsx")


@pytest.mark.parametrize("file_format", ["csv-flat", "parquet-flat"])
def test_flat_files_have_one_header_row_of_tag_and_column(tmp_path, file_format):
    index = pd.date_range("2020-01-01", periods=2, freq="10min", tz="UTC")
    columns = pd.MultiIndex.from_tuples(
        [("model-output", "T1"), ("model-output", "T2"), ("total-anomaly-scaled", "")]
    )
    predictions = pd.DataFrame([[1.0, 2.0, 0.5], [3.0, 4.0, 0.25]], index=index, columns=columns)
    sink = ForwardPredictionsIntoFiles(tmp_path, file_format=file_format)
    sink(predictions=predictions, machine_name="m-1", metadata={})
    suffix = file_format.removesuffix("-flat")
    path = tmp_path / f"m-1.{suffix}"
    if suffix == "csv":
        assert path.read_text().splitlines()[0] == (
            ",T1|model-output,T2|model-output,total-anomaly-scaled"
        )
        stored = pd.read_csv(path, index_col=0, parse_dates=True)
    else:
        stored = pd.read_parquet(path)
    assert list(stored.columns) == ["T1|model-output", "T2|model-output", "total-anomaly-scaled"]
    assert stored.to_numpy().tolist() == predictions.to_numpy().tolist()
