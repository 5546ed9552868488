"""The recommended detector: normalised errors, calibrated events and attribution."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.base import clone
from sklearn.linear_model import LinearRegression

from gordo import serializer
from gordo.exceptions import InsufficientDataError
from gordo.machine.model.anomaly.evaluation import detection_metrics
from gordo.machine.model.anomaly.robust import RobustEventAnomalyDetector

RECOMMENDED = Path(__file__).resolve().parents[4] / "examples" / "recommended-model.yaml"
TAGS = ["flow", "pressure", "power", "temperature"]


def plant(rows: int, seed: int, start: str = "2020-01-01") -> pd.DataFrame:
    """Four tags driven by one daily cycle, with noise."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=rows, freq="10min", tz="UTC")
    load = np.sin(2 * np.pi * np.arange(rows) / 144) + 0.1 * rng.normal(size=rows)
    values = np.column_stack([10 * load, 3 + 2 * load, 50 + 20 * load, 80 + 5 * load]) + rng.normal(
        scale=[0.5, 0.1, 1.0, 0.3], size=(rows, 4)
    )
    return pd.DataFrame(values, index=index, columns=TAGS)


@pytest.fixture(scope="module")
def recommended():
    """The recommended model, fitted to normal rows; and a test frame with a fault."""
    np.random.seed(0)
    definition = yaml.safe_load(RECOMMENDED.read_text())["model"]
    model = serializer.from_definition(definition)
    train = plant(4000, seed=1)
    model.cross_validate(X=train, y=train)
    model.fit(train, train)
    test = plant(2000, seed=2, start="2021-01-01")
    test.iloc[1000:1060, 2] += 15  # power reads high for 10 hours
    return model, test


def test_recommended_definition_builds_a_detector():
    definition = yaml.safe_load(RECOMMENDED.read_text())["model"]
    model = serializer.from_definition(definition)
    assert isinstance(model, RobustEventAnomalyDetector)
    assert serializer.into_definition(model) == serializer.into_definition(clone(model))


def test_events_find_the_fault_and_name_its_tag(recommended):
    model, test = recommended
    frame = model.anomaly(test, test)
    event = frame["anomaly-event"].to_numpy()[:, 0]
    labels = np.zeros(len(test), bool)
    labels[1000:1060] = True
    metrics = detection_metrics(labels, event, frame["anomaly-score"].to_numpy()[:, 0])
    assert metrics["events-found"] == 1 and metrics["false-events"] == 0
    assert metrics["average-precision"] > 0.9
    attribution = frame["tag-anomaly-attribution"].iloc[1005:1060]
    assert (attribution.idxmax(axis=1) == "power").all()
    assert frame["tag-anomaly-event"]["power"].iloc[1010:1050].all()
    tag_event_rows = frame["tag-anomaly-event"].sum()
    assert tag_event_rows.idxmax() == "power", tag_event_rows
    # the documented columns are all still there
    for key in ("model-output", "tag-anomaly-scaled", "total-anomaly-scaled", "anomaly-confidence"):
        assert key in frame


def test_scaled_errors_are_in_units_of_the_training_errors(recommended):
    model, _ = recommended
    train = plant(4000, seed=1)
    residuals = train.to_numpy() - model.predict(train)
    q75, q25 = np.percentile(residuals, [75, 25], axis=0)
    np.testing.assert_allclose(model.scaler.scale_, q75 - q25)


def test_normal_data_raises_few_alarms(recommended):
    model, _ = recommended
    normal = plant(6000, seed=3, start="2022-01-01")
    event = model.anomaly(normal, normal)["anomaly-event"].to_numpy()[:, 0]
    assert event.mean() <= 0.01


def test_metadata_holds_the_fitted_settings(recommended):
    model, _ = recommended
    events = model.get_metadata()["events"]
    assert events["smoothing-rows"] == 6 and events["false-alarm-rate"] == 0.002
    assert sorted(events["tag-thresholds"]) == sorted(TAGS)
    assert events["threshold"] > 0 and events["generalisation-ratio"] >= 1
    assert events["excluded-tags"] == []


