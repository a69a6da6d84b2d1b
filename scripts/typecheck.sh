#!/usr/bin/env bash
# mypy on the installed package (pyproject.toml [tool.mypy]: clean everywhere, strict on the engine, the header
# parser, iris.py, formats.py and rdfwriter.py). The editable install maps ccds_crosswalk to server/ through an
# import hook, which mypy does not follow, so it is shown the package through a symlink instead.
set -euo pipefail
cd "$(dirname "$0")/.."
path="$(mktemp -d)"
trap 'rm -rf "$path"' EXIT
ln -s "$PWD/server" "$path/ccds_crosswalk"
MYPYPATH="$path" python -m mypy --cache-dir .mypy_cache -p ccds_crosswalk
