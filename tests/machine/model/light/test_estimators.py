"""Light twins give exactly what the fitted originals give, or are not used."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

from gordo.machine.model.anomaly.diff import (
    DiffBasedAnomalyDetector,
    DiffBasedKFCVAnomalyDetector,
)
from gordo.machine.model.light import estimators, light_loads, serving_loads
from gordo.machine.model.light.estimators import LightMinMaxScaler, LightStandardScaler
from gordo.machine.model.models import KerasAutoEncoder, KerasLSTMForecast, KerasRawModelRegressor
from tests.machine.model.helpers import batch_norm_model

TAGS = ["tag-a", "tag-b", "tag-c", "tag-d"]
TEN_MINUTES = pd.Timedelta("10min")


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    index = pd.date_range("2021-01-01", periods=120, freq="10min", tz="UTC")
    return pd.DataFrame(rng.random((120, 4)) * [1, 10, 100, 1000], index=index, columns=TAGS)


def _ae() -> KerasAutoEncoder:
    return KerasAutoEncoder(kind="feedforward_hourglass", epochs=1, batch_size=64)


MODELS = {
    "pipeline": lambda: Pipeline([("scale", MinMaxScaler()), ("ae", _ae())]),
    "passthrough step": lambda: Pipeline(
        [("skip", "passthrough"), ("scale", StandardScaler()), ("ae", _ae())]
    ),
    "target regressor": lambda: TransformedTargetRegressor(
        Pipeline([("scale", StandardScaler(with_mean=False)), ("ae", _ae())]),
        transformer=MinMaxScaler(),
    ),
    "detector": lambda: DiffBasedAnomalyDetector(
        TransformedTargetRegressor(
            Pipeline([("scale", MinMaxScaler()), ("ae", _ae())]), transformer=MinMaxScaler()
        )
    ),
    "detector smoothed": lambda: DiffBasedAnomalyDetector(
        Pipeline([("scale", MinMaxScaler(clip=True)), ("ae", _ae())]),
        scaler=StandardScaler(),
        window=6,
        smoothing_method="ewma",
    ),
    "kfcv detector": lambda: DiffBasedKFCVAnomalyDetector(_ae(), window=5, shuffle=False),
    "detector without thresholds": lambda: DiffBasedAnomalyDetector(
        _ae(), require_thresholds=False
    ),
    "lstm detector": lambda: DiffBasedAnomalyDetector(
        KerasLSTMForecast(kind="lstm_hourglass", lookback_window=4, epochs=1), window=5
    ),
}
CROSS_VALIDATED = {"detector", "detector smoothed", "kfcv detector", "lstm detector"}


@pytest.fixture(scope="module")
def fitted(data) -> dict:
    models = {}
    for name, make in MODELS.items():
        model = make()
        if name in CROSS_VALIDATED:
            model.cross_validate(X=data, y=data)
        models[name] = model.fit(data, data)
    return models


@pytest.mark.parametrize("name", list(MODELS))
def test_twin_predicts_exactly_like_the_model(fitted, data, name):
    model = fitted[name]
    twin = light_loads(pickle.dumps(model, protocol=5))
    assert twin is not None and type(twin).__module__ == estimators.__name__
    expected = model.predict(data)
    got = twin.predict(data)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", [n for n in MODELS if "detector" in n])
def test_twin_anomaly_frame_is_the_models(fitted, data, name):
    model = fitted[name]
    twin = light_loads(pickle.dumps(model, protocol=5))
    for frequency in (None, TEN_MINUTES):
        expected = model.anomaly(data, data, frequency=frequency)
        pd.testing.assert_frame_equal(
            twin.anomaly(data, data, frequency=frequency), expected, check_exact=True
        )


@pytest.mark.parametrize(
    "bad",
    [
        lambda X: X.iloc[:, :3],  # a feature short
        lambda X: X.assign(**{"tag-b": np.nan}),  # NaN reaching the network
        lambda X: X.assign(**{"tag-b": np.inf}),  # infinity
        lambda X: X.set_axis(["tag-a", "tag-b", "tag-c", "other"], axis=1),  # unknown names
    ],
)
def test_twin_rejects_what_the_model_rejects(fitted, data, bad):
    model = fitted["detector"]
    twin = light_loads(pickle.dumps(model, protocol=5))
    with pytest.raises(ValueError) as original:
        model.predict(bad(data))
    with pytest.raises(ValueError) as light:
        twin.predict(bad(data))
    assert str(light.value).split()[:3] == str(original.value).split()[:3]


def test_twin_names_the_original_class_in_errors(fitted, data):
    twin = light_loads(pickle.dumps(fitted["detector"], protocol=5))
    with pytest.raises(ValueError, match="^DiffBasedAnomalyDetector: X has 120 rows but y has 1"):
        twin.anomaly(data, data.iloc[:1])


def test_twin_requires_thresholds_like_the_model(data):
    model = DiffBasedAnomalyDetector(Ridge()).fit(data, data)
    with pytest.raises(AttributeError, match="no thresholds"):
        model.anomaly(data, data)
    # Ridge has no twin: the real model is served, with its own error.
    assert light_loads(pickle.dumps(model)) is None


@pytest.mark.parametrize(
    "model",
    [
        Pipeline([("scale", MinMaxScaler()), ("ridge", Ridge())]),
        TransformedTargetRegressor(Ridge(), func=np.log1p, inverse_func=np.expm1),
        Pipeline([("log", FunctionTransformer(np.log1p)), ("ae", _ae())]),
        KerasRawModelRegressor(kind=batch_norm_model(len(TAGS)), epochs=1),
    ],
    ids=["ridge", "func target", "function transformer", "batch normalization"],
)
def test_models_without_a_twin_are_loaded_for_real(data, model):
    model.fit(data, data)
    assert light_loads(pickle.dumps(model)) is None
    assert type(serving_loads(pickle.dumps(model))) is type(model)


def test_another_scikit_learn_version_is_loaded_for_real(fitted, monkeypatch):
    monkeypatch.setattr(estimators, "sklearn_version", lambda: "0.1")
    assert light_loads(pickle.dumps(fitted["pipeline"])) is None


def test_set_output_is_loaded_for_real(data):
    model = Pipeline([("scale", MinMaxScaler().set_output(transform="pandas")), ("ae", _ae())])
    assert light_loads(pickle.dumps(model.fit(data, data))) is None


def test_twins_cover_the_classes_pickle_records():
    for cls in (
        Pipeline,
        MinMaxScaler,
        StandardScaler,
        TransformedTargetRegressor,
        KerasAutoEncoder,
        DiffBasedAnomalyDetector,
        DiffBasedKFCVAnomalyDetector,
    ):
        assert f"{cls.__module__}.{cls.__qualname__}" in estimators.TWINS


def _frames(dtype):
    return hnp.arrays(
        dtype,
        st.tuples(st.integers(1, 6), st.just(3)),
        elements=st.floats(-1e6, 1e6, width=32) | st.just(np.nan),
    )


def _assert_scales_alike(twin, scaler, X) -> None:
    for ours, theirs in (
        (twin.transform, scaler.transform),
        (twin.inverse_transform, scaler.inverse_transform),
    ):
        expected = theirs(X)
        got = ours(X)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)


@settings(max_examples=40, deadline=None)
@given(fit=_frames(np.float64), X=_frames(np.float64) | _frames(np.float32), clip=st.booleans())
def test_min_max_scaler_twin(fit, X, clip):
    scaler = MinMaxScaler(clip=clip).fit(fit)
    twin = LightMinMaxScaler(scaler.__dict__)
    _assert_scales_alike(twin, scaler, X)


@settings(max_examples=40, deadline=None)
@given(
    fit=_frames(np.float64),
    X=_frames(np.float64) | _frames(np.float32),
    with_mean=st.booleans(),
    with_std=st.booleans(),
)
def test_standard_scaler_twin(fit, X, with_mean, with_std):
    scaler = StandardScaler(with_mean=with_mean, with_std=with_std).fit(fit)
    twin = LightStandardScaler(scaler.__dict__)
    _assert_scales_alike(twin, scaler, X)


def test_the_scikit_learn_version_is_read_as_installed():
    import sklearn

    assert estimators.sklearn_version() == sklearn.__version__
