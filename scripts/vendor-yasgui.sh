#!/usr/bin/env bash
# Vendors YASGUI (the SPARQL editor on /query) into server/web/static/yasgui/ from the npm registry.
# The version is pinned here and nowhere else: change YASGUI_VERSION, run this script from the checkout, run
# tests/web/test_yasgui.py (it checks the checksums, the CSP and that the page makes no request off our host),
# and commit the files it rewrote. npm pack checks the tarball against the registry's integrity hash.
set -euo pipefail

YASGUI_PACKAGE=@zazuko/yasgui
YASGUI_VERSION=4.6.2

cd "$(dirname "$0")/.."
dest=server/web/static/yasgui
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --json "$YASGUI_PACKAGE@$YASGUI_VERSION" >pack.json)
tar -xzf "$work"/*.tgz -C "$work"
licence=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["license"])' "$work/package/package.json")
if [ "$licence" != MIT ]; then
  echo "the package's licence is now $licence, not MIT: review it and replace $dest/LICENSE first" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$work/package/build/yasgui.min.js" "$work/package/build/yasgui.min.css" "$dest/"
python3 - "$work/pack.json" "$dest" "$YASGUI_PACKAGE" "$YASGUI_VERSION" <<'PY'
import hashlib, json, sys
from pathlib import Path

pack, dest, package, version = json.loads(Path(sys.argv[1]).read_text())[0], Path(sys.argv[2]), *sys.argv[3:]
lines = [
    f"package: {package}",
    f"version: {version}",
    f"tarball: {pack['filename']}",
    f"integrity: {pack['integrity']}",
    f"shasum: {pack['shasum']}",
]
for name in ("yasgui.min.js", "yasgui.min.css"):
    lines.append(f"sha256 {name}: {hashlib.sha256((dest / name).read_bytes()).hexdigest()}")
(dest / "VERSION").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
