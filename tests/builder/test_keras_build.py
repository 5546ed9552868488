"""Keras anomaly models through the builder: thresholds, history, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from gordo import serializer
from gordo.builder import ModelBuilder
from tests.builder.helpers import KERAS_ANOMALY, keras_anomaly, make_machine

#: Trained with Keras (the numpy engine does not implement RMSprop).
KERAS_FITTED = keras_anomaly(
    "KerasAutoEncoder", kind="feedforward_hourglass", epochs=2, batch_size=64, optimizer="RMSprop"
)


@pytest.mark.parametrize("definition", [KERAS_ANOMALY, KERAS_FITTED], ids=["numpy", "keras"])
def test_keras_anomaly_build_is_reproducible(tmp_path, definition):
    runs = []
    for target in ("a", "b"):
        model, machine = ModelBuilder(make_machine(model=definition)).build(
            output_dir=tmp_path / target
        )
        runs.append((model, machine))
    (m1, machine1), (m2, machine2) = runs
    meta = machine1.metadata.build_metadata.model.model_meta
    assert "history" in str(meta) and "thresholds" in str(meta)
    cv1 = machine1.metadata.build_metadata.model.cross_validation.scores
    cv2 = machine2.metadata.build_metadata.model.cross_validation.scores
    assert cv1 == cv2
    X, _ = machine1.dataset.get_data()
    np.testing.assert_array_equal(m1.predict(X), m2.predict(X))
    loaded = serializer.load(tmp_path / "a")
    np.testing.assert_allclose(loaded.predict(X), m1.predict(X), rtol=1e-6)
