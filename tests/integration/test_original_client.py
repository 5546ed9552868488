"""The original's client library (gordo-client 6.3, in its own virtualenv) against our server.

Two machines (a dense and an LSTM autoencoder) are built by ``gordo build`` from a
config as the original's users write it, served by ``gordo run-server`` on
127.0.0.1 without ``PROJECT``, and driven by
``tests/integration/original_client_driver.py`` running on the client's Python.
The client reads each machine's dataset from the served metadata and loads X with
its own gordo-core (its RandomDataProvider), so the metadata must carry the
registered names.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from gordo import serializer
from tests.servers import running_server

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("original_client_driver.py")
REVISION = "1700000000000"
TAGS = ["TAG-1", "TAG-2", "TAG-3"]


def machine(name: str, estimator: dict, cv_mode: str, **detector: object) -> dict:
    """A machine block as in the original's documentation, small enough to build in seconds."""
    return {
        "name": name,
        "project_name": "plant",
        "dataset": {
            "type": "TimeSeriesDataset",
            "tags": TAGS,
            "train_start_date": "2020-01-01T00:00:00+00:00",
            "train_end_date": "2020-01-04T00:00:00+00:00",
            "data_provider": {"type": "RandomDataProvider"},
        },
        "model": {
            "gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {
                **detector,
                "base_estimator": {
                    "sklearn.pipeline.Pipeline": {
                        "steps": ["sklearn.preprocessing.MinMaxScaler", estimator]
                    }
                },
            }
        },
        "evaluation": {"cv_mode": cv_mode},
    }


MACHINES = {
    "dense-machine": machine(
        "dense-machine",
        {
            "gordo.machine.model.models.KerasAutoEncoder": {
                "kind": "feedforward_hourglass",
                "epochs": 2,
                "batch_size": 64,
            }
        },
        "full_build",
    ),
    # no cross-validation (it would cost most of the test's time): no thresholds needed
    "lstm-machine": machine(
        "lstm-machine",
        {
            "gordo.machine.model.models.KerasLSTMAutoEncoder": {
                "kind": "lstm_hourglass",
                "lookback_window": 6,
                "epochs": 2,
                "batch_size": 64,
            }
        },
        "build_only",
        require_thresholds=False,
    ),
}


@pytest.fixture(scope="session")
def original_client_python() -> str:
    """The Python of the client's virtualenv (created, or reused, by the setup script)."""
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup-original-client.sh")], check=True, timeout=900
    )
    return str(ROOT / ".cache" / "gordo-client-venv" / "bin" / "python")


def build_collection(root: Path) -> Path:
    """``gordo build`` of every machine (concurrently) into ``<root>/plant/<REVISION>/``."""
    revision_dir = root / "plant" / REVISION
    builds = []
    for name, config in MACHINES.items():
        config_file = root / f"{name}.yaml"
        config_file.write_text(yaml.safe_dump(config))
        command = [
            sys.executable,
            "-m",
            "gordo",
            "build",
            str(config_file),
            str(revision_dir / name),
        ]
        builds.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    for process in builds:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output.decode()[-3000:]
    return revision_dir


def test_original_client_scores_our_models(tmp_path, original_client_python):
    revision_dir = build_collection(tmp_path)
    for name in MACHINES:  # the names the original writes, which its client resolves
        dataset = serializer.load_metadata(revision_dir / name)["dataset"]
        assert dataset["type"] == "TimeSeriesDataset"
        assert dataset["data_provider"]["type"] == "RandomDataProvider"
    env = {"MODEL_COLLECTION_DIR": str(revision_dir), "PROJECT": ""}
    with running_server(["--workers", "1", "--threads", "2"], env) as url:
        spec = {
            "url": url,
            "project": "any-project-name",  # PROJECT is unset: the original serves any name
            "revision": REVISION,
            "machines": sorted(MACHINES),
            "start": "2020-02-01T00:00:00+00:00",
            "end": "2020-02-01T06:00:00+00:00",
            "batch_size": 12,
        }
        (tmp_path / "spec.json").write_text(json.dumps(spec))
        report_file = tmp_path / "report.json"
        driver = subprocess.run(
            [original_client_python, str(DRIVER), str(tmp_path / "spec.json"), str(report_file)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
    assert driver.returncode == 0, driver.stdout[-3000:] + driver.stderr[-5000:]
    report = json.loads(report_file.read_text())
    for fmt in ("json", "parquet"):
        assert sorted(report["batches"][fmt]) == sorted(MACHINES)
        assert min(report["batches"][fmt].values()) >= 3
    # the bytes the client downloaded are the served model: it predicts the served output
    for name, path in report["models"].items():
        model = serializer.loads(Path(path).read_bytes())
        sample = report["samples"][name]
        X = pd.DataFrame(sample["input"], columns=TAGS)
        served = np.array(sample["output"])
        predicted = model.predict(X)
        rows = len(X) - sample["offset"]
        np.testing.assert_allclose(predicted[-rows:], served[-rows:], rtol=1e-5, atol=1e-6)
