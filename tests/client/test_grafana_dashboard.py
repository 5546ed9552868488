"""The shipped Grafana dashboard's queries against a real InfluxDB holding what the client forwarded.

The client scores a period of the test project (``ae-model`` with anomaly scores,
``sk-model`` with model output only) into InfluxDB with ``ForwardPredictionsIntoInflux``;
then every query of ``docker/grafana/dashboards/machines.json`` runs as Grafana would
send it, its macros filled in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from gordo.client import ForwardPredictionsIntoInflux
from tests.client.project import END, START, client_for
from tests.client.test_forwarders import influx_uri

pytestmark = pytest.mark.integration

DASHBOARD = Path(__file__).resolve().parents[2] / "docker" / "grafana" / "dashboards" / "machines.json"
DATABASE = "grafana_test"
#: what Grafana puts for the macros of a query over the forwarded period
MACROS = {
    "$timeFilter": f"time >= '{START}' AND time < '{END}'",
    "$__interval": "1h",
}


def influx_query(influxdb_url: str, statement: str) -> list[dict]:
    answer = requests.get(
        f"{influxdb_url}/query", params={"db": DATABASE, "q": statement}, timeout=10
    ).json()
    result = answer["results"][0]
    assert "error" not in result, (statement, result["error"])
    return result.get("series", [])


def grafana_query(query: str, machine: str) -> str:
    """The query as Grafana sends it, grouped by machine too, so the answer says whose rows."""
    assert "GROUP BY time($__interval)" in query
    query = query.replace("GROUP BY time($__interval)", 'GROUP BY time($__interval), "machine"')
    for macro, value in {**MACROS, "$machine": machine}.items():
        query = query.replace(macro, value)
    return query


@pytest.fixture(scope="module")
def forwarded(server_url, influxdb_url) -> str:
    sink = ForwardPredictionsIntoInflux(
        influx_uri(influxdb_url, DATABASE), destination_influx_recreate=True
    )
    client = client_for(server_url, prediction_forwarder=sink, forward_resampled_sensors=True)
    assert all(result.errors == [] for result in client.predict(START, END))
    return influxdb_url


def test_the_machine_variable_lists_the_machines(forwarded):
    dashboard = json.loads(DASHBOARD.read_text())
    (variable,) = dashboard["templating"]["list"]
    series = influx_query(forwarded, variable["query"])
    # one series per measurement; Grafana shows each value once
    assert {value for s in series for _, value in s["values"]} == {"ae-model", "sk-model"}


@pytest.mark.parametrize("machine", ["ae-model", "sk-model"])
def test_every_panel_gets_the_rows_of_the_selected_machine_only(forwarded, machine):
    dashboard = json.loads(DASHBOARD.read_text())
    panels = [p for p in dashboard["panels"] if p["datasource"] == "influx"]
    assert {p["type"] for p in panels} == {"timeseries"}
    measurements = {
        row[0]
        for s in influx_query(forwarded, f"SHOW MEASUREMENTS WHERE \"machine\" = '{machine}'")
        for row in s["values"]
    }
    assert {"model-input", "model-output", "resampled"} <= measurements
    answered = set()
    for panel in panels:
        (target,) = panel["targets"]
        series = influx_query(forwarded, grafana_query(target["query"], machine))
        assert {s["tags"]["machine"] for s in series} <= {machine}, panel["title"]
        if series:
            assert all(len(s["values"]) == 24 for s in series), panel["title"]  # 24 hours
            answered.add(series[0]["name"])
    # a panel answers exactly when the machine has its measurement
    queried = {p["targets"][0]["query"].split('FROM "')[1].split('"')[0] for p in panels}
    assert answered == queried & measurements
    assert ("total-anomaly-scaled" in answered) == (machine == "ae-model")
