"""Benchmark the ML server on the S model (design.md §5), over HTTP on 127.0.0.1.

Builds the S model with ``gordo build`` into ``<tmp>/bench/<revision>/bench-s``,
starts ``gordo run-server`` (one gunicorn worker, 8 threads) on it and measures:
start to the first ``/healthcheck`` answer and to ``/ready`` (the preloaded
models loaded); the first request after ready; sequential p50/p95 of
``/prediction`` and ``/anomaly/prediction`` with 1, 100 and 10 000 rows as JSON
and as parquet; throughput of 8 concurrent clients (anomaly, JSON, 100 rows)
over a fixed window; the memory of the server's whole process tree after
warm-up as PSS (a page shared by the master and its workers counts once), with
the summed RSS beside it. Every loop is bounded in count and time.

``--fleet 1000`` then serves a revision of 1 000 copies of the model with 2
workers (design §6): anomaly JSON 100 rows over random models, so nearly every
request loads its model (``N_CACHED_MODELS`` 2): p50, 8-client throughput, PSS.

``--preload-cost`` measures what importing
:data:`gordo.server.startup.SERVING_MODULES` costs, with and without
scikit-learn: import time in a fresh interpreter, and the PSS of a master and 2
forked workers when the master imports them (as ``gordo run-server`` does) or
each worker does after the fork.

Beside each latency, ``server cpu`` is the CPU time the server's process tree
spent per request: on a machine shared with other work, wall times grow with
the load while this stays put.

Usage: ``python -m benchmarks.bench_serve [--window 20] [--requests 30] [--fleet 1000]
[--preload-cost]``

>>> check(5.0, "prediction json 100")
'ok'
>>> check(80.0, "throughput")
'ok'
>>> check(12.0, "anomaly json 100")
'MISSED'
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import psutil
import requests
from urllib3 import encode_multipart_formdata

from benchmarks.configs import PROJECT, machine_config
from tests.servers import free_port, run_server_command, wait_for_healthcheck

REVISION = "1700000000000"
MODEL = "bench-s"

#: design.md §6 targets (the original's figures over 15, 10, 5 or 4): milliseconds for
#: latencies, req/s for throughput, MB for memory.
TARGETS = {
    "prediction json 100": 6.0,
    "anomaly json 100": 10.0,
    "anomaly parquet 10000": 45.0,
    "anomaly json 10000": 393.0,
    "start to ready": 2030.0,
    "first request after ready": 90.0,
    "memory pss": 293.0,
    "fleet anomaly json 100": 15.0,
    "fleet memory pss": 400.0,
}
HIGHER_IS_BETTER = {"throughput": 70.0}


def check(value: float, name: str) -> str:
    """``ok`` if ``value`` meets the target named ``name``, ``MISSED`` if not, ``-`` if none."""
    if name in HIGHER_IS_BETTER:
        return "ok" if value >= HIGHER_IS_BETTER[name] else "MISSED"
    if name not in TARGETS:
        return "-"
    return "ok" if value <= TARGETS[name] else "MISSED"


def build_model(root: Path) -> Path:
    """Build the S model with ``gordo build``; return the revision directory."""
    config = {**machine_config("S"), "project_name": PROJECT}
    machine_file = root / "S.json"
    machine_file.write_text(json.dumps(config))
    collection = root / PROJECT / REVISION
    subprocess.run(
        [
            sys.executable,
            "-m",
            "gordo",
            "--log-level",
            "WARNING",
            "build",
            str(machine_file),
            str(collection / MODEL),
        ],
        check=True,
        timeout=600,
    )
    return collection


def frame(rows: int, tags: list[str], seed: int) -> pd.DataFrame:
    index = pd.date_range("2020-03-01", periods=rows, freq="10min", tz="UTC")
    values = np.random.default_rng(seed).random((rows, len(tags)))
    return pd.DataFrame(values, index=index, columns=tags)


def bodies(rows: int, tags: list[str]) -> dict[str, tuple[bytes, str]]:
    """Request bodies (bytes, content type) for ``rows`` rows, as JSON and as parquet."""
    from gordo.server.utils import dataframe_into_parquet_bytes, dataframe_to_dict

    X, y = frame(rows, tags, 0), frame(rows, tags, 1)
    payload = orjson.dumps({"X": dataframe_to_dict(X), "y": dataframe_to_dict(y)})
    parquet, content_type = encode_multipart_formdata(
        {
            "X": ("X", dataframe_into_parquet_bytes(X)),
            "y": ("y", dataframe_into_parquet_bytes(y)),
        }
    )
    return {"json": (payload, "application/json"), "parquet": (parquet, content_type)}


def start_server(
    collection: Path, port: int, workers: int = 1
) -> tuple[subprocess.Popen, float, float]:
    """Start ``gordo run-server``; return it and the seconds to /healthcheck and to /ready."""
    env = {**os.environ, "MODEL_COLLECTION_DIR": str(collection), "PROJECT": PROJECT}
    cmd = run_server_command(
        port, "--workers", str(workers), "--threads", "8", "--log-level", "warning"
    )
    start = time.perf_counter()
    process = subprocess.Popen(cmd, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_healthcheck(url, process, timeout=60, interval=0.005)
        alive = time.perf_counter() - start
        while requests.get(f"{url}/ready", timeout=60).status_code != 200:
            if time.perf_counter() - start > 120:
                raise RuntimeError(f"{url}/ready did not answer 200 within 120 s")
            time.sleep(0.005)
    except (RuntimeError, requests.RequestException):
        stop_server(process)
        raise
    return process, alive, time.perf_counter() - start


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


def _tree(pid: int) -> list[psutil.Process]:
    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by the process tree of ``pid`` (with the
    children it has reaped); 0 if it has ended. Processes that end meanwhile are skipped."""
    try:
        processes = _tree(pid)
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """PSS and summed RSS of the process tree of ``pid``, MB (PSS counts shared pages once)."""
    infos = [proc.memory_full_info() for proc in _tree(pid)]
    return sum(i.pss for i in infos) / 2**20, sum(i.rss for i in infos) / 2**20


