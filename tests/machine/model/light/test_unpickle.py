"""Stub unpickling: foreign classes recorded, numpy/pandas restored for real."""

from __future__ import annotations

import collections
import decimal
import pickle

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.preprocessing import MinMaxScaler

from gordo.machine.model.light.unpickle import Stub, stub_class, stub_loads

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.tuples(inner, inner)
    ),
    max_leaves=20,
)


@given(plain)
def test_plain_data_round_trips(value):
    assert stub_loads(pickle.dumps(value, protocol=5)) == value


@given(hnp.arrays(hnp.floating_dtypes(), hnp.array_shapes(max_dims=3, max_side=5)))
def test_numpy_arrays_are_real(array):
    loaded = stub_loads(pickle.dumps(array, protocol=5))
    assert isinstance(loaded, np.ndarray)
    np.testing.assert_array_equal(loaded, array)


def test_pandas_objects_are_real():
    series = pd.Series([1.0, np.nan], index=pd.Index(["a", "b"], dtype="str"))
    loaded = stub_loads(pickle.dumps({"thresholds": series}, protocol=5))["thresholds"]
    pd.testing.assert_series_equal(loaded, series)


def test_foreign_class_becomes_a_stub_with_its_state():
    scaler = MinMaxScaler(clip=True).fit([[0.0], [2.0]])
    stub = stub_loads(pickle.dumps(scaler, protocol=5))
    assert isinstance(stub, Stub) and not isinstance(stub, MinMaxScaler)
    assert stub.path == "sklearn.preprocessing._data.MinMaxScaler"
    assert stub.state["clip"] is True
    np.testing.assert_array_equal(stub.state["scale_"], scaler.scale_)


def test_reduce_arguments_are_kept():
    stub = stub_loads(pickle.dumps(decimal.Decimal("1.5")))
    assert (stub.path, stub.args) == ("decimal.Decimal", ("1.5",))
    assert stub_loads(pickle.dumps(collections.Counter("aab"))) == collections.Counter("aab")


def test_one_stub_class_per_path():
    assert stub_class("a.b.C") is stub_class("a.b.C")
    assert stub_class("a.b.C").__name__ == "C"
    assert repr(stub_class("a.b.C")()) == "<stub of a.b.C>"
