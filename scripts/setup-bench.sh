#!/usr/bin/env bash
# Install what benchmarks/bench_quality.py needs beside the test setup: GutenTAG
# (timeeval-gutentag) and the dependencies of it that gordo lacks. GutenTAG pins
# scipy<1.15 and neurokit2==0.1.2, older than gordo's tested versions; it works with
# them (its ECG oscillation, which uses neurokit2, is not used), so it is installed
# without its pins. See docs/decisions.md, "Quality benchmark data".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test,bench]"
.venv/bin/python -m pip install --quiet --no-deps -c constraints.txt timeeval-gutentag
