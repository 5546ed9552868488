"""Tests of gordo.serializer.from_definition."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.ensemble import RandomForestClassifier, VotingRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, RobustScaler

from gordo import serializer
from gordo.exceptions import ConfigException, DefinitionImportError, DefinitionParameterError
from gordo.serializer.from_definition import (
    from_definition,
    import_locate,
    load_params_from_definition,
)

SEED_EXAMPLE = """
sklearn.pipeline.Pipeline:
    steps:
        - sklearn.decomposition.PCA:
            n_components: 3
        - sklearn.pipeline.FeatureUnion:
            - sklearn.decomposition.PCA:
                n_components: 3
            - sklearn.pipeline.Pipeline:
                - sklearn.preprocessing.MinMaxScaler
                - sklearn.decomposition.TruncatedSVD:
                    n_components: 2
        - sklearn.ensemble.RandomForestClassifier:
            max_depth: 3
"""


def test_seed_example_builds_the_nested_pipeline():
    pipe = serializer.from_definition(yaml.safe_load(SEED_EXAMPLE))
    assert isinstance(pipe, Pipeline)
    (_, pca), (_, union), (_, forest) = pipe.steps
    assert isinstance(pca, PCA) and pca.n_components == 3
    assert isinstance(union, FeatureUnion)
    (_, inner_pca), (_, inner_pipe) = union.transformer_list
    assert inner_pca.n_components == 3
    assert isinstance(inner_pipe.steps[0][1], MinMaxScaler)
    assert isinstance(inner_pipe.steps[1][1], TruncatedSVD)
    assert inner_pipe.steps[1][1].n_components == 2
    assert isinstance(forest, RandomForestClassifier) and forest.max_depth == 3


def test_seed_example_pipeline_fits_and_predicts():
    rng = np.random.default_rng(0)
    X = rng.random((40, 6))
    y = (X[:, 0] > 0.5).astype(int)
    pipe = from_definition(yaml.safe_load(SEED_EXAMPLE))
    assert pipe.fit(X, y).predict(X).shape == (40,)


def test_bare_import_path_and_none_params():
    assert isinstance(from_definition("sklearn.preprocessing.MinMaxScaler"), MinMaxScaler)
    assert isinstance(from_definition({"sklearn.preprocessing.MinMaxScaler": None}), MinMaxScaler)


def test_pipeline_params_mapping_with_memory_and_verbose():
    pipe = from_definition(
        {
            "sklearn.pipeline.Pipeline": {
                "steps": ["sklearn.preprocessing.MinMaxScaler"],
                "verbose": True,
            }
        }
    )
    assert pipe.verbose is True
    assert pipe.steps[0][0] == "step_0"


def test_named_steps_keep_their_names():
    pipe = from_definition(
        {
            "sklearn.pipeline.Pipeline": {
                "steps": [["scale", "sklearn.preprocessing.MinMaxScaler"], "passthrough"]
            }
        }
    )
    assert [name for name, _ in pipe.steps] == ["scale", "step_1"]
    assert pipe.steps[1][1] == "passthrough"


def test_parameters_that_are_definitions():
    model = from_definition(
        {
            "sklearn.compose.TransformedTargetRegressor": {
                "regressor": {"sklearn.linear_model.Ridge": {"alpha": 2.0}},
                "transformer": "sklearn.preprocessing.MinMaxScaler",
            }
        }
    )
    assert isinstance(model, TransformedTargetRegressor)
    assert isinstance(model.regressor, Ridge) and model.regressor.alpha == 2.0
    assert isinstance(model.transformer, MinMaxScaler)


def test_function_transformer_func_and_kw_args():
    transformer = from_definition(
        {
            "sklearn.preprocessing.FunctionTransformer": {
                "func": "numpy.clip",
                "kw_args": {"a_min": 0, "a_max": 1},
            }
        }
    )
    assert isinstance(transformer, FunctionTransformer)
    assert transformer.func is np.clip
    assert transformer.kw_args == {"a_min": 0, "a_max": 1}
    np.testing.assert_array_equal(transformer.fit_transform(np.array([[-1.0, 2.0]])), [[0.0, 1.0]])


def test_kw_args_values_may_be_definitions():
    transformer = from_definition(
        {
            "sklearn.preprocessing.FunctionTransformer": {
                "func": "sklearn.utils.shuffle",
                "kw_args": {"random_state": 3, "scaler": "sklearn.preprocessing.MinMaxScaler"},
            }
        }
    )
    assert isinstance(transformer.kw_args["scaler"], MinMaxScaler)
    assert transformer.kw_args["random_state"] == 3


def test_multi_output_regressor_estimator():
    model = from_definition(
        {"sklearn.multioutput.MultiOutputRegressor": {"estimator": "sklearn.linear_model.Ridge"}}
    )
    assert isinstance(model, MultiOutputRegressor) and isinstance(model.estimator, Ridge)


def test_column_transformer_triples_become_tuples():
    model = from_definition(
        yaml.safe_load(
            """
            sklearn.compose.ColumnTransformer:
              transformers:
                - [scale, sklearn.preprocessing.MinMaxScaler, [0, 1]]
                - [pca, {sklearn.decomposition.PCA: {n_components: 1}}, [2, 3]]
              remainder: drop
            """
        )
    )
    assert isinstance(model, ColumnTransformer)
    (n1, t1, c1), (n2, t2, c2) = model.transformers
    assert (n1, c1, n2, c2) == ("scale", [0, 1], "pca", [2, 3])
    assert isinstance(t1, MinMaxScaler) and isinstance(t2, PCA)
    assert model.fit_transform(np.random.default_rng(0).random((10, 4))).shape == (10, 3)


def test_voting_regressor_named_estimators():
    model = from_definition(
        {
            "sklearn.ensemble.VotingRegressor": {
                "estimators": [
                    ["lr", "sklearn.linear_model.LinearRegression"],
                    ["r", "sklearn.linear_model.Ridge"],
                ]
            }
        }
    )
    assert isinstance(model, VotingRegressor)
    assert [(n, type(e)) for n, e in model.estimators] == [("lr", LinearRegression), ("r", Ridge)]


def test_yaml_lists_become_tuples_where_the_estimator_needs_them():
    scaler = from_definition({"sklearn.preprocessing.RobustScaler": {"quantile_range": [10, 90]}})
    assert isinstance(scaler, RobustScaler) and scaler.quantile_range == (10, 90)
    scaler.fit(np.arange(10.0).reshape(-1, 1))  # parameter validation accepts it


def test_from_definition_classmethod_gets_raw_params():
    built = from_definition(
        {"tests.serializer.custom_estimators.SelfBuilding": {"kind": "x.y", "n": [1, 2]}}
    )
    assert built.received == {"kind": "x.y", "n": [1, 2]}


def test_from_definition_classmethod_gets_a_copy():
    params = {"nested": {"a": 1}}
    built = from_definition({"tests.serializer.custom_estimators.SelfBuilding": params})
    built.received["nested"]["a"] = 2
    assert params == {"nested": {"a": 1}}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("gordo.model.models.KerasAutoEncoder", "gordo.machine.model.models.KerasAutoEncoder"),
        ("tensorflow.keras.optimizers.Adam", "keras.optimizers.Adam"),
    ],
)
def test_alias_candidates(written, expected):
    from gordo.serializer.import_paths import candidate_paths

    assert candidate_paths(written) == [expected, written]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("gordo_dataset.sensor_tag.SensorTag", "gordo.dataset.sensor_tag.SensorTag"),
        ("gordo_core.sensor_tag.SensorTag", "gordo.dataset.sensor_tag.SensorTag"),
        ("gordo_core.time_series.TimeSeriesDataset", "gordo.dataset.datasets.TimeSeriesDataset"),
        (
            "gordo_core.data_providers.providers.RandomDataProvider",
            "gordo.dataset.data_provider.providers.RandomDataProvider",
        ),
        (
            "gordo_dataset.data_provider.providers.RandomDataProvider",
            "gordo.dataset.data_provider.providers.RandomDataProvider",
        ),
    ],
)
def test_data_package_aliases_resolve_to_gordo_dataset(written, expected):
    assert import_locate(written) is import_locate(expected)


def test_data_package_typo_suggests_the_right_name():
    with pytest.raises(DefinitionImportError, match="did you mean: .*TimeSeriesDataset"):
        import_locate("gordo_core.time_series.TimeSeriesDatset")


def test_alias_resolution_to_gordo_machine_model(monkeypatch):
    import sys
    import types

    module = types.ModuleType("gordo.machine.model.fake_models")

    class FakeModel:
        def __init__(self, kind="a"):
            self.kind = kind

        def get_params(self, deep=False):
            return {"kind": self.kind}

    FakeModel.__module__ = module.__name__
    module.FakeModel = FakeModel
    monkeypatch.setitem(sys.modules, module.__name__, module)
    built = from_definition({"gordo.model.fake_models.FakeModel": {"kind": "b"}})
    assert isinstance(built, FakeModel) and built.kind == "b"


def test_unknown_class_names_closest_matches():
    with pytest.raises(DefinitionImportError) as info:
        from_definition({"sklearn.decomposition.PCB": {"n_components": 2}})
    message = str(info.value)
    assert "sklearn.decomposition.PCB" in message
    assert "sklearn.decomposition.PCA" in message


def test_unknown_module_names_closest_module():
    with pytest.raises(DefinitionImportError, match="sklearn.decomposition") as info:
        from_definition("sklearn.decompositon.PCA")
    assert "sklearn.decompositon.PCA" in str(info.value)


def test_unknown_top_level_package():
    with pytest.raises(DefinitionImportError, match="no module named 'sklaern'.*sklearn"):
        from_definition("sklaern.decomposition.PCA")


def test_unknown_nested_path_names_location():
    with pytest.raises(DefinitionImportError, match=r"at sklearn.pipeline.Pipeline.steps\[1\]"):
        from_definition(
            {
                "sklearn.pipeline.Pipeline": [
                    "sklearn.preprocessing.MinMaxScaler",
                    "sklearn.decomposition.PCX",
                ]
            }
        )


def test_misspelled_string_parameter_path_is_an_error_not_a_string():
    with pytest.raises(DefinitionImportError, match="MinMaxScalr"):
        from_definition(
            {
                "sklearn.compose.TransformedTargetRegressor": {
                    "transformer": "sklearn.preprocessing.MinMaxScalr"
                }
            }
        )


def test_dotted_strings_that_are_not_import_paths_stay_strings():
    pipe = from_definition(
        {
            "sklearn.pipeline.Pipeline": {
                "steps": ["sklearn.preprocessing.MinMaxScaler"],
                "memory": "cache.dir",
            }
        }
    )
    assert pipe.memory == "cache.dir"


def test_unknown_parameter_names_estimator_parameter_and_valid_ones():
    with pytest.raises(DefinitionParameterError) as info:
        from_definition(
            {"sklearn.preprocessing.MinMaxScaler": {"feature_rnge": [0, 1], "bogus": 1}}
        )
    message = str(info.value)
    assert "sklearn.preprocessing.MinMaxScaler" in message
    assert "'feature_rnge' (did you mean 'feature_range'?)" in message
    assert "'bogus'" in message
    assert "valid parameters: clip, copy, feature_range" in message


def test_unknown_parameter_in_nested_step_names_location():
    with pytest.raises(
        DefinitionParameterError, match=r"PCA \(at sklearn.pipeline.Pipeline.steps\[0\]\)"
    ):
        from_definition({"sklearn.pipeline.Pipeline": [{"sklearn.decomposition.PCA": {"n": 1}}]})


def test_missing_required_parameter_is_a_parameter_error():
    with pytest.raises(DefinitionParameterError, match="sklearn.multioutput.MultiOutputRegressor"):
        from_definition("sklearn.multioutput.MultiOutputRegressor")


@pytest.mark.parametrize(
    "bad",
    [
        {"a.b": {}, "c.d": {}},
        {},
        42,
        ["sklearn.preprocessing.MinMaxScaler"],
        {"sklearn.preprocessing.MinMaxScaler": 3},
        {"sklearn.preprocessing.MinMaxScaler": ["sklearn.decomposition.PCA"]},
    ],
)
def test_badly_shaped_definitions_raise_config_exception(bad):
    with pytest.raises(ConfigException, match="sklearn|definition|mapping"):
        from_definition(bad)


def test_not_an_import_path():
    with pytest.raises(DefinitionImportError, match="not a dotted import path"):
        from_definition("MinMaxScaler")


def test_errors_are_never_bare_builtin_errors():
    for bad in ["sklearn.nothing.Here", {"sklearn.decomposition.PCA": {"x": 1}}, {"x": 1, "y": 2}]:
        with pytest.raises((DefinitionImportError, DefinitionParameterError, ConfigException)):
            from_definition(bad)


def test_import_locate_functions_and_modules():
    assert import_locate("numpy.log1p") is np.log1p
    assert import_locate("sklearn.decomposition.PCA") is PCA
    assert import_locate("numpy.linalg").__name__ == "numpy.linalg"


def test_import_locate_real_import_error_is_reported(tmp_path, monkeypatch):
    package = tmp_path / "brokenpkg_for_gordo_test"
    package.mkdir()
    (package / "__init__.py").write_text("import this_dependency_does_not_exist_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("GORDO_ALLOWED_IMPORTS", "brokenpkg_for_gordo_test")
    with pytest.raises(DefinitionImportError, match="this_dependency_does_not_exist_xyz"):
        import_locate("brokenpkg_for_gordo_test.Thing")


def test_load_params_from_definition():
    params = load_params_from_definition(
        {"base_estimator": {"sklearn.decomposition.PCA": {"n_components": 2}}, "n": 3, "s": "auto"}
    )
    assert isinstance(params["base_estimator"], PCA)
    assert params["base_estimator"].n_components == 2
    assert (params["n"], params["s"]) == (3, "auto")


def test_load_params_from_definition_requires_mapping():
    with pytest.raises(ConfigException, match="mapping"):
        load_params_from_definition(["a"])


def test_non_estimator_classes_resolve_to_the_class():
    assert (
        from_definition({"sklearn.preprocessing.OneHotEncoder": {"dtype": "numpy.float32"}}).dtype
        is np.float32
    )


def test_type_error_in_a_from_definition_classmethod_is_a_parameter_error():
    with pytest.raises(DefinitionParameterError, match="tests.serializer.custom_estimators.Strict"):
        from_definition({"tests.serializer.custom_estimators.Strict": {"unknown": 1}})


def test_any_mapping_is_a_definition():
    from collections import OrderedDict
    from types import MappingProxyType

    definition = MappingProxyType(
        {
            "sklearn.pipeline.Pipeline": OrderedDict(
                steps=[{"sklearn.decomposition.PCA": MappingProxyType({"n_components": 2})}]
            )
        }
    )
    pipe = from_definition(definition)
    assert pipe.steps[0][1].n_components == 2


def test_from_definition_classmethod_gets_plain_dicts():
    from types import MappingProxyType

    built = from_definition(
        {
            "tests.serializer.custom_estimators.SelfBuilding": MappingProxyType(
                {"a": MappingProxyType({"b": [1]})}
            )
        }
    )
    assert built.received == {"a": {"b": [1]}}
    assert type(built.received) is dict and type(built.received["a"]) is dict
