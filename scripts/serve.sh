#!/usr/bin/env bash
# The main job (README.md): install into .venv, build the release and serve it on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
source scripts/venv.sh
exec "$VENV/bin/ccds-crosswalk" serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" "$@"
