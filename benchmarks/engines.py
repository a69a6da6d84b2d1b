"""The four engines under test, each a real server process on 127.0.0.1 holding the same release, and the
psutil accounting of a server's whole process tree (CPU seconds, RSS).

- ours:            `ccds-crosswalk serve --no-build` (uvicorn + FastAPI; user SPARQL on a pool of pyoxigraph
                   worker processes)
- oxigraph:        the Oxigraph server (`oxigraph serve`, Rust, RocksDB) with --union-default-graph, loaded with
                   `ccds-crosswalk publish` (Graph Store Protocol)
- virtuoso:        Virtuoso 7 (server/triplestores.py), loaded with `ccds-crosswalk publish`; the default graph of
                   every query is the union of the four release graphs (default-graph-uri parameters)
- rdflib-endpoint: rdflib-endpoint's SparqlEndpoint over an rdflib Dataset(default_union=True) under uvicorn

Every engine gets the same server-side query time limit (`limit_s`) where it has one: ours --timeout,
Oxigraph --timeout-s, Virtuoso MaxQueryExecutionTime. rdflib-endpoint has none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil

from ccds_crosswalk import iris, triplestores
from ccds_crosswalk.processes import free_port
from ccds_crosswalk.publish import publish
from ccds_crosswalk.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent


@dataclass
class Engine:
    name: str
    sparql: str  # SPARQL query endpoint URL
    pid: int
    stop_fn: Callable[[], None]
    extra: str = ""  # appended to every query string (e.g. Virtuoso's default-graph-uri=...)
    ready_s: float = 0.0  # process start to first successful answer
    notes: list[str] = field(default_factory=list)
    base_url: str = ""

    def target(self, query: str) -> str:
        """The request target (path?query) of a GET for this query."""
        path = self.sparql.split("//", 1)[1].split("/", 1)[1]
        return f"/{path}?query={quote(query, safe='')}{self.extra}"

    def stop(self) -> None:
        self.stop_fn()


# ------------------------------------------------------------------ process-tree accounting


def processes(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def cpu_seconds(pid: int) -> float:
    """User+system CPU of the process and all its live descendants, plus what reaped children used."""
    total = 0.0
    for proc in processes(pid):
        try:
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


def rss_bytes(procs: list[psutil.Process]) -> int:
    """The RSS sum of the process tree: counts a page shared by n processes n times (the modules our fork server
    imports are shared by every query worker). Cheap to read (/proc/PID/statm)."""
    total = 0
    for proc in procs:
        with suppress(psutil.Error):
            total += proc.memory_info().rss
    return total


def pss_bytes(procs: list[psutil.Process]) -> int:
    """The PSS sum of the process tree: each page counted once, split among the processes that share it — the
    memory the tree really holds. Reading it walks the page tables (/proc/PID/smaps_rollup) and briefly holds
    each process's memory-map lock, so it is sampled less often than RSS."""
    total = 0
    for proc in procs:
        with suppress(psutil.Error):
            info = proc.memory_full_info()
            total += getattr(info, "pss", info.rss)
    return total


def _terminate(process: subprocess.Popen, grace: float = 10) -> None:
    """Stop a server we started and everything it started (children first get the parent's SIGTERM)."""
    if process.poll() is not None:
        return
    children = processes(process.pid)[1:]
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    for child in children:
        try:
            if child.is_running():
                child.kill()
        except psutil.Error:
            pass


def _wait_answer(
    url: str,
    query: str,
    process: subprocess.Popen,
    seconds: float = 90,
    extra: dict | None = None,
    started: float | None = None,
    poll: float = 0.005,
) -> float:
    """Seconds from `started` until the endpoint answers `query` with a 200 and a non-empty result.
    Gives up early when the server is up but keeps failing (an error status for 3 s)."""
    started = started or time.monotonic()
    deadline = started + seconds
    failing_since: float | None = None
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{url}: the server exited with code {process.returncode}")
            try:
                response = client.get(
                    url, params={"query": query, **(extra or {})}, headers={"Accept": "application/sparql-results+json"}
                )
                if response.status_code == 200 and '"value"' in response.text:
                    return time.monotonic() - started
                if response.status_code not in (502, 503):
                    failing_since = failing_since or time.monotonic()
                    if time.monotonic() - failing_since > 3:
                        raise RuntimeError(f"{url} is up but answers {response.status_code}: {response.text[:300]}")
            except httpx.HTTPError:
                pass
            time.sleep(poll)
    raise RuntimeError(f"{url} did not answer within {seconds:g} s")


READY_QUERY = 'SELECT ?item WHERE { ?item <http://www.w3.org/2004/02/skos/core#notation> "UK1" }'


# ------------------------------------------------------------------ ours