def test_dump_and_load_keep_the_events(recommended, tmp_path):
    model, test = recommended
    serializer.dump(model, tmp_path / "m", metadata={"name": "m"})
    loaded = serializer.load(tmp_path / "m")
    pd.testing.assert_frame_equal(loaded.anomaly(test, test), model.anomaly(test, test))


def _linear(**params) -> RobustEventAnomalyDetector:
    return RobustEventAnomalyDetector(base_estimator=LinearRegression(), **params)


def test_too_little_data_for_the_settings_is_named():
    data = plant(600, seed=0)
    with pytest.raises(InsufficientDataError, match="false_alarm_rate=0.002"):
        _linear().cross_validate(X=data, y=data)
    _linear(false_alarm_rate=0.01).cross_validate(X=data, y=data)


def test_bad_setting_is_named():
    data = plant(800, seed=0)
    with pytest.raises(ValueError, match="min_event_rows"):
        _linear(min_event_rows=0).cross_validate(X=data, y=data)


def test_constant_tag_is_reported_not_scored(caplog):
    data = plant(3000, seed=0)
    data["temperature"] = 80.0
    model = _linear()
    with caplog.at_level(logging.WARNING):
        model.cross_validate(X=data, y=data)
        model.fit(data, data)
    assert "temperature" in caplog.text
    assert model.get_metadata()["events"]["excluded-tags"] == ["temperature"]
    frame = model.anomaly(data, data)
    assert frame["tag-anomaly-score"]["temperature"].isna().all()
    assert (frame["tag-anomaly-attribution"]["temperature"] == 0).all()
    assert np.isfinite(frame["anomaly-score"].to_numpy()).all()


def test_nan_tag_is_named():
    data = plant(3000, seed=0)
    data["pressure"] = np.nan
    with pytest.raises(ValueError, match="pressure"):
        _linear().fit(data, data)


def test_without_cross_validation_no_event_columns():
    data = plant(500, seed=0)
    frame = _linear(require_thresholds=False).fit(data, data).anomaly(data, data)
    assert "anomaly-event" not in frame and "total-anomaly-scaled" in frame


def test_build_with_too_little_data_names_machine_and_setting():
    from gordo.builder import ModelBuilder
    from tests.builder.helpers import LINEAR, make_machine

    model = {
        "gordo.machine.model.anomaly.robust.RobustEventAnomalyDetector": {"base_estimator": LINEAR}
    }
    machine = make_machine(name="pump-7", model=model)
    with pytest.raises(InsufficientDataError, match=r"Machine 'pump-7'.*false_alarm_rate"):
        ModelBuilder(machine).build()


def test_example_plant_uses_the_recommended_model():
    from gordo.demo import EXAMPLE_PROJECT

    plant_model = yaml.safe_load(EXAMPLE_PROJECT.read_text())["globals"]["model"]
    assert plant_model == yaml.safe_load(RECOMMENDED.read_text())["model"]


def test_metadata_of_a_constant_tag_is_json():
    import json

    data = plant(3000, seed=0)
    data["temperature"] = 80.0
    model = _linear()
    model.cross_validate(X=data, y=data)
    events = json.loads(json.dumps(model.fit(data, data).get_metadata(), allow_nan=False))["events"]
    assert events["tag-thresholds"]["temperature"] is None


def wandering_plant(rows: int, seed: int, walk_start: float, start: str) -> pd.DataFrame:
    """The four-tag plant plus a tag whose level is a slow random walk (e.g. ambient)."""
    frame = plant(rows, seed, start)
    steps = np.random.default_rng(seed + 100).normal(scale=0.05, size=rows)
    frame["ambient"] = walk_start + np.cumsum(steps) + 10 * np.sin(np.arange(rows) / 2000)
    return frame


