#!/usr/bin/env bash
# The main job: install gordo into .venv, write the example plant, build its
# models (gordo build-project) and serve them on 127.0.0.1 (gordo run-server)
# until Ctrl-C. Options go to `gordo demo` (e.g. --port 5556, --check).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gordo demo "$@"
