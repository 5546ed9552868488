"""The benchmark configs of design.md §5, shared by every script in benchmarks/.

>>> sorted(CONFIGS)
['L', 'M', 'S']
>>> len(fleet_f())
8
>>> len(machine_config("S")["dataset"]["tags"])
10
"""

from __future__ import annotations

import copy

from tests.builder.helpers import dataset_config, keras_anomaly

PROJECT = "bench"

_FEEDFORWARD = keras_anomaly(
    "KerasAutoEncoder", kind="feedforward_hourglass", epochs=10, batch_size=128
)
_LSTM = keras_anomaly(
    "KerasLSTMAutoEncoder", kind="lstm_hourglass", lookback_window=12, epochs=5, batch_size=128
)


def _tags(n: int, prefix: str = "bench-tag") -> list[str]:
    return [f"{prefix}-{i}" for i in range(n)]


def _dataset(tags: list[str], start: str, end: str, provider: dict | None = None) -> dict:
    return dataset_config(
        tags,
        data_provider={"type": "RandomDataProvider", **(provider or {})},
        train_start_date=start,
        train_end_date=end,
    )


CONFIGS: dict[str, dict] = {
    "S": {
        "name": "bench-s",
        "dataset": _dataset(_tags(10), "2020-01-01T00:00:00+00:00", "2020-02-01T00:00:00+00:00"),
        "model": _FEEDFORWARD,
    },
    "M": {
        "name": "bench-m",
        "dataset": _dataset(
            _tags(40),
            "2020-01-01T00:00:00+00:00",
            "2020-07-01T00:00:00+00:00",
            {"min_size": 5000, "max_size": 10000},
        ),
        "model": _FEEDFORWARD,
    },
    "L": {
        "name": "bench-l",
        "dataset": _dataset(_tags(10), "2020-01-01T00:00:00+00:00", "2020-02-01T00:00:00+00:00"),
        "model": _LSTM,
    },
}


def machine_config(name: str) -> dict:
    """A deep copy of benchmark machine config ``name`` (S, M or L), with the default evaluation."""
    return copy.deepcopy(CONFIGS[name])


def fleet_f() -> list[dict]:
    """Fleet F: 8 machines of the S kind with different names and tags."""
    return fleet_of_s(8)


def fleet_of_s(n: int) -> list[dict]:
    """``n`` machines of the S kind with different names and tags (``bench-f-<i>``).

    >>> [m["name"] for m in fleet_of_s(2)]
    ['bench-f-0', 'bench-f-1']
    """
    machines = []
    for i in range(n):
        cfg = machine_config("S")
        cfg["name"] = f"bench-f-{i}"
        tags = _tags(10, prefix=f"f{i}-tag")
        cfg["dataset"]["tags"] = tags
        cfg["dataset"]["target_tag_list"] = tags
        machines.append(cfg)
    return machines


def project_config(machines: list[dict]) -> dict:
    """A plain ``{machines, globals}`` project config holding ``machines``."""
    return {"machines": copy.deepcopy(machines), "globals": {}}