@pytest.mark.parametrize("drift_rows", [144, 0])
def test_a_wandering_tag_is_scored_on_deviations_not_level(drift_rows):
    definition = yaml.safe_load(RECOMMENDED.read_text())["model"]
    definition[next(iter(definition))]["drift_rows"] = drift_rows
    np.random.seed(0)
    model = serializer.from_definition(definition)
    train = wandering_plant(4000, seed=1, walk_start=0.0, start="2020-01-01")
    model.cross_validate(X=train, y=train)
    model.fit(train, train)
    # later the ambient tag is far outside its training range; the plant is normal
    normal = wandering_plant(3000, seed=2, walk_start=40.0, start="2021-01-01")
    assert normal["ambient"].min() > train["ambient"].max()
    flagged = model.anomaly(normal, normal)["anomaly-event"].to_numpy()[:, 0].mean()
    faulty = normal.copy()
    faulty.iloc[1500:1560, 4] += 4  # the ambient sensor jumps for 10 hours
    event = model.anomaly(faulty, faulty)["anomaly-event"].to_numpy()[:, 0]
    if drift_rows:
        assert model.get_metadata()["events"]["wandering-tags"] == ["ambient"]
        assert flagged <= 0.01
        assert event[1510:1560].all()
    else:  # scored on its level, the tag is an alarm all the time
        assert model.get_metadata()["events"]["wandering-tags"] == []
        assert flagged > 0.5


def test_wandering_tags_of_stationary_tags(recommended):
    model, _ = recommended
    assert model.wandering_tags_ == []
    assert model.get_metadata()["events"]["drift-rows"] == 144


def test_inputs_are_clipped_to_the_training_range(recommended):
    model, test = recommended
    high = test.copy()
    high["power"] = 1e6  # a broken transmitter
    at_max = test.copy()
    at_max["power"] = model.input_range_[1][TAGS.index("power")]
    np.testing.assert_allclose(model.predict(high), model.predict(at_max))
    frame = model.anomaly(high, high)
    others = frame["model-output"].drop(columns="power")
    np.testing.assert_allclose(others, model.predict(at_max)[:, [0, 1, 3]])
    assert (frame["tag-anomaly-attribution"].idxmax(axis=1) == "power").all()


def test_wandering_tags_of_too_few_rows_is_none():
    from gordo.machine.model.anomaly.robust import wandering_tags

    assert wandering_tags(np.ones((3, 2))).tolist() == [False, False]
    assert wandering_tags(np.arange(40.0)[:, None]).tolist() == [True]  # a steady trend


def test_a_short_episode_in_the_training_data_does_not_set_the_threshold():
    """A few hours of a spiking sensor in training: its block is left out of the quantile."""
    clean = plant(8000, seed=3)
    spiked = clean.copy()
    spiked.iloc[2000:2030, 1] += 40  # pressure spikes for 5 hours
    thresholds = {}
    for name, train in (("clean", clean), ("spiked", spiked)):
        model = RobustEventAnomalyDetector(base_estimator=LinearRegression())
        # the other tags predict pressure: its spike is an error the scores see
        model.fit(train[["flow", "power", "temperature"]], train)
        thresholds[name] = model.train_quantile_
    assert thresholds["spiked"] < 1.5 * thresholds["clean"], thresholds


def test_calibration_of_data_without_an_episode_is_the_plain_quantile():
    from gordo.machine.model.anomaly.events import calibrate, calibrate_robust

    model = RobustEventAnomalyDetector(base_estimator=LinearRegression())
    train = plant(8000, seed=4)
    X = train[["flow", "power", "temperature"]]
    total, tags, _ = model.fit(X, train)._scores(
        train.to_numpy() - model.predict(X).reshape(train.shape)
    )
    # tags that are also inputs are predicted exactly, left out of the score: NaN
    np.testing.assert_array_equal(calibrate_robust(tags, 0.002), calibrate(tags, 0.002))
