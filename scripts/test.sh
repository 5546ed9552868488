#!/usr/bin/env bash
# Install everything (virtualenv at .venv, Debian server packages) and run the
# whole test suite: ruff, then pytest with doctests and the real-server tests
# (the original's client library goes into its own venv under .cache/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-services.sh
bash scripts/setup.sh test
bash scripts/setup-original-client.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
