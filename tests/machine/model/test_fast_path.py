"""The compiled JAX training loop follows ``keras.Model.fit``."""

from __future__ import annotations

import numpy as np
import pytest

from gordo.machine.model import fast_path
from gordo.machine.model.factories.feedforward_autoencoder import feedforward_hourglass

# Keras' own fit reads optimizer variables through numpy-2's deprecated __array__ path.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.mark.parametrize("validation_split", [0.0, 0.25])
def test_compiled_loop_matches_keras_fit(validation_split):
    x = np.random.default_rng(3).random((60, 3)).astype("float32")
    ours, theirs = feedforward_hourglass(3), feedforward_hourglass(3)
    theirs.set_weights(ours.get_weights())
    kwargs = {"epochs": 3, "batch_size": 16, "shuffle": False, "validation_split": validation_split}
    history = fast_path.fit(ours, x, x, **kwargs)  # 45 or 60 rows: the last batch is short
    expected = theirs.fit(x, x, verbose=0, **kwargs).history
    np.testing.assert_allclose(history["loss"], expected["loss"], rtol=1e-4)
    if validation_split:
        np.testing.assert_allclose(history["val_loss"], expected["val_loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        fast_path.predict(ours, x), theirs.predict(x, verbose=0), rtol=1e-4, atol=1e-6
    )


def test_predict_pads_and_chunks_rows():
    model = feedforward_hourglass(3)
    x = np.random.default_rng(4).random((fast_path._MAX_PREDICT_ROWS + 5, 3)).astype("float32")
    expected = np.asarray(model(x[:37]))
    np.testing.assert_allclose(fast_path.predict(model, x[:37]), expected, rtol=1e-5, atol=1e-6)
    assert fast_path.predict(model, x).shape == x.shape
    assert fast_path.predict(model, x[:0]).shape == (0, 3)
