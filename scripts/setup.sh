#!/usr/bin/env bash
# Create .venv at the repo root (if missing) and install gordo into it with the
# tested versions from constraints.txt. Usage: scripts/setup.sh [EXTRAS], e.g. "test".
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
spec="."
[ -n "$extras" ] && spec=".[$extras]"
stamp=".venv/.gordo-installed-$extras"
fresh() { [ -f "$1" ] && [ ! pyproject.toml -nt "$1" ] && [ ! constraints.txt -nt "$1" ]; }
# Reinstall only when the dependency files changed since the last install
# (an install with the test extra includes the plain one).
if ! fresh "$stamp" && ! { [ -z "$extras" ] && fresh .venv/.gordo-installed-test; }; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e "$spec"
  touch "$stamp"
fi
