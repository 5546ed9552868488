"""The embedded example plant: generator, labels, CLI and the example project config."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from gordo.cli.cli import gordo
from gordo.dataset.base import GordoBaseDataset
from gordo.dataset.example_plant import (
    FAULTS,
    TRAIN_END,
    TRAIN_START,
    machine_tags,
    read_labels,
    simulate,
)
from gordo.examples import EXAMPLE_PROJECT

CONFIG = EXAMPLE_PROJECT


@pytest.fixture(scope="module")
def plant(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("plant")
    result = CliRunner().invoke(gordo, ["example-data", str(directory)])
    assert result.exit_code == 0, result.output
    assert "Wrote 6 machines" in result.output
    return directory


def test_layout_and_labels(plant):
    assert (plant / "pump-a" / "PA-FLOW" / "parquet" / "2020" / "PA-FLOW_202003.parquet").is_file()
    labels = read_labels(plant)
    assert list(labels.columns) == ["machine", "start", "end", "kind"]
    assert len(labels) == len(FAULTS) and (labels["end"] > labels["start"]).all()
    assert set(labels["machine"]) <= set(machine_tags())


def test_plant_shape_and_determinism():
    tags = machine_tags()
    assert len(tags) >= 5 and all(4 <= len(t) <= 8 for t in tags.values())
    a, b, c = simulate(days=10), simulate(days=10), simulate(days=10, seed=1)
    assert all(a[m].equals(b[m]) for m in a)
    assert not a["pump-a"].equals(c["pump-a"])
    assert all(frame.notna().all().all() for frame in a.values())


def test_faults_are_visible():
    frames = simulate()
    vib = frames["pump-a"]["PA-VIB"]
    train = vib[:"2020-02-28"]
    assert vib["2020-03-17":"2020-03-19"].mean() > train.mean() + 5 * train.std()
    hx = frames["heat-exchanger-1"]
    approach = hx["HX1-HOT-OUT-T"] - hx["HX1-COLD-IN-T"]
    assert approach["2020-03-28":"2020-03-30"].mean() > approach[:"2020-02-28"].mean() + 5


def test_training_period_mostly_excludes_faults():
    train_start, train_end = pd.Timestamp(TRAIN_START), pd.Timestamp(TRAIN_END)
    inside = [
        f for f in FAULTS if pd.Timestamp(f.start) < train_end and pd.Timestamp(f.end) > train_start
    ]
    assert len(inside) <= 1 and len(FAULTS) >= 5


def test_example_config_matches_generator_and_builds(plant, monkeypatch):
    monkeypatch.setenv("GORDO_EXAMPLE_DATA", str(plant))
    config = yaml.safe_load(CONFIG.read_text())
    machines = {m["name"]: m for m in config["machines"]}
    assert {n: m["dataset"]["tags"] for n, m in machines.items()} == machine_tags()
    model = config["globals"]["model"][
        "gordo.machine.model.anomaly.robust.RobustEventAnomalyDetector"
    ]
    regressor = model["base_estimator"]["sklearn.compose.TransformedTargetRegressor"]
    assert regressor["transformer"] == "sklearn.preprocessing.StandardScaler"
    steps = regressor["regressor"]["sklearn.pipeline.Pipeline"]["steps"]
    assert steps[0] == "sklearn.preprocessing.StandardScaler"
    assert (
        steps[1]["gordo.machine.model.models.KerasAutoEncoder"]["kind"] == "feedforward_hourglass"
    )
    for name in ("pump-a", "separator-1"):
        dataset = GordoBaseDataset.from_dict(
            {**machines[name]["dataset"], **config["globals"]["dataset"]}
        )
        X, y = dataset.get_data()
        assert X.shape == (60 * 144 + 1, len(machine_tags()[name]))
        assert X.equals(y)
        assert X.index[0] == pd.Timestamp(TRAIN_START) and X.index[-1] == pd.Timestamp(TRAIN_END)


def test_labels_follow_the_start_and_length(tmp_path):
    from gordo.dataset.example_plant import fault_episodes, write_example_plant
    from gordo.exceptions import ConfigException

    shifted = fault_episodes("2021-06-01T00:00:00+00:00")
    assert shifted[0].start == "2021-07-11T06:00:00+00:00"
    assert len(fault_episodes(days=30)) == 0
    write_example_plant(tmp_path, start="2021-06-01T00:00:00+00:00", days=45)
    labels = read_labels(tmp_path)
    assert list(labels["kind"]) == ["sensor-spike"]
    with pytest.raises(ConfigException, match="needs a timezone"):
        simulate("2021-06-01", days=2)
