"""Benchmark the CLI's start (`gordo --help`) and workflow generation for a large project.

Targets (design.md §6 and the workflow issue): ``gordo --help`` ≤ 0.3 s; generating
the Argo workflows of a 1 000-machine project < 10 s with every document under
Argo's ~1 MB object limit.

    python -m benchmarks.bench_cli [--repeat 5] [--machines 1000]

>>> len(project(3)["machines"])
3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

GORDO = [sys.executable, "-m", "gordo"]


def project(n_machines: int) -> dict:
    """A plain project config of ``n_machines`` small machines sharing their globals."""
    return {
        "machines": [
            {"name": f"machine-{i:04d}", "dataset": {"tags": [f"tag-{i}-{j}" for j in range(4)]}}
            for i in range(n_machines)
        ],
        "globals": {
            "dataset": {
                "data_provider": {"type": "RandomDataProvider"},
                "resolution": "10T",
                "train_start_date": "2020-01-01T00:00:00+00:00",
                "train_end_date": "2020-02-01T00:00:00+00:00",
            },
            "model": {
                "sklearn.pipeline.Pipeline": {
                    "steps": ["sklearn.preprocessing.MinMaxScaler", "sklearn.decomposition.PCA"]
                }
            },
        },
    }


def timed(command: list[str], repeat: int) -> tuple[list[float], bytes]:
    """Wall seconds of ``repeat`` runs of ``command`` (each must succeed), and the last output."""
    times, out = [], b""
    for _ in range(repeat):
        began = time.perf_counter()
        out = subprocess.run(command, check=True, capture_output=True).stdout
        times.append(time.perf_counter() - began)
    return times, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (median reported)")
    parser.add_argument("--machines", type=int, default=1000, help="machines in the project")
    args = parser.parse_args()

    help_times, _ = timed([*GORDO, "--help"], args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fleet.yaml"
        path.write_text(yaml.safe_dump(project(args.machines)))
        command = [*GORDO, "workflow", "generate", "--machine-config", str(path),
                   "--project-name", "bench", "--argo-version", "3.5.0", "--split-workflows", "100"]
        gen_times, out = timed(command, max(1, args.repeat // 2))
    documents = out.split(b"\n---\n")
    largest = max(len(d) for d in documents)

    help_p50, gen_p50 = statistics.median(help_times), statistics.median(gen_times)
    print(f"{'case':<44} {'median s':>9} {'best s':>8}  target")
    print(f"{'gordo --help':<44} {help_p50:9.3f} {min(help_times):8.3f}  <= 0.3 s "
          f"{'met' if help_p50 <= 0.3 else 'MISSED'}")
    print(f"{f'workflow generate, {args.machines} machines':<44} {gen_p50:9.3f} "
          f"{min(gen_times):8.3f}  < 10 s {'met' if gen_p50 < 10 else 'MISSED'}")
    print(f"{len(documents)} documents, largest {largest / 1e3:.0f} KB (limit ~1 000 KB: "
          f"{'met' if largest < 1_000_000 else 'MISSED'})")


if __name__ == "__main__":
    main()
