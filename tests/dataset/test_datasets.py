"""TimeSeriesDataset / RandomDataset: keys, build-time checks, pipeline, metadata (spec §2)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from gordo.dataset.base import GordoBaseDataset
from gordo.dataset.data_provider.base import GordoBaseDataProvider
from gordo.dataset.data_provider.providers import RandomDataProvider
from gordo.dataset.datasets import NotEnoughDataWarning, TimeSeriesDataset
from gordo.dataset.params import capture_args
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import (
    ConfigException,
    EmptyGeneratedDataframeError,
    InsufficientDataError,
    KnownPeriodsEmptyDataError,
    NuisanceEmptyDataError,
    RowFilterEmptyDataError,
)

START, END = "2020-01-01T00:00:00+00:00", "2020-01-07T00:00:00+00:00"


class FrameProvider(GordoBaseDataProvider):
    """Serves columns of a fixed frame (a test double of a storage, not of a server)."""

    def __init__(self, frame: pd.DataFrame, **kwargs):
        super().__init__(**kwargs)
        self.frame = frame
        self._params = {}

    def load_tag(self, start, end, tag):
        if tag.name not in self.frame:
            return pd.Series([], index=pd.DatetimeIndex([], tz="UTC"), dtype="float64")
        return self.frame[tag.name].dropna()


def minute_frame(n_tags=3, days=6, seed=0) -> pd.DataFrame:
    idx = pd.date_range(START, periods=days * 24 * 60, freq="min")
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            f"T{i}": np.sin(np.arange(len(idx)) / 500 + i) + rng.normal(0, 0.01, len(idx))
            for i in range(1, n_tags + 1)
        },
        index=idx,
    )


def dataset(frame=None, **kw) -> TimeSeriesDataset:
    frame = minute_frame() if frame is None else frame
    params = dict(
        train_start_date=START,
        train_end_date=END,
        tag_list=list(frame.columns),
        data_provider=FrameProvider(frame),
    )
    params.update(kw)
    return TimeSeriesDataset(**params)


def test_full_window_row_count():
    """6 days at 10 minutes: (end - start) / resolution + 1 rows (the original's 865)."""
    X, y = dataset().get_data()
    assert len(X) == 865
    assert X.index[0] == pd.Timestamp(START) and X.index[-1] == pd.Timestamp(END)
    assert str(X.index.tz) == "UTC"
    assert X.equals(y)


def test_mean_aggregation_values():
    frame = minute_frame(1)
    X, _ = dataset(frame).get_data()
    expected = frame["T1"].iloc[:10].mean()
    assert X["T1"].iloc[0] == pytest.approx(expected)
    assert X["T1"].iloc[-2] == pytest.approx(frame["T1"].iloc[-10:].mean())  # last data bucket


def test_legacy_and_current_frequency_aliases_agree():
    a, _ = dataset(resolution="2T", interpolation_limit="8H").get_data()
    b, _ = dataset(resolution="2min", interpolation_limit="8h").get_data()
    pd.testing.assert_frame_equal(a, b)
    assert dataset(resolution="2T").to_dict()["resolution"] == "2T"


def test_aggregation_list_gives_two_level_columns():
    X, y = dataset(aggregation_methods=["mean"], target_tag_list=["T2"]).get_data()
    assert list(X.columns) == [("T1", "mean"), ("T2", "mean"), ("T3", "mean")]
    assert X.columns.names == ["tag", "aggregation_method"]
    X, _ = dataset(aggregation_methods=["max", "min"]).get_data()
    assert list(X.columns[:2]) == [("T1", "max"), ("T1", "min")]
    assert (X[("T1", "max")] >= X[("T1", "min")]).all()


def test_interpolation_limit_leaves_long_gaps():
    frame = minute_frame(2)
    frame.loc["2020-01-03":"2020-01-03 12:00", "T1"] = np.nan  # 12 h hole
    with pytest.warns(NotEnoughDataWarning, match='"T1"'):
        X, _ = dataset(frame, interpolation_limit="2H").get_data()
    hole = X.loc["2020-01-03 02:30":"2020-01-03 11:50"]
    assert hole.empty
    assert len(X.loc["2020-01-03 00:00":"2020-01-03 02:00"]) == 12  # 2 h of 10-min buckets
    X2, _ = dataset(frame, interpolation_limit="48H").get_data()
    assert len(X2) == 865


def test_ffill_interpolation():
    frame = minute_frame(1)
    frame.loc["2020-01-02 00:00":"2020-01-02 00:59", "T1"] = np.nan
    X, _ = dataset(frame, interpolation_method="ffill").get_data()
    assert X.loc["2020-01-02 00:00":"2020-01-02 00:50", "T1"].nunique() == 1


def test_resolution_none_joins_raw():
    X, _ = dataset(resolution=None).get_data()
    assert len(X) == 6 * 24 * 60


def test_row_filter_buffer_and_trigger_tag():
    frame = minute_frame(3)
    ds = dataset(frame, tag_list=["T1", "T2"], row_filter="`T3` > 0", row_filter_buffer_size=2)
    X, _ = ds.get_data()
    assert list(X.columns) == ["T1", "T2"]
    assert ds.get_metadata()["row_filter_tags"] == ["T3"]
    full = dataset(frame).get_data()[0]
    kept = full[full["T3"] > 0]
    assert len(X) < len(kept)  # the buffer removed more


def test_row_filter_list_is_anded():
    X, _ = dataset(row_filter=["T1 > 0", "T2 > 0"]).get_data()
    assert ((X["T1"] > 0) & (X["T2"] > 0)).all()


def test_row_filter_on_two_level_columns():
    X, _ = dataset(aggregation_methods=["max", "mean"], row_filter="T1__max < 0.5").get_data()
    assert (X[("T1", "max")] < 0.5).all()


def test_row_filter_that_does_not_parse():
    with pytest.raises(ConfigException, match=r"cannot parse 'T1 >'"):
        dataset(row_filter="T1 >")


def test_row_filter_unknown_tag_quotes_expression():
    with pytest.raises(
        InsufficientDataError, match=r"missing data: \['NOPE'\] \(used by row_filter 'NOPE > 1'\)"
    ):
        dataset(row_filter="NOPE > 1").get_data()


def test_row_filter_empties_data():
    with pytest.raises(RowFilterEmptyDataError) as info:
        dataset(row_filter="T1 > 100").get_data()
    assert str(info.value) == (
        "The length of the filtered DataFrame (0) does not exceed required threshold (0).  "
        "Applied the row filter: 'T1 > 100' with buffer size: 0."
    )


def test_known_filter_periods():
    period = "~('2020-01-02 00:00:00+00:00' <= index <= '2020-01-02 23:50:00+00:00')"
    X, _ = dataset(known_filter_periods=[period]).get_data()
    assert len(X) == 865 - 144
    with pytest.raises(KnownPeriodsEmptyDataError, match="after dropping known periods"):
        dataset(known_filter_periods=["index < '2000-01-01T00:00:00+00:00'"]).get_data()


def test_n_samples_threshold():
    with pytest.raises(EmptyGeneratedDataframeError) as info:
        dataset(n_samples_threshold=865).get_data()
    assert info.value.data_length == 865 and info.value.threshold == 865
    assert "No metadata with empty tags available." in str(info.value)
    dataset(n_samples_threshold=864).get_data()


def test_all_nan_tag_is_missing_data():
    frame = minute_frame(2)
    frame["T2"] = np.nan
    with pytest.raises(
        InsufficientDataError, match=r"The following features are missing data: \['T2'\]"
    ):
        dataset(frame).get_data()


@pytest.mark.parametrize("method", ["median", "iforest"])
def test_filter_periods(method):
    frame = minute_frame(2, days=3)
    frame.loc["2020-01-02 10:00":"2020-01-02 10:30", "T1"] = 50.0
    opts = {"filter_method": method, "window": 72, "n_iqr": 3}
    if method == "iforest":
        opts = {"filter_method": "iforest", "contamination": 0.01}
    ds = dataset(frame, filter_periods=opts, train_end_date="2020-01-04T00:00:00+00:00")
    X, _ = ds.get_data()
    assert X["T1"].max() < 2
    periods = ds.get_metadata()["filtered_periods"][method]
    assert any(p["drop_start"] <= "2020-01-02 10:30:00+00:00" <= p["drop_end"] for p in periods)


def test_filter_periods_can_empty_the_data():
    frame = minute_frame(1)
    with pytest.raises(NuisanceEmptyDataError, match="nuisance filtering"):
        dataset(
            frame,
            filter_periods={"filter_method": "median", "n_iqr": 0, "window": 6},
            n_samples_threshold=600,
        ).get_data()


def test_filter_periods_requires_resolution():
    with pytest.raises(ConfigException, match="'resolution' field should be provided"):
        dataset(resolution=None, filter_periods={"filter_method": "median"})


def test_global_thresholds_off_by_default_and_opt_in():
    X, _ = dataset().get_data()
    assert (X.abs() > 0.9).any().any()
    X, _ = dataset(low_threshold=-1, high_threshold=1).get_data()
    assert ((X > -1) & (X < 1)).all().all()
    with pytest.raises(ConfigException, match="Low threshold"):
        dataset(low_threshold=2, high_threshold=1)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (
            {"train_start_date": "2020-01-01T00:00:00"},
            "Must provide an ISO formatted datetime string with timezone",
        ),
        (
            {"train_end_date": datetime(2020, 1, 2)},
            "Must provide an ISO formatted datetime string with timezone",
        ),
        ({"train_start_date": date(2020, 1, 1)}, "date without time"),
        ({"train_start_date": "yesterday"}, "not an ISO formatted datetime"),
        ({"train_end_date": START}, "must be after train_start_date"),
        ({"resolution": "10X"}, "not a pandas frequency"),
        ({"resolution": "0T"}, "positive"),
        ({"interpolation_method": "cubic"}, "linear_interpolation of ffill"),
        ({"resolution": "1H", "interpolation_limit": "10T"}, "Interpolation limit must be larger"),
        ({"aggregation_methods": "nonsense"}, "not an aggregation"),
        ({"tag_list": []}, "Requires setting a non-empty list of strings"),
        ({"row_filter_buffer_size": -1}, "row_filter_buffer_size"),
        ({"tag_list": ["tags"]}, "reserved"),
        ({"tag_normalizer": "other"}, "Unsupported tag_normalizer type 'other'"),
    ],
)
def test_build_time_checks(kw, message):
    with pytest.raises(ValueError, match=message):
        dataset(**kw)


