"""A small simulated plant, written in the lake layout, for demos, tests and benchmarks.

Six machines (two pumps, a compressor, a heat exchanger, a fan and a
separator), each with 5-7 physically related tags at 10-minute resolution:
daily demand cycles, noise, slow drift and labelled fault episodes. The data
is deterministic for a seed. ``gordo example-data DIR`` writes it; the project
config ``gordo/examples/example-plant.yaml`` reads it through the file-store
provider with ``root: ${GORDO_EXAMPLE_DATA}``.

Layout: ``DIR/<machine>/<tag>/parquet/<YYYY>/<tag>_<YYYYMM>.parquet`` (asset =
machine name) and ``DIR/labels.csv`` with ``machine,start,end,kind``.

>>> frames = simulate(days=7)
>>> sorted(frames) == sorted(MACHINES)
True
>>> frames["pump-a"].shape
(1008, 7)
>>> bool((frames["pump-a"]["PA-FLOW"] > 0).all())
True
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gordo.exceptions import ConfigException

START = "2020-01-01T00:00:00+00:00"
DAYS = 91
FREQ = "10min"
#: the example config trains on [TRAIN_START, TRAIN_END); most faults come after
TRAIN_START, TRAIN_END = "2020-01-01T00:00:00+00:00", "2020-03-01T00:00:00+00:00"


@dataclass(frozen=True)
class Fault:
    """A labelled fault episode: ``kind`` on ``machine`` over ``[start, end)``."""

    machine: str
    start: str
    end: str
    kind: str


#: fault episodes: (machine, time after the start, duration, kind)
SCHEDULE = (
    ("pump-a", "40D 6h", "3h", "sensor-spike"),
    ("pump-a", "69D", "10D", "bearing-wear"),
    ("pump-b", "74D 12h", "2D", "cavitation"),
    ("compressor-1", "64D", "20D", "fouling"),
    ("heat-exchanger-1", "67D", "23D", "fouling"),
    ("fan-1", "79D", "2D", "imbalance"),
    ("separator-1", "71D", "2D", "stuck-level-sensor"),
)


def fault_episodes(start: str = START, days: int = DAYS) -> tuple[Fault, ...]:
    """The fault episodes of a plant starting at ``start`` (those that begin within ``days``).

    >>> fault_episodes()[1]
    Fault(machine='pump-a', start='2020-03-10T00:00:00+00:00', end='2020-03-20T00:00:00+00:00', kind='bearing-wear')
    """
    t0 = _start(start)
    episodes = []
    for machine, offset, duration, kind in SCHEDULE:
        begin = t0 + pd.Timedelta(offset)
        if begin < t0 + pd.Timedelta(days=days):
            end = begin + pd.Timedelta(duration)
            episodes.append(Fault(machine, begin.isoformat(), end.isoformat(), kind))
    return tuple(episodes)


def _start(start: str) -> pd.Timestamp:
    ts = pd.Timestamp(start)
    if ts.tzinfo is None:
        raise ConfigException(f"example plant start {start!r} needs a timezone, e.g. '+00:00'")
    return ts.tz_convert("UTC")


#: the episodes of the default plant (2020-01-01, 91 days)
FAULTS = fault_episodes()


class _Clock:
    """Time axis helpers shared by the machine models."""

    def __init__(self, index: pd.DatetimeIndex, rng: np.random.Generator, faults: tuple):
        self.index, self.rng, self.n = index, rng, len(index)
        self.faults = faults
        hours = (index - index[0]).total_seconds().to_numpy() / 3600
        self.hours = hours
        self.progress = hours / max(hours[-1], 1.0)  # 0 -> 1 over the period
        hour_of_day = index.hour.to_numpy() + index.minute.to_numpy() / 60
        weekend = index.day_of_week.to_numpy() >= 5
        self.demand = (
            0.78
            + 0.14 * np.sin(2 * np.pi * (hour_of_day - 9) / 24)
            - 0.06 * weekend
            + self.ar1(0.02, 0.98)
        )
        self.ambient = 5 + 6 * np.sin(2 * np.pi * (hour_of_day - 14) / 24) + 8 * self.progress

    def ar1(self, scale: float, phi: float) -> np.ndarray:
        """Slowly wandering noise (AR(1))."""
        from scipy.signal import lfilter

        shocks = self.rng.normal(0, scale * np.sqrt(1 - phi**2), self.n)
        return lfilter([1.0], [1.0, -phi], shocks)

    def noise(self, scale: float) -> np.ndarray:
        return self.rng.normal(0, scale, self.n)

    def ramp(self, fault: Fault) -> np.ndarray:
        """0 before the fault, rising linearly to 1 at its end, 0 after."""
        t = self.index
        a, b = pd.Timestamp(fault.start), pd.Timestamp(fault.end)
        inside = (t >= a) & (t < b)
        out = np.zeros(self.n)
        out[inside] = ((t[inside] - a) / (b - a)).to_numpy(dtype="float64")
        return out

    def of(self, machine: str) -> dict[str, Fault]:
        """The fault episodes of ``machine``, by kind."""
        return {f.kind: f for f in self.faults if f.machine == machine}

    def window(self, fault: Fault) -> np.ndarray:
        t = self.index
        return ((t >= pd.Timestamp(fault.start)) & (t < pd.Timestamp(fault.end))).astype(float)


def _pump(prefix: str, machine: str, rated_rpm: float, rated_flow: float) -> Callable:
    def model(c: _Clock) -> dict[str, np.ndarray]:
        faults = c.of(machine)
        speed = rated_rpm * (0.7 + 0.3 * c.demand) + c.noise(3)
        n = speed / rated_rpm
        suction = 1.2 + 0.05 * np.sin(2 * np.pi * c.hours / 24 / 7) + c.noise(0.01)
        cavitation = c.window(faults["cavitation"]) if "cavitation" in faults else 0
        suction = suction - 0.6 * cavitation
        flow = rated_flow * n * (1 - 0.25 * cavitation) * (1 + c.noise(0.01))
        head_bar = 6.0 * n**2 - 1.5 * (flow / rated_flow) ** 2
        discharge = suction + head_bar + c.noise(0.03)
        efficiency = 0.78 - 0.03 * c.progress  # slow wear
        power = flow / 3600 * (discharge - suction) * 1e5 / efficiency / 1000 + c.noise(0.3)
        wear = c.ramp(faults["bearing-wear"]) if "bearing-wear" in faults else 0
        bearing = c.ambient * 0.3 + 35 + 0.25 * power + 12 * wear**2 + c.noise(0.2)
        vibration = (
            1.2
            + 1.5 * n**2
            + 4 * wear**2
            + 1.5 * cavitation * np.abs(c.noise(1))
            + np.abs(c.noise(0.08))
        )
        if "sensor-spike" in faults:
            spike = c.window(faults["sensor-spike"])
            discharge = discharge + 8 * spike
        return {
            f"{prefix}-SPEED": speed,
            f"{prefix}-FLOW": flow,
            f"{prefix}-SUCT-P": suction,
            f"{prefix}-DISCH-P": discharge,
            f"{prefix}-POWER": power,
            f"{prefix}-BEARING-T": bearing,
            f"{prefix}-VIB": vibration,
        }

    return model


def _ramp(c: _Clock, machine: str, kind: str) -> np.ndarray:
    fault = c.of(machine).get(kind)
    return c.ramp(fault) if fault else np.zeros(c.n)


def _window(c: _Clock, machine: str, kind: str) -> np.ndarray:
    fault = c.of(machine).get(kind)
    return c.window(fault) if fault else np.zeros(c.n)


def _compressor(c: _Clock) -> dict[str, np.ndarray]:
    fouling = _ramp(c, "compressor-1", "fouling")
    speed = 9000 * (0.8 + 0.2 * c.demand) + c.noise(15)
    n = speed / 9000
    suction_p = 2.0 + c.noise(0.02)
    suction_t = 15 + 0.5 * c.ambient + c.noise(0.2)
    ratio = 1 + 2.4 * n**2 * (1 - 0.03 * fouling)
    flow = 5000 * n * (1 - 0.05 * fouling) + c.noise(20)
    efficiency = 0.8 * (1 - 0.3 * fouling) - 0.01 * c.progress
    discharge_t = (suction_t + 273.15) * (1 + (ratio ** (0.4 / 1.4) - 1) / efficiency) - 273.15
    power = flow / 3600 * 1.2 * 1.005 * (discharge_t - suction_t) + c.noise(2)
    return {
        "C1-SPEED": speed,
        "C1-SUCT-P": suction_p,
        "C1-DISCH-P": suction_p * ratio + c.noise(0.02),
        "C1-SUCT-T": suction_t,
        "C1-DISCH-T": discharge_t + c.noise(0.3),
        "C1-FLOW": flow,
        "C1-POWER": power,
    }


def _heat_exchanger(c: _Clock) -> dict[str, np.ndarray]:
    fouling = _ramp(c, "heat-exchanger-1", "fouling")
    hot_flow = 40 * (0.6 + 0.4 * c.demand) + c.noise(0.3)
    cold_flow = 55 + 5 * np.sin(2 * np.pi * c.hours / 24 / 3) + c.noise(0.3)
    hot_in = 90 + 3 * c.demand + c.noise(0.2)
    cold_in = 8 + 0.4 * c.ambient + c.noise(0.1)
    effectiveness = 0.7 * (1 - 0.5 * fouling) - 0.02 * c.progress
    c_min = np.minimum(hot_flow, cold_flow)
    q = effectiveness * c_min * (hot_in - cold_in)
    return {
        "HX1-HOT-IN-T": hot_in,
        "HX1-HOT-OUT-T": hot_in - q / hot_flow + c.noise(0.15),
        "HX1-COLD-IN-T": cold_in,
        "HX1-COLD-OUT-T": cold_in + q / cold_flow + c.noise(0.15),
        "HX1-HOT-FLOW": hot_flow,
        "HX1-COLD-FLOW": cold_flow,
    }


def _fan(c: _Clock) -> dict[str, np.ndarray]:
    imbalance = _window(c, "fan-1", "imbalance")
    speed = 990 * (0.5 + 0.5 * np.clip(c.demand + 0.02 * c.ambient, 0, 1.2)) + c.noise(4)
    n = speed / 990
    airflow = 120 * n + c.noise(0.8)
    power = 45 * n**3 + c.noise(0.4) + 2 * imbalance
    vibration = 0.8 + 0.9 * n**2 + 3.5 * imbalance * n**2 + np.abs(c.noise(0.05))
    motor_t = 40 + 0.6 * c.ambient + 0.5 * power + 0.5 * c.progress + c.noise(0.2)
    return {
        "F1-SPEED": speed,
        "F1-AIRFLOW": airflow,
        "F1-POWER": power,
        "F1-VIB": vibration,
        "F1-MOTOR-T": motor_t,
    }


def _separator(c: _Clock) -> dict[str, np.ndarray]:
    stuck = _window(c, "separator-1", "stuck-level-sensor").astype(bool)
    inflow = 300 * c.demand + c.noise(3)
    level = 50 + 8 * c.ar1(1.0, 0.995) + 0.02 * (inflow - 240) + c.noise(0.3)
    # While the level sensor is stuck, the level controller is blind: the real
    # level climbs and the outflow follows it, but the sensor keeps its last value.
    blind = np.cumsum(stuck) * 0.1
    outflow = inflow + 2.5 * (level + blind - 50) + c.noise(2)
    pressure = 12 + 0.004 * inflow + c.noise(0.05)
    if stuck.any():
        level = level.copy()
        level[stuck] = level[np.argmax(stuck) - 1]
    return {
        "S1-INFLOW": inflow,
        "S1-OUTFLOW": outflow,
        "S1-LEVEL": level,
        "S1-PRESSURE": pressure,
        "S1-TEMP": 30 + 0.3 * c.ambient + c.noise(0.2),
    }


#: machine name -> model producing its tags
MACHINES: dict[str, Callable[[_Clock], dict[str, np.ndarray]]] = {
    "pump-a": _pump("PA", "pump-a", 1480, 250),
    "pump-b": _pump("PB", "pump-b", 2950, 120),
    "compressor-1": _compressor,
    "heat-exchanger-1": _heat_exchanger,
    "fan-1": _fan,
    "separator-1": _separator,
}


def simulate(start: str = START, days: int = DAYS, seed: int = 0) -> dict[str, pd.DataFrame]:
    """``{machine: frame}`` of the simulated plant at 10-minute resolution."""
    index = pd.date_range(_start(start), periods=days * 144, freq=FREQ)
    faults = fault_episodes(start, days)
    frames = {}
    for i, (machine, model) in enumerate(MACHINES.items()):
        clock = _Clock(index, np.random.default_rng([seed, i]), faults)
        frames[machine] = pd.DataFrame(model(clock), index=index)
    return frames


def machine_tags(seed: int = 0) -> dict[str, list[str]]:
    """``{machine: [tag, ...]}`` of the plant.

    >>> machine_tags()["fan-1"]
    ['F1-SPEED', 'F1-AIRFLOW', 'F1-POWER', 'F1-VIB', 'F1-MOTOR-T']
    """
    return {m: list(f.columns) for m, f in simulate(days=1, seed=seed).items()}


def write_example_plant(
    directory: str | Path, start: str = START, days: int = DAYS, seed: int = 0
) -> dict[str, int]:
    """Write the plant under ``directory`` (lake layout plus ``labels.csv``); return counts."""
    from gordo.dataset.data_provider.lake import write_lake
    from gordo.dataset.sensor_tag import SensorTag

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = 0
    frames = simulate(start, days, seed)
    for machine, frame in frames.items():
        files += len(
            write_lake(
                str(directory), {SensorTag(tag, machine): frame[tag] for tag in frame.columns}
            )
        )
    with open(directory / "labels.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["machine", "start", "end", "kind"])
        for fault in fault_episodes(start, days):
            writer.writerow([fault.machine, fault.start, fault.end, fault.kind])
    return {
        "machines": len(frames),
        "tags": sum(f.shape[1] for f in frames.values()),
        "rows_per_tag": days * 144,
        "files": files,
    }


def read_labels(directory: str | Path) -> pd.DataFrame:
    """The fault labels written beside the data (``start``/``end`` as UTC timestamps)."""
    labels = pd.read_csv(Path(directory) / "labels.csv")
    for column in ("start", "end"):
        labels[column] = pd.to_datetime(labels[column], utc=True)
    return labels