def start_ours(
    artefacts: Path,
    base: str,
    workdir: Path,
    limit_s: float,
    workers: int = 1,
    query_workers: int = 1,  # the defaults of `ccds-crosswalk serve`
    query_threads: int = 4,
    tag: str = "",
) -> Engine:
    port = free_port()
    log = (workdir / f"ours{tag}-{port}.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "ccds_crosswalk.cli",
        "--artefacts",
        str(artefacts),
        "--base-uri",
        base,
        "serve",
        "--no-build",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--query-workers",
        str(query_workers),
        "--query-threads",
        str(query_threads),
        "--timeout",
        str(limit_s),
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        ready = _wait_answer(f"{url}/sparql", READY_QUERY, process, started=started)
    except BaseException:
        _terminate(process)
        raise
    name = "ours" if not tag else f"ours{tag}"
    return Engine(name, f"{url}/sparql", process.pid, lambda: _terminate(process), ready_s=ready, base_url=url)


# ------------------------------------------------------------------ Oxigraph server


def _oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"  # the PyPI package's binary, not the pyenv shim
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise triplestores.StoreUnavailable("the Oxigraph server is missing: pip install oxigraph")
    return found


def start_oxigraph(folder: Path, limit_s: float, port: int | None = None) -> tuple[Engine, subprocess.Popen]:
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        _oxigraph_binary(),
        "serve",
        "--location",
        str(folder / "oxigraph"),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
        "--timeout-s",
        str(int(limit_s)),
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=(folder / "oxigraph.log").open("ab"))
    url = f"http://127.0.0.1:{port}"
    try:
        triplestores._wait(f"{url}/query", process, "oxigraph")
        ready = time.monotonic() - started
    except BaseException:
        _terminate(process)
        raise
    engine = Engine("oxigraph", f"{url}/query", process.pid, lambda: _terminate(process), ready_s=ready, base_url=url)
    engine.notes.append(" ".join(["oxigraph", *command[1:]]))
    return engine, process


# ------------------------------------------------------------------ Virtuoso


@contextmanager
def _virtuoso_time_limit(limit_s: float):
    """server/triplestores.py writes MaxQueryExecutionTime = 30; give Virtuoso the same limit as the others."""
    original = triplestores._virtuoso_ini

    def patched(folder: Path, sql_port: int, http_port: int) -> Path:
        path = original(folder, sql_port, http_port)
        text = path.read_text()
        lines = [
            f"MaxQueryExecutionTime = {int(limit_s)}"
            if line.replace(" ", "").startswith("MaxQueryExecutionTime=")
            else line
            for line in text.splitlines()
        ]
        path.write_text("\n".join(lines) + "\n")
        return path

    triplestores._virtuoso_ini = patched
    try:
        yield
    finally:
        triplestores._virtuoso_ini = original


def start_virtuoso(folder: Path, limit_s: float) -> triplestores.Store:
    folder.mkdir(parents=True, exist_ok=True)
    with _virtuoso_time_limit(limit_s):
        return triplestores.start_virtuoso(folder)


# ------------------------------------------------------------------ rdflib-endpoint


def start_rdflib(release_dir: Path, base: str, workdir: Path) -> Engine:
    port = free_port()
    env = {**os.environ, "BENCH_RELEASE_DIR": str(release_dir), "BENCH_BASE_URI": base}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(BENCH),
        "rdflib_app:create",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(workdir / f"rdflib-{port}.log").open("wb")
    )
    url = f"http://127.0.0.1:{port}"
    try:
        ready = _wait_answer(f"{url}/sparql", READY_QUERY, process, started=started, poll=0.05)
    except BaseException:
        _terminate(process)
        raise
    engine = Engine(
        "rdflib-endpoint", f"{url}/sparql", process.pid, lambda: _terminate(process), ready_s=ready, base_url=url
    )
    engine.notes.append("rdflib-endpoint SparqlEndpoint(Dataset(default_union=True)) under uvicorn, 1 process")
    return engine


# ------------------------------------------------------------------ loading the alternatives


def load_by_publish(settings: Settings, graph_store: str, sparql: str) -> str:
    return publish(settings, graph_store, sparql=sparql)


def virtuoso_engine(store: triplestores.Store, base: str, version: str, ready_s: float) -> Engine:
    graphs = [str(iris.release_graph(base, version, name)) for name in iris.GRAPHS]
    extra = "".join(f"&default-graph-uri={quote(g, safe='')}" for g in graphs)
    engine = Engine(
        "virtuoso",
        store.query,
        store.process.pid,
        store.stop,
        extra=extra,
        ready_s=ready_s,
        base_url=store.query.rsplit("/", 1)[0],
    )
    engine.notes.append("Virtuoso 7 (server/triplestores.py); default graph = the 4 release graphs (default-graph-uri)")
    return engine
