"""Benchmark ccds-crosswalk's server against the Oxigraph server, Virtuoso 7 and rdflib-endpoint.

    python benchmarks/run.py [--quick] [--profile] [--no-readme]

Builds the release into a temporary folder (timed), starts the four engines on 127.0.0.1 with the same data,
checks that every engine gives the same answer to every query of the mix, then runs the mix against each engine
interleaved (A B C D A B C D ...) at concurrency 1 and 8, our server's own routes (dereferencing item URIs as
Turtle and HTML, dump downloads), a few --workers/--query-workers settings, start-up time, and a lookup's
latency while the whole crosswalk and a runaway query run. Prints the tables and (full runs) writes them into
benchmarks/README.md between the results markers. Every process it starts is stopped on the way out.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import engines  # noqa: E402
import loadgen  # noqa: E402
import micro  # noqa: E402
import mix  # noqa: E402
import psutil  # noqa: E402

from ccds_crosswalk.settings import load_settings  # noqa: E402

BASE = "https://w3id.org/ccds-crosswalk/"
VERSION = load_settings().release  # the release being built (data/releases.csv): dumps and graph IRIs name it
README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass(frozen=True)
class Plan:
    slice_s: float  # one engine's turn in the interleaved mix
    rounds: int  # A B C D repeated this many times per concurrency
    max_requests: int  # per slice
    own_s: float  # each of our own routes (Turtle, /id 303, HTML, dumps)
    config_s: float  # each --workers/--query-workers setting (mix c=8, then Turtle c=8)
    configs: tuple[tuple[int, int, int], ...]  # --workers, --query-workers, --query-threads
    ready_starts: int
    runaway_s: float
    limit_s: float  # the server-side query time limit every engine gets
    query_s: float  # one engine's turn on one query alone (the per-query rows)
    query_rounds: int


FULL = Plan(
    slice_s=3.0,
    rounds=2,
    max_requests=20_000,
    own_s=5.0,
    config_s=4.0,
    configs=((1, 1, 4), (1, 1, 8), (1, 2, 4), (2, 1, 4)),
    ready_starts=3,
    runaway_s=8.0,
    limit_s=5.0,
    query_s=1.0,
    query_rounds=2,
)
QUICK = Plan(
    slice_s=1.5,
    rounds=1,
    max_requests=5_000,
    own_s=1.5,
    config_s=1.5,
    configs=((1, 1, 4),),
    ready_starts=1,
    runaway_s=6.0,  # past the 5 s limit, so the runaway's stop is seen
    limit_s=5.0,
    query_s=0.5,
    query_rounds=1,
)


# ------------------------------------------------------------------ small helpers


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def background_cores(seconds: float = 2.0) -> float:
    """CPU the machine spends on other work before the benchmark starts (in cores)."""
    busy0, t0 = _busy(), time.monotonic()
    time.sleep(seconds)
    return (_busy() - busy0) / (time.monotonic() - t0)


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = psutil.virtual_memory().total / 2**30
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--short", "server"], capture_output=True, text=True, check=False
    ).stdout.split("\n")
    dirty = [line for line in dirty if line.strip()]
    date = subprocess.run(["date"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "date": date,
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{memory:.1f} GiB",
        "python": platform.python_version(),
        "commit": commit + (f" + {len(dirty)} modified files under server/" if dirty else ""),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "reclaim": damon_pageout(),
    }


def damon_pageout() -> str:
    """Whether the kernel proactively pages out memory left untouched for a while (DAMON schemes): it does on
    the machine this was written on, and then the first requests after an idle spell fault code back in."""
    actions = (
        [
            p.read_text().strip()
            for p in Path("/sys/kernel/mm/damon/admin/kdamonds").glob("*/contexts/*/schemes/*/action")
        ]
        if Path("/sys/kernel/mm/damon/admin/kdamonds").exists()
        else []
    )
    return "DAMON pageout on" if "pageout" in actions else "no proactive reclaim seen"


class Sampler:
    """Samples a server's process-tree RSS every 0.2 s and PSS every 1 s, and the machine's busy CPU, while a
    slice runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.pss_peak, self.samples = pid, 0, 0, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        tick = 0
        procs: list = []
        while not self._stop.is_set():
            if tick % 10 == 0:  # finding the children scans all of /proc: in Python, holding the client's GIL
                procs = engines.processes(self.pid)
            rss = engines.rss_bytes(procs)
            self.samples.append(rss)
            self.peak = max(self.peak, rss)
            if tick % 5 == 0:
                self.pss_peak = max(self.pss_peak, engines.pss_bytes(procs))
            tick += 1
            self._stop.wait(0.2)

    def __enter__(self) -> Sampler:
        self.cpu0 = engines.cpu_seconds(self.pid)
        self.busy0 = _busy()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.server_cpu = engines.cpu_seconds(self.pid) - self.cpu0
        self.busy = _busy() - self.busy0


def _busy() -> float:
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0.0)


@dataclass
class Slice:
    engine: str
    phase: str
    concurrency: int
    run: loadgen.Run
    server_cpu: float
    rss_peak: int
    rss_mean: float
    pss_peak: int
    other_cores: float  # CPU used by everything except this server and the load generator, in cores


WARM_UP_S = 0.5
QUERY_WARM_UP_S = 0.3  # before each turn of the per-query rows (shorter turns)
# The mix phases, each interleaved across engines: (phase, which mix, requests made distinct)
MIX_PHASES = (
    ("broad mix, uncached", "broad", True),
    ("lookup mix, uncached", "lookups", True),
    ("broad mix, cached", "broad", False),
    ("old mix, uncached", "old", True),
)
# rdflib-endpoint has no time limit and takes seconds per canned query (frameworks.rq, coverage-matrix.rq): eight of
# them in flight would stretch every turn; it runs the old mix only, as in the earlier runs
BROAD_ENGINES = ("ours", "oxigraph", "virtuoso")


SETTLE_THREADS = 2_000
SETTLE_MAX_S = 15.0


def settle(engine: engines.Engine) -> None:
    """Wait (at most SETTLE_MAX_S) until the engine has fewer than SETTLE_THREADS threads. The Oxigraph server's
    --timeout-s starts a thread per query that sleeps out the time limit: thousands of lookups a second leave tens
    of thousands asleep, and at ~30 000 it can no longer start one and answers every request with an error
    (EAGAIN) — the light queries' turns at c=8 did that back to back. Letting them end first measures the
    server, not the pile-up its previous turn left."""
    deadline = time.monotonic() + SETTLE_MAX_S
    while time.monotonic() < deadline:
        try:
            threads = sum(p.num_threads() for p in engines.processes(engine.pid))
        except (psutil.Error, OSError):
            return
        if threads < SETTLE_THREADS:
            return
        time.sleep(0.25)


def measure(
    engine: engines.Engine,
    phase: str,
    jobs: list[loadgen.Job],
    concurrency: int,
    seconds: float,
    max_requests: int,
    timeout: float = 30.0,
    follow: dict[str, str] | None = None,
    offset: int = 0,
    warm_up: float = WARM_UP_S,
) -> Slice:
    settle(engine)
    # Untimed warm-up with the same work: an engine has sat idle while the others had their turns, and this
    # VM's kernel pages out what was not touched for a second or two (DAMON 'pageout' scheme; see README).
    loadgen.run_closed_loop(
        engine.base_url,
        jobs,
        concurrency,
        warm_up,
        max_requests,
        timeout=timeout,
        follow_headers=follow,
        offset=offset,
    )
    with Sampler(engine.pid) as sampler:
        run = loadgen.run_closed_loop(
            engine.base_url,
            jobs,
            concurrency,
            seconds,
            max_requests,
            timeout=timeout,
            follow_headers=follow,
            offset=offset,
        )
    other = max(0.0, sampler.busy - sampler.server_cpu - run.client_cpu) / max(run.wall, 1e-9)
    mean = statistics.fmean(sampler.samples) if sampler.samples else 0.0
    return Slice(engine.name, phase, concurrency, run, sampler.server_cpu, sampler.peak, mean, sampler.pss_peak, other)


