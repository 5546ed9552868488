"""The stub writer: a model read with stand-ins and written again loads as the same model."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from gordo.machine.model.anomaly.diff import DiffBasedAnomalyDetector
from gordo.machine.model.light.unpickle import stub_class, stub_loads
from gordo.machine.model.light.writer import stub_dumps
from gordo.machine.model.models import KerasAutoEncoder


def _state(obj):
    """A comparable form of an estimator: its class and state, recursively."""
    if hasattr(obj, "get_params") and hasattr(obj, "__getstate__"):
        return (type(obj).__qualname__, _state(obj.__getstate__()))
    if isinstance(obj, dict):
        return {k: _state(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_state(v) for v in obj)
    if isinstance(obj, np.ndarray):
        values = obj.tolist() if obj.dtype == object else obj.tobytes()
        return ("array", obj.dtype.str, obj.shape, values)
    if isinstance(obj, pd.Series | pd.DataFrame):
        return ("pandas", obj.to_json())
    return obj


@pytest.fixture(scope="module")
def detector():
    index = pd.date_range("2020-01-01", periods=120, freq="10min", tz="UTC")
    X = pd.DataFrame(np.random.default_rng(3).random((120, 3)), index=index, columns=list("abc"))
    model = DiffBasedAnomalyDetector(
        base_estimator=Pipeline(
            [("scale", MinMaxScaler()), ("ae", KerasAutoEncoder(kind="feedforward_hourglass"))]
        ),
        scaler=StandardScaler(),
        window=4,
    )
    model.cross_validate(X=X, y=X)
    return model.fit(X, X), X


def test_a_model_written_from_its_stubs_loads_as_itself(detector):
    model, X = detector
    again = pickle.loads(stub_dumps(stub_loads(pickle.dumps(model, protocol=5))))
    assert type(again) is DiffBasedAnomalyDetector
    assert _state(again) == _state(model)
    pd.testing.assert_frame_equal(again.anomaly(X, X), model.anomaly(X, X), check_exact=True)


def test_nested_class_names_are_written_whole():
    stub = stub_class("collections", "OrderedDict")()
    assert pickle.loads(stub_dumps([stub, stub])) == [{}, {}]
    assert stub_class("a.b", "Outer.Inner").qualname == "Outer.Inner"


def test_stubs_made_with_keyword_arguments_are_refused():
    stub = stub_class("argparse", "Namespace")(epochs=3)
    with pytest.raises(pickle.PicklingError, match="keyword arguments"):
        stub_dumps(stub)
