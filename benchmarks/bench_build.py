"""Benchmark ``gordo build`` (S, M, L) and ``gordo build-project --jobs 2`` (fleet F), whole process.

Each run is a fresh ``python -m gordo`` subprocess writing into a fresh
directory (no registry reuse), so import time, data generation, cross-validation,
the final fit and the atomic write all count. Prints wall time and peak RSS
(the whole process tree, sampled every 10 ms) against the targets of
design.md §6.

Usage: ``python -m benchmarks.bench_build [--repeat N] [--only S,M,L,F]``

>>> check(1.2, "S", "wall")
'ok'
>>> check(2.0, "S", "wall")
'MISSED'
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.configs import PROJECT, fleet_f, machine_config, project_config

#: design.md §6 targets: wall seconds per config, and peak RSS (MB) of the S build.
TARGETS = {
    "S": {"wall": 1.5, "rss": 370.0},
    "M": {"wall": 2.9},
    "L": {"wall": 5.0},
    "F": {"wall": 5.0},
}


def check(value: float, config: str, what: str) -> str:
    """``ok`` if ``value`` meets the target of ``config`` for ``what``, else ``MISSED`` (or ``-``)."""
    target = TARGETS.get(config, {}).get(what)
    if target is None:
        return "-"
    return "ok" if value <= target else "MISSED"


def _run(args: list[str]) -> tuple[float, float]:
    """Run ``python -m gordo *args``; return (wall seconds, peak tree RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gordo", "--log-level", "WARNING", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    parent = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in procs))
        except psutil.Error:
            pass
        time.sleep(0.01)
    wall = time.perf_counter() - start
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"gordo {' '.join(args)} failed ({proc.returncode}):\n{out}\n{err}")
    return wall, peak / 2**20


def bench(config: str, workdir: Path, run: int) -> tuple[float, float]:
    """One whole-process build of ``config`` (S, M, L or F) in a fresh directory."""
    out = workdir / f"{config}-{run}"
    if config == "F":
        project = workdir / f"fleet-{run}.yaml"
        project.write_text(json.dumps(project_config(fleet_f()), indent=1))
        return _run(
            ["build-project", str(project), str(out), "--jobs", "2", "--project-name", PROJECT]
        )
    machine = workdir / f"{config}.json"
    machine.write_text(json.dumps({**machine_config(config), "project_name": PROJECT}))
    return _run(["build", str(machine), str(out)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per config (median reported)")
    parser.add_argument("--only", default="S,M,L,F", help="comma-separated configs")
    args = parser.parse_args(argv)
    print(f"{'config':<7}{'wall s (median)':>16}{'min':>8}{'peak RSS MB':>13}  wall  rss")
    with tempfile.TemporaryDirectory(prefix="gordo-bench-build-") as tmp:
        for config in args.only.split(","):
            runs = [bench(config, Path(tmp), i) for i in range(args.repeat)]
            walls = [w for w, _ in runs]
            wall, rss = statistics.median(walls), max(r for _, r in runs)
            print(
                f"{config:<7}{wall:>16.2f}{min(walls):>8.2f}{rss:>13.0f}  "
                f"{check(wall, config, 'wall'):<5} {check(rss, config, 'rss')}",
                flush=True,
            )


if __name__ == "__main__":
    main()