def port_of(engine: engines.Engine) -> int:
    return int(engine.base_url.rsplit(":", 1)[1])


def mix_jobs(engine: engines.Engine, queries: list[mix.Query], distinct: bool = False) -> list[loadgen.Job]:
    """One job per query, rotating its variants; `distinct`: every request's text is new (a numbered comment
    appended), so no cache can answer it."""
    port = port_of(engine)
    suffix = mix.NONCE_SUFFIX if distinct else ""
    return [
        loadgen.Job(
            q.name,
            tuple(
                loadgen.encode_get("127.0.0.1", port, engine.target(text + suffix), {"Accept": mix.ACCEPT[q.form]})
                for text in q.texts
            ),
            nonce=mix.NONCE.encode() if distinct else b"",
        )
        for q in queries
    ]


def get_jobs(
    engine: engines.Engine,
    label: str,
    paths: list[str],
    accept: str | None,
    follow: bool = False,
    headers: dict[str, str] | None = None,
) -> list[loadgen.Job]:
    port = port_of(engine)
    extra = {**({"Accept": accept} if accept else {}), **(headers or {})}
    return [loadgen.Job(label, tuple(loadgen.encode_get("127.0.0.1", port, p, extra) for p in paths), follow=follow)]


# ------------------------------------------------------------------ the phases


def build(artefacts: Path, out: list[str]) -> float:
    log("building the release ...")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "ccds_crosswalk.cli", "--artefacts", str(artefacts), "--base-uri", BASE, "build"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"the build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    stages = next((line for line in (done.stdout + done.stderr).splitlines() if "written to" in line), "")
    out.append(stages.rsplit(" in ", 1)[-1] if stages else "")
    log(f"build: {seconds:.2f} s ({out[-1]})")
    return seconds


@dataclass
class Check:
    query: str
    variants: int
    disagree: dict[str, str] = field(default_factory=dict)  # engine -> why
    rows: int = 0


def check_answers(engine_list: list[engines.Engine], queries: list[mix.Query]) -> list[Check]:
    """Every variant of every query on every engine; the reference answer is the one most engines give
    (ties: the Oxigraph server's). An engine that disagrees on any variant is excluded for that query."""
    checks = []
    for query in queries:
        check = Check(query.name, len(query.texts))
        for index, text in enumerate(query.texts):
            answers: dict[str, Counter | str] = {}
            for engine in engine_list:
                try:
                    response = loadgen.fetch(
                        engine.base_url, engine.target(text), {"Accept": mix.ACCEPT[query.form]}, timeout=60
                    )
                    if response.status != 200:
                        answers[engine.name] = f"HTTP {response.status}: {response.body[:150]!r}"
                    else:
                        answers[engine.name] = mix.canonical(
                            query, response.body, response.headers.get("content-type", "")
                        )
                except Exception as problem:
                    answers[engine.name] = f"{type(problem).__name__}: {problem}"
            groups: dict[int, list[str]] = defaultdict(list)
            keyed: dict[int, Counter] = {}
            for name, answer in answers.items():
                if isinstance(answer, Counter):
                    key = hash(frozenset(answer.items()))
                    groups[key].append(name)
                    keyed[key] = answer
            if not groups:
                for name, answer in answers.items():
                    check.disagree.setdefault(name, f"variant {index + 1}: {answer}")
                continue
            best = max(groups, key=lambda k: (len(groups[k]), "oxigraph" in groups[k]))
            reference = keyed[best]
            if index == 0:
                check.rows = sum(reference.values())
            for name, answer in answers.items():
                if name in groups[best]:
                    continue
                why = answer if isinstance(answer, str) else mix.describe_difference(reference, answer)
                check.disagree.setdefault(name, f"variant {index + 1}: {why}")
        status = "; ".join(f"{k} DISAGREES ({v})" for k, v in check.disagree.items()) or "all agree"
        log(f"check {query.name}: {status}")
        checks.append(check)
    return checks


def interleaved_mix(
    engine_list: list[engines.Engine], mixes: dict[str, list[mix.Query]], plan: Plan
) -> tuple[list[Slice], dict[str, int]]:
    """Each phase of MIX_PHASES, interleaved (A B C D A B C D …) at c=1 and c=8; then each engine's total PSS
    (after the mixes)."""
    slices = []
    for phase, which, distinct in MIX_PHASES:
        chosen = [e for e in engine_list if which == "old" or e.name in BROAD_ENGINES]
        jobs = {e.name: mix_jobs(e, mixes[which], distinct) for e in chosen}
        sent: Counter = Counter()  # each engine's rotation continues where its previous turn stopped
        for concurrency in (1, 8):
            for round_ in range(plan.rounds):
                for engine in chosen:
                    s = measure(
                        engine,
                        phase,
                        jobs[engine.name],
                        concurrency,
                        plan.slice_s,
                        plan.max_requests,
                        offset=sent[engine.name],
                    )
                    n = len(s.run.records)
                    sent[engine.name] += n
                    log(
                        f"{phase} c={concurrency} round {round_ + 1} {engine.name}: {n} requests, "
                        f"{n / s.run.wall:.0f}/s, {sum(not r.ok for r in s.run.records)} errors, "
                        f"other load {s.other_cores:.2f} cores"
                    )
                    slices.append(s)
    pss_after = {e.name: engines.pss_bytes(engines.processes(e.pid)) for e in engine_list}
    return slices, pss_after


PER_QUERY_ENGINES = ("ours", "oxigraph")  # the per-query rows: the ratio the targets are judged on


def per_query(engine_list: list[engines.Engine], queries: list[mix.Query], plan: Plan) -> list[Slice]:
    """Each query of the broad mix alone, uncached (every request distinct), at c=1 and c=8, interleaved
    between our server and the Oxigraph server."""
    slices = []
    chosen = [e for e in engine_list if e.name in PER_QUERY_ENGINES]
    for concurrency in (1, 8):
        for query in queries:
            jobs = {e.name: mix_jobs(e, [query], distinct=True) for e in chosen}
            for _ in range(plan.query_rounds):
                for engine in chosen:
                    s = measure(
                        engine,
                        query.name,
                        jobs[engine.name],
                        concurrency,
                        plan.query_s,
                        plan.max_requests,
                        warm_up=QUERY_WARM_UP_S,
                    )
                    slices.append(s)
            rates = {
                e.name: sum(
                    len(x.run.records) for x in slices[-len(chosen) * plan.query_rounds :] if x.engine == e.name
                )
                / sum(x.run.wall for x in slices[-len(chosen) * plan.query_rounds :] if x.engine == e.name)
                for e in chosen
            }
            log(f"alone c={concurrency} {query.name}: " + ", ".join(f"{k} {v:.0f}/s" for k, v in rates.items()))
    return slices


