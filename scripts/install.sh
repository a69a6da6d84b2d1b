#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine (run as root), idempotently:
#   install.sh         Python package and its dependencies (enough to build and serve)
#   install.sh --test  also Chromium, Virtuoso 7, the Oxigraph server and the test tools
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

if [[ "${1:-}" == "--test" ]]; then
  packages=(chromium chromium-driver fonts-noto-cjk virtuoso-opensource-7 curl)
  missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if (( ${#missing[@]} )); then
    export DEBIAN_FRONTEND=noninteractive
    # Debian's virtuoso package starts a server on all interfaces: forbid service starts while installing.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  # whatever the package may have started, stop it: tests run their own instances on 127.0.0.1
  (service virtuoso-opensource-7 stop || true) >/dev/null 2>&1
  pkill -f '/etc/virtuoso-opensource-7/virtuoso.ini' 2>/dev/null || true
  "$PYTHON" -m pip install -q --disable-pip-version-check -e '.[test]'
else
  "$PYTHON" -m pip install -q --disable-pip-version-check -e .
fi