def test_unknown_key_is_logged_and_written_back(caplog):
    with caplog.at_level(logging.ERROR):
        ds = dataset(mystery=1)
    assert "Deprecated argument mystery=1 provided for TimeSeriesDataset" in caplog.text
    assert ds.to_dict()["mystery"] == 1


def test_metadata_shape():
    ds = dataset(tag_list=["T1", {"name": "T2", "asset": "a"}])
    X, _ = ds.get_data()
    meta = ds.get_metadata()
    loading = meta["tag_loading_metadata"]
    assert loading["T1"]["original_length"] == 6 * 24 * 60
    assert loading["T1"]["resampled_length"] == 865
    assert loading["T1"]["gaps"] == {}
    assert loading["T1"]["first_timestamp"] == pd.Timestamp(START).timestamp()
    assert loading["aggregate_metadata"] == {"joined_length": 865, "dropped_na_length": 865}
    assert loading["tags"]["T2"] == {"name": "T2", "asset": "a"}
    assert meta["train_start_date_actual"] == X.index[0]
    assert set(meta["summary_statistics"]["T1"]) == {
        "count",
        "mean",
        "std",
        "min",
        "25%",
        "50%",
        "75%",
        "max",
    }
    hist = json.loads(meta["x_hist"]["T1"])
    assert sum(hist.values()) == 865
    json.dumps({k: v for k, v in meta.items() if not k.startswith("train_")})


