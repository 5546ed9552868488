"""One contract suite, run against every provider and its REAL backend.

File stores (local parquet/csv, memory://, S3 on moto's server), InfluxDB 1.x
and PostgreSQL are seeded with the same series; RandomDataProvider runs the
checks that do not depend on stored values.
"""

from __future__ import annotations

import time
import uuid

import pandas as pd
import pytest

from gordo.dataset.base import GordoBaseDataset
from gordo.dataset.data_provider.base import GordoBaseDataProvider
from gordo.dataset.data_provider.lake import write_lake
from gordo.dataset.data_provider.providers import (
    CSVDataProvider,
    FileSystemDataProvider,
    InfluxDataProvider,
    PostgresDataProvider,
    RandomDataProvider,
)
from gordo.dataset.registry import resolve_path
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import DataSourceUnavailableError, MissingTagError
from tests.dataset.backends import sample_series, write_influx, write_postgres
from tests.servers import free_port

TAGS = ["TAG-1", "TAG 2/b", "TAG-3"]
OLD = "OLD-TAG"  # exists in storage, but only long before the window
START = pd.Timestamp("2020-01-31 06:00", tz="UTC")
END = pd.Timestamp("2020-02-01 18:00", tz="UTC")


def seed() -> dict[str, pd.Series]:
    data = sample_series(TAGS, "2020-01-31", 2 * 24 * 60)
    data[OLD] = sample_series([OLD], "2019-06-01", 10)[OLD]
    return data


SEED = seed()


def _lake(root: str, layout: str, storage_options=None) -> None:
    write_lake(root, SEED, layout=layout, asset="plant", storage_options=storage_options)


@pytest.fixture(scope="module")
def backends(tmp_path_factory):
    """Lazily built providers, one per backend, shared by the module."""
    return {}


def build(name: str, request, tmp_path_factory) -> GordoBaseDataProvider:
    if name == "random":
        return RandomDataProvider(min_size=200, max_size=400)
    if name.startswith("file-"):
        layout = {"file-parquet": "parquet", "file-yearly": "yearly_parquet", "file-csv": "csv"}[
            name
        ]
        root = str(tmp_path_factory.mktemp(name))
        _lake(root, layout)
        return FileSystemDataProvider(root, threads=4)
    if name == "csv":
        path = tmp_path_factory.mktemp("csv") / "wide.csv"
        frame = pd.DataFrame(SEED)
        frame.index = frame.index.strftime("%Y-%m-%dT%H:%M:%SZ")
        frame.to_csv(path, index_label="index", float_format="%.17g")
        return CSVDataProvider(str(path), timestamp_column="index")
    if name == "memory":
        root = f"memory://contract-{uuid.uuid4().hex}"
        _lake(root, "parquet")
        return FileSystemDataProvider(root)
    if name == "s3":
        import s3fs

        endpoint = request.getfixturevalue("s3_endpoint")
        options = {
            "key": "testing",
            "secret": "testing",
            "client_kwargs": {"endpoint_url": endpoint},
        }
        bucket = f"lake-{uuid.uuid4().hex[:8]}"
        s3fs.S3FileSystem(**options).mkdir(bucket)
        _lake(f"s3://{bucket}/data", "parquet", options)
        return FileSystemDataProvider(f"s3://{bucket}/data", storage_options=options)
    if name == "influx":
        url = request.getfixturevalue("influxdb_url")
        write_influx(url, "contract", "sensors", SEED)
        port = int(url.rsplit(":", 1)[1])
        return InfluxDataProvider("sensors", host="127.0.0.1", port=port, database="contract")
    if name == "postgres":
        pg = request.getfixturevalue("postgres")
        write_postgres(pg.dsn, "sensor_data", SEED)
        return PostgresDataProvider(dsn=pg.dsn)
    raise AssertionError(name)


BACKENDS = [
    "random",
    "csv",
    "file-parquet",
    "file-yearly",
    "file-csv",
    "memory",
    pytest.param("s3", marks=pytest.mark.integration),
    pytest.param("influx", marks=pytest.mark.integration),
    pytest.param("postgres", marks=pytest.mark.integration),
]


@pytest.fixture(params=BACKENDS)
def provider(request, backends, tmp_path_factory) -> GordoBaseDataProvider:
    if request.param not in backends:
        backends[request.param] = build(request.param, request, tmp_path_factory)
    return backends[request.param]


def stored(provider) -> bool:
    return not isinstance(provider, RandomDataProvider)


def tag(name: str) -> SensorTag:
    return SensorTag(name, "plant")


