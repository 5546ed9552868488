"""PostgreSQL and InfluxDB provider specifics, against the real servers."""

from __future__ import annotations

import pandas as pd
import pytest

from gordo.dataset.data_provider.providers import InfluxDataProvider, PostgresDataProvider
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import ConfigException, DataError
from tests.dataset.backends import sample_series, write_influx, write_postgres

pytestmark = pytest.mark.integration

START = pd.Timestamp("2021-03-01", tz="UTC")
END = pd.Timestamp("2021-03-02", tz="UTC")


def read(provider, *names):
    return {t.name: s for s, t in provider.load_series(START, END, [SensorTag(n) for n in names])}


def test_postgres_custom_table_columns_and_status(postgres):
    data = sample_series(["P-1", "P'2"], "2021-03-01", 600)
    write_postgres(postgres.dsn, "plant.readings", data, columns=("sensor", "ts", "val"), status=3)
    common = dict(
        dsn=postgres.dsn,
        table="plant.readings",
        tag_column="sensor",
        time_column="ts",
        value_column="val",
    )
    got = read(PostgresDataProvider(**common), "P-1", "P'2")
    assert len(got["P'2"]) == 600
    assert got["P-1"].iloc[5] == pytest.approx(data["P-1"].iloc[5])
    filtered = PostgresDataProvider(**common, status_column="status", remove_status_codes=[3])
    assert read(filtered, "P-1")["P-1"].empty
    by_parts = PostgresDataProvider(
        host=postgres.host,
        port=postgres.port,
        user=postgres.user,
        dbname=postgres.dbname,
        **{k: v for k, v in common.items() if k != "dsn"},
    )
    assert len(read(by_parts, "P-1")["P-1"]) == 600


def test_postgres_unknown_table_or_column(postgres):
    with pytest.raises(ConfigException, match="no_such_table"):
        read(PostgresDataProvider(dsn=postgres.dsn, table="no_such_table"), "A")
    write_postgres(postgres.dsn, "t_cols", sample_series(["A"], "2021-03-01", 5))
    with pytest.raises(ConfigException, match="nope"):
        read(PostgresDataProvider(dsn=postgres.dsn, table="t_cols", value_column="nope"), "A")


def test_postgres_malformed_dsn():
    with pytest.raises(ConfigException, match="data_provider.dsn"):
        PostgresDataProvider(dsn="this is = not a dsn")


def test_influx_uri_form_and_can_handle_tag(influxdb_url):
    write_influx(influxdb_url, "uri_db", "sensors", sample_series(["I-1"], "2021-03-01", 30))
    host, port = influxdb_url.rsplit("/", 1)[1].split(":")
    provider = InfluxDataProvider("sensors", uri=f"u:p@{host}:{port}/uri_db")
    assert len(read(provider, "I-1")["I-1"]) == 30
    assert provider.can_handle_tag(SensorTag("I-1")) and not provider.can_handle_tag(SensorTag("X"))


def test_influx_unknown_database_is_a_data_error(influxdb_url):
    port = int(influxdb_url.rsplit(":", 1)[1])
    with pytest.raises(DataError, match="database not found"):
        read(InfluxDataProvider("sensors", host="127.0.0.1", port=port, database="nope"), "A")


def test_influx_api_key_needs_header():
    with pytest.raises(ConfigException, match="supply the header key"):
        InfluxDataProvider("m", database="d", api_key="k")
