#!/usr/bin/env bash
# The main job: install into .venv, then run gordo on the embedded example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gordo --help
