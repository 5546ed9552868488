"""Model factories: layer sizes, optimizers and compile arguments."""

from __future__ import annotations

import pytest

from gordo.machine.model.factories.feedforward_autoencoder import (
    feedforward_hourglass,
    feedforward_model,
)
from gordo.machine.model.factories.lstm_autoencoder import lstm_hourglass
from gordo.machine.model.factories.utils import hourglass_calc_dims
from gordo.machine.model.register import register_model_builder


def test_factories_are_registered_per_wrapper_type():
    factories = register_model_builder.factories
    assert {"feedforward_model", "feedforward_symmetric", "feedforward_hourglass"} <= set(
        factories["KerasAutoEncoder"]
    )
    for lstm_type in ("KerasLSTMAutoEncoder", "KerasLSTMForecast"):
        assert {"lstm_model", "lstm_symmetric", "lstm_hourglass"} <= set(factories[lstm_type])


@pytest.mark.parametrize(
    "optimizer, optimizer_kwargs, expected",
    [
        ("Adam", {"learning_rate": 0.05}, ("Adam", 0.05)),
        ("SGD", {"lr": 0.2}, ("SGD", 0.2)),
        ({"keras.optimizers.RMSprop": {"learning_rate": 0.03}}, None, ("RMSprop", 0.03)),
        ({"tensorflow.keras.optimizers.Adam": {"learning_rate": 0.04}}, None, ("Adam", 0.04)),
    ],
)
def test_optimizer_by_name_or_definition(optimizer, optimizer_kwargs, expected):
    model = feedforward_hourglass(3, optimizer=optimizer, optimizer_kwargs=optimizer_kwargs)
    assert type(model.optimizer).__name__ == expected[0]
    assert float(model.optimizer.learning_rate.value) == pytest.approx(expected[1])


def test_compile_kwargs_and_output_width():
    model = feedforward_model(
        4,
        n_features_out=2,
        encoding_dim=(3,),
        encoding_func=("relu",),
        decoding_dim=(3,),
        decoding_func=("relu",),
        out_func="sigmoid",
        compile_kwargs={"loss": "mae"},
    )
    assert model.loss == "mae"
    assert model.output_shape == (None, 2)
    assert model.layers[-1].get_config()["activation"] == "sigmoid"


def test_lstm_input_shape_uses_lookback_window():
    model = lstm_hourglass(4, lookback_window=6, encoding_layers=1)
    assert model.input_shape == (None, 6, 4)
    assert model.output_shape == (None, 4)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"compression_factor": -0.1}, "compression_factor"),
        ({"encoding_layers": 0}, "encoding_layers must be > 0"),
    ],
)
def test_hourglass_rejects_bad_shapes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        hourglass_calc_dims(
            **{"compression_factor": 0.5, "encoding_layers": 3, "n_features": 10, **kwargs}
        )


def test_dims_and_funcs_must_match():
    with pytest.raises(
        ValueError, match="encoding_dim and encoding_func must have the same length"
    ):
        feedforward_model(3, encoding_dim=(2, 2), encoding_func=("tanh",))


def test_unknown_optimizer_name_is_a_config_error():
    from gordo.exceptions import ConfigException

    with pytest.raises(ConfigException, match="Unknown Keras optimizer 'Adamm'"):
        feedforward_hourglass(3, optimizer="Adamm")
