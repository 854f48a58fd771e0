#!/usr/bin/env bash
# Install kg on a fresh machine, build (validate + export) the graph into dist/ and serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .
.venv/bin/kg build --out dist
exec .venv/bin/kg serve --dist dist --host 127.0.0.1 --port "${PORT:-8000}"