def test_random_dataset_to_dict_matches_reference_shape():
    ds = GordoBaseDataset.from_dict(
        {
            "type": "RandomDataset",
            "tags": ["GRA-TE  -23-0733.PV", "GRA-TT  -23-0719.PV", "GRA-YE  -23-0751X.PV"],
            "target_tag_list": ["GRA-TE -123-456"],
            "train_start_date": datetime(2018, 1, 1, 9, 0, 30, tzinfo=UTC),
            "train_end_date": "2018-01-02T09:00:30Z",
            "filter_periods": {"filter_method": "median", "n_iqr": 1, "window": 72},
            "asset": "global-asset",
            "data_provider": {"type": "InfluxDataProvider", "measurement": "ignored"},
        }
    )
    d = ds.to_dict()
    assert d["type"] == "RandomDataset"  # registered names, as the original writes them
    assert d["data_provider"] == {  # the default seed is left out, as the original has none
        "min_size": 100,
        "max_size": 300,
        "type": "RandomDataProvider",
    }
    assert d["train_start_date"] == "2018-01-01T09:00:30+00:00"
    assert d["train_end_date"] == "2018-01-02T09:00:30+00:00"
    assert d["tag_list"] == ["GRA-TE  -23-0733.PV", "GRA-TT  -23-0719.PV", "GRA-YE  -23-0751X.PV"]
    for key, value in {
        "additional_tags": None,
        "aggregation_methods": "mean",
        "asset": "global-asset",
        "default_tag": None,
        "interpolation_limit": "48H",
        "interpolation_method": "linear_interpolation",
        "known_filter_periods": None,
        "n_samples_threshold": 0,
        "resolution": "10T",
        "row_filter": "",
        "row_filter_buffer_size": 0,
    }.items():
        assert d[key] == value, key
    again = GordoBaseDataset.from_dict(d)
    assert again.to_dict() == d
    X, y = again.get_data()
    assert list(y.columns) == ["GRA-TE -123-456"]


