"""Keras wrappers: training, prediction, parameters, errors, pickling and definitions."""

from __future__ import annotations

import copyreg
import io
import json
import pickle
import random

import numpy as np
import pytest
from sklearn.base import clone

from gordo import serializer
from gordo.exceptions import ArtifactError, ConfigException, DefinitionParameterError
from gordo.machine.model import fast_path
from gordo.machine.model.models import (
    KerasAutoEncoder,
    KerasLSTMAutoEncoder,
    KerasLSTMForecast,
    KerasRawModelRegressor,
)
from gordo.machine.model.nn_basics import KERAS_ARCHIVE_FORMAT

AE = {"kind": "feedforward_hourglass", "epochs": 2, "batch_size": 16}
LSTM = {"kind": "lstm_hourglass", "encoding_layers": 1, "epochs": 1, "batch_size": 16}


@pytest.fixture(scope="module")
def fitted(frame):
    return KerasAutoEncoder(**AE).fit(frame)


def test_fit_predict_and_history(fitted, frame):
    assert fitted.predict(frame).shape == frame.shape
    history = fitted.get_metadata()["history"]
    assert len(history["loss"]) == 2
    assert history["params"]["epochs"] == 2
    assert history["params"]["steps"] == 4  # ceil(60 / 16)
    assert history["params"]["metrics"] == ["loss"]
    assert all(np.isfinite(history["loss"]))


def test_fit_arguments_at_fit_time_override_parameters(frame):
    model = KerasAutoEncoder(**AE).fit(frame, epochs=3)
    assert len(model.get_metadata()["history"]["loss"]) == 3
    with pytest.raises(TypeError, match="unsupported argument.*sample_weight"):
        model.fit(frame, sample_weight=np.ones(len(frame)))


def test_training_reduces_the_loss(frame):
    model = KerasAutoEncoder(kind="feedforward_hourglass", epochs=30, batch_size=8).fit(frame)
    loss = model.get_metadata()["history"]["loss"]
    assert loss[-1] < loss[0]


def test_validation_split_records_val_loss(frame):
    model = KerasAutoEncoder(**AE, validation_split=0.25).fit(frame)
    history = model.get_metadata()["history"]
    assert len(history["val_loss"]) == 2
    assert history["params"]["steps"] == 3  # 45 training rows


def test_callbacks_given_as_definitions_and_compiled_metrics(frame):
    # Keras' own fit loop runs these (the compiled loop covers neither).
    callback = {"tensorflow.keras.callbacks.EarlyStopping": {"monitor": "loss", "patience": 0}}
    model = KerasAutoEncoder(
        **{**AE, "epochs": 3}, callbacks=[callback], compile_kwargs={"metrics": ["mae"]}
    ).fit(frame)
    history = model.get_metadata()["history"]
    assert 1 <= len(history["loss"]) == len(history["mae"]) <= 3
    assert model.get_params()["callbacks"] == [callback]


def test_callable_kind_and_its_definition(frame):
    from gordo.machine.model.factories.feedforward_autoencoder import feedforward_hourglass

    model = KerasAutoEncoder(kind=feedforward_hourglass, epochs=1, batch_size=16).fit(frame)
    definition = serializer.into_definition(model)
    path = "gordo.machine.model.factories.feedforward_autoencoder.feedforward_hourglass"
    assert definition["gordo.machine.model.models.KerasAutoEncoder"]["kind"] == path
    rebuilt = serializer.from_definition(definition).fit(frame)
    assert rebuilt.predict(frame).shape == frame.shape


def test_score_is_explained_variance(fitted, frame):
    from sklearn.metrics import explained_variance_score

    expected = explained_variance_score(frame, fitted.predict(frame))
    assert fitted.score(frame, frame) == pytest.approx(expected)


def test_unknown_kind_lists_registered_kinds(frame):
    with pytest.raises(
        ConfigException, match="registered kinds: feedforward_hourglass, feedforward_model"
    ):
        KerasAutoEncoder(kind="lstm_model").fit(frame)
    with pytest.raises(ConfigException, match="lstm_hourglass, lstm_model, lstm_symmetric"):
        serializer.from_definition(
            {"gordo.machine.model.models.KerasLSTMForecast": {"kind": "nope"}}
        )


