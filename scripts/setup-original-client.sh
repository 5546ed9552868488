#!/usr/bin/env bash
# Create .cache/gordo-client-venv: the original's client library, gordo-client 6.3 from
# PyPI (versions pinned in tests/integration/original-client-requirements.txt), in a
# virtualenv of its own, so the project's .venv is not touched. The real-client
# compatibility test (tests/integration/test_original_client.py) runs its driver with
# this venv's Python. Reinstalls only when the requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
venv=.cache/gordo-client-venv
requirements=tests/integration/original-client-requirements.txt
stamp="$venv/.installed-requirements.txt"
if [ -f "$stamp" ] && cmp -s "$requirements" "$stamp"; then
  exit 0
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
cp "$requirements" "$stamp"
