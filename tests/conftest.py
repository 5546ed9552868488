"""Session-wide fixtures: real servers on 127.0.0.1, started on first use."""

from __future__ import annotations

import os

import pytest

from tests import servers

# Tests use the CPU and keep Keras quiet and deterministic.
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Test configs name helper classes of this package (custom estimators, providers, reporters).
os.environ.setdefault("GORDO_ALLOWED_IMPORTS", "tests")


@pytest.fixture(scope="session")
def postgres() -> servers.Postgres:
    """A real PostgreSQL server (Debian package) for the whole session."""
    with servers.postgres_server() as pg:
        yield pg


@pytest.fixture(scope="session")
def influxdb_url() -> str:
    """The HTTP URL of a real InfluxDB 1.x server (Debian package)."""
    with servers.influxdb_server() as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    """The endpoint URL of moto's S3 server; AWS test credentials are set."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with servers.s3_server() as url:
        yield url