def test_from_dict_legacy_names_and_errors():
    ds = GordoBaseDataset.from_dict(
        {
            "type": "gordo_dataset.datasets.TimeSeriesDataset",
            "from_ts": START,
            "to_ts": END,
            "tags": ["A"],
            "data_provider": {"type": "gordo_core.data_providers.providers.RandomDataProvider"},
        }
    )
    assert isinstance(ds, TimeSeriesDataset)
    assert isinstance(ds.data_provider, RandomDataProvider)
    with pytest.raises(ConfigException, match='Dataset type "Nope" is not supported'):
        GordoBaseDataset.from_dict({"type": "Nope"})
    with pytest.raises(
        ConfigException, match='is not a subclass of "gordo.dataset.base.GordoBaseDataset"'
    ):
        GordoBaseDataset.from_dict({"type": "sklearn.decomposition.PCA"})
    with pytest.raises(ConfigException, match="'collections.OrderedDict' is not allowed"):
        GordoBaseDataset.from_dict({"type": "collections.OrderedDict"})
    with pytest.raises(
        ConfigException, match='Unable to create dataset "gordo.dataset.datasets.TimeSeriesDataset"'
    ):
        GordoBaseDataset.from_dict(
            {
                "train_start_date": START,
                "train_end_date": END,
                "data_provider": {"type": "RandomDataProvider"},
            }
        )
    with pytest.raises(ConfigException, match="data_provider.type is empty"):
        GordoBaseDataset.from_dict(
            {"train_start_date": START, "train_end_date": END, "tags": ["A"], "data_provider": {}}
        )
    with pytest.raises(ConfigException, match="Unable to find data provider 'nope.Provider'"):
        GordoBaseDataset.from_dict(
            {
                "train_start_date": START,
                "train_end_date": END,
                "tags": ["A"],
                "data_provider": {"type": "nope.Provider"},
            }
        )
    with pytest.raises(
        ConfigException, match='Unable to create data provider "RandomDataProvider"'
    ):
        GordoBaseDataset.from_dict(
            {
                "train_start_date": START,
                "train_end_date": END,
                "tags": ["A"],
                "data_provider": {"type": "RandomDataProvider", "bogus": 1},
            }
        )


def test_default_data_provider():
    cfg = {"train_start_date": START, "train_end_date": END, "tags": ["A"]}
    ds = GordoBaseDataset.from_dict(cfg, default_data_provider="RandomDataProvider")
    assert isinstance(ds.data_provider, RandomDataProvider)
    ds = GordoBaseDataset.from_dict(
        {**cfg, "data_provider": {"min_size": 5, "max_size": 6}},
        default_data_provider="RandomDataProvider",
    )
    assert ds.data_provider.max_size == 6


def test_random_provider_is_deterministic_and_seeded():
    start, end = pd.Timestamp(START), pd.Timestamp(END)
    tags = [SensorTag("A"), SensorTag("B")]
    first = [s for s, _ in RandomDataProvider().load_series(start, end, tags)]
    second = [s for s, _ in RandomDataProvider().load_series(start, end, tags)]
    other = [s for s, _ in RandomDataProvider(seed=1).load_series(start, end, tags)]
    assert all(a.equals(b) for a, b in zip(first, second, strict=True))
    assert not first[0].equals(other[0])
    assert not first[0].equals(first[1])
    for s in first:
        assert 100 <= len(s) <= 300 and s.index.min() >= start and s.index.max() < end
        assert ((s >= 0) & (s < 1)).all()


def test_dataset_is_reproducible():
    cfg = {
        "type": "RandomDataset",
        "train_start_date": START,
        "train_end_date": END,
        "tags": ["A", "B"],
    }
    X1, _ = GordoBaseDataset.from_dict(cfg).get_data()
    X2, _ = GordoBaseDataset.from_dict(cfg).get_data()
    pd.testing.assert_frame_equal(X1, X2)


def test_client_data_uses_stored_tags():
    ds = dataset(tag_list=["T1", "T2"])
    ds.get_data()
    meta = {"dataset_meta": ds.get_metadata()}
    X, _ = ds.get_client_data(meta)
    assert list(X.columns) == ["T1", "T2"]
    with pytest.raises(ValueError, match="Unable to find tags information"):
        ds.get_client_data({})


