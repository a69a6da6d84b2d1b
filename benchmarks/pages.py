"""A short load on the pre-rendered pages of our server, beside the Turtle documents, in one run (issue 11):
HTML item, mapping-record, erratum and framework pages (both languages, rotating over every such URI of the
release) and /doc/….ttl, each at c=8 for a few seconds with benchmarks/loadgen.py; server CPU from /proc.

    python benchmarks/pages.py --artefacts DIR [--seconds 8]     (DIR holds a built release)

Prints one Markdown table for benchmarks/README.md."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadgen

from ccds_crosswalk.processes import free_port
from ccds_crosswalk.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/ccds-crosswalk/"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that are alive (the query workers idle here)."""
    total = 0.0
    for task in [pid, *children(pid)]:
        fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()[1] == str(pid):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def routes(site: dict[str, str]) -> dict[str, list[str]]:
    """The URL paths of each kind of page, from the build's list of rendered files."""
    html = sorted(p for p in site if p.startswith("doc/") and p.endswith(".html"))

    def urls(prefixes: tuple[str, ...], exclude: tuple[str, ...] = ()) -> list[str]:
        chosen = [p for p in html if p.startswith(prefixes) and not p.startswith(exclude)]
        return [f"/{p.rsplit('.', 2)[0]}.html?lang={p.rsplit('.', 2)[1]}" for p in chosen]

    items = urls(("doc/iotsg/", "doc/cpsf/", "doc/uk-cop/", "doc/sb327/", "doc/ccds/"))
    return {
        "item pages (HTML)": items,
        "mapping-record pages (HTML)": urls(("doc/mapping/",)),
        "erratum pages (HTML)": urls(("doc/erratum/",)),
        "framework pages (HTML)": [u for u in urls(("doc/",)) if u.count("/") == 2],
        "item documents (Turtle)": sorted({u.split(".html")[0] + ".ttl" for u in items}),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--artefacts", required=True, type=Path)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    release_dir = load_settings(artefacts_dir=args.artefacts, base_uri=BASE).release_dir
    site = json.loads((release_dir / "site.json").read_text())
    port = free_port()
    command = [sys.executable, "-m", "ccds_crosswalk.cli", "--artefacts", str(args.artefacts), "--base-uri", BASE]
    server = subprocess.Popen(
        [*command, "serve", "--no-build", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # the access log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/sparql", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        rows = []
        for label, paths in routes(site).items():
            job = loadgen.Job(label, tuple(loadgen.encode_get("127.0.0.1", port, p) for p in paths))
            loadgen.run_closed_loop(url, [job], 8, 1.0, 10**9)  # warm-up, untimed
            before = cpu_seconds(server.pid)
            run = loadgen.run_closed_loop(url, [job], 8, args.seconds, 10**9)
            cpu = cpu_seconds(server.pid) - before
            n = len(run.records)
            latencies = sorted(r.seconds for r in run.records)
            errors = sum(not r.ok for r in run.records)
            rows.append(
                f"| {label} | {len(paths)} | {n} | {n / run.wall:.0f} | {latencies[n // 2] * 1000:.2f} | "
                f"{latencies[int(n * 0.99)] * 1000:.2f} | {errors} | {cpu / n * 1000:.2f} |"
            )
            print(f"{label}: {n / run.wall:.0f} req/s", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(15)
    print("| route (c=8) | URLs | requests | req/s | p50 ms | p99 ms | errors | server CPU ms/req |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
