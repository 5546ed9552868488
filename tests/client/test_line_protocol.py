"""Line protocol of frames: boolean columns (anomaly events) are written as numbers."""

from __future__ import annotations

import pandas as pd

from gordo.client.line_protocol import frame_lines


def test_boolean_columns_are_written_as_numbers():
    index = pd.date_range("2020-01-01", periods=2, freq="10min", tz="UTC")
    frame = pd.DataFrame({"anomaly-event": [True, False], "text": ["a", "b"]}, index=index)
    assert frame_lines("anomaly-event", {"machine": "m-1"}, frame) == [
        "anomaly-event,machine=m-1 anomaly-event=1.0 1577836800000000000",
        "anomaly-event,machine=m-1 anomaly-event=0.0 1577837400000000000",
    ]