def test_fast_mean_matches_pandas_resample():
    """The numpy mean path gives pandas' labels and values, also off-grid starts and offsets."""
    frame = minute_frame(2)
    start, end = "2020-01-01T03:07:00+01:00", "2020-01-05T11:55:00+00:00"
    fast, _ = dataset(frame, train_start_date=start, train_end_date=end).get_data()
    slow, _ = dataset(
        frame, train_start_date=start, train_end_date=end, aggregation_methods=["mean"]
    ).get_data()
    slow.columns = list(slow.columns.droplevel(1))
    pd.testing.assert_frame_equal(fast, slow, check_freq=False, rtol=1e-12)
    assert fast.index[0] == pd.Timestamp("2020-01-01 02:00", tz="UTC")


def test_summary_statistics_match_describe():
    ds = dataset()
    X, _ = ds.get_data()
    stats = ds.get_metadata()["summary_statistics"]
    described = X.describe()
    for col in X.columns:
        for key, value in described[col].items():
            assert stats[col][key] == pytest.approx(value, rel=1e-9)


def test_dataset_from_yaml_string():
    ds = GordoBaseDataset.from_dict(
        f"type: RandomDataset\ntrain_start_date: '{START}'\ntrain_end_date: '{END}'\ntags: [A]\n"
    )
    assert isinstance(ds, TimeSeriesDataset)
    with pytest.raises(ConfigException, match="Error loading YAML from 'dataset'"):
        GordoBaseDataset.from_dict("tags: [A\n")


class RampProvider(GordoBaseDataProvider):
    """A custom provider, used by import path."""

    @capture_args
    def __init__(self, slope: float = 1.0, threads: int = 2):
        super().__init__(threads=threads)
        self.slope = slope

    def load_tag(self, start, end, tag):
        index = pd.date_range(start, end, freq="5min", inclusive="left")
        return pd.Series(self.slope * np.arange(len(index)), index=index)


def test_custom_provider_by_import_path():
    path = "tests.dataset.test_datasets.RampProvider"
    ds = GordoBaseDataset.from_dict(
        {
            "train_start_date": START,
            "train_end_date": END,
            "tags": ["A", "B"],
            "data_provider": {"type": path, "slope": 2.0},
        }
    )
    assert ds.to_dict()["data_provider"] == {"slope": 2.0, "threads": 2, "type": path}
    X, _ = ds.get_data()
    assert X["A"].iloc[1] == pytest.approx(2.0 * 2.5)  # mean of points 2 and 3


def test_additional_tags_and_default_tag():
    ds = dataset(
        tag_list=["T1", "T2"],
        default_tag={"asset": "plant", "unit": "bar"},
        additional_tags=[{"name": "T3", "asset": "other"}],
        row_filter="T3 > -2",
    )
    X, _ = ds.get_data()
    tags = ds.get_metadata()["tag_loading_metadata"]["tags"]
    assert tags["T1"] == {"name": "T1", "asset": "plant", "unit": "bar"}
    assert tags["T3"] == {
        "name": "T3",
        "asset": "other",
        "unit": "bar",
    }  # defaults, then the mapping
    assert list(X.columns) == ["T1", "T2"]


def test_csv_provider_malformed_file(tmp_path):
    from gordo.dataset.data_provider.providers import CSVDataProvider
    from gordo.exceptions import DataError

    path = tmp_path / "plant.csv"
    path.write_text("index,A\nnot-a-time,1\n")
    provider = CSVDataProvider(str(path), timestamp_column="index")
    with pytest.raises(DataError, match=f"cannot read {path}"):
        list(provider.load_series(START, END, [SensorTag("A")]))


def test_lookback_fills_the_first_buckets():
    """A tag whose first point is after the start is filled from its last earlier point."""
    index = pd.date_range("2019-12-31 23:00", "2020-01-07", freq="h", tz="UTC")
    hourly = pd.DataFrame({"T1": np.arange(len(index), dtype=float)}, index=index)
    hourly = hourly.drop(pd.Timestamp("2020-01-01 00:00", tz="UTC"))  # first in-window point: 01:00
    X, _ = dataset(hourly).get_data()
    assert X.index[0] == pd.Timestamp(START)
    assert X["T1"].iloc[0] == pytest.approx(1.0)  # between 0 (23:00) and 2 (01:00)
    assert len(X) == 865
    X, _ = dataset(hourly, interpolation_limit="30T").get_data()  # 23:00 is out of reach
    assert X.index[0] == pd.Timestamp("2020-01-01 01:00", tz="UTC")
