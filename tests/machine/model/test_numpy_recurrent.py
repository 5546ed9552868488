"""LSTM models predict in numpy as Keras does, before and after pickling."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from gordo.machine.model import numpy_inference
from gordo.machine.model.models import KerasLSTMAutoEncoder, KerasLSTMForecast

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

LAYERS = {"encoding_dim": (5, 3), "encoding_func": ("tanh", "relu")} | {
    "decoding_dim": (4,),
    "decoding_func": ("sigmoid",),
}


def test_plan_matches_keras_predict():
    from gordo.machine.model.factories.lstm_autoencoder import lstm_model

    model = lstm_model(4, lookback_window=6, **LAYERS)
    x = np.random.default_rng(0).random((33, 6, 4)).astype("float32")
    spec = lstm_model.spec(4, lookback_window=6, **LAYERS)
    plan = numpy_inference.plan_from_state(spec.to_state(model.get_weights()))
    assert isinstance(plan, numpy_inference.RecurrentStack)
    np.testing.assert_allclose(
        plan.predict(x), np.asarray(model.predict(x, verbose=0)), rtol=1e-5, atol=1e-6
    )


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    index = pd.date_range("2020-01-01", periods=80, freq="10min", tz="UTC")
    return pd.DataFrame(np.random.default_rng(2).random((80, 3)), index, ["a", "b", "c"])


@pytest.mark.parametrize("cls", [KerasLSTMAutoEncoder, KerasLSTMForecast])
def test_fitted_and_loaded_lstm_models_agree(frame, cls):
    model = cls(kind="lstm_hourglass", lookback_window=5, epochs=1, batch_size=32).fit(frame, frame)
    keras_output = np.asarray(model.model.predict(model._model_input(frame.to_numpy("float32"))))
    expected = model.predict(frame)
    np.testing.assert_allclose(expected, keras_output, rtol=1e-5, atol=1e-6)
    data = pickle.dumps(model)
    loaded = pickle.loads(data)
    np.testing.assert_array_equal(loaded.predict(frame), expected)
    with pytest.raises(ValueError, match=f"{cls.__name__}: got 3 rows, but at least"):
        loaded.predict(frame.iloc[:3])


def test_loaded_lstm_model_predicts_without_keras(frame, tmp_path):
    model = KerasLSTMAutoEncoder(kind="lstm_hourglass", lookback_window=4, epochs=1)
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(model.fit(frame, frame)))
    code = (
        "import pickle, sys, numpy as np\n"
        f"model = pickle.loads(open({str(tmp_path / 'model.pkl')!r}, 'rb').read())\n"
        "print(model.predict(np.zeros((10, 3))).shape, 'keras' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-3:] == ["(7,", "3)", "False"]
