"""Without the optional dependencies, dense models build and serve; the others name their extra."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gordo.exceptions import MissingExtraError, exit_code_for
from gordo.util.extras import require


def test_a_missing_module_names_its_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    with pytest.raises(MissingExtraError) as error:
        require("psycopg", "the PostgreSQL reporter")
    assert str(error.value) == (
        "the PostgreSQL reporter needs the optional dependency 'psycopg', which is not "
        "installed: pip install 'gordo[postgres]'"
    )
    assert isinstance(error.value, ModuleNotFoundError) and exit_code_for(error.value) == 85


def test_an_installed_module_is_not_imported():
    code = (
        "import sys; from gordo.util.extras import require; require('keras'); "
        "print('keras' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.integration
def test_without_keras_and_jax_dense_models_work_and_lstms_name_the_extra():
    code = """
import json, sys
sys.modules.update({"keras": None, "jax": None})  # as if gordo[keras] were not installed
import numpy as np, pandas as pd
from gordo import serializer
from gordo.exceptions import MissingExtraError
index = pd.date_range("2020-01-01", periods=80, freq="10min", tz="UTC")
X = pd.DataFrame(np.random.default_rng(0).random((80, 3)), index, ["a", "b", "c"])
definition = {"gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {"base_estimator": {
    "sklearn.pipeline.Pipeline": {"steps": ["sklearn.preprocessing.MinMaxScaler", {
        "gordo.machine.model.models.KerasAutoEncoder": {"kind": "feedforward_hourglass",
                                                        "epochs": 1}}]}}}}
dense = serializer.from_definition(definition)
dense.cross_validate(X=X, y=X)
rows = len(serializer.loads(serializer.dumps(dense.fit(X, X))).anomaly(X, X))
lstm = serializer.from_definition({"gordo.machine.model.models.KerasLSTMAutoEncoder": {
    "kind": "lstm_hourglass", "lookback_window": 4, "epochs": 1}})
try:
    lstm.fit(X, X)
    error = None
except MissingExtraError as exc:
    error = str(exc)
print(json.dumps({"rows": rows, "error": error}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.splitlines()[-1])
    assert out["rows"] == 80
    assert out["error"].endswith(
        "needs the optional dependency 'jax', which is not installed: pip install 'gordo[keras]'"
    )