def test_unknown_factory_parameter_is_named():
    with pytest.raises(
        DefinitionParameterError, match="does not take parameter\\(s\\) 'encoding_layer'"
    ):
        serializer.from_definition(
            {
                "gordo.machine.model.models.KerasAutoEncoder": {
                    "kind": "feedforward_hourglass",
                    "encoding_layer": 2,
                }
            }
        )


def test_feature_count_mismatch_names_both_numbers(fitted, frame):
    with pytest.raises(
        ValueError, match="X has 2 features, but the model was fitted with 3 features"
    ):
        fitted.predict(frame.iloc[:, :2])


def test_non_finite_input_names_the_column(fitted, frame):
    bad = frame.copy()
    bad.iloc[5, 1] = np.inf
    with pytest.raises(ValueError, match="X has NaN or infinite values in column 'tag-b'"):
        fitted.predict(bad)
    bad.iloc[5, 1] = np.nan
    with pytest.raises(ValueError, match="column 'tag-b'"):
        KerasAutoEncoder(**AE).fit(bad)


def test_rows_must_match(frame):
    with pytest.raises(ValueError, match="X has 60 rows but y has 59"):
        KerasAutoEncoder(**AE).fit(frame, frame.iloc[1:])


def test_get_set_params_and_clone():
    model = KerasAutoEncoder(kind="feedforward_hourglass", epochs=3, func="relu")
    assert model.get_params() == {"kind": "feedforward_hourglass", "epochs": 3, "func": "relu"}
    model.set_params(epochs=5, kind="feedforward_symmetric")
    assert model.get_params() == {"kind": "feedforward_symmetric", "epochs": 5, "func": "relu"}
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    lstm = KerasLSTMForecast(kind="lstm_model", lookback_window=4)
    assert lstm.get_params() == {"kind": "lstm_model", "lookback_window": 4, "batch_size": 32}
    assert clone(lstm.set_params(lookback_window=2)).lookback_window == 2


def test_pickle_and_serializer_round_trips_keep_predictions(fitted, frame):
    expected = fitted.predict(frame)
    for restored in (
        pickle.loads(pickle.dumps(fitted)),
        serializer.loads(serializer.dumps(fitted)),
    ):
        np.testing.assert_array_equal(restored.predict(frame), expected)
        assert restored.get_metadata() == fitted.get_metadata()
    unfitted = serializer.loads(serializer.dumps(KerasAutoEncoder(**AE)))
    assert unfitted.get_params() == AE


def test_seeded_fits_are_reproducible(frame):
    import keras

    def seeded_fit():
        keras.utils.set_random_seed(7)
        random.seed(7)
        np.random.seed(7)
        return KerasAutoEncoder(**AE).fit(frame).predict(frame)

    np.testing.assert_array_equal(seeded_fit(), seeded_fit())


@pytest.mark.parametrize("cls, lookahead", [(KerasLSTMAutoEncoder, 0), (KerasLSTMForecast, 1)])
def test_lstm_output_rows(cls, lookahead, frame):
    model = cls(**LSTM, lookback_window=5).fit(frame, frame)
    assert model.lookahead == lookahead
    assert model.predict(frame).shape == (60 - 5 + 1 - lookahead, 3)
    assert model.get_metadata()["forecast_steps"] == lookahead
    np.testing.assert_array_equal(
        serializer.loads(serializer.dumps(model)).predict(frame), model.predict(frame)
    )


def test_lstm_too_few_rows_names_both_numbers(frame):
    model = KerasLSTMForecast(**LSTM, lookback_window=5)
    with pytest.raises(ValueError, match="got 5 rows, but at least 6 are needed"):
        model.fit(frame.iloc[:5], frame.iloc[:5])
    model.fit(frame, frame)
    with pytest.raises(ValueError, match="got 3 rows, but at least 6 are needed"):
        model.predict(frame.iloc[:3])


def test_raw_model_regressor_definitions_round_trip(frame):
    kind = {
        "compile": {"loss": "mse", "optimizer": {"keras.optimizers.Adam": {"learning_rate": 0.01}}},
        "spec": {
            "tensorflow.keras.models.Sequential": {
                "layers": [{"tensorflow.keras.layers.Dense": {"units": 1}}]
            }
        },
    }
    model = serializer.from_definition(
        {"gordo.machine.model.models.KerasRawModelRegressor": {"kind": kind}}
    )
    model.fit(frame, frame[["tag-a"]], epochs=1)
    assert model.predict(frame).shape == (60, 1)
    assert type(model.model.optimizer).__name__ == "Adam"
    np.testing.assert_array_equal(
        serializer.loads(serializer.dumps(model)).predict(frame), model.predict(frame)
    )
    with pytest.raises(ConfigException, match="'spec'"):
        KerasRawModelRegressor(kind={"compile": {}}).fit(frame, frame)


