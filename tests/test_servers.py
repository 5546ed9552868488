"""The real servers the integration tests rely on start and answer."""

import json
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.integration


def test_postgres_answers(postgres):
    import psycopg

    with psycopg.connect(postgres.dsn, connect_timeout=5) as conn:
        assert conn.execute("select 1 + 1").fetchone() == (2,)


def test_influxdb_answers(influxdb_url):
    q = urllib.parse.urlencode({"q": "SHOW DATABASES"})
    with urllib.request.urlopen(f"{influxdb_url}/query?{q}", timeout=5) as r:
        body = json.load(r)
    assert "results" in body


def test_s3_answers(s3_endpoint):
    import s3fs

    fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": s3_endpoint})
    fs.mkdir("probe-bucket")
    fs.pipe("probe-bucket/x.txt", b"hello")
    assert fs.cat("probe-bucket/x.txt") == b"hello"
