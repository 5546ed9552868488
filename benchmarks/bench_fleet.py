"""Benchmark a fleet of S machines with full cross-validation: ``gordo build-project --jobs 2``.

One fresh ``python -m gordo build-project`` process builds ``--machines`` machines
of the S kind (design.md §5: 10 tags, a month at 10 minutes, a dense
autoencoder in a diff-based detector, TimeSeriesSplit(3) then a final fit)
into an empty directory, so imports, data, cross-validation, fits and writes
all count. Prints wall time, CPU time and peak RSS of the process tree, the
machines per second, and the 1 000-machine time against the target of
design.md §6 (≤ 90 s; the original: about 100 min), scaled linearly when fewer
machines are built.

Usage: ``python -m benchmarks.bench_fleet [--machines N] [--jobs J]``

>>> target_seconds(1000), target_seconds(100)
(90.0, 9.0)
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.bench_build import _run
from benchmarks.configs import PROJECT, fleet_of_s, project_config

#: design.md §6: a 1 000-machine fleet of S with full cross-validation, seconds.
TARGET_1000 = 90.0


def target_seconds(machines: int) -> float:
    """The target for ``machines`` machines: the 1 000-machine target, scaled linearly."""
    return TARGET_1000 * machines / 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--machines", type=int, default=1000, help="machines in the fleet")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (--jobs)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gordo-bench-fleet-") as tmp:
        project = Path(tmp) / "fleet.yaml"
        project.write_text(json.dumps(project_config(fleet_of_s(args.machines))))
        wall, cpu, rss = _run(
            [
                "build-project",
                str(project),
                str(Path(tmp) / "models"),
                "--jobs",
                str(args.jobs),
                "--project-name",
                PROJECT,
            ]
        )
        built = sum(1 for p in (Path(tmp) / "models").glob("*/*/manifest.json"))
    if built != args.machines:
        raise RuntimeError(f"{built} of {args.machines} machines were built")
    target = target_seconds(args.machines)
    per_1000 = wall * 1000 / args.machines
    print(f"machines {args.machines}  jobs {args.jobs}")
    print(f"wall s {wall:.1f}  CPU s {cpu:.1f}  peak RSS MB {rss:.0f}")
    print(f"machines/s {args.machines / wall:.1f}  per 1000 machines {per_1000:.1f} s")
    print(f"target {target:.1f} s: {'ok' if wall <= target else 'MISSED'}")


if __name__ == "__main__":
    main()
