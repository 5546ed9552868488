"""FileSystemDataProvider specifics: assets config, layouts, status codes, bad files."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from gordo.dataset.base import GordoBaseDataset
from gordo.dataset.data_provider.base import GordoBaseDataProvider
from gordo.dataset.data_provider.file_system import FileSystemDataProvider
from gordo.dataset.data_provider.lake import write_lake
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import ConfigException, DataError, MissingTagError

START = pd.Timestamp("2020-01-01", tz="UTC")
END = pd.Timestamp("2020-03-01", tz="UTC")


def series(value: float, start="2020-01-01", periods=24 * 50, freq="h") -> pd.Series:
    return pd.Series(value, pd.date_range(start, periods=periods, freq=freq, tz="UTC"))


def read(provider, name, asset=None, start=START, end=END) -> pd.Series:
    ((s, _),) = provider.load_series(start, end, [SensorTag(name, asset)])
    return s


def test_flat_layout_without_asset(tmp_path):
    write_lake(str(tmp_path), {"T1": series(1.0)})
    assert read(FileSystemDataProvider(str(tmp_path)), "T1").eq(1.0).all()


def test_assets_config_aliases_and_patterns(tmp_path):
    write_lake(str(tmp_path / "raw" / "area-a"), {"TRC-1": series(1.0)})
    write_lake(str(tmp_path / "raw" / "area-b"), {"X-1": series(2.0)})
    config = tmp_path / "assets.yaml"
    config.write_text(
        "aliases: {1776-troc: a}\n"
        "assets:\n"
        "  - {name: a, base_dir: raw, path: area-a, tag_pattern: '^trc'}\n"
        "  - {name: b, path: raw/area-b}\n"
    )
    provider = FileSystemDataProvider(str(tmp_path), assets_config=str(config))
    assert read(provider, "TRC-1", "1776-TROC").eq(1.0).all()
    assert read(provider, "TRC-1").eq(1.0).all()  # by tag_pattern
    assert read(provider, "X-1").eq(2.0).all()  # entries without a pattern
    with pytest.raises(ConfigException, match="Unable to find asset 'nope'"):
        read(provider, "X-1", "nope")


def test_tag_directory_matched_without_case(tmp_path):
    write_lake(str(tmp_path), {"trc-1.": series(3.0)}, asset="a")
    assert read(FileSystemDataProvider(str(tmp_path)), "TRC-1.", "a").eq(3.0).all()
    assert read(FileSystemDataProvider(str(tmp_path)), "TRC-1", "a").eq(3.0).all()


def test_layout_priority_and_partition_by(tmp_path):
    root = str(tmp_path)
    write_lake(root, {"T": series(1.0)}, layout="parquet")
    write_lake(root, {"T": series(2.0)}, layout="yearly_parquet")
    write_lake(root, {"T": series(3.0)}, layout="csv")
    assert read(FileSystemDataProvider(root), "T").eq(1.0).all()
    assert read(FileSystemDataProvider(root, lookup_for=["csv", "parquet"]), "T").eq(3.0).all()
    assert read(FileSystemDataProvider(root, partition_by="year"), "T").eq(2.0).all()
    assert read(FileSystemDataProvider(root, partition_by="month"), "T").eq(1.0).all()
    with pytest.raises(ConfigException, match="unknown layout"):
        FileSystemDataProvider(root, lookup_for=["orc"])


def test_reads_across_years(tmp_path):
    write_lake(str(tmp_path), {"T": series(1.0, "2019-12-20", 24 * 30)}, layout="yearly_parquet")
    s = read(FileSystemDataProvider(str(tmp_path)), "T", start=pd.Timestamp("2019-12-25", tz="UTC"))
    assert s.index[0] == pd.Timestamp("2019-12-25", tz="UTC") and s.index[-1].year == 2020


def test_files_over_max_size_are_skipped(tmp_path):
    write_lake(str(tmp_path), {"T": series(1.0)})
    assert read(FileSystemDataProvider(str(tmp_path), max_file_size=10), "T").empty


def test_status_codes_removed(tmp_path):
    write_lake(str(tmp_path), {"T": series(1.0)}, status=0)
    assert read(FileSystemDataProvider(str(tmp_path)), "T").empty
    assert len(read(FileSystemDataProvider(str(tmp_path), remove_status_codes=[]), "T")) == 24 * 50


def test_duplicate_timestamps_keep_last(tmp_path):
    s = series(1.0, periods=3)
    dup = pd.concat([s, pd.Series([9.0], [s.index[1]])])
    write_lake(str(tmp_path), {"T": dup})
    assert read(FileSystemDataProvider(str(tmp_path)), "T").tolist() == [1.0, 9.0, 1.0]


def test_missing_tag_says_where_it_looked(tmp_path):
    write_lake(str(tmp_path), {"T": series(1.0)}, asset="a")
    with pytest.raises(MissingTagError, match=f"'NOPE' not found: no files in {tmp_path}/a/NOPE"):
        read(FileSystemDataProvider(str(tmp_path)), "NOPE", "a")


@pytest.mark.parametrize("layout", ["parquet", "csv"])
def test_malformed_file_is_named(tmp_path, layout):
    files = write_lake(str(tmp_path), {"T": series(1.0, periods=5)}, layout=layout)
    with open(files[0], "w") as handle:
        handle.write("this is not a data file;\n;;;;;\n")
    with pytest.raises(DataError, match=f"cannot read {files[0]}"):
        read(FileSystemDataProvider(str(tmp_path)), "T")


def test_root_from_environment_variable(tmp_path, monkeypatch):
    write_lake(str(tmp_path), {"T": series(1.0)})
    provider = FileSystemDataProvider("${GORDO_TEST_LAKE}")
    monkeypatch.delenv("GORDO_TEST_LAKE", raising=False)
    with pytest.raises(ConfigException, match="GORDO_TEST_LAKE not set"):
        read(provider, "T")
    monkeypatch.setenv("GORDO_TEST_LAKE", str(tmp_path))
    provider = FileSystemDataProvider("${GORDO_TEST_LAKE}")
    assert read(provider, "T").eq(1.0).all()
    assert provider.to_dict()["root"] == "${GORDO_TEST_LAKE}"
    assert provider.get_metadata() == {"storage_name": str(tmp_path)}


def test_row_groups_outside_window_are_not_read(tmp_path):
    import pyarrow.parquet as pq

    files = write_lake(str(tmp_path), {"T": series(1.0, periods=24 * 31)}, row_group_size=24)
    assert pq.ParquetFile(files[0]).num_row_groups == 31
    s = read(
        FileSystemDataProvider(str(tmp_path)),
        "T",
        start=pd.Timestamp("2020-01-10 00:00", tz="UTC"),
        end=pd.Timestamp("2020-01-10 05:00", tz="UTC"),
    )
    assert len(s) == 5


def test_data_lake_provider_alias_and_dataset(tmp_path):
    write_lake(str(tmp_path), {"A": series(1.0), "B": series(2.0)}, asset="plant")
    provider = GordoBaseDataProvider.from_dict({"type": "DataLakeProvider", "root": str(tmp_path)})
    assert isinstance(provider, FileSystemDataProvider)
    ds = GordoBaseDataset.from_dict(
        {
            "train_start_date": "2020-01-01T00:00:00Z",
            "train_end_date": "2020-01-02T00:00:00Z",
            "tags": ["A", "B"],
            "asset": "plant",
            "data_provider": provider.to_dict(),
        }
    )
    X, _ = ds.get_data()
    assert X.shape == (145, 2)
    assert ds.get_metadata()["data_provider"] == {"storage_name": str(tmp_path)}


def test_missing_fsspec_backend_is_a_config_error():
    provider = FileSystemDataProvider("nosuchproto://bucket/x")
    with pytest.raises(ConfigException, match="nosuchproto"):
        read(provider, "T")


def test_relative_root(tmp_path, monkeypatch):
    write_lake(str(tmp_path / "lake"), {"T": series(1.0)})
    monkeypatch.chdir(tmp_path)
    assert os.path.isdir("lake")
    assert read(FileSystemDataProvider("lake"), "T").eq(1.0).all()


def test_row_filter_on_a_tag_missing_in_storage(tmp_path):
    write_lake(str(tmp_path), {"A": series(1.0)}, asset="plant")
    ds = GordoBaseDataset.from_dict(
        {
            "train_start_date": "2020-01-01T00:00:00Z",
            "train_end_date": "2020-01-02T00:00:00Z",
            "tags": ["A"],
            "asset": "plant",
            "row_filter": "`NO-SUCH` > 1",
            "data_provider": {"type": "FileSystemDataProvider", "root": str(tmp_path)},
        }
    )
    with pytest.raises(
        MissingTagError, match=r"'NO-SUCH' not found.*used by row_filter '`NO-SUCH` > 1'"
    ):
        ds.get_data()
