"""The serializer with gordo's Keras wrappers: the seed examples of §1.6, aliases, artifacts."""

from __future__ import annotations

from tempfile import TemporaryDirectory

import numpy as np
import pytest
import yaml
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from gordo import serializer
from gordo.exceptions import ConfigException, DefinitionImportError
from gordo.machine.model.models import KerasAutoEncoder
from gordo.serializer.into_definition import into_definition
from tests.builder.helpers import keras_pipeline

QUICK_START_MODEL = """
sklearn.pipeline.Pipeline:
  steps:
    - sklearn.preprocessing.MinMaxScaler
    - gordo.model.models.KerasAutoEncoder:
        kind: feedforward_hourglass
"""


def _data(rows: int = 64, cols: int = 4) -> np.ndarray:
    return np.random.default_rng(0).random((rows, cols)).astype("float32")


def test_seed_dump_example():
    pipe = Pipeline([("pca", PCA(3)), ("model", KerasAutoEncoder(kind="feedforward_hourglass"))])
    with TemporaryDirectory() as tmp:
        serializer.dump(obj=pipe, dest_dir=tmp)
        pipe_clone = serializer.load(source_dir=tmp)
    assert isinstance(pipe_clone.steps[1][1], KerasAutoEncoder)
    assert pipe_clone.steps[1][1].kind == "feedforward_hourglass"


def test_seed_dumps_example():
    model = KerasAutoEncoder("feedforward_symmetric")
    serialized = serializer.dumps(model)
    assert isinstance(serialized, bytes)
    model_clone = serializer.loads(serialized)
    assert isinstance(model_clone, KerasAutoEncoder)


def test_seed_into_definition_example():
    pipe = Pipeline([("pca", PCA(4)), ("ae", KerasAutoEncoder(kind="feedforward_model"))])
    pipe_definition = into_definition(pipe)  # It is now a standard python dict of primitives.
    text = yaml.dump(pipe_definition)
    assert text.startswith("sklearn.pipeline.Pipeline:\n  memory: null\n  steps:\n")
    assert (
        "  - gordo.machine.model.models.KerasAutoEncoder:\n      kind: feedforward_model\n" in text
    )
    steps = pipe_definition["sklearn.pipeline.Pipeline"]["steps"]
    assert steps[0]["sklearn.decomposition._pca.PCA"]["n_components"] == 4
    assert steps[1] == {
        "gordo.machine.model.models.KerasAutoEncoder": {"kind": "feedforward_model"}
    }


def test_quick_start_model_with_legacy_path_builds_and_fits():
    pipe = serializer.from_definition(yaml.safe_load(QUICK_START_MODEL))
    assert isinstance(pipe.steps[0][1], MinMaxScaler)
    model = pipe.steps[1][1]
    assert isinstance(model, KerasAutoEncoder) and model.kind == "feedforward_hourglass"
    X = _data()
    pipe.set_params(step_1__epochs=1)
    assert pipe.fit(X).predict(X).shape == X.shape


def test_keras_definition_round_trip():
    definition = keras_pipeline("KerasAutoEncoder", kind="feedforward_hourglass", epochs=2)
    pipe = serializer.from_definition(definition)
    again = serializer.into_definition(pipe, prune_default_params=True)
    assert again["sklearn.pipeline.Pipeline"]["steps"][1] == {
        "gordo.machine.model.models.KerasAutoEncoder": {
            "kind": "feedforward_hourglass",
            "epochs": 2,
        }
    }
    rebuilt = serializer.from_definition(again)
    assert rebuilt.steps[1][1].get_params() == pipe.steps[1][1].get_params()


def test_fitted_keras_pipeline_artifact_predicts_identically(tmp_path):
    X = _data()
    pipe = serializer.from_definition(
        {
            "sklearn.pipeline.Pipeline": [
                "sklearn.preprocessing.MinMaxScaler",
                {
                    "gordo.machine.model.models.KerasAutoEncoder": {
                        "kind": "feedforward_hourglass",
                        "epochs": 1,
                    }
                },
            ]
        }
    ).fit(X)
    serializer.dump(pipe, tmp_path / "m", metadata={"name": "m"})
    clone = serializer.load(tmp_path / "m")
    np.testing.assert_allclose(clone.predict(X), pipe.predict(X), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        serializer.loads(serializer.dumps(pipe)).predict(X), pipe.predict(X), rtol=1e-6, atol=1e-6
    )


def test_unknown_keras_wrapper_names_close_match():
    with pytest.raises(DefinitionImportError, match="KerasAutoEncoder"):
        serializer.from_definition(
            {"gordo.model.models.KerasAutoEncodr": {"kind": "feedforward_hourglass"}}
        )


def test_keras_wrapper_without_kind_is_a_config_error():
    with pytest.raises(ConfigException, match="kind"):
        serializer.from_definition({"gordo.machine.model.models.KerasAutoEncoder": {"epochs": 1}})


def test_tensorflow_keras_paths_resolve_to_keras_3():
    import keras

    layer = serializer.from_definition(
        {"tensorflow.keras.layers.Dense": {"units": 3, "activation": "relu"}}
    )
    assert isinstance(layer, keras.layers.Dense) and layer.units == 3
    model = serializer.from_definition(
        {
            "tensorflow.keras.models.Sequential": {
                "layers": [{"tensorflow.keras.layers.Dense": {"units": 2}}]
            }
        }
    )
    assert isinstance(model, keras.Sequential)


SEED_ANOMALY_MODELS = [
    """
    gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector:
      base_estimator:
        sklearn.pipeline.Pipeline:
          steps:
            - sklearn.preprocessing.MinMaxScaler
            - gordo.machine.model.models.KerasAutoEncoder:
                kind: feedforward_hourglass
    """,
    """
    gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector:
      base_estimator:
        sklearn.pipeline.Pipeline:
          steps:
          - sklearn.decomposition.PCA
          - sklearn.multioutput.MultiOutputRegressor:
              estimator: sklearn.linear_model.LinearRegression
    """,
]


@pytest.mark.parametrize("text", SEED_ANOMALY_MODELS, ids=["keras", "sklearn"])
def test_seed_anomaly_model_definitions_round_trip(text):
    from gordo.machine.model.anomaly.diff import DiffBasedAnomalyDetector

    model = serializer.from_definition(yaml.safe_load(text))
    assert isinstance(model, DiffBasedAnomalyDetector)
    assert isinstance(model.base_estimator, Pipeline)
    definition = yaml.safe_load(yaml.safe_dump(serializer.into_definition(model)))
    rebuilt = serializer.from_definition(definition)
    assert serializer.into_definition(rebuilt) == definition