def load(provider, names=TAGS, start=START, end=END) -> dict[str, pd.Series]:
    out = {}
    for series, t in provider.load_series(start, end, [tag(n) for n in names]):
        out[t.name] = series
    return out


def test_series_shape(provider):
    data = load(provider)
    assert list(data) == TAGS
    for name, series in data.items():
        assert series.name == name
        assert str(series.index.tz) == "UTC"
        assert series.dtype == "float64"
        assert series.index.is_monotonic_increasing and series.index.is_unique
        assert series.index[0] >= START and series.index[-1] < END
        assert len(series) > 100


def test_values_match_what_was_stored(provider):
    if not stored(provider):
        pytest.skip("random data: nothing stored")
    for name, series in load(provider).items():
        expected = SEED[name][(SEED[name].index >= START) & (SEED[name].index < END)]
        assert len(series) == len(expected)
        assert (series.index.as_unit("ns").asi8 == expected.index.as_unit("ns").asi8).all()
        float32_csv = "file-csv" in str(getattr(provider, "root", ""))
        assert (series - expected).abs().max() <= (1e-5 if float32_csv else 1e-12)


def test_window_is_start_inclusive_end_exclusive(provider):
    if not stored(provider):
        pytest.skip("random data: nothing stored")
    start = pd.Timestamp("2020-01-31 10:00", tz="UTC")
    end = pd.Timestamp("2020-01-31 10:05", tz="UTC")
    series = load(provider, ["TAG-1"], start, end)["TAG-1"]
    assert list(series.index.strftime("%H:%M")) == ["10:00", "10:01", "10:02", "10:03", "10:04"]


def test_missing_tag_names_the_tag(provider):
    if not stored(provider):
        pytest.skip("random data has every tag")
    with pytest.raises(MissingTagError, match="NOT-THERE") as info:
        load(provider, ["TAG-1", "NOT-THERE"])
    assert info.value.tag == "NOT-THERE"


def test_no_data_in_window_is_an_empty_series(provider):
    if not stored(provider):
        pytest.skip("random data has data everywhere")
    series = load(provider, [OLD])[OLD]
    assert series.empty and series.name == OLD and str(series.index.tz) == "UTC"


def test_concurrent_and_sequential_reads_agree(provider):
    config = provider.to_dict()
    sequential = (
        GordoBaseDataProvider.from_dict({**config, "threads": 1})
        if "threads" in config
        else provider
    )
    a, b = load(provider), load(sequential)
    for name in TAGS:
        pd.testing.assert_series_equal(a[name], b[name])


def test_to_dict_round_trip(provider):
    config = provider.to_dict()
    again = GordoBaseDataProvider.from_dict(config)
    assert type(again) is type(provider) and again.to_dict() == config
    # the registered name, as the original writes it
    assert "." not in config["type"]
    assert resolve_path(config["type"], "provider").startswith("gordo.dataset.data_provider.")


def test_dataset_on_provider(provider):
    ds = GordoBaseDataset.from_dict(
        {
            "train_start_date": START.isoformat(),
            "train_end_date": END.isoformat(),
            "tags": TAGS[:2],
            "target_tag_list": TAGS[2:],
            "asset": "plant",
            "data_provider": provider.to_dict(),
            "resolution": "10T",
        }
    )
    X, y = ds.get_data()
    assert list(X.columns) == TAGS[:2] and list(y.columns) == TAGS[2:]
    if stored(provider):
        assert len(X) == (END - START) // pd.Timedelta("10min") + 1


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["influx", "postgres"])
def test_unreachable_database_is_reported_quickly(kind):
    port = free_port()  # nothing listens there
    if kind == "influx":
        provider = InfluxDataProvider(
            "m", host="127.0.0.1", port=port, database="d", connect_timeout=2
        )
    else:
        provider = PostgresDataProvider(
            host="127.0.0.1", port=port, dbname="d", user="u", connect_timeout=2
        )
    began = time.monotonic()
    with pytest.raises(DataSourceUnavailableError, match=f"127.0.0.1:{port}"):
        load(provider, ["A"])
    assert time.monotonic() - began < 5


def test_pickles_for_worker_processes(provider):
    import pickle

    load(provider, TAGS[:1])  # open clients, pools, caches first
    again = pickle.loads(pickle.dumps(provider))
    assert again.to_dict() == provider.to_dict()
    pd.testing.assert_series_equal(
        load(again, TAGS[:1])[TAGS[0]], load(provider, TAGS[:1])[TAGS[0]]
    )
