"""Seed real storage backends (InfluxDB, PostgreSQL, lakes) with the same series.

Used by the provider contract suite and by benchmarks/bench_data.py.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd
import requests


def influx_query(url: str, statement: str, database: str | None = None) -> dict:
    params = {"q": statement, **({"db": database} if database else {})}
    response = requests.post(f"{url}/query", params=params, timeout=30)
    response.raise_for_status()
    return response.json()


def _escape_tag_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def write_influx(
    url: str, database: str, measurement: str, data: Mapping[str, pd.Series], batch: int = 50_000
) -> None:
    """Create ``database`` and write each series as ``measurement,tag=<name> Value=<v> <ns>``."""
    influx_query(url, f'CREATE DATABASE "{database}"')
    lines: list[str] = []

    def flush():
        if lines:
            response = requests.post(
                f"{url}/write",
                params={"db": database, "precision": "ns"},
                data="\n".join(lines).encode(),
                timeout=120,
            )
            response.raise_for_status()
            lines.clear()

    for name, series in data.items():
        prefix = f"{measurement},tag={_escape_tag_value(name)} Value="
        ns = series.index.as_unit("ns").asi8
        for t, v in zip(ns, series.to_numpy(dtype="float64"), strict=True):
            lines.append(f"{prefix}{float(v)!r} {int(t)}")
            if len(lines) >= batch:
                flush()
    flush()


def write_postgres(
    dsn: str,
    table: str,
    data: Mapping[str, pd.Series],
    columns: tuple[str, str, str] = ("tag", "time", "value"),
    status: int | None = None,
) -> None:
    """(Re)create ``table`` as a long table and COPY the series into it."""
    import psycopg
    from psycopg import sql

    tag, time, value = (sql.Identifier(c) for c in columns)
    ident = sql.Identifier(*table.split("."))
    status_col = sql.SQL(", status int") if status is not None else sql.SQL("")
    with psycopg.connect(dsn, autocommit=True) as conn:
        if "." in table:
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(table.split(".")[0])
                )
            )
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident))
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} ({} text, {} timestamptz, {} double precision{}, PRIMARY KEY ({}, {}))"
            ).format(ident, tag, time, value, status_col, tag, time)
        )
        text = io.StringIO()
        for name, series in data.items():
            frame = pd.DataFrame(
                {
                    "tag": name,
                    "time": series.index.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S.%f+00"),
                    "value": series.to_numpy(dtype="float64"),
                }
            )
            if status is not None:
                frame["status"] = status
            frame.to_csv(text, sep="\t", header=False, index=False)
        cols = [tag, time, value] + ([sql.Identifier("status")] if status is not None else [])
        with (
            conn.cursor() as cur,
            cur.copy(
                sql.SQL("COPY {} ({}) FROM STDIN").format(ident, sql.SQL(", ").join(cols))
            ) as copy,
        ):
            copy.write(text.getvalue())


def sample_series(
    names: list[str], start: str, periods: int, freq: str = "1min", seed: int = 0
) -> dict[str, pd.Series]:
    """Deterministic smooth series with noise, one per name."""
    index = pd.date_range(start, periods=periods, freq=freq, tz="UTC")
    rng = np.random.default_rng(seed)
    t = np.arange(periods)
    return {
        name: pd.Series(
            np.sin(t / 300 + i) * 10 + rng.normal(0, 0.1, periods), index=index, name=name
        )
        for i, name in enumerate(names)
    }
