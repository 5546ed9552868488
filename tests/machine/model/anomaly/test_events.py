"""The event layer: trailing smoothing, merging, minimum duration, calibration."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gordo.machine.model.anomaly.evaluation import events
from gordo.machine.model.anomaly.events import (
    EventSettings,
    calibrate,
    event_rows,
    smooth_trailing,
)


@given(arrays(bool, st.integers(1, 200)), st.integers(1, 10), st.integers(0, 10))
def test_event_rows(above, min_rows, gap):
    out = event_rows(above, min_rows, gap)
    runs = events(out)
    # every event is long enough, and starts and ends on a row above the threshold
    assert all(end - start >= min_rows for start, end in runs)
    assert all(above[start] and above[end - 1] for start, end in runs)
    # events are separated by at least the merge gap
    assert (runs[1:, 0] - runs[:-1, 1] >= max(gap, 1)).all()
    # each row above the threshold is in an event, unless its merged group is too short
    if min_rows == 1:
        assert out[above].all()


def test_no_merge_and_no_minimum_keep_the_rows_above():
    above = np.array([1, 0, 1, 1, 0, 0, 1], bool)
    assert np.array_equal(event_rows(above, 1, 0), above)


def test_smoothing_is_trailing():
    """A row's smoothed value uses no later row (as a live alarm can't)."""
    values = np.zeros((10, 1))
    values[7] = 10
    smoothed = smooth_trailing(values, 3)
    assert (smoothed[:7] == 0).all() and (smoothed[7:] > 0).all()


@given(st.floats(0.001, 0.2))
def test_calibrated_share_above(rate):
    scores = np.random.default_rng(0).normal(size=(5000, 2))
    threshold = calibrate(scores, rate)
    share = (scores > threshold).mean(axis=0)
    assert (share <= rate + 1 / 5000).all()


@pytest.mark.parametrize(
    ("settings", "name"),
    [
        (EventSettings(min_event_rows=0), "min_event_rows"),
        (EventSettings(merge_gap_rows=-1), "merge_gap_rows"),
        (EventSettings(false_alarm_rate=1.5), "false_alarm_rate"),
        (EventSettings(smoothing_rows=2.5), "smoothing_rows"),
        (EventSettings(drift_rows=-1), "drift_rows"),
    ],
)
def test_bad_settings_are_named(settings, name):
    with pytest.raises(ValueError, match=name):
        settings.check()


def test_metadata_names():
    assert EventSettings().to_metadata() == {
        "smoothing-rows": 6,
        "min-event-rows": 3,
        "merge-gap-rows": 6,
        "false-alarm-rate": 0.002,
        "drift-rows": 144,
    }
