#!/usr/bin/env bash
# The main job (README.md): install, build the release and serve it on http://127.0.0.1:8000 (embedded backend).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec ccds-crosswalk serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" "$@"
