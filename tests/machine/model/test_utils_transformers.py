"""Model utils (frames, metric wrapper) and transformers (InfImputer, multiply_by)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_absolute_error
from sklearn.preprocessing import MinMaxScaler

from gordo import serializer
from gordo.machine.model.transformers.imputer import InfImputer
from gordo.machine.model.utils import make_base_dataframe, metric_wrapper


def test_metric_wrapper_aligns_and_scales():
    y = np.array([[0.0], [10.0], [20.0]])
    scaler = MinMaxScaler().fit(y)
    metric = metric_wrapper(mean_absolute_error, scaler=scaler)
    # y is clipped to its last two rows: mean(|0.6 - 0.5|, |1.0 - 1.0|)
    assert metric(y, np.array([[12.0], [20.0]])) == pytest.approx(0.05)


def test_make_base_dataframe_names_outputs_by_position_without_tags():
    frame = make_base_dataframe(["a", "b"], np.zeros((3, 2)), np.ones((3, 1)))
    assert frame.columns.tolist() == [
        ("model-input", "a"),
        ("model-input", "b"),
        ("model-output", "0"),
    ]
    with pytest.raises(ValueError, match="model output has 1 columns but 2 target tags"):
        make_base_dataframe(["a"], np.zeros((3, 1)), np.ones((3, 1)), target_tag_list=["x", "y"])


def test_inf_imputer_keeps_frames_and_checks_features():
    frame = pd.DataFrame({"a": [1.0, np.inf, -np.inf], "b": [0.0, 1.0, 2.0]})
    out = InfImputer(delta=1.0).fit(frame).transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["a", "b"]
    assert out["a"].tolist() == [1.0, 2.0, 0.0]
    with pytest.raises(ValueError, match="X has 1 features, but InfImputer was fitted with 2"):
        InfImputer().fit(frame).transform(frame[["a"]])
    with pytest.raises(ValueError, match="strategy must be one of"):
        InfImputer(strategy="mean").fit(frame)


@pytest.mark.parametrize("dtypes", ["float64", "float32", {"a": "float32"}, "Float64"])
def test_inf_imputer_extremes_on_a_dataframe(dtypes):
    """``InfImputer(strategy="extremes").fit_transform(df)``: each column's type extremes."""
    df = pd.DataFrame({"a": [1.0, np.inf, 3.0], "b": [-np.inf, 2.0, 4.0]}).astype(dtypes)
    out = InfImputer(strategy="extremes").fit_transform(df)
    assert isinstance(out, pd.DataFrame) and list(out.dtypes) == list(df.dtypes)
    for column in df:
        info = np.finfo(getattr(df[column].dtype, "numpy_dtype", df[column].dtype))
        assert out[column].max() == info.max or out[column].min() == info.min, column
    assert out.loc[0, "a"] == 1.0 and out.loc[2, "b"] == 4.0


def test_multiply_by_in_a_function_transformer_definition():
    transformer = serializer.from_definition(
        {
            "sklearn.preprocessing.FunctionTransformer": {
                "func": "gordo.machine.model.transformer_funcs.general.multiply_by",
                "kw_args": {"factor": 2},
            }
        }
    )
    np.testing.assert_array_equal(transformer.fit_transform(np.array([[1.0, 2.0]])), [[2.0, 4.0]])
