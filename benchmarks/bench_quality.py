"""Detection-quality benchmark: labelled anomalies, the documented default and the recommended model.

Data (all deterministic for a seed):

- six multivariate machines of 4-12 channels generated with GutenTAG
  (``timeeval-gutentag``), with extremum, variance, mean-shift, trend,
  frequency, pattern and platform anomalies. Per machine GutenTAG draws a
  labelled test series and an anomaly-free series of the same channels: the
  model trains on the first half of the anomaly-free one; its second half is
  the long normal period;
- the example plant (:mod:`gordo.dataset.example_plant`): trained on Jan-Feb,
  evaluated on March with its labelled faults.

Models: ``default`` is the documented default config (``DiffBasedAnomalyDetector``
over ``Pipeline[MinMaxScaler, KerasAutoEncoder(feedforward_hourglass)]``, rows
flagged where ``total-anomaly-scaled`` is above ``aggregate-threshold``, raw
score ``total-anomaly-scaled``); ``recommended`` is
``examples/recommended-model.yaml`` (rows flagged by ``anomaly-event``, raw
score ``anomaly-score``). Both cross-validate on training data only
(TimeSeriesSplit(3), as ``gordo build``), then fit on it.

Metrics (:mod:`gordo.machine.model.anomaly.evaluation`): Fc1, event-F1,
point-F1, average precision of the raw score, share of normal rows flagged and
false-alarm events per 10 000 normal rows, averaged over machines and seeds;
also the average precision of the documented ``total-anomaly-scaled``
(``ap-total-scaled``), the raw score every diff-based detector has.

Usage::

    nice -n 5 python -m benchmarks.bench_quality            # 3 seeds, every machine
    nice -n 5 python -m benchmarks.bench_quality --quick    # 1 seed, 3 machines, shorter series

GutenTAG pins old versions of scipy and neurokit2, so it is installed beside
gordo without its dependency pins: ``bash scripts/setup-bench.sh``.

>>> [m.name for m in GUTENTAG_MACHINES][:2]
['gt-sines-5', 'gt-mixed-8']
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from gordo import serializer
from gordo.dataset import example_plant
from gordo.machine.model.anomaly.evaluation import detection_metrics

RECOMMENDED = Path(__file__).resolve().parent.parent / "examples" / "recommended-model.yaml"
DEFAULT_MODEL = {
    "gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector": {
        "base_estimator": {
            "sklearn.pipeline.Pipeline": {
                "steps": [
                    "sklearn.preprocessing.MinMaxScaler",
                    {
                        "gordo.machine.model.models.KerasAutoEncoder": {
                            "kind": "feedforward_hourglass"
                        }
                    },
                ]
            }
        }
    }
}
FREQ = "10min"
METRICS = (
    "fc1",
    "event-f1",
    "point-f1",
    "average-precision",
    "ap-total-scaled",
    "normal-rows-flagged",
    "false-events-per-10k",
)


@dataclass(frozen=True)
class GutenTagMachine:
    """A GutenTAG machine: channel oscillations and anomalies (GutenTAG config syntax)."""

    name: str
    oscillations: tuple[dict, ...]
    anomalies: tuple[dict, ...]

    def config(self, length: int) -> dict:
        """The GutenTAG config of one semi-supervised series of ``length`` rows."""
        return {
            "timeseries": [
                {
                    "name": self.name,
                    "length": length,
                    "semi-supervised": True,
                    "base-oscillations": list(self.oscillations),
                    "anomalies": list(self.anomalies),
                }
            ]
        }


def _sine(frequency: float, amplitude: float = 1.0, variance: float = 0.05, **kw: Any) -> dict:
    return {
        "kind": "sine",
        "frequency": frequency,
        "amplitude": amplitude,
        "variance": variance,
        **kw,
    }


def _anomaly(channel: int, position: str, length: int, *kinds: dict) -> dict:
    return {"channel": channel, "position": position, "length": length, "kinds": list(kinds)}


MEAN = {"kind": "mean", "offset": 0.5}
VARIANCE = {"kind": "variance", "variance": 0.3}
PLATFORM = {"kind": "platform", "value": 0.0}
FREQUENCY = {"kind": "frequency", "frequency_factor": 2.0}
PATTERN_SINE = {"kind": "pattern", "sinusoid_k": 5.0}
EXTREMUM = {"kind": "extremum", "min": False, "local": False}
TREND = {"kind": "trend", "oscillation": {"kind": "polynomial", "polynomial": [0.5, 0.0]}}

#: Six machines of 4-12 channels; positions and lengths are GutenTAG's (rows).
GUTENTAG_MACHINES = (
    GutenTagMachine(
        "gt-sines-5",
        tuple(_sine(f) for f in (0.70, 0.70, 1.40, 0.35, 0.70)),
        (
            _anomaly(0, "beginning", 60, MEAN),
            _anomaly(2, "middle", 150, FREQUENCY),
            _anomaly(3, "end", 1, EXTREMUM),
        ),
    ),
    GutenTagMachine(
        "gt-mixed-8",
        (
            _sine(0.70),
            _sine(0.70, amplitude=2.0),
            {"kind": "random-walk", "amplitude": 1.0, "variance": 0.02, "smoothing": 0.01},
            {"kind": "sawtooth", "frequency": 1.40, "amplitude": 1.0, "variance": 0.05},
            {"kind": "square", "frequency": 0.70, "amplitude": 1.0, "variance": 0.05},
            _sine(0.35),
            {
                "kind": "cylinder-bell-funnel",
                "avg-pattern-length": 100,
                "amplitude": 1.0,
                "variance-pattern-length": 0.2,
                "variance-amplitude": 0.1,
                "variance": 0.05,
            },
            _sine(1.40),
        ),
        (
            _anomaly(1, "beginning", 100, VARIANCE),
            _anomaly(4, "middle", 150, PLATFORM),
            _anomaly(5, "end", 200, TREND),
            _anomaly(0, "middle", 200, PATTERN_SINE),
        ),
    ),
    GutenTagMachine(
        "gt-pump-4",
        (_sine(0.70), _sine(0.70, amplitude=0.5), _sine(0.21), _sine(1.40, variance=0.1)),
        (
            _anomaly(1, "beginning", 120, MEAN),
            _anomaly(2, "end", 100, VARIANCE),
        ),
    ),
    GutenTagMachine(
        "gt-wide-12",
        tuple(
            _sine(f)
            for f in (0.70, 0.84, 0.98, 1.12, 0.56, 0.42, 0.70, 1.40, 0.28, 0.70, 1.05, 0.35)
        ),
        (
            _anomaly(0, "beginning", 100, PLATFORM),
            _anomaly(5, "middle", 300, FREQUENCY),
            _anomaly(9, "middle", 1, EXTREMUM),
            _anomaly(11, "end", 150, MEAN),
        ),
    ),
    GutenTagMachine(
        "gt-drift-6",
        (
            {"kind": "random-walk", "amplitude": 1.0, "variance": 0.02, "smoothing": 0.01},
            _sine(0.70),
            _sine(0.49, amplitude=1.5),
            _sine(0.98, amplitude=0.5),
            _sine(0.70, variance=0.1),
            {"kind": "sawtooth", "frequency": 0.70, "amplitude": 1.0, "variance": 0.05},
        ),
        (
            _anomaly(1, "beginning", 200, TREND),
            _anomaly(4, "middle", 200, PATTERN_SINE),
            _anomaly(2, "end", 120, VARIANCE),
        ),
    ),
    GutenTagMachine(
        "gt-cycle-7",
        (
            _sine(1.40),
            _sine(1.40, amplitude=0.7),
            {"kind": "square", "frequency": 0.35, "amplitude": 1.0, "variance": 0.05},
            _sine(0.28),
            {"kind": "sawtooth", "frequency": 0.35, "amplitude": 1.0, "variance": 0.05},
            _sine(0.70, variance=0.02),
            _sine(2.10),
        ),
        (
            _anomaly(0, "beginning", 60, MEAN),
            _anomaly(3, "middle", 100, PLATFORM),
            _anomaly(6, "middle", 1, EXTREMUM),
            _anomaly(5, "end", 300, FREQUENCY),
        ),
    ),
)


@dataclass
class Case:
    """One machine's data: training rows, labelled test rows, and normal rows (may be empty)."""

    name: str
    suite: str
    train: pd.DataFrame
    test: pd.DataFrame
    labels: np.ndarray
    normal: pd.DataFrame


