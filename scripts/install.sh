#!/usr/bin/env bash
# Installs the project into its own virtual environment, .venv/ (run as root on a fresh Debian or Ubuntu machine),
# idempotently. It never installs into the system Python (PEP 668) and never relies on a Python that happens to be
# first on PATH: the venv is made from the distribution's /usr/bin/python3 (or $PYTHON, if set).
#   install.sh         the package and its dependencies (enough to build and serve)
#   install.sh --test  also the test tools and the servers and browsers the tests start (Debian packages)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

apt_install() {  # apt_install PACKAGE…: install the missing ones, starting no service
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  (( ${#missing[@]} )) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: these Debian packages are needed: ${missing[*]}; run this script as root, or install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Debian's packages of servers (virtuoso, apache2, nginx) start them on all interfaces: forbid that while installing
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# python3-venv (ensurepip) is not part of a stock Debian/Ubuntu python3
if ! "$BASE_PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  version=$("$BASE_PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  apt_install python3-venv "python${version}-venv"
fi
"$BASE_PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "error: $BASE_PYTHON is older than Python 3.11; set PYTHON to a Python 3.11 or newer" >&2; exit 1; }
if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$VENV"
  "$BASE_PYTHON" -m venv "$VENV"
fi
pip=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)

if [[ "${1:-}" == "--test" ]]; then
  apt_install $(grep -v '^#' scripts/test-packages.txt)
  # whatever a package may have started, stop it: the tests run their own instances on 127.0.0.1
  (service virtuoso-opensource-7 stop || true) >/dev/null 2>&1
  pkill -f '/etc/virtuoso-opensource-7/virtuoso.ini' 2>/dev/null || true
  "${pip[@]}" -e '.[test]'
else
  "${pip[@]}" -e .
fi
