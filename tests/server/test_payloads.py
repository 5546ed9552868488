"""Payload parsing and response tables: the fast paths give what pandas gives."""

from __future__ import annotations

import datetime

import hypothesis.strategies as st
import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import given, settings

from gordo.exceptions import BadRequestError
from gordo.server import frame_codecs, payloads, utils
from gordo.server.frames import Table


def test_conform_does_not_copy_values_in_the_tags_order():
    df = pd.DataFrame(np.ones((3, 2)), columns=["a", "b"])
    conformed = payloads.conform(df, ["a", "b"], "X")
    assert np.shares_memory(conformed.to_numpy(), df.to_numpy())
    reordered = payloads.conform(df, ["b", "a"], "X")
    assert list(reordered.columns) == ["b", "a"]


@pytest.mark.parametrize(
    "frame, message",
    [
        (
            pd.DataFrame({"a": [1.0], "b": [True]}),
            "X column 'b' must hold only numbers (found True)",
        ),
        (pd.DataFrame({"a": [1.0], "b": ["x"]}), "X column 'b' must hold only numbers (found 'x')"),
        (
            pd.DataFrame({"a": [1.0], "b": pd.array([None], dtype="Float64")}),
            "X has a missing or non-finite value in column 'b' at row 0",
        ),
    ],
)
def test_conform_names_the_bad_column(frame, message):
    with pytest.raises(BadRequestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        payloads.conform(frame, ["a", "b"], "X")


def test_table_from_frame_reads_every_column_kind():
    index = pd.date_range("2020-01-01", periods=2, freq="10min", tz="UTC")
    columns = pd.MultiIndex.from_tuples(
        [("start", "start"), ("f", "x"), ("i", "y"), ("b", "z"), ("n", "n")]
    )
    df = pd.DataFrame(
        {0: index, 1: [1.5, np.nan], 2: [1, 2], 3: [True, False], 4: [None, None]}, index=index
    )
    df.columns = columns
    payload = Table.from_frame(df).to_payload()
    assert orjson.loads(orjson.dumps(payload)) == {
        "start": {
            "start": {
                "2020-01-01 00:00:00+00:00": "2020-01-01T00:00:00+00:00",
                "2020-01-01 00:10:00+00:00": "2020-01-01T00:10:00+00:00",
            }
        },
        "f": {"x": {"2020-01-01 00:00:00+00:00": 1.5, "2020-01-01 00:10:00+00:00": None}},
        "i": {"y": {"2020-01-01 00:00:00+00:00": 1, "2020-01-01 00:10:00+00:00": 2}},
        "b": {"z": {"2020-01-01 00:00:00+00:00": True, "2020-01-01 00:10:00+00:00": False}},
        "n": {"n": {"2020-01-01 00:00:00+00:00": None, "2020-01-01 00:10:00+00:00": None}},
    }


@pytest.mark.parametrize("tz", ["UTC", "Europe/Oslo", None])
def test_arrow_tables_of_one_layout_are_the_tables_pandas_makes(tz):
    """The first table of a layout goes through pandas; the next ones reuse its schema."""
    index = pd.date_range("2020-03-29", periods=4, freq="30min", tz=tz, unit="us")
    ends = pd.DatetimeIndex([*index[:3] + pd.Timedelta("30min"), pd.NaT])

    def table(seed: int) -> Table:
        values = np.random.default_rng(seed).random(4)
        values[seed % 4] = np.nan
        strided = np.random.default_rng(seed).random((4, 2))[:, 1]
        columns = [("start", "start"), ("end", "end"), ("m", "a"), ("m", "b"), ("m", "c")]
        return Table(
            index, [*columns, ("n", "n")], [index, ends, values, np.arange(4), strided, None]
        )

    first, second = table(1).to_arrow(), table(2)
    expected = second._arrow_via_pandas()
    assert second._arrow_layout() is not None
    fast = second.to_arrow()
    assert fast.equals(expected, check_metadata=True)
    assert frame_codecs.arrow_into_parquet_bytes(fast) == frame_codecs.arrow_into_parquet_bytes(
        expected
    )
    assert first.schema.equals(fast.schema, check_metadata=True)


def _frames() -> list[pd.DataFrame]:
    index = pd.date_range("2020-01-01", periods=3, freq="10min", tz="UTC")
    values = np.array([[1.0, np.nan], [2.0, 3.0], [4.0, 5.0]])
    frames = [
        pd.DataFrame(values, index=index, columns=["a", "b"]),
        pd.DataFrame(values, index=index.tz_convert("Europe/Oslo"), columns=["b", "a"]),
        pd.DataFrame(values, index=index.tz_localize(None).rename("time"), columns=["a", "b"]),
        pd.DataFrame(values, columns=["a", "b"]),
        pd.DataFrame({"a": [1, 2, 3], "b": [1.0, 2.0, 3.0]}, index=index),
        pd.DataFrame(values, index=index, columns=[0, 1]),
    ]
    return frames


@pytest.mark.parametrize("frame", _frames())
def test_parquet_bytes_read_back_as_pyarrow_reads_them(frame):
    import io

    import pyarrow.parquet as pq

    data = utils.dataframe_into_parquet_bytes(frame)
    expected = pq.read_table(io.BytesIO(data)).to_pandas()
    parsed = utils.dataframe_from_parquet_bytes(data)
    pd.testing.assert_frame_equal(parsed, expected, check_exact=True, check_column_type=True)
    assert repr(parsed.index.dtype) == repr(expected.index.dtype)


def test_x_and_y_with_the_same_row_labels_parse_them_once():
    times = {"2020-01-01T00:00:00+00:00": 1.0, "2020-01-01T00:10:00+00:00": 2.0}
    other = {"2020-01-02T00:00:00+00:00": 1.0, "2020-01-02T00:10:00+00:00": 2.0}
    parsed: dict = {}
    X = payloads.frame_from_json({"a": times, "b": times}, "X", parsed)
    y = payloads.frame_from_json({"c": times}, "y", parsed)
    z = payloads.frame_from_json({"c": other}, "y", parsed)
    assert y.index is X.index and len(parsed) == 2
    assert str(z.index[0]) == "2020-01-02 00:00:00+00:00"


@pytest.mark.parametrize("tz", ["UTC", "Europe/Oslo", None, "+05:30"])
@pytest.mark.parametrize(
    "start, freq, unit",
    [
        *[("2020-03-29", "37min", unit) for unit in ("s", "ms", "us", "ns")],
        *[("2020-03-29 00:00:00.5", "250ms", unit) for unit in ("ms", "us", "ns")],
        *[("9999-12-31", "1h", unit) for unit in ("s", "ms", "us")],
    ],
)
def test_time_keys_are_what_pandas_writes(tz, start, freq, unit):
    """Keys as ``DatetimeIndex.astype(str)``, in the index's own unit (no overflow in 9999)."""
    from gordo.server.frames import index_keys, iso_strings

    index = pd.date_range(start, periods=4, freq=freq, tz=tz, unit=unit)
    assert index_keys(index) == index.astype(str).tolist()
    if index.microsecond.max() == 0:
        assert iso_strings(index) == [t.isoformat() for t in index]


@settings(max_examples=150, deadline=None)
@given(
    times=st.lists(
        st.datetimes(min_value=datetime.datetime(1, 1, 1), max_value=datetime.datetime(9999, 1, 1)),
        min_size=1,
        max_size=5,
    ),
    separator=st.sampled_from([" ", "T"]),
    offset=st.sampled_from(["", "+00:00", "-00:00", "+05:30", "-11:00", "+14:00"]),
    garble=st.sampled_from([None, (5, "1"), (8, "3"), (11, "2"), (12, "9"), (14, "6"), (17, "6")]),
)
def test_uniform_time_labels_parse_as_pandas_parses_them(times, separator, offset, garble):
    """numpy's parse of one-layout labels is pandas' ``to_datetime(format="ISO8601")``."""
    labels = [t.replace(microsecond=0).isoformat(separator) + offset for t in times]
    if garble is not None:  # possibly an invalid month, day, hour, minute or second
        position, digit = garble
        labels[0] = labels[0][:position] + digit + labels[0][position + 1 :]
    parsed = frame_codecs.uniform_iso_times(labels)
    try:
        expected = pd.DatetimeIndex(pd.to_datetime(labels, format="ISO8601"))
    except ValueError:
        assert parsed is None
        return
    assert parsed is not None
    pd.testing.assert_index_equal(parsed, expected, exact=True)
    assert repr(parsed.tz) == repr(expected.tz) and parsed.freq is None


@pytest.mark.parametrize(
    "labels",
    [
        ["2020-01-01 00:00:00Z"],
        ["2020-01-01 00:00:00.5+00:00"],
        ["2020-01-01"],
        ["2020-01-01 00:00:00+01:00", "2020-01-01 00:00:00+02:00"],
        ["2020-01-01 00:00:00", "2020-01-01 00:00:00+00:00"],
        ["2020-01-01 00:00:00+0100"],
        ["2020/01/01 00:00:00"],
    ],
)
def test_other_time_labels_are_left_to_pandas(labels):
    assert frame_codecs.uniform_iso_times(labels) is None
    parsed = frame_codecs.parse_labels(labels)
    try:
        expected = pd.DatetimeIndex(pd.to_datetime(labels, format="ISO8601"))
    except ValueError:
        assert not isinstance(parsed, pd.DatetimeIndex)
    else:
        pd.testing.assert_index_equal(parsed, expected, exact=True)


@pytest.mark.parametrize(
    "labels",
    [
        ["2020-01-01 00:00:00+00:00", "2020-01-01 00:10:00+00:00"],
        ["2020-01-01 00:00:00+05:30", "2020-01-01 00:10:00+05:30"],
        ["2020-01-01 00:00:00-00:00", "2020-01-01 00:10:00-00:00"],
        ["2020-01-01 00:00:00", "2020-01-01 00:10:00"],
        ["2020-01-01 00:00:00", "2020-01-02 00:00:00"],
        ["2020-01-01T00:00:00+00:00", "2020-01-01 00:10:00+00:00"],
    ],
)
def test_answers_reuse_the_labels_of_their_request_only_when_they_are_its_keys(labels):
    from gordo.server.frames import index_keys, iso_strings

    index = frame_codecs.parse_labels(labels)
    fresh = index.copy(deep=True)  # other memory: formatted anew
    assert index_keys(index) == index_keys(fresh)
    assert iso_strings(index) == iso_strings(fresh)
    assert index_keys(index[::-1]) == index_keys(fresh[::-1])


def test_a_json_answer_keys_its_rows_by_the_request_labels():
    from gordo.server.frames import index_keys

    labels = ["2020-01-01 00:00:00+00:00", "2020-01-01 00:10:00+00:00"]
    index = frame_codecs.parse_labels(labels)
    assert index_keys(index) is labels
    assert index_keys(index.copy(deep=True)) is not labels


@pytest.mark.parametrize(
    "labels, step",
    [
        (["2020-01-01 00:00:00+00:00", "2020-01-01 00:10:00+00:00"], "10min"),
        (["2020-01-01 00:00:00+00:00", "2020-01-01 00:10:00+00:00"], "5min"),
        (["2020-01-01 00:00:00+01:00", "2020-01-01 00:20:00+01:00"], "20min"),
        (["2020-01-01 00:00:00+00:00", "2020-01-01 00:10:00+00:00"], "250ms"),
        (["2020-01-01 23:00:00", "2020-01-01 23:30:00"], "30min"),
        (["2020-01-01 22:00:00", "2020-01-01 23:00:00", "2020-01-02 01:00:00"], "1h"),
    ],
)
def test_end_times_shifted_from_remembered_keys_are_written_as_anew(labels, step):
    from gordo.server.frames import index_keys, iso_strings, shifted_times, to_offset_lenient

    offset = to_offset_lenient(step)
    shifted = shifted_times(frame_codecs.parse_labels(labels), offset)
    fresh = frame_codecs.parse_labels(labels).copy(deep=True) + offset
    assert index_keys(shifted) == index_keys(fresh)
    assert iso_strings(shifted) == iso_strings(fresh)