def small_keras_model(n_features: int, n_features_out: int, units: int = 4):
    """A user's own factory: a compiled Keras model gordo has no spec of (a functional model)."""
    from gordo.machine.model.backend import keras_module

    keras = keras_module()
    inputs = keras.Input(shape=(n_features,))
    hidden = keras.layers.Dense(units, activation="relu")(inputs)
    hidden = keras.layers.LayerNormalization()(hidden)
    model = keras.Model(inputs, keras.layers.Dense(n_features_out)(hidden))
    model.compile(optimizer="rmsprop", loss="mae")
    return model


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_a_users_keras_model_trains_with_keras_and_is_saved_as_a_keras_archive(frame, tmp_path):
    model = KerasAutoEncoder(kind=small_keras_model, units=3, epochs=2, batch_size=16)
    assert model.fits_with_keras()
    model.fit(frame)
    assert len(model.get_metadata()["history"]["loss"]) == 2
    state = model.__getstate__()["model_"]
    assert state["format"] == KERAS_ARCHIVE_FORMAT and state["keras"][:2] == b"PK"  # a zip
    serializer.dump(model, tmp_path / "model")
    loaded = serializer.load(tmp_path / "model")
    assert "_built_model" in vars(loaded)  # served by Keras
    np.testing.assert_allclose(loaded.predict(frame), model.predict(frame), rtol=1e-6)
    assert type(loaded.model_.optimizer).__name__ == "RMSprop" and loaded.model_.loss == "mae"
    assert [type(layer).__name__ for layer in loaded.model_.layers][2] == "LayerNormalization"
    assert serializer.into_definition(loaded) == serializer.into_definition(model)


def _pickle_with_model_state(estimator: KerasAutoEncoder, saved: dict) -> bytes:
    """The pickle of ``estimator`` with ``saved`` as its model state, as another gordo wrote it."""
    state = {k: v for k, v in estimator.__getstate__().items() if k != "model_"}
    state["model_"] = saved

    class Writer(pickle.Pickler):
        def reducer_override(self, obj):
            if obj is estimator:
                return copyreg.__newobj__, (type(obj),), state
            return NotImplemented

    out = io.BytesIO()
    Writer(out).dump(estimator)
    return out.getvalue()


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_a_model_built_by_gordo_ec44070_with_keras_json_state_loads_and_serves(frame, tmp_path):
    """gordo up to ec44070 saved Keras-trained networks as Keras' JSON config and weights."""
    model = KerasAutoEncoder(kind="feedforward_hourglass", optimizer="RMSprop", epochs=1)
    model.fit(frame)
    keras_model = model.model_
    config = json.loads(keras_model.to_json())
    config.pop("compile_config", None)
    with fast_path.quiet_variable_numpy():
        old = {
            "format": "gordo-keras-model/1",
            "config": json.dumps(config),
            "weights": [np.asarray(w) for w in keras_model.get_weights()],
            "compile": keras_model.get_compile_config(),
        }
    serializer.dump_pickled(_pickle_with_model_state(model, old), tmp_path / "model")
    loaded = serializer.load(tmp_path / "model")
    assert "_built_model" in vars(loaded)  # served by Keras
    np.testing.assert_allclose(loaded.predict(frame), model.predict(frame), rtol=1e-5, atol=1e-6)
    # pickled again, it is saved in a current format
    assert loaded.__getstate__()["model_"]["format"] == KERAS_ARCHIVE_FORMAT
    assert type(loaded.model_.optimizer).__name__ == "RMSprop"


def test_a_model_state_of_an_unknown_format_is_refused_with_the_rebuild_command(frame, tmp_path):
    model = KerasAutoEncoder(**AE).fit(frame)
    newer = {**model.__getstate__()["model_"], "format": "gordo-dense-model/2"}
    serializer.dump_pickled(_pickle_with_model_state(model, newer), tmp_path / "model")
    with pytest.raises(ArtifactError) as info:
        serializer.load(tmp_path / "model")
    message = str(info.value)
    assert "'gordo-dense-model/2'" in message and "gordo build" in message
    assert str(tmp_path / "model") in message
