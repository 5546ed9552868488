"""gordo.server.utils as documented: ``dataframe_to_dict`` keeps a plain index's labels."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
from hypothesis import given, settings

from gordo.server.utils import dataframe_from_dict, dataframe_to_dict

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.tuples(finite, finite), min_size=1, max_size=20),
    first=st.integers(-1000, 1000),
)
def test_integer_index_gives_what_to_dict_gives(values, first):
    df = pd.DataFrame(values, columns=["tag-1", "tag-2"], index=range(first, first + len(values)))
    assert dataframe_to_dict(df) == df.to_dict()
    assert all(isinstance(key, int) for key in dataframe_to_dict(df)["tag-1"])
    assert dataframe_from_dict(dataframe_to_dict(df)).equals(df)


def test_two_level_columns_over_an_integer_index_nest_by_the_top_level():
    columns = pd.MultiIndex.from_tuples([("model-input", "a"), ("model-output", "a")])
    df = pd.DataFrame(np.arange(4.0).reshape(2, 2), columns=columns)
    assert dataframe_to_dict(df) == {
        "model-input": {"a": {0: 0.0, 1: 2.0}},
        "model-output": {"a": {0: 1.0, 1: 3.0}},
    }


def test_time_index_stays_json_ready():
    index = pd.date_range("2020-01-01", periods=2, freq="10min", tz="UTC")
    df = pd.DataFrame({"a": [1.0, 2.0]}, index=index)
    assert dataframe_to_dict(df) == {
        "a": {"2020-01-01 00:00:00+00:00": 1.0, "2020-01-01 00:10:00+00:00": 2.0}
    }
