"""Model benchmark: the S and L models of design §5 on each Keras backend.

Each backend runs in its own process (Keras reads ``KERAS_BACKEND`` at import),
with the interpreter given for it, on random data of the benchmark shapes
(4 400 rows of 10 tags). Per model it reports:

- ``import``: importing gordo's model modules, and Keras if the model fits with it
  (backend ``numpy`` when it trains in numpy, see gordo.machine.model.dense_training);
- ``build_cold``: the model work of a first ``gordo build`` in a fresh process:
  cross-validation (TimeSeriesSplit(3)), thresholds and the final fit;
- ``build_warm``: the same again in the same process;
- ``fit_warm``: one fit of the bare Keras model on all rows (median of 3);
- ``predict_100`` / ``predict_10k``: the Keras model's predict (median);
- ``anomaly_100``: the detector's ``anomaly()`` on 100 rows (median);
- ``peak_rss_mb``: the peak resident memory of the process.

Usage::

    python -m benchmarks.bench_models                        # backends of this interpreter
    python -m benchmarks.bench_models --backend jax --backend torch=/work/bench-venv/bin/python

>>> _median([3.0, 1.0, 2.0])
2.0
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

ROWS = 4400
TAGS = 10


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _timed(fn: Any, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return _median(times)


def run_worker(model_name: str) -> dict[str, Any]:
    """Measure one benchmark model in this process (the backend is fixed by the environment)."""
    import numpy as np

    start = time.perf_counter()
    from benchmarks.configs import machine_config
    from gordo import serializer
    from gordo.builder.warmup import needs_keras
    from gordo.machine.model.backend import active_backend

    definition = machine_config(model_name)["model"]
    keras = needs_keras(serializer.from_definition(definition))
    result: dict[str, Any] = {
        "model": model_name,
        "backend": active_backend() if keras else "numpy",
    }
    result["import"] = time.perf_counter() - start

    import pandas as pd

    rng = np.random.default_rng(0)
    index = pd.date_range("2020-01-01", periods=ROWS, freq="10min", tz="UTC")
    tags = [f"bench-tag-{i}" for i in range(TAGS)]
    X = pd.DataFrame(rng.random((ROWS, TAGS)), index=index, columns=tags)

    def build() -> Any:
        detector = serializer.from_definition(definition)
        detector.cross_validate(X=X, y=X)
        return detector.fit(X, X)

    start = time.perf_counter()
    detector = build()
    result["build_cold"] = time.perf_counter() - start
    result["build_warm"] = _timed(build)

    keras_model = detector.base_estimator.steps[-1][1]
    X_scaled = detector.base_estimator.steps[0][1].transform(X.to_numpy())
    result["fit_warm"] = _timed(lambda: keras_model.fit(X_scaled), repeat=3)
    small, large = X_scaled[:100], np.tile(X_scaled, (3, 1))[:10_000]
    result["predict_100"] = _timed(lambda: keras_model.predict(small), repeat=50)
    result["predict_10k"] = _timed(lambda: keras_model.predict(large), repeat=5)
    X100 = X.iloc[:100]
    detector.anomaly(X100, X100)
    result["anomaly_100"] = _timed(lambda: detector.anomaly(X100, X100), repeat=50)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _run_in_subprocess(
    backend: str, python: str, model_name: str, timeout: float
) -> dict[str, Any]:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    cmd = [python, "-m", "benchmarks.bench_models", "--worker", model_name]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        proc = subprocess.run(
            cmd, env=env, cwd=root, capture_output=True, text=True, check=False, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"model": model_name, "backend": backend, "error": f"over {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"model": model_name, "backend": backend, "error": proc.stderr.strip()[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _format(results: list[dict[str, Any]]) -> str:
    keys = [
        "import",
        "build_cold",
        "build_warm",
        "fit_warm",
        "predict_100",
        "predict_10k",
        "anomaly_100",
    ]
    header = (
        f"{'model':<6}{'backend':<12}"
        + "".join(f"{k + ' s':>14}" for k in keys)
        + f"{'peak MB':>10}"
    )
    lines = [header]
    for r in results:
        if "error" in r:
            lines.append(f"{r['model']:<6}{r['backend']:<12}error: {r['error'].splitlines()[-1]}")
            continue
        cells = "".join(f"{r[k]:>14.4f}" for k in keys)
        lines.append(f"{r['model']:<6}{r['backend']:<12}{cells}{r['peak_rss_mb']:>10.0f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument(
        "--backend",
        action="append",
        help="backend or backend=python-interpreter (repeatable; default: jax)",
    )
    parser.add_argument("--model", action="append", choices=["S", "L"], help="default: S and L")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per backend and model")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker)))
        return
    load = os.getloadavg()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(_format([]), flush=True)
    for spec in args.backend or ["jax"]:
        backend, _, python = spec.partition("=")
        for model_name in args.model or ["S", "L"]:
            result = _run_in_subprocess(backend, python or sys.executable, model_name, args.timeout)
            print(_format([result]).splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