def post(session: requests.Session, url: str, body: tuple[bytes, str]) -> float:
    start = time.perf_counter()
    response = session.post(url, data=body[0], headers={"Content-Type": body[1]}, timeout=60)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:500]}")
    return elapsed


def latencies(session, url: str, body, count: int, budget: float) -> list[float]:
    """Up to ``count`` sequential requests, stopping after ``budget`` seconds."""
    post(session, url, body)
    times: list[float] = []
    deadline = time.perf_counter() + budget
    while len(times) < count and time.perf_counter() < deadline:
        times.append(post(session, url, body))
    return times


def throughput(urls: list[str], body, clients: int, window: float) -> float:
    """Requests per second answered to ``clients`` concurrent clients over ``window`` s.

    The clients take turns through ``urls``.
    """
    done = [0] * clients
    stop = time.perf_counter() + window

    def client(i: int) -> None:
        with requests.Session() as session:
            while time.perf_counter() < stop:
                post(session, urls[(i + done[i] * clients) % len(urls)], body)
                done[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=window + 120)
    return sum(done) / (time.perf_counter() - start)


def run(window: float, count: int, fleet: int) -> list[tuple[str, float, str]]:
    results: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        collection = build_model(Path(tmp))
        tags = machine_config("S")["dataset"]["tags"]
        payloads = {rows: bodies(rows, tags) for rows in (1, 100, 10_000)}
        port = free_port()
        process, alive, ready = start_server(collection, port)
        base = f"http://127.0.0.1:{port}/gordo/v0/{PROJECT}/{MODEL}"
        routes = {"prediction": f"{base}/prediction", "anomaly": f"{base}/anomaly/prediction"}
        try:
            results.append(("start to healthcheck", alive * 1000, "ms"))
            results.append(("start to ready", ready * 1000, "ms"))
            with requests.Session() as session:
                first = post(session, routes["anomaly"], payloads[100]["json"])
                results.append(("first request after ready", first * 1000, "ms"))
                for route, url in routes.items():
                    for fmt in ("json", "parquet"):
                        suffix = "?format=parquet" if fmt == "parquet" else ""
                        for rows, body in payloads.items():
                            n = count if rows < 10_000 else max(3, count // 3)
                            cpu = tree_cpu_seconds(process.pid)
                            times = latencies(session, url + suffix, body[fmt], n, budget=30)
                            cpu = (tree_cpu_seconds(process.pid) - cpu) / (len(times) + 1)
                            name = f"{route} {fmt} {rows}"
                            p95 = float(np.percentile(times, 95)) * 1000
                            results.append((name, statistics.median(times) * 1000, "ms"))
                            results.append((f"{name} p95", p95, "ms"))
                            results.append((f"{name} server cpu", cpu * 1000, "ms"))
            rate = throughput([routes["anomaly"]], payloads[100]["json"], 8, window)
            results.append(("throughput", rate, "req/s"))
            pss, rss = tree_memory_mb(process.pid)
            results += [("memory pss", pss, "MB"), ("memory rss summed", rss, "MB")]
        finally:
            stop_server(process)
        if fleet:
            results += run_fleet(collection, fleet, payloads[100]["json"], count, window)
    return results


def run_fleet(
    collection: Path, size: int, body: tuple[bytes, str], count: int, window: float
) -> list[tuple[str, float, str]]:
    """One server, 2 workers, a revision of ``size`` copies of the model: random models."""
    revision = collection.parent / str(int(REVISION) + 1)
    names = [f"{MODEL}-{i:04d}" for i in range(size)]
    for name in names:
        shutil.copytree(collection / MODEL, revision / name)
    port = free_port()
    process, _, ready = start_server(revision, port, workers=2)
    base = f"http://127.0.0.1:{port}/gordo/v0/{PROJECT}"
    rng = random.Random(0)
    urls = [f"{base}/{rng.choice(names)}/anomaly/prediction" for _ in range(10 * count)]
    results = [("fleet start to ready", ready * 1000, "ms")]
    try:
        with requests.Session() as session:
            times = [post(session, url, body) for url in urls[: 3 * count]]
        results.append(("fleet anomaly json 100", statistics.median(times) * 1000, "ms"))
        results.append(("fleet anomaly json 100 p95", np.percentile(times, 95) * 1000, "ms"))
        results.append(("fleet throughput", throughput(urls, body, 8, window), "req/s"))
        pss, rss = tree_memory_mb(process.pid)
        results += [("fleet memory pss", pss, "MB"), ("fleet memory rss summed", rss, "MB")]
    finally:
        stop_server(process)
    return results


_FORKED_IMPORTS = """
import importlib, json, os, sys, time
import psutil
modules, where = json.loads(sys.argv[1]), sys.argv[2]
for key, value in json.loads(sys.argv[3]).items():
    os.environ.setdefault(key, value)
def load():
    for module in modules:
        importlib.import_module(module)
start = time.perf_counter()
if where == "master":
    load()
seconds = time.perf_counter() - start
children = []
for _ in range(2):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        if where == "workers":
            load()
        os.write(write, b"x")
        time.sleep(600)
        os._exit(0)
    os.read(read, 1)
    children.append(pid)
tree = [psutil.Process(), *(psutil.Process(pid) for pid in children)]
pss = sum(p.memory_full_info().pss for p in tree) / 2**20
for pid in children:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
print(json.dumps({"seconds": seconds, "pss": pss}))
"""


def preload_cost() -> list[tuple[str, float, str]]:
    """Import time and PSS of a master + 2 workers, for the master's serving modules
    (:data:`gordo.server.startup.SERVING_MODULES`) and for those without scikit-learn and
    gordo's model classes (which import it): what preloading scikit-learn costs."""
    from gordo.server.startup import NO_THREAD_ENVIRONMENT, SERVING_MODULES

    with_sklearn = list(SERVING_MODULES)
    without = [m for m in with_sklearn if not m.startswith(("sklearn", "gordo.machine"))]
    results = []
    for label, modules in (("with sklearn", with_sklearn), ("without sklearn", without)):
        for where in ("master", "workers"):
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    _FORKED_IMPORTS,
                    json.dumps(modules),
                    where,
                    json.dumps(NO_THREAD_ENVIRONMENT),
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=300,
            )
            report = json.loads(out.stdout)
            if where == "master":
                results.append((f"import {label}", report["seconds"] * 1000, "ms"))
            results.append((f"pss 1+2, imports in {where}, {label}", report["pss"], "MB"))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--window", type=float, default=20.0, help="throughput window, seconds")
    parser.add_argument("--requests", type=int, default=30, help="sequential requests per case")
    parser.add_argument("--fleet", type=int, default=0, help="also serve this many models")
    parser.add_argument(
        "--preload-cost", action="store_true", help="only measure the master's imports"
    )
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    if args.preload_cost:
        results = preload_cost()
    else:
        results = run(args.window, args.requests, args.fleet)
    for name, value, unit in results:
        print(f"{name:40s} {value:10.1f} {unit:6s} {check(value, name)}")
    # the machine is shared: a run's wall times are only comparable at a similar load
    print(f"{'load average (1 min)':40s} {load_before:10.2f} -> {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
