"""Keras anomaly models through the builder: thresholds, history, reproducibility."""

from __future__ import annotations

import numpy as np

from gordo import serializer
from gordo.builder import ModelBuilder
from tests.builder.helpers import KERAS_ANOMALY, make_machine


def test_keras_anomaly_build_is_reproducible(tmp_path):
    runs = []
    for target in ("a", "b"):
        model, machine = ModelBuilder(make_machine(model=KERAS_ANOMALY)).build(
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