def _frame(values: np.ndarray, start: str = "2020-01-01") -> pd.DataFrame:
    index = pd.date_range(start, periods=len(values), freq=FREQ, tz="UTC")
    return pd.DataFrame(values, index=index, columns=[f"tag-{i}" for i in range(values.shape[1])])


def gutentag_case(machine: GutenTagMachine, seed: int, length: int) -> Case:
    """Train/test/normal data of a GutenTAG machine for ``seed``."""
    from gutenTAG import LABEL_COLUMN_NAME, GutenTAG, TrainingType

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        series = (
            GutenTAG(seed=seed)
            .load_config_dict(machine.config(length))
            .generate(return_timeseries=True)
        )
    by_type = {s.training_type: s.timeseries for s in series}
    test, clean = by_type[TrainingType.TEST], by_type[TrainingType.TRAIN_NO_ANOMALIES]
    values = [c for c in test.columns if c != LABEL_COLUMN_NAME]
    half = length // 2
    normal_values = clean[values].to_numpy(dtype="float64")
    return Case(
        name=machine.name,
        suite="gutentag",
        train=_frame(normal_values[:half]),
        normal=_frame(normal_values[half:], "2021-01-01"),
        test=_frame(test[values].to_numpy(dtype="float64"), "2022-01-01"),
        labels=test[LABEL_COLUMN_NAME].to_numpy(dtype=bool),
    )