def item_paths(ours: engines.Engine) -> list[str]:
    query = "SELECT ?s WHERE { ?s <http://www.w3.org/2004/02/skos/core#inScheme> ?scheme } ORDER BY ?s"
    response = loadgen.fetch(ours.base_url, ours.target(query), {"Accept": "text/csv"})
    uris = [line.strip() for line in response.body.decode().splitlines()[1:] if line.strip()]
    paths = [u[len(BASE) :] for u in uris if u.startswith(f"{BASE}id/")]
    return [quote(p, safe="/-._~!$&'()*+,;=:@%") for p in paths]


def own_routes(ours: engines.Engine, plan: Plan, paths: list[str]) -> list[Slice]:
    docs = [f"/doc/{p[3:]}" for p in paths]  # id/x -> /doc/x
    files = ["crosswalk-graphs.nq.gz", "crosswalk.ttl", "crosswalk.jsonld", "crosswalk-graphs.nq"]
    routes = [
        ("doc .ttl", get_jobs(ours, "doc .ttl", [f"{d}.ttl" for d in docs], None), None),
        (
            "id → 303 → ttl",
            get_jobs(ours, "id → 303 → ttl", [f"/{p}" for p in paths], "text/turtle", follow=True),
            {"Accept": "text/turtle"},
        ),
        ("doc .html", get_jobs(ours, "doc .html", [f"{d}.html" for d in docs], None), None),
        ("dumps", get_jobs(ours, "dumps", [f"/release/{VERSION}/{f}" for f in files], None), None),
        (
            "dumps, Accept-Encoding: gzip",
            get_jobs(
                ours, "dumps gz", [f"/release/{VERSION}/{f}" for f in files], None, headers={"Accept-Encoding": "gzip"}
            ),
            None,
        ),
    ]
    out = []
    for label, jobs, follow in routes:
        s = measure(ours, label, jobs, 8, plan.own_s, plan.max_requests * 5, follow=follow)
        n = len(s.run.records)
        log(f"{label} c=8: {n / s.run.wall:.0f}/s, {sum(not r.ok for r in s.run.records)} errors")
        out.append(s)
    return out


