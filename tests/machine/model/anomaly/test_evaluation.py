"""Detection-quality metrics: events of a boolean series, Fc1 and its parts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gordo.machine.model.anomaly.evaluation import detection_metrics, events

booleans = arrays(bool, st.integers(1, 200))


@given(booleans)
def test_events_round_trip(flags):
    """The flags rebuilt from their events are the flags; events are disjoint and ordered."""
    rebuilt = np.zeros_like(flags)
    ranges = events(flags)
    for start, end in ranges:
        assert start < end
        rebuilt[start:end] = True
    assert np.array_equal(rebuilt, flags)
    assert (ranges[1:, 0] > ranges[:-1, 1]).all()


@given(st.data())
def test_metrics_are_shares(data):
    labels = data.draw(booleans)
    flags = data.draw(arrays(bool, len(labels)))
    metrics = detection_metrics(labels, flags)
    for key in ("fc1", "event-f1", "point-f1", "event-recall", "point-precision"):
        value = metrics[key]
        assert np.isnan(value) or 0 <= value <= 1, (key, value)
    assert metrics["events"] == len(events(labels))
    assert metrics["false-events"] <= len(events(flags))


def test_one_long_alarm_games_event_f1_not_fc1():
    labels = np.zeros(1000, bool)
    labels[100:110] = labels[500:510] = True
    metrics = detection_metrics(labels, np.ones(1000, bool))
    assert metrics["event-f1"] == 1.0
    assert metrics["fc1"] == pytest.approx(2 * 0.02 / 1.02)
    assert metrics["normal-rows-flagged"] == 1.0


def test_found_events_false_events_and_average_precision():
    labels = np.zeros(40, bool)
    labels[5:10] = labels[20:25] = True
    flags = np.zeros(40, bool)
    flags[7:9] = flags[30:32] = True
    score = labels.astype(float) + 0.1 * np.arange(40) / 40
    metrics = detection_metrics(labels, flags, score)
    assert metrics["events-found"] == 1 and metrics["event-recall"] == 0.5
    assert metrics["point-precision"] == 0.5 and metrics["fc1"] == 0.5
    assert metrics["false-events"] == 1
    assert metrics["false-events-per-10k"] == pytest.approx(10_000 / 30)
    assert metrics["average-precision"] == 1.0


def test_nothing_flagged_and_no_labels():
    metrics = detection_metrics(np.zeros(5, bool), np.zeros(5, bool), np.zeros(5))
    assert np.isnan(metrics["fc1"]) and np.isnan(metrics["average-precision"])
    assert metrics["normal-rows-flagged"] == 0 and metrics["false-events"] == 0


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="one length"):
        detection_metrics(np.zeros(3, bool), np.zeros(4, bool))