def plant_cases(seed: int) -> Iterator[Case]:
    """The example plant's machines: train Jan-Feb, test March on with its labelled faults."""
    frames = example_plant.simulate(seed=seed)
    train_end = pd.Timestamp(example_plant.TRAIN_END)
    for machine, frame in frames.items():
        test = frame[frame.index >= train_end]
        labels = np.zeros(len(test), dtype=bool)
        for fault in example_plant.FAULTS:
            if fault.machine == machine:
                labels |= (test.index >= fault.start) & (test.index < fault.end)
        yield Case(machine, "plant", frame[frame.index < train_end], test, labels, test.iloc[:0])


def load_model(name: str) -> Any:
    """A fresh, unfitted estimator of model ``name`` (``default`` or ``recommended``)."""
    if name == "default":
        definition = DEFAULT_MODEL
    else:
        definition = yaml.safe_load(RECOMMENDED.read_text(encoding="utf-8"))["model"]
    return serializer.from_definition(definition)


def flags_and_score(
    model_name: str, frame: pd.DataFrame, model: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Flagged rows and raw score of an ``anomaly()`` frame."""
    if model_name == "default":
        score = frame["total-anomaly-scaled"].to_numpy()[:, 0]
        return score > model.aggregate_threshold_, score
    return frame["anomaly-event"].to_numpy()[:, 0], frame["anomaly-score"].to_numpy()[:, 0]


def evaluate(model_name: str, case: Case, seed: int) -> dict[str, float]:
    """Fit ``model_name`` on ``case``'s training rows; metrics on its test and normal rows."""
    np.random.seed(seed)
    model = load_model(model_name)
    model.cross_validate(X=case.train, y=case.train)
    model.fit(case.train, case.train)
    frame = model.anomaly(case.test, case.test)
    flags, score = flags_and_score(model_name, frame, model)
    labels = case.labels[len(case.labels) - len(flags) :]
    metrics = detection_metrics(labels, flags, score)
    total = frame["total-anomaly-scaled"].to_numpy()[:, 0]
    metrics["ap-total-scaled"] = detection_metrics(labels, flags, total)["average-precision"]
    if len(case.normal):
        normal_flags, _ = flags_and_score(
            model_name, model.anomaly(case.normal, case.normal), model
        )
        normal = detection_metrics(np.zeros(len(normal_flags), bool), normal_flags)
        metrics["normal-rows-flagged"] = normal["normal-rows-flagged"]
        metrics["false-events-per-10k"] = normal["false-events-per-10k"]
    return metrics


def _mean(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return statistics.fmean(finite) if finite else float("nan")


def summary(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Mean metrics per model and suite (machines and seeds pooled)."""
    frame = pd.DataFrame(rows)
    return frame.groupby(["model", "suite"])[list(METRICS)].agg(_mean)


def run(seeds: list[int], quick: bool, models: list[str]) -> list[dict[str, Any]]:
    length = 6000 if quick else 16000
    machines = GUTENTAG_MACHINES[:3] if quick else GUTENTAG_MACHINES
    rows = []
    for seed in seeds:
        cases = [gutentag_case(m, seed, length) for m in machines] + list(plant_cases(seed))
        for case in cases:
            for model_name in models:
                started = time.perf_counter()
                metrics = evaluate(model_name, case, seed)
                rows.append(
                    {
                        "model": model_name,
                        "suite": case.suite,
                        "machine": case.name,
                        "seed": seed,
                        **metrics,
                        "seconds": time.perf_counter() - started,
                    }
                )
                print(
                    f"seed {seed} {case.name:18s} {model_name:11s} "
                    + " ".join(f"{k}={metrics[k]:.3f}" for k in METRICS),
                    flush=True,
                )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 3 GutenTAG machines, shorter")
    parser.add_argument("--seeds", type=int, default=3, help="number of seeds (default 3)")
    parser.add_argument("--model", action="append", choices=["default", "recommended"])
    parser.add_argument("--csv", type=Path, help="write the per-machine rows here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    seeds = [0] if args.quick else list(range(args.seeds))
    rows = run(seeds, args.quick, args.model or ["default", "recommended"])
    if args.csv:
        pd.DataFrame(rows).to_csv(args.csv, index=False)
    print(f"\nload average: {os.getloadavg()[0]:.1f}")
    with pd.option_context(
        "display.width", 250, "display.max_columns", 20, "display.float_format", "{:.3f}".format
    ):
        print(summary(rows))
        per_machine = pd.DataFrame(rows).groupby(["model", "machine"])[list(METRICS)].agg(_mean)
        print(per_machine)


if __name__ == "__main__":
    main()
