"""Tests of gordo.serializer.into_definition."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler

from gordo import serializer
from gordo.exceptions import DefinitionParameterError
from gordo.serializer.into_definition import into_definition, load_definition_from_params
from tests.serializer.custom_estimators import SelfDescribing, SelfDescribingWhole


def test_pipeline_definition_is_yaml_of_primitives():
    pipe = Pipeline([("pca", PCA(4)), ("scale", MinMaxScaler())])
    definition = into_definition(pipe)
    text = yaml.safe_dump(definition)  # only primitives: safe_dump would fail otherwise
    assert yaml.safe_load(text) == definition
    steps = definition["sklearn.pipeline.Pipeline"]["steps"]
    assert steps[0]["sklearn.decomposition._pca.PCA"]["n_components"] == 4
    assert steps[1]["sklearn.preprocessing._data.MinMaxScaler"]["feature_range"] == [0, 1]


def test_definition_rebuilds_an_equivalent_pipeline():
    pipe = Pipeline(
        [("pca", PCA(2)), ("union", FeatureUnion([("a", MinMaxScaler()), ("b", PCA(1))]))]
    )
    rebuilt = serializer.from_definition(into_definition(pipe))
    X = np.random.default_rng(0).random((20, 4))
    np.testing.assert_allclose(rebuilt.fit_transform(X), pipe.fit_transform(X))
    assert into_definition(rebuilt) == into_definition(pipe)


def test_prune_default_params():
    definition = into_definition(
        Pipeline([("pca", PCA(4, whiten=True))]), prune_default_params=True
    )
    assert definition == {
        "sklearn.pipeline.Pipeline": {
            "steps": [{"sklearn.decomposition._pca.PCA": {"n_components": 4, "whiten": True}}]
        }
    }


def test_prune_keeps_values_of_another_type_than_the_default():
    # max_features=1 (one feature) and 1.0 (all features) mean different things
    from sklearn.ensemble import RandomForestRegressor

    definition = into_definition(RandomForestRegressor(max_features=1), prune_default_params=True)
    assert definition["sklearn.ensemble._forest.RandomForestRegressor"] == {"max_features": 1}


def test_prune_treats_nan_defaults_as_equal():
    definition = into_definition(SimpleImputer(), prune_default_params=True)
    assert definition == {"sklearn.impute._base.SimpleImputer": {}}


def test_functions_and_nested_estimators():
    model = TransformedTargetRegressor(
        regressor=Ridge(alpha=2.0), func=np.log1p, inverse_func=np.expm1
    )
    params = into_definition(model, prune_default_params=True)[
        "sklearn.compose._target.TransformedTargetRegressor"
    ]
    assert params == {
        "regressor": {"sklearn.linear_model._ridge.Ridge": {"alpha": 2.0}},
        "func": "numpy.log1p",
        "inverse_func": "numpy.expm1",
    }


def test_function_transformer_with_kw_args():
    transformer = FunctionTransformer(np.clip, kw_args={"a_min": np.float64(0.0), "a_max": 1})
    params = into_definition(transformer, prune_default_params=True)[
        "sklearn.preprocessing._function_transformer.FunctionTransformer"
    ]
    assert params == {"func": "numpy.clip", "kw_args": {"a_min": 0.0, "a_max": 1}}
    assert type(params["kw_args"]["a_min"]) is float


def test_column_transformer_triples_become_lists_and_round_trip():
    model = ColumnTransformer([("scale", MinMaxScaler(), [0, 1]), ("pca", PCA(1), [2, 3])])
    definition = into_definition(model)
    transformers = definition["sklearn.compose._column_transformer.ColumnTransformer"][
        "transformers"
    ]
    assert transformers[0][0] == "scale" and transformers[0][2] == [0, 1]
    rebuilt = serializer.from_definition(definition)
    X = np.random.default_rng(0).random((10, 4))
    np.testing.assert_allclose(rebuilt.fit_transform(X), model.fit_transform(X))


def test_multi_output_regressor():
    definition = into_definition(MultiOutputRegressor(Ridge()), prune_default_params=True)
    assert definition == {
        "sklearn.multioutput.MultiOutputRegressor": {
            "estimator": {"sklearn.linear_model._ridge.Ridge": {}}
        }
    }


def test_numpy_values_become_python_values():
    params = load_definition_from_params(
        {
            "a": np.int64(3),
            "b": np.array([1.5, 2.5]),
            "c": (1, np.float32(2.0)),
            "d": np.bool_(True),
        }
    )
    assert params == {"a": 3, "b": [1.5, 2.5], "c": [1, 2.0], "d": True}
    assert [type(v) for v in (params["a"], params["d"])] == [int, bool]


def test_object_with_into_definition_returning_params():
    definition = into_definition(Pipeline([("m", SelfDescribing(kind="x", epochs=3))]))
    assert definition["sklearn.pipeline.Pipeline"]["steps"] == [
        {"tests.serializer.custom_estimators.SelfDescribing": {"kind": "x", "epochs": 3}}
    ]


def test_object_with_into_definition_returning_whole_definition():
    assert into_definition(SelfDescribingWhole(kind="y", epochs=2)) == {
        "tests.serializer.custom_estimators.SelfDescribingWhole": {"kind": "y"}
    }


def test_lambda_cannot_be_written():
    with pytest.raises(DefinitionParameterError, match="not importable"):
        into_definition(FunctionTransformer(lambda x: x))


def test_passthrough_steps():
    pipe = Pipeline([("a", "passthrough"), ("b", MinMaxScaler())])
    definition = into_definition(pipe)
    assert definition["sklearn.pipeline.Pipeline"]["steps"][0] == "passthrough"
    rebuilt = serializer.from_definition(definition)
    assert rebuilt.steps[0] == ("step_0", "passthrough")


def test_object_without_get_params_is_refused():
    with pytest.raises(DefinitionParameterError, match="neither get_params"):
        into_definition(42)
