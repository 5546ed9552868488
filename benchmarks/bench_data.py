"""Data-layer benchmark: load tags and resample them to 10 minutes.

* lake: 40 tags x 6 months at 1-minute resolution in local parquet (monthly
  layout) -> TimeSeriesDataset at 10 minutes (target: <= 2 s);
* influx / postgres: 20 tags x 14 days at 1 minute from the real servers
  (started on 127.0.0.1 with tests/servers.py).

Run: ``.venv/bin/python -m benchmarks.bench_data [--only lake|influx|postgres] [--repeat 3]``.
Prints one line per case (best and median wall time of get_data()).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable

import pandas as pd

from gordo.dataset.data_provider.base import GordoBaseDataProvider
from gordo.dataset.datasets import TimeSeriesDataset

LAKE_TAGS, LAKE_START, LAKE_END = 40, "2020-01-01T00:00:00+00:00", "2020-07-01T00:00:00+00:00"
DB_TAGS, DB_START, DB_DAYS = 20, "2020-01-01T00:00:00+00:00", 14


def time_get_data(
    provider: GordoBaseDataProvider, tags: list, start: str, end: str, repeat: int
) -> tuple[list[float], list[float], tuple[int, int]]:
    """Wall and CPU times of ``get_data()`` (fresh dataset each time) and X's shape."""
    times, cpu, shape = [], [], (0, 0)
    for _ in range(repeat):
        dataset = TimeSeriesDataset(
            train_start_date=start,
            train_end_date=end,
            tag_list=tags,
            data_provider=provider,
            resolution="10T",
        )
        began, began_cpu = time.perf_counter(), time.process_time()
        X, _ = dataset.get_data()
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        shape = X.shape
    return times, cpu, shape


def report(
    name: str, points: int, result: tuple[list[float], list[float], tuple[int, int]]
) -> None:
    times, cpu, shape = result
    print(
        f"{name:<10} {points / 1e6:6.2f} M points -> X {shape[0]} x {shape[1]}: "
        f"wall best {min(times):.3f} s, median {statistics.median(times):.3f} s; "
        f"cpu median {statistics.median(cpu):.3f} s (n={len(times)}, "
        f"load average {os.getloadavg()[0]:.1f})"
    )


def bench_lake(repeat: int) -> None:
    from gordo.dataset.data_provider.file_system import FileSystemDataProvider
    from gordo.dataset.data_provider.lake import write_lake
    from tests.dataset.backends import sample_series

    periods = int((pd.Timestamp(LAKE_END) - pd.Timestamp(LAKE_START)) / pd.Timedelta("1min"))
    tags = [f"LAKE-TAG-{i:02d}" for i in range(LAKE_TAGS)]
    with tempfile.TemporaryDirectory(prefix="gordo-bench-lake-") as root:
        write_lake(root, sample_series(tags, LAKE_START, periods), asset="bench")
        provider = FileSystemDataProvider(root)
        result = time_get_data(
            provider, [{"name": t, "asset": "bench"} for t in tags], LAKE_START, LAKE_END, repeat
        )
    report("lake", periods * LAKE_TAGS, result)


def _db_series():
    from tests.dataset.backends import sample_series

    tags = [f"DB-TAG-{i:02d}" for i in range(DB_TAGS)]
    periods = DB_DAYS * 1440
    end = (pd.Timestamp(DB_START) + pd.Timedelta(days=DB_DAYS)).isoformat()
    return tags, sample_series(tags, DB_START, periods), periods * DB_TAGS, end


def bench_influx(repeat: int) -> None:
    from gordo.dataset.data_provider.influx import InfluxDataProvider
    from tests.dataset.backends import write_influx
    from tests.servers import influxdb_server

    tags, data, points, end = _db_series()
    with influxdb_server() as url:
        write_influx(url, "bench", "sensors", data)
        port = int(url.rsplit(":", 1)[1])
        provider = InfluxDataProvider("sensors", host="127.0.0.1", port=port, database="bench")
        result = time_get_data(provider, tags, DB_START, end, repeat)
    report("influx", points, result)


def bench_postgres(repeat: int) -> None:
    from gordo.dataset.data_provider.postgres import PostgresDataProvider
    from tests.dataset.backends import write_postgres
    from tests.servers import postgres_server

    tags, data, points, end = _db_series()
    with postgres_server() as pg:
        write_postgres(pg.dsn, "sensor_data", data)
        provider = PostgresDataProvider(dsn=pg.dsn)
        result = time_get_data(provider, tags, DB_START, end, repeat)
    report("postgres", points, result)


CASES: dict[str, Callable[[int], None]] = {
    "lake": bench_lake,
    "influx": bench_influx,
    "postgres": bench_postgres,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(CASES), action="append")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    for name in args.only or list(CASES):
        with contextlib.suppress(KeyboardInterrupt):
            CASES[name](args.repeat)


if __name__ == "__main__":
    main()