def wrk_check(ours: engines.Engine, path: str, seconds: float) -> str:
    if shutil.which("wrk") is None:
        return "wrk not installed (apt-get install -y wrk) — skipped"
    done = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{max(1, round(seconds))}s", "--latency", f"{ours.base_url}{path}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 30,
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    p50 = re.search(r"50%\s+([\d.]+\w+)", done.stdout)
    p99 = re.search(r"99%\s+([\d.]+\w+)", done.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    if not rate:
        return f"wrk failed: {done.stdout[-300:]} {done.stderr[-300:]}"
    return (
        f"wrk -t2 -c8 on {path}: {float(rate.group(1)):.0f} req/s, p50 {p50.group(1) if p50 else '?'}, "
        f"p99 {p99.group(1) if p99 else '?'}, non-2xx {errors.group(1) if errors else 0}"
    )


@dataclass
class ConfigResult:
    workers: int
    query_workers: int
    query_threads: int
    ready_s: float
    processes: int
    mix: Slice
    ttl: Slice


def configs(artefacts: Path, work: Path, queries: list[mix.Query], paths: list[str], plan: Plan) -> list[ConfigResult]:
    results = []
    for workers, query_workers, threads in plan.configs:
        engine = engines.start_ours(
            artefacts,
            BASE,
            work,
            plan.limit_s,
            workers,
            query_workers,
            threads,
            tag=f"[w{workers},q{query_workers},t{threads}]",
        )
        try:
            # several HTTP workers: let every worker finish starting before measuring
            if workers > 1:
                time.sleep(1.5)
            m = measure(engine, "mix", mix_jobs(engine, queries, distinct=True), 8, plan.config_s, plan.max_requests)
            docs = [f"/doc/{p[3:]}.ttl" for p in paths]
            t = measure(
                engine, "doc .ttl", get_jobs(engine, "doc .ttl", docs, None), 8, plan.config_s, plan.max_requests * 5
            )
            count = len(engines.processes(engine.pid))
            results.append(ConfigResult(workers, query_workers, threads, engine.ready_s, count, m, t))
            log(
                f"config --workers {workers} --query-workers {query_workers} --query-threads {threads}: "
                f"ready {engine.ready_s:.2f} s, "
                f"mix c=8 {len(m.run.records) / m.run.wall:.0f}/s, ttl {len(t.run.records) / t.run.wall:.0f}/s, "
                f"peak RSS {max(m.rss_peak, t.rss_peak) / 2**20:.0f} MiB"
            )
        finally:
            engine.stop()
    return results


def ready_times(artefacts: Path, work: Path, plan: Plan) -> list[float]:
    times = []
    for i in range(plan.ready_starts):
        engine = engines.start_ours(artefacts, BASE, work, plan.limit_s, tag=f"[ready{i}]")
        times.append(engine.ready_s)
        engine.stop()
    log("ready: " + ", ".join(f"{t:.2f} s" for t in times))
    return times


@dataclass
class Runaway:
    engine: str
    with_runaway: bool  # False: the crosswalk loop alone (the baseline for what the runaway adds)
    lookups: list[loadgen.Record]
    runaway_outcomes: list[str]
    crosswalks_done: int
    crosswalk_errors: int


# Lookups under pressure are paced: the Oxigraph server (0.5, --timeout-s) starts a thread per query that sleeps
# out the time limit, and at ~9 000 lookups/s those threads exhausted its memory maps and it stopped answering
# ("failed to set up alternative stack guard page", then EAGAIN) — twice, in runs at 13:32 and 13:40 UTC.
LOOKUP_INTERVAL_S = 0.002


def tail_ratios(runaways: list[Runaway]) -> list[tuple[str, float]]:
    """Per engine: lookup p99 with the crosswalk loop and a runaway ÷ p99 with the crosswalk loop alone."""
    out = []
    for name in dict.fromkeys(r.engine for r in runaways):
        p99 = {
            r.with_runaway: pct([x.seconds for x in r.lookups if x.ok], 0.99)
            for r in runaways
            if r.engine == name and any(x.ok for x in r.lookups)
        }
        if len(p99) == 2 and p99[False]:
            out.append((name, p99[True] / p99[False]))
    return out


def runaway(engine: engines.Engine, queries: list[mix.Query], plan: Plan, with_runaway: bool = True) -> Runaway:
    """A lookup at c=1 while one client loops the whole crosswalk and (with_runaway) another loops a runaway
    query."""
    settle(engine)
    port = port_of(engine)
    by_name = {q.name: q for q in queries}
    crosswalk = loadgen.encode_get(  # made distinct on every request (below): no cache answers it
        "127.0.0.1",
        port,
        engine.target(by_name["crosswalk"].texts[0] + mix.NONCE_SUFFIX),
        {"Accept": mix.ACCEPT["SELECT"]},
    )
    heavy = loadgen.encode_get("127.0.0.1", port, engine.target(mix.RUNAWAY), {"Accept": mix.ACCEPT["SELECT"]})
    stop = threading.Event()
    connections: list[loadgen.Connection] = []
    outcomes: list[str] = []
    counts = {"ok": 0, "bad": 0}

    def loop(raw: bytes, timeout: float, record: bool) -> None:
        conn = loadgen.Connection("127.0.0.1", port, timeout)
        connections.append(conn)
        while not stop.is_set():
            began = time.perf_counter()
            try:
                response = conn.request(raw.replace(mix.NONCE.encode(), str(next(loadgen.NONCES)).encode()))
                outcome = f"HTTP {response.status} after {time.perf_counter() - began:.1f} s"
                good = response.status == 200
            except (OSError, loadgen.HttpError) as problem:
                if stop.is_set():
                    return
                outcome = f"{type(problem).__name__} after {time.perf_counter() - began:.1f} s"
                good = False
                conn.close()
            if record:
                outcomes.append(outcome)
            else:
                counts["ok" if good else "bad"] += 1

    threads = [threading.Thread(target=loop, args=(crosswalk, 30, False), daemon=True)]
    if with_runaway:
        threads.append(threading.Thread(target=loop, args=(heavy, plan.limit_s * 4 + 10, True), daemon=True))
    for t in threads:
        t.start()
    time.sleep(0.5)
    try:
        run = loadgen.run_closed_loop(
            engine.base_url,
            mix_jobs(engine, [by_name["lookup"]], distinct=True),
            1,
            plan.runaway_s,
            10**6,
            timeout=plan.limit_s,
            interval=LOOKUP_INTERVAL_S,
        )
    finally:
        stop.set()
        for conn in list(connections):
            with contextlib.suppress(OSError):
                if conn.sock is not None:
                    conn.sock.shutdown(socket.SHUT_RDWR)
        for t in threads:
            t.join(2)
    result = Runaway(engine.name, with_runaway, run.records, outcomes, counts["ok"], counts["bad"])
    lat = [r.seconds for r in run.records if r.ok]
    log(
        f"{'runaway' if with_runaway else 'crosswalk only'} {engine.name}: {len(run.records)} lookups, "
        f"{sum(not r.ok for r in run.records)} errors, "
        f"p50 {ms(pct(lat, 0.5)) if lat else '-'} ms, p99 {ms(pct(lat, 0.99)) if lat else '-'} ms; "
        f"runaway: {outcomes[:4]}; crosswalks {counts}"
    )
    return result


def profile(ours: engines.Engine, queries: list[mix.Query], paths: list[str], work: Path, seconds: float) -> str:
    """py-spy over our server's whole process tree during a c=8 mix and a c=8 Turtle run; top frames."""
    if shutil.which("py-spy") is None:
        return "py-spy not installed (pip install py-spy) — skipped"
    report = []
    for label, jobs in (
        ("mix c=8", mix_jobs(ours, queries)),
        ("doc .ttl c=8", get_jobs(ours, "ttl", [f"/doc/{p[3:]}.ttl" for p in paths], None)),
        ("doc .html c=8", get_jobs(ours, "html", [f"/doc/{p[3:]}.html" for p in paths], None)),
    ):
        out = work / f"profile-{label.split()[0]}-{label.split()[1].strip('.')}.txt"
        spy = subprocess.Popen(
            [
                "py-spy",
                "record",
                "--pid",
                str(ours.pid),
                "--subprocesses",
                "--gil",
                "--format",
                "raw",
                "--rate",
                "250",
                "--nonblocking",
                "--duration",
                str(int(seconds) + 1),
                "-o",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.5)
            loadgen.run_closed_loop(ours.base_url, jobs, 8, seconds, 10**6)
            spy.wait(seconds + 30)
        finally:
            if spy.poll() is None:
                spy.terminate()
                spy.wait(10)
        report.append(
            f"#### py-spy --gil, {label} (samples of the thread holding the GIL, by process and "
            f"function; raw stacks in {out.name})\n"
        )
        report.append(summarise_profile(out))
    return "\n".join(report)


CATEGORIES = (  # (name, substrings of the leaf frame's file), first match wins
    ("results writing (server/engine/results.py, json)", ("server/engine/results.py",)),
    ("RDF serialisation for /doc (resources.serialise)", ("server/web/resources.py",)),
    ("lookups on pyoxigraph (backend.describe/select)", ("server/engine/backend.py",)),
    ("query call into pyoxigraph (evaluate.py)", ("server/engine/evaluate.py",)),
    ("other project code (server/…)", ("/server/", "server/web/", "server/")),
    ("IPC: pickle + pipes (multiprocessing)", ("multiprocessing/", "pickle")),
    ("HTTP server: uvicorn + h11 + asyncio", ("uvicorn/", "h11/", "asyncio/", "selectors.py")),
    ("web framework: starlette + fastapi + anyio", ("starlette/", "fastapi/", "anyio/", "sniffio/")),
    ("thread hand-off (threading, queue)", ("threading.py", "queue.py", "concurrent/")),
    ("access log (logging)", ("logging/",)),
    ("HTML templates (jinja2)", ("jinja2/", "markupsafe/")),
)


def _category(leaf: str, stack: str) -> str:
    match = re.match(r".* \((.*?):\d+\)", leaf)
    file = match.group(1) if match else leaf
    if "json/" in file:  # the stdlib JSON encoder, called by whoever is below it
        file = "server/engine/results.py" if "write_select" in stack else "logging/" if "Guard" in stack else file
    for name, needles in CATEGORIES:
        if any(n in file for n in needles):
            return name
    return "other (stdlib, C calls)"


def summarise_profile(path: Path, top: int = 8) -> str:
    """Samples by process kind and by category of the leaf frame (where the GIL-holding thread was)."""
    if not path.exists():
        return "(no profile written)\n"
    leaf: Counter = Counter()
    by_category: dict[str, Counter] = defaultdict(Counter)
    per_process: Counter = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        kind = "query worker" if "spawn_main" in stack or "_worker_main" in stack else "web process"
        per_process[kind] += count
        total += count
        by_category[_category(frames[-1], stack)][kind] += count
        leaf[(kind, _short(frames[-1]))] += count
    share = lambda n: f"{n / max(total, 1):.1%}"  # noqa: E731
    kinds = [k for k in ("web process", "query worker") if per_process[k]]
    lines = [f"{total} samples: " + ", ".join(f"{k} {share(per_process[k])}" for k in kinds), ""]
    lines.append("| where (leaf frame) | " + " | ".join(kinds) + " |\n|---|" + "---:|" * len(kinds))
    for name, counts in sorted(by_category.items(), key=lambda kv: -sum(kv[1].values())):
        lines.append(f"| {name} | " + " | ".join(share(counts[k]) for k in kinds) + " |")
    lines.append("\n| process | hottest leaf frames | share |\n|---|---|---:|")
    lines += [f"| {k[0]} | `{k[1]}` | {share(v)} |" for k, v in leaf.most_common(top)]
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    match = re.match(r"(.*) \((.*?):(\d+)\)", frame)
    if not match:
        return frame[:80]
    name, file, line = match.groups()
    file = file.split("site-packages/")[-1].split("/work/main/")[-1]
    return f"{name} ({file}:{line})"


# ------------------------------------------------------------------ report


def aggregate(slices: list[Slice]) -> dict[tuple[str, int], dict]:
    grouped: dict[tuple[str, int], list[Slice]] = defaultdict(list)
    for s in slices:
        grouped[(s.engine, s.concurrency)].append(s)
    out = {}
    for key, group in grouped.items():
        records = [r for s in group for r in s.run.records]
        wall = sum(s.run.wall for s in group)
        cpu = sum(s.server_cpu for s in group)
        out[key] = {
            "records": records,
            "wall": wall,
            "n": len(records),
            "errors": sum(not r.ok for r in records),
            "throughput": sum(r.ok for r in records) / wall if wall else 0.0,  # answers, not errors
            "cpu_per_req": cpu / max(len(records), 1),
            "server_cores": cpu / wall if wall else 0.0,
            "rss_peak": max(s.rss_peak for s in group),
            "pss_peak": max(s.pss_peak for s in group),
            "client_cores": sum(s.run.client_cpu for s in group) / wall if wall else 0.0,
            "other_cores": statistics.fmean(s.other_cores for s in group),
            "per_round": [len(s.run.records) / s.run.wall for s in group if s.run.wall],
        }
    return out


def agreed_throughput(stats: dict, excluded: set[str], concurrency: int) -> float:
    """Throughput over the queries the engine answered correctly: requests/s if it agreed on all of them,
    else (Little's law for a closed loop) concurrency × agreed requests / their summed latency."""
    if not excluded:
        return stats["throughput"]
    kept = [r for r in stats["records"] if r.label not in excluded and r.ok]
    busy = sum(r.seconds for r in kept)
    return concurrency * len(kept) / busy if busy else 0.0


def report(
    info: dict,
    build_s: float,
    build_stages: str,
    engine_list: list[engines.Engine],
    checks: list[Check],
    mix_slices: list[Slice],
    own: list[Slice],
    wrk: str,
    cfgs: list[ConfigResult],
    ready: list[float],
    runaways: list[Runaway],
    queries: list[mix.Query],
    broad: list[mix.Query],
    alone_slices: list[Slice],
    pss_after: dict[str, int],
    plan: Plan,
    command: str,
    prof: str,
    total_s: float,
    notes: list[str],
    micro_rows: list[tuple[str, str, str]],
) -> str:
    names = [e.name for e in engine_list]
    excluded = {name: {c.query for c in checks if name in c.disagree} for name in names}
    out: list[str] = []
    w = out.append
    w(f"Run: `{command}` — {info['date']}; total {total_s:.0f} s.\n")
    w(
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, Python {info['python']}, "
        f"load average before the run {info['load']}, other processes using {info['background']} cores just before "
        f"it; kernel memory reclaim: {info['reclaim']}; code at {info['commit']}.\n"
    )
    w(
        "Load generator: benchmarks/loadgen.py — closed loop, one thread and one keep-alive raw-socket HTTP/1.1 "
        "connection per concurrent client, in the benchmark's own process, **sharing the same CPUs as the servers** "
        f"(its CPU use is shown as `client cores`). Each engine's turn starts with {WARM_UP_S:g} s of the same work, "
        f"not counted, then lasts {plan.slice_s:g} s, "
        f"{plan.rounds} interleaved round(s) per concurrency (A B C D A B C D …); requests in flight at the end of a "
        "turn are completed and counted. `other cores` is CPU used by processes outside the server and the load "
        "generator during a turn (other work on the machine).\n"
    )
    w(
        f"Every engine has a {plan.limit_s:g} s server-side query time limit where it has one "
        "(ours --timeout, Oxigraph --timeout-s, Virtuoso MaxQueryExecutionTime; rdflib-endpoint has none).\n"
    )
    for e in engine_list:
        extra = f" — {'; '.join(e.notes)}" if e.notes else ""
        w(f"- **{e.name}**: {e.sparql}{extra}")
    w("")
    w(f"Build: **{build_s:.1f} s** wall ({build_stages}).\n")

    # correctness
    w("### Same answers\n")
    w("| query | what | variants | rows (1st variant) | result |\n|---|---|---:|---:|---|")
    for c, q in zip(checks, queries, strict=True):
        result = (
            "all engines agree"
            if not c.disagree
            else "; ".join(f"**{k} disagrees** ({v[:160]}) — excluded for this query" for k, v in c.disagree.items())
        )
        w(f"| {q.name} | {q.what} | {c.variants} | {c.rows} | {result} |")
    w("")

    # the mixes
    phase_stats = {phase: aggregate([s for s in mix_slices if s.phase == phase]) for phase, _, _ in MIX_PHASES}
    stats = phase_stats["broad mix, uncached"]
    old_stats = phase_stats["old mix, uncached"]
    ours = "ours"
    w("### Mixes (all queries in turn), per engine\n")
    w(
        "- **broad mix** (issue 12): " + ", ".join(q.name for q in broad) + ". The first six are the lookup classes, "
        "the rest the canned queries of `queries/` (item-mappings.rq is the `links` lookup, its VALUES rotated).\n"
        '- **lookup mix**: the six lookup classes only, in turn (the issue\'s "lookups" as one group).\n'
        "- **old mix**: the eleven queries of the earlier runs (table above), kept for continuity.\n"
        "- **uncached**: every request's query text is new (a comment `# request N` with a number never sent "
        "before is appended), so no cache can answer it; **cached**: the same requests repeated (each query "
        "rotates through its few variants), so a result cache answers all but the first of each. Only our "
        "server has a result cache; for the others both are the same work.\n"
    )
    w(
        "| mix | engine | c | requests | throughput req/s | per turn | p50 ms | p99 ms | errors | server CPU ms/req "
        "| server cores | peak RSS / PSS MiB (all processes) | client cores | other cores |"
    )
    w("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    ratio_lines = []
    for phase, _, _ in MIX_PHASES:
        for concurrency in (1, 8):
            for name in names:
                st = phase_stats[phase].get((name, concurrency))
                if not st:
                    continue
                lat = [r.seconds for r in st["records"]]
                tp = agreed_throughput(st, excluded[name], concurrency)
                star = "*" if excluded[name] else ""
                turns = " ".join(f"{x:.0f}" for x in st["per_round"])
                w(
                    f"| {phase} | {name} | {concurrency} | {st['n']} | {tp:.0f}{star} | {turns} | "
                    f"{ms(pct(lat, 0.5))} | {ms(pct(lat, 0.99))} | "
                    f"{st['errors']} | {st['cpu_per_req'] * 1000:.2f} | {st['server_cores']:.2f} | "
                    f"{st['rss_peak'] / 2**20:.0f} / {st['pss_peak'] / 2**20:.0f} | "
                    f"{st['client_cores']:.2f} | {st['other_cores']:.2f} |"
                )
            base = phase_stats[phase].get((ours, concurrency))
            parts = []
            for name in names[1:]:
                other = phase_stats[phase].get((name, concurrency))
                if base and other:
                    ex = excluded[ours] | excluded[name]
                    x, y = agreed_throughput(base, ex, concurrency), agreed_throughput(other, ex, concurrency)
                    parts.append(f"÷ {name} **{x / y:.2f}×**" if y else f"{name} answered nothing")
            if parts:
                ratio_lines.append(f"- {phase}, c={concurrency}: ours " + ", ".join(parts))
    if any(excluded.values()):
        w(
            "\n\\* throughput over the queries this engine answered correctly (closed-loop Little's law: "
            "c × requests ÷ their summed latency)."
        )
    w("\nThroughput ratios (ours ÷ alternative; above 1 means ours is faster):\n")
    out.extend(ratio_lines)
    w("")
    if pss_after:
        w(
            "PSS of all processes after the mixes (the default settings): "
            + ", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in pss_after.items())
            + ".\n"
        )

    # each query alone
    alone_stats = {
        (query, *key): value
        for query in dict.fromkeys(x.phase for x in alone_slices)
        for key, value in aggregate([x for x in alone_slices if x.phase == query]).items()
    }
    if alone_slices:
        w(
            f"### Each query alone, uncached (every request distinct): {plan.query_rounds} interleaved turn(s) of "
            f"{plan.query_s:g} s per engine and concurrency, after {QUERY_WARM_UP_S:g} s of warm-up\n"
        )
        w(
            "| query | kind | c=1 ours req/s | c=1 oxigraph req/s | c=1 ratio | c=1 p50 ours / oxigraph ms | "
            "c=8 ours req/s | c=8 oxigraph req/s | c=8 ratio | c=8 p50 ours / oxigraph ms | errors ours / oxigraph |"
        )
        w("|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|")
        for q in broad:
            cells = []
            errs = errs_ox = 0
            for concurrency in (1, 8):
                mine = alone_stats.get((q.name, ours, concurrency))
                theirs = alone_stats.get((q.name, "oxigraph", concurrency))
                if not mine:
                    cells += ["–"] * 4
                    continue
                errs += mine["errors"]
                errs_ox += theirs["errors"] if theirs else 0
                x = mine["throughput"]
                y = theirs["throughput"] if theirs else 0.0
                ratio = f"**{x / y:.2f}×**" if y and q.name not in excluded.get("oxigraph", set()) else "–"
                p50 = ms(pct([r.seconds for r in mine["records"]], 0.5))
                p50o = ms(pct([r.seconds for r in theirs["records"]], 0.5)) if theirs else "–"
                cells += [f"{x:.0f}", f"{y:.0f}" if theirs else "–", ratio, f"{p50} / {p50o}"]
            kind = "lookup" if q.lookup else "heavy" if q.heavy else ""
            w(f"| {q.name} | {kind} | " + " | ".join(cells) + f" | {errs} / {errs_ox} |")
        w("\n(ratio: ours ÷ oxigraph throughput, answers only; above 1 means ours is faster.)\n")

    # per query, within the broad mix
    queries = broad
    for concurrency in (1, 8):
        w(f"### Per query within the broad mix (uncached), c={concurrency}: p50 / p99 latency in ms (errors)\n")
        w("| query | " + " | ".join(names) + " | ours ÷ " + " | ours ÷ ".join(names[1:]) + " (p50) |")
        w("|---|" + "---:|" * (2 * len(names) - 1))
        for q in queries:
            cells, p50 = [], {}
            for name in names:
                s = stats.get((name, concurrency))
                lat = [r.seconds for r in s["records"] if r.label == q.name] if s else []
                errs = sum(1 for r in s["records"] if r.label == q.name and not r.ok) if s else 0
                if not lat:
                    cells.append("–")
                    continue
                p50[name] = pct(lat, 0.5)
                flag = " ✗" if q.name in excluded[name] else ""
                cells.append(f"{ms(pct(lat, 0.5))} / {ms(pct(lat, 0.99))}{f' ({errs})' if errs else ''}{flag}")
            ratios = []
            for name in names[1:]:
                if ours in p50 and name in p50 and q.name not in excluded[name] | excluded[ours]:
                    ratios.append(f"{p50[ours] / p50[name]:.2f}")
                else:
                    ratios.append("–")
            w(f"| {q.name} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
        w("\n(ours ÷ X above 1 means ours is slower; ✗ = wrong answer, not compared.)\n")

    # own routes
    w("### Our server only (no such URIs elsewhere), c=8\n")
    w(
        "| route | requests | req/s | MB/s | p50 ms | p99 ms | errors | server CPU ms/req | peak RSS / PSS MiB "
        "| client cores |"
    )
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in own:
        lat = [r.seconds for r in s.run.records]
        n = len(lat)
        mbps = sum(r.nbytes for r in s.run.records) / s.run.wall / 1e6
        w(
            f"| {s.phase} | {n} | {n / s.run.wall:.0f} | {mbps:.1f} | {ms(pct(lat, 0.5))} | {ms(pct(lat, 0.99))} | "
            f"{sum(not r.ok for r in s.run.records)} | {s.server_cpu / max(n, 1) * 1000:.2f} | "
            f"{s.rss_peak / 2**20:.0f} / {s.pss_peak / 2**20:.0f} | "
            f"{s.run.client_cpu / s.run.wall:.2f} |"
        )
    w(f"\nCross-check with a C load generator: {wrk}\n")

    # configs
    w("### Our server: --workers / --query-workers / --query-threads (c=8)\n")
    w(
        "| --workers | --query-workers | --query-threads | processes | ready s | mix req/s | mix p99 ms | "
        "lookup p50 / p99 ms | mix errors | Turtle req/s | Turtle p99 ms | peak RSS / PSS MiB |"
    )
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in cfgs:
        lat = [r.seconds for r in c.mix.run.records]
        tl = [r.seconds for r in c.ttl.run.records]
        looks = [r.seconds for r in c.mix.run.records if r.label == "lookup"]
        w(
            f"| {c.workers} | {c.query_workers} | {c.query_threads} | {c.processes} | {c.ready_s:.2f} | "
            f"{len(lat) / c.mix.run.wall:.0f} | {ms(pct(lat, 0.99))} | "
            f"{ms(pct(looks, 0.5))} / {ms(pct(looks, 0.99))} | "
            f"{sum(not r.ok for r in c.mix.run.records)} | {len(tl) / c.ttl.run.wall:.0f} | "
            f"{ms(pct(tl, 0.99))} | {max(c.mix.rss_peak, c.ttl.rss_peak) / 2**20:.0f} / "
            f"{max(c.mix.pss_peak, c.ttl.pss_peak) / 2**20:.0f} |"
        )
    w("")

    # runaway
    w(f"### A lookup while the whole crosswalk and a runaway query run (c=1 lookups for {plan.runaway_s:g} s)\n")
    w(
        f"Runaway query: `{mix.RUNAWAY}`. One client loops queries/crosswalk.rq (a slow query: ~500 rows, ~600 KB), "
        "a second loops the runaway (second row of each engine only), a third sends lookups one at a time, at most one "
        f"every {LOOKUP_INTERVAL_S * 1000:g} ms. The first row is the baseline for what the runaway adds.\n"
    )
    w(
        "| engine | background | lookups | errors | p50 ms | p99 ms | max ms | lookup p50 idle (mix c=1) | "
        "crosswalks answered | runaway outcomes |"
    )
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in runaways:
        lat = [x.seconds for x in r.lookups if x.ok]
        idle = old_stats.get((r.engine, 1))
        idle_lat = [x.seconds for x in idle["records"] if x.label == "lookup"] if idle else []
        kinds: dict[str, list[float]] = defaultdict(list)
        for o in r.runaway_outcomes:
            m = re.match(r"(.*) after ([\d.]+) s", o)
            if m:
                kinds[m.group(1)].append(float(m.group(2)))
        shown = ", ".join(
            f"{len(d)}× {k} after {min(d):.1f}" + (f"–{max(d):.1f}" if max(d) > min(d) else "") + " s"
            for k, d in kinds.items()
        )
        background = "crosswalk + runaway" if r.with_runaway else "crosswalk"
        w(
            f"| {r.engine} | {background} | {len(r.lookups)} | {sum(not x.ok for x in r.lookups)} | "
            f"{ms(pct(lat, 0.5)) if lat else '–'} | {ms(pct(lat, 0.99)) if lat else '–'} | "
            f"{ms(max(lat)) if lat else '–'} | {ms(pct(idle_lat, 0.5)) if idle_lat else '–'} | "
            f"{r.crosswalks_done} ({r.crosswalk_errors} failed) | "
            f"{(shown or f'no answer in {plan.runaway_s + 0.5:g} s (still running)') if r.with_runaway else '–'} |"
        )
    w("")

    # targets
    w("### Targets (from the issue)\n")
    w("| target | measured | pass |\n|---|---|---|")
    rows = []
    o8, o1 = stats.get((ours, 8)), stats.get((ours, 1))

    def row(name: str, measured: str, ok: bool | None) -> None:
        rows.append(f"| {name} | {measured} | {'✅' if ok else '❌' if ok is not None else 'n/a'} |")

    def mix_ratio(phase: str, concurrency: int, alt: str) -> tuple[float, float] | None:
        mine, theirs = phase_stats[phase].get((ours, concurrency)), phase_stats[phase].get((alt, concurrency))
        if not mine or not theirs:
            return None
        ex = excluded[ours] | excluded[alt]
        return agreed_throughput(mine, ex, concurrency), agreed_throughput(theirs, ex, concurrency)

    for phase, concurrency, factor in (
        ("broad mix, uncached", 8, 1.0),
        ("broad mix, uncached", 1, 0.9),
        ("broad mix, cached", 8, 3.0),
    ):
        got = mix_ratio(phase, concurrency, "oxigraph")
        name = f"{phase}, c={concurrency} ≥ {factor:g}× oxigraph"
        if got and got[1]:
            row(name, f"{got[0]:.0f} vs {got[1]:.0f} req/s = {got[0] / got[1]:.2f}×", got[0] >= factor * got[1])
        else:
            row(name, "not measured", None)
    heavy, light = [q for q in broad if q.heavy], [q for q in broad if q.lookup]

    def alone_ratio(q: mix.Query, concurrency: int) -> float | None:
        mine = alone_stats.get((q.name, ours, concurrency))
        theirs = alone_stats.get((q.name, "oxigraph", concurrency))
        return mine["throughput"] / theirs["throughput"] if mine and theirs and theirs["throughput"] else None

    heavy_ratios = {q.name: alone_ratio(q, 8) for q in heavy}
    if heavy_ratios and all(v is not None for v in heavy_ratios.values()):
        worst = min(heavy_ratios, key=lambda k: heavy_ratios[k] or 0.0)
        row(
            "every heavy (canned) query alone, uncached, c=8 ≥ 0.9× oxigraph",
            f"lowest: {worst} {heavy_ratios[worst]:.2f}× (table above)",
            all((v or 0) >= 0.9 for v in heavy_ratios.values()),
        )
    light_ratios = {q.name: alone_ratio(q, 1) for q in light}
    light_p50 = {
        q.name: pct([r.seconds for r in alone_stats[(q.name, ours, 1)]["records"]], 0.5)
        for q in light
        if (q.name, ours, 1) in alone_stats
    }
    looked = mix_ratio("lookup mix, uncached", 1, "oxigraph")
    lookup1 = phase_stats["lookup mix, uncached"].get((ours, 1))
    if looked and looked[1] and lookup1:
        p50 = pct([r.seconds for r in lookup1["records"]], 0.5)
        row(
            "lookups (the lookup mix: the six classes in turn), uncached, c=1 ≥ 0.5× oxigraph, p50 ≤ 0.6 ms",
            f"{looked[0]:.0f} vs {looked[1]:.0f} req/s = {looked[0] / looked[1]:.2f}×; p50 {ms(p50)} ms",
            looked[0] >= 0.5 * looked[1] and p50 <= 0.0006,
        )
    if light_p50 and all(v is not None for v in light_ratios.values()):
        worst = min(light_ratios, key=lambda k: light_ratios[k] or 0.0)
        slowest = max(light_p50, key=light_p50.get)
        row(
            "stricter: every lookup class alone, uncached, c=1 ≥ 0.5× oxigraph, p50 ≤ 0.6 ms",
            f"lowest ratio: {worst} {light_ratios[worst]:.2f}×; highest p50: {slowest} {ms(light_p50[slowest])} ms",
            all((v or 0) >= 0.5 for v in light_ratios.values()) and max(light_p50.values()) <= 0.0006,
        )
    old = mix_ratio("old mix, uncached", 8, "oxigraph")
    if old and old[1]:
        row(
            "old mix, uncached, c=8 ≥ 0.9× oxigraph (earlier target)", f"{old[0] / old[1]:.2f}×", old[0] >= 0.9 * old[1]
        )
    if o1:
        lookups = [r.seconds for r in o1["records"] if r.label == "notation"]
        row(
            "c=1 lookup (notation) p99 in the broad mix ≤ 8 ms",
            f"{ms(pct(lookups, 0.99))} ms",
            pct(lookups, 0.99) <= 0.008,
        )
    if o8:
        own_errors = sum(not r.ok for s in own for r in s.run.records)
        row(
            "c=8 no errors (mix and own routes)",
            f"{o8['errors']} mix + {own_errors} own-route errors",
            o8["errors"] + own_errors == 0,
        )
    old8 = old_stats.get((ours, 8))
    if old8:
        lat = [r.seconds for r in old8["records"]]
        row("c=8 old mix p99 ≤ 300 ms", f"{ms(pct(lat, 0.99))} ms", pct(lat, 0.99) <= 0.3)
    ttl = next((s for s in own if s.phase == "doc .ttl"), None)
    if ttl:
        rate = len(ttl.run.records) / ttl.run.wall
        row("item URIs as Turtle ≥ 800 req/s at c=8", f"{rate:.0f} req/s (/doc/….ttl)", rate >= 800)
    if ready:
        row("ready ≤ 1.5 s (every start)", f"{', '.join(f'{t:.2f}' for t in ready)} s", max(ready) <= 1.5)
    ours8 = [s for s in mix_slices if s.engine == ours and s.concurrency == 8] + list(own)
    if ours in pss_after:
        pss, rss = max(s.pss_peak for s in ours8), max(s.rss_peak for s in ours8)
        row(
            "total PSS with the default settings, after the mixes, ≤ 150 MB",
            f"{pss_after[ours] / 1e6:.0f} MB after the mixes (peak during them {pss / 1e6:.0f} MB; "
            f"the RSS sum, which counts shared pages once per process, peaked at {rss / 1e6:.0f} MB)",
            pss_after[ours] <= 150e6,
        )
    pressure = {r.with_runaway: r for r in runaways if r.engine == ours}
    if len(pressure) == 2:
        alone, both = ([x.seconds for x in pressure[k].lookups if x.ok] for k in (False, True))
        errors = sum(not x.ok for k in (False, True) for x in pressure[k].lookups)
        stopped = any("503" in o for o in pressure[True].runaway_outcomes)
        if alone and both:
            p50a, p99a, p50b, p99b = pct(alone, 0.5), pct(alone, 0.99), pct(both, 0.5), pct(both, 0.99)
            others = [f"{name} ×{ratio:.2f}" for name, ratio in tail_ratios(runaways) if name != ours]
            row(
                "a runaway query never delays the cheap ones: lookup p50 with the crosswalk loop and a runaway within "
                "1.25× (+0.5 ms) of the crosswalk loop alone, no errors, the runaway stopped at its limit",
                f"p50 {ms(p50b)} vs {ms(p50a)} ms, {errors} errors, runaway "
                f"{'stopped (503)' if stopped else 'not stopped'}; p99 {ms(p99b)} vs {ms(p99a)} ms "
                f"(×{p99b / p99a:.2f}; {', '.join(others)})",
                p50b <= 1.25 * p50a + 5e-4 and not errors and stopped,
            )
        idle1 = old_stats.get((ours, 1))
        idle_lat = [x.seconds for x in idle1["records"] if x.label == "lookup"] if idle1 else []
        if alone and idle_lat:
            row(
                "a slow query never delays the cheap ones: lookup p50 with the crosswalk loop vs idle (c=1 mix), "
                "within 1.25×",
                f"{ms(pct(alone, 0.5))} vs {ms(pct(idle_lat, 0.5))} ms",
                pct(alone, 0.5) <= 1.25 * pct(idle_lat, 0.5),
            )
    row("build ≤ 20 s", f"{build_s:.1f} s", build_s <= 20)
    out += rows
    w("")
    if notes:
        w("Notes: " + " ".join(notes) + "\n")
    if micro_rows:
        w("### Inside our server (benchmarks/micro.py: the server's own functions called in-process, mean ms)\n")
        w("| step | ms | what |\n|---|---:|---|")
        out.extend(f"| {what} | {value} | {note} |" for what, value, note in micro_rows)
        w("")
    if prof:
        w("### Profile of our server (py-spy)\n")
        w(prof)
    return "\n".join(out) + "\n"


def write_readme(results: str) -> None:
    block = f"{START}\n{results}{END}"
    if README.exists():
        text = README.read_text(encoding="utf-8")
        if START in text and END in text:
            text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
        else:
            text = text.rstrip() + "\n\n## Results\n\n" + block + "\n"
    else:
        text = "# Benchmarks\n\n## Results\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    sys.setswitchinterval(0.0005)  # a client thread that has its answer takes the GIL back within 0.5 ms
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short turns, one round (under 2 minutes)")
    parser.add_argument("--profile", action="store_true", help="also profile our server with py-spy")
    parser.add_argument("--no-readme", action="store_true", help="do not write the results into benchmarks/README.md")
    parser.add_argument("--readme", action="store_true", help="write the results into README.md even with --quick")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, profiles)")
    parser.add_argument("--check-only", action="store_true", help="build, start the engines, compare answers, stop")
    parser.add_argument("--artefacts", help="development: serve a release already built in this folder")
    parser.add_argument(
        "--engines",
        default="ours,oxigraph,virtuoso,rdflib-endpoint",
        help="comma-separated engines to run (development: ours,oxigraph)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="S",
        help="on a shared machine, wait up to S seconds for other work to use < 0.3 cores first",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    command = "python benchmarks/run.py " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    if args.wait_quiet:
        waited = time.monotonic()
        while (busy := background_cores()) >= 0.3 and time.monotonic() - waited < args.wait_quiet:
            log(f"other processes use {busy:.2f} cores; waiting for a quieter machine ...")
            time.sleep(8)
    began = time.monotonic()
    info = machine()
    info["background"] = f"{background_cores():.2f}"
    log(
        f"{info['date']}; {info['nproc']} CPUs, {info['cpu']}, {info['memory']}; load {info['load']}; "
        f"other processes busy: {info['background']} cores"
    )
    if float(info["background"]) > 0.25:
        log("WARNING: the machine is busy with other work; results will be noisy (see `other cores`)")
    work = Path(tempfile.mkdtemp(prefix="ccds-bench-"))
    artefacts = work / "artefacts"
    notes: list[str] = []
    with contextlib.ExitStack() as stack:
        if not args.keep:
            stack.callback(shutil.rmtree, work, True)
        else:
            log(f"keeping {work}")
        stages: list[str] = []
        if args.artefacts:  # development: reuse a release built before (the build is not timed)
            artefacts = Path(args.artefacts)
            build_s, stages = 0.0, ["not timed: --artefacts given"]
        else:
            build_s = build(artefacts, stages)
        settings = load_settings(artefacts_dir=artefacts, base_uri=BASE)
        queries = mix.build_mix(BASE)
        broad = mix.broad_mix(BASE)
        running: list[engines.Engine] = []

        def stop_all() -> None:
            for e in running:
                with contextlib.suppress(Exception):
                    e.stop()

        stack.callback(stop_all)
        log("starting our server, the Oxigraph server, Virtuoso and rdflib-endpoint ...")
        ours = engines.start_ours(artefacts, BASE, work, plan.limit_s)
        running.append(ours)
        try:
            oxigraph, _ = engines.start_oxigraph(work / "oxigraph", plan.limit_s)
            running.append(oxigraph)
            loaded = engines.load_by_publish(settings, f"{oxigraph.base_url}/store", oxigraph.sparql).splitlines()[-1]
            oxigraph.notes.append(f"loaded by `ccds-crosswalk publish`: {loaded.strip()}")
            log(loaded)
        except Exception as problem:
            notes.append(f"The Oxigraph server could not be started: {problem}.")
        wanted = set(args.engines.split(","))
        try:
            if "virtuoso" not in wanted:
                raise RuntimeError("not asked for (--engines)")
            t0 = time.monotonic()
            store = engines.start_virtuoso(work / "virtuoso", plan.limit_s)
            virtuoso = engines.virtuoso_engine(store, BASE, VERSION, time.monotonic() - t0)
            running.append(virtuoso)
            loaded = engines.load_by_publish(settings, store.graph_store, store.query).splitlines()[-1]
            virtuoso.notes.append(f"loaded by `ccds-crosswalk publish`: {loaded.strip()}")
            log(loaded)
        except Exception as problem:
            notes.append(f"Virtuoso could not be started: {problem}.")
        try:
            if "rdflib-endpoint" not in wanted:
                raise RuntimeError("not asked for (--engines)")
            running.append(engines.start_rdflib(settings.release_dir, BASE, work))
        except Exception as problem:
            notes.append(f"rdflib-endpoint could not be started: {problem}.")
        engine_list = list(running)
        for e in engine_list:
            log(f"{e.name}: {e.sparql} (pid {e.pid}, first answer {e.ready_s:.2f} s after start)")

        extra = [q for q in broad if q.name not in {o.name for o in queries}]  # construct, crosswalk are in both
        checked = queries + extra
        checks = check_answers(engine_list, queries) + check_answers(
            [e for e in engine_list if e.name in BROAD_ENGINES], extra
        )
        if args.check_only:
            return 0 if not any(c.disagree for c in checks) else 1
        lookups = [q for q in broad if q.lookup]
        mix_slices, pss_after = interleaved_mix(engine_list, {"broad": broad, "lookups": lookups, "old": queries}, plan)
        alone = per_query(engine_list, broad, plan)
        paths = item_paths(ours)
        own = own_routes(ours, plan, paths)
        wrk = wrk_check(ours, f"/doc/{paths[0][3:]}.ttl", plan.own_s)
        log(wrk)
        prof = profile(ours, queries, paths, work, max(plan.own_s, 4.0)) if args.profile else ""
        cfgs = configs(artefacts, work, queries, paths, plan)
        ready = ready_times(artefacts, work, plan)
        runaways = []
        for e in engine_list:  # last: each engine is stopped right after, so no leftover query burns CPU
            runaways.append(runaway(e, queries, plan, with_runaway=False))
            runaways.append(runaway(e, queries, plan))
            if e.name == "rdflib-endpoint":  # its event loop is stuck in the runaway query: SIGTERM would wait
                with contextlib.suppress(psutil.Error):
                    psutil.Process(e.pid).kill()
            e.stop()
        micro_rows = []
        if not args.quick or args.profile:
            log("in-process micro-measurements ...")
            micro_rows = micro.measure(settings.release_dir, BASE, (mix.QUERIES / "crosswalk.rq").read_text("utf-8"))
        results = report(
            info,
            build_s,
            stages[0] if stages else "",
            engine_list,
            checks,
            mix_slices,
            own,
            wrk,
            cfgs,
            ready,
            runaways,
            checked,
            broad,
            alone,
            pss_after,
            plan,
            command,
            prof,
            time.monotonic() - began,
            notes,
            micro_rows,
        )
    print()
    print(results)
    if not args.no_readme and (not args.quick or args.readme):
        write_readme(results)
        log(f"results written into {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
