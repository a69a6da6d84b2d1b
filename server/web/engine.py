"""The query engine: a small pool of worker processes, each holding the release in an in-memory pyoxigraph
store and answering a few queries at once on threads. A query that overruns its time limit is stopped for
real: its process is killed and replaced, and the queries it held besides the culprit are re-sent to another
worker. (pyoxigraph cannot interrupt a running query, and a thread cannot be killed.)

    web process ──(job id, request)──▶ least busy worker ──(job id, bytes or error)──▶ web process
                └─ a job past its deadline: answer it 503, kill its worker, re-send the worker's other jobs,
                   fork a fresh worker from the preloaded fork server
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing as mp
import os
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

log = logging.getLogger("ccds_crosswalk.engine")

GRAPH_TYPES = {
    "text/turtle": "TURTLE",
    "application/ld+json": "JSON_LD",
    "application/n-triples": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
}


@dataclass(frozen=True)
class QueryRequest:
    query: str
    media_type: str  # the negotiated result media type
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 100_000
    max_bytes: int = 50_000_000
    prefixes: dict[str, str] = field(default_factory=dict)
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint's URL)


@dataclass(frozen=True)
class QueryAnswer:
    status: int
    media_type: str
    body: bytes
    form: str = ""  # SELECT, ASK, CONSTRUCT (CONSTRUCT and DESCRIBE)


class QueryError(Exception):
    """A query the client must change (4xx) or that the service could not answer (5xx)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message

    def __reduce__(self) -> tuple:  # crosses the process boundary intact
        return QueryError, (self.status, self.message)


# ------------------------------------------------------------------ inside a worker process

UNION_GRAPH = "urn:x-ccds-crosswalk:union-default-graph"  # hidden: the service's default graph, materialised
MERGE_PREFIX = "urn:x-ccds-crosswalk:merged-default-graph:"  # hidden, one per query: a merge of several graphs
_merges = itertools.count()


def _hidden(graph: Any) -> bool:
    return graph.value == UNION_GRAPH or graph.value.startswith(MERGE_PREFIX)


def prepare(store: Any) -> None:
    """Materialise the service's default graph once: the RDF merge of the store's default graph and all named
    graphs, as a set. (pyoxigraph 0.5 evaluates a multi-graph default graph as a bag: a triple held by two
    graphs would match twice — oxigraph issue #1919.)"""
    import pyoxigraph as ox

    union = ox.NamedNode(UNION_GRAPH)
    store.extend([ox.Quad(q.subject, q.predicate, q.object, union) for q in store.quads_for_pattern(None, None, None)])


def _named(store: Any) -> list[Any]:
    return [g for g in store.named_graphs() if not _hidden(g)]


def _query_dataset(query: str) -> tuple[list[str], list[str]] | None:
    """The FROM and FROM NAMED IRIs of a query, resolved against its prologue; None if rdflib cannot parse it."""
    from rdflib.plugins.sparql.algebra import translatePrologue
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(query)
        prologue = translatePrologue(parsed[0], None)
        clauses = parsed[1].get("datasetClause") or []
        defaults = [str(prologue.absolutize(c["default"])) for c in clauses if "default" in c]
        named = [str(prologue.absolutize(c["named"])) for c in clauses if "named" in c]
    except Exception:  # rdflib's grammar lags behind pyoxigraph's: pyoxigraph then reads FROM itself
        return None
    return defaults, named


def _explicit(store: Any, defaults: list[str], named: list[str], merged: Any) -> dict[str, Any]:
    """A dataset given graph by graph; a default graph made of several graphs is merged into the query's own
    hidden graph `merged` (queries run concurrently: each has its own)."""
    import pyoxigraph as ox

    defaults, named = list(dict.fromkeys(defaults)), list(dict.fromkeys(named))
    default_graph = [ox.NamedNode(g) for g in defaults]
    if len(defaults) > 1:
        store.extend([ox.Quad(q.subject, q.predicate, q.object, merged)
                      for graph in default_graph for q in store.quads_for_pattern(None, None, None, graph)])
        default_graph = [merged]
    return {"default_graph": default_graph, "named_graphs": [ox.NamedNode(g) for g in named]}


def _dataset_options(store: Any, request: QueryRequest, merged: Any) -> dict[str, Any]:
    """The RDF dataset of one query (SPARQL 1.1 Protocol 2.1.4, SPARQL 1.1 Query 13.2):
    - default-graph-uri / named-graph-uri given: exactly that dataset, overriding the query's FROM / FROM NAMED;
      a part left out is empty (named-graph-uri alone → an empty default graph, and vice versa);
    - else the query's own FROM / FROM NAMED (FROM NAMED alone → an empty default graph, FROM alone → no
      named graphs);
    - else the service's default dataset: the union of all graphs as default graph, every graph named.
    A default graph made of several graphs is their RDF merge: a triple held by two of them matches once."""
    import pyoxigraph as ox

    from server.web.policy import dataset_clauses

    if request.default_graphs is not None or request.named_graphs is not None:
        return _explicit(store, list(request.default_graphs or ()), list(request.named_graphs or ()), merged)
    has_from, has_from_named = dataset_clauses(request.query)
    if has_from:
        dataset = _query_dataset(request.query) if has_from > 1 else None
        if dataset is not None:
            return _explicit(store, *dataset, merged)
        return {}  # pyoxigraph reads FROM / FROM NAMED itself; the union option would override them
    if has_from_named:
        return {"default_graph": []}
    if store.contains_named_graph(ox.NamedNode(UNION_GRAPH)):
        return {"default_graph": [ox.NamedNode(UNION_GRAPH)], "named_graphs": _named(store)}
    return {"use_default_graph_as_union": True}


def evaluate(store: Any, request: QueryRequest) -> QueryAnswer:
    """Run one query on a pyoxigraph store and write the answer; raises QueryError for the client's mistakes."""
    import pyoxigraph as ox

    merged = ox.NamedNode(f"{MERGE_PREFIX}{os.getpid()}-{next(_merges)}")
    try:
        return _evaluate(store, request, merged)
    finally:
        if store.contains_named_graph(merged):
            store.remove_graph(merged)


def _evaluate(store: Any, request: QueryRequest, merged: Any) -> QueryAnswer:
    import pyoxigraph as ox

    from server.web.results import SELECT_TYPES, TooManyRows, collect, write_boolean, write_select

    try:
        result = store.query(request.query, base_iri=request.base_iri, **_dataset_options(store, request, merged))
    except SyntaxError as error:
        raise QueryError(400, f"malformed query: {error}") from None
    except (ValueError, OSError) as error:
        raise QueryError(400, f"the query cannot be evaluated: {error}") from None
    try:
        if isinstance(result, ox.QueryBoolean):
            kind = SELECT_TYPES.get(request.media_type)
            if kind is None:
                raise QueryError(406, "an ASK result is offered as " + ", ".join(SELECT_TYPES))
            return QueryAnswer(200, request.media_type, write_boolean(bool(result), kind), "ASK")
        if isinstance(result, ox.QuerySolutions):
            kind = SELECT_TYPES.get(request.media_type)
            if kind is None:
                raise QueryError(406, "SELECT results are offered as " + ", ".join(SELECT_TYPES))
            variables = [v.value for v in result.variables]
            body = write_select(variables, collect(result, request.max_rows), kind)
            form = "SELECT"
        else:
            format_name = GRAPH_TYPES.get(request.media_type)
            if format_name is None:
                raise QueryError(406, "CONSTRUCT and DESCRIBE results are offered as " + ", ".join(GRAPH_TYPES))
            triples = collect(result, request.max_rows)
            body = ox.serialize(triples, format=getattr(ox.RdfFormat, format_name), prefixes=request.prefixes or None)
            form = "CONSTRUCT"
    except TooManyRows as error:
        raise QueryError(422, str(error)) from None
    except (ValueError, OSError) as error:
        raise QueryError(400, f"the query failed during evaluation: {error}") from None
    if len(body) > request.max_bytes:
        raise QueryError(422, f"the answer is larger than {request.max_bytes} bytes; "
                              "page through it with LIMIT and OFFSET")
    return QueryAnswer(200, request.media_type, body, form)


def _worker_main(conn: Connection, release_dir: str, base: str, threads: int) -> None:
    """Answer up to `threads` queries at once on one store: pyoxigraph releases the GIL while it evaluates, so a
    cheap query does not wait for a heavy one in the same process. Answers go back tagged with their job id."""
    from server.web import preload

    if (release_dir, base) == preload.LOADED_FROM:  # forked from the fork server: the store is already here
        store = preload.STORE
    else:
        from server.store import load_store

        store = load_store(Path(release_dir), base)
        prepare(store)
    sys.setswitchinterval(0.001)  # a cheap query waits at most ~1 ms for a thread busy writing a large answer
    receiving, sending = threading.Lock(), threading.Lock()

    def serve() -> None:
        """Take the next job from the pipe and answer it, in turn with the other threads: the thread that
        receives a job runs it, so a job is not handed from thread to thread."""
        while True:
            try:
                with receiving:
                    job_id, request = conn.recv()
            except (EOFError, OSError, KeyboardInterrupt):
                os._exit(0)  # the pool is gone: do not wait for queries nobody will read
            try:
                result: QueryAnswer | QueryError = evaluate(store, request)
            except QueryError as error:
                result = error
            except Exception as error:  # report, never crash the worker
                result = QueryError(500, f"internal error while evaluating the query ({type(error).__name__})")
            with sending:
                conn.send((job_id, result))

    with sending:
        conn.send("ready")
    for _ in range(threads - 1):  # the pool never sends more than `threads` jobs at once
        threading.Thread(target=serve, daemon=True).start()
    serve()


# ------------------------------------------------------------------ in the web process

_FORKSERVER_LOCK = threading.Lock()


def _context(release_dir: str, base: str) -> Any:
    """A fork server that holds the loaded store (server/web/preload.py), so workers share its memory; 'spawn'
    where fork servers are unavailable. The first pool of a process fixes what the fork server preloads."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    with _FORKSERVER_LOCK:
        os.environ.setdefault("CCDS_PRELOAD_RELEASE", release_dir)
        os.environ.setdefault("CCDS_PRELOAD_BASE", base)
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(["server.web.preload"])
    return context


@dataclass(eq=False)
class _Job:
    id: int
    request: QueryRequest
    deadline: float  # monotonic; fixed at submission, kept when the job is re-sent to another worker
    future: Future
    crashes: int = 0  # workers that died unexpectedly while holding it


@dataclass(eq=False)
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection
    jobs: dict[int, _Job] = field(default_factory=dict)  # in flight
    sending: threading.Lock = field(default_factory=threading.Lock)
    stopping: bool = False  # killed by the pool for an overrun: its other jobs are innocent and go elsewhere


def _settle(future: Future, outcome: QueryAnswer | QueryError) -> None:
    """Complete a job's future once; a caller that gave up (cancelled) is simply not answered."""
    try:
        if isinstance(outcome, QueryError):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
    except InvalidStateError:
        pass


def _overrun(timeout: float) -> QueryError:
    return QueryError(503, f"the query was stopped after the {timeout:g} s time limit; "
                           "make it more selective or add LIMIT")


class QueryPool:
    """`size` worker processes, each answering up to `threads` queries at once. `submit` never blocks.

    A query past its time limit is stopped by killing its worker; the other queries that worker held did nothing
    wrong, so they are re-sent to another worker (read-only queries are safe to repeat) and keep their own
    deadlines. A worker that dies on its own takes nobody's blame: its queries are re-sent once, so a query that
    crashes workers can crash at most two. A killed worker is replaced by forking the preloaded fork server."""

    def __init__(self, release_dir: Path, base: str, size: int, timeout_s: float, threads: int = 4) -> None:
        self._release_dir, self._base, self._timeout = str(release_dir), base, timeout_s
        self._threads = max(threads, 1)
        self._context = _context(self._release_dir, base)
        self._lock = threading.Condition()
        self._workers: list[_Worker] = []
        self._waiting: deque[_Job] = deque()
        self._ids = itertools.count()
        self._closed = False
        self.counters = {"overruns": 0, "resent": 0, "workers lost": 0}  # for the log and the tests
        with ThreadPoolExecutor(size) as starting:
            list(starting.map(lambda _: self._add_worker(), range(size)))
        threading.Thread(target=self._watch, name="query-deadlines", daemon=True).start()

    # -- workers

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_main, daemon=True,
                                        args=(child, self._release_dir, self._base, self._threads))
        process.start()
        child.close()
        try:
            ready = parent.poll(60) and parent.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            process.kill()
            raise RuntimeError("a query worker failed to start")
        return _Worker(process, parent)

    def _add_worker(self) -> None:
        worker = self._spawn()
        with self._lock:
            if self._closed:
                worker.process.kill()
                return
            self._workers.append(worker)
            sends = self._dispatch()
        threading.Thread(target=self._read, args=(worker,), name="query-answers", daemon=True).start()
        self._send(sends)

    def _replace(self) -> None:
        while not self._closed:
            try:
                return self._add_worker()
            except (RuntimeError, OSError) as problem:
                log.error("could not start a query worker (%s); trying again in 1 s", problem)
                time.sleep(1)

    def _read(self, worker: _Worker) -> None:
        """One thread per worker: hand each answer to its caller and give the freed thread to a waiting job."""
        while True:
            try:
                job_id, outcome = worker.conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                job = worker.jobs.pop(job_id, None)
                sends = self._dispatch()
            self._send(sends)
            if job is not None:
                _settle(job.future, outcome)
        self._lost(worker)

    def _lost(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        failed: list[_Job] = []
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
            if not worker.stopping:
                self.counters["workers lost"] += 1
            for job in sorted(worker.jobs.values(), key=lambda j: j.id, reverse=True):
                if not worker.stopping:
                    job.crashes += 1
                if job.crashes > 1:
                    failed.append(job)
                else:
                    self._waiting.appendleft(job)  # they were sent first: they go first again
                    self.counters["resent"] += 1
            worker.jobs.clear()
            sends = self._dispatch()
            self._lock.notify_all()
        self._send(sends)
        for job in failed:
            _settle(job.future, QueryError(500, "the query worker stopped unexpectedly (twice while holding this "
                                                "query); the query was not answered"))
        if not self._closed:
            threading.Thread(target=self._replace, name="query-worker-start", daemon=True).start()

    # -- jobs

    def _dispatch(self) -> list[tuple[_Worker, _Job]]:
        """(Under the lock.) Give waiting jobs to the least busy workers with a free thread."""
        sends = []
        while self._waiting:
            free = [w for w in self._workers if not w.stopping and len(w.jobs) < self._threads]
            if not free:
                break
            job = self._waiting.popleft()
            if job.future.done():  # its caller gave up
                continue
            worker = min(free, key=lambda w: len(w.jobs))
            worker.jobs[job.id] = job
            sends.append((worker, job))
        return sends

    def _send(self, sends: list[tuple[_Worker, _Job]]) -> None:
        for worker, job in sends:
            try:
                with worker.sending:
                    worker.conn.send((job.id, job.request))
            except (OSError, ValueError):
                pass  # the worker is gone: its reader re-sends the job elsewhere

    def _watch(self) -> None:
        """Stop what overruns: a job still waiting at its deadline is refused; a running one kills its worker."""
        while True:
            overdue: list[tuple[_Job, QueryError]] = []
            with self._lock:
                if self._closed:
                    return
                now = time.monotonic()
                for job in [j for j in self._waiting if j.deadline <= now]:
                    self._waiting.remove(job)
                    overdue.append((job, QueryError(503, "all query workers are busy; try again shortly")))
                for worker in self._workers:
                    late = [j for j in worker.jobs.values() if j.deadline <= now]
                    for job in late:
                        del worker.jobs[job.id]
                        overdue.append((job, _overrun(self._timeout)))
                    if late and not worker.stopping:
                        worker.stopping = True
                        self.counters["overruns"] += 1
                        worker.process.kill()  # its reader sees the pipe close and re-sends the others
                deadlines = [j.deadline for j in self._waiting]
                deadlines += [j.deadline for w in self._workers for j in w.jobs.values()]
                if not overdue:
                    self._lock.wait(min(deadlines) - now if deadlines else None)
            for job, error in overdue:
                _settle(job.future, error)

    def submit(self, request: QueryRequest) -> Future:
        """A future for the answer (QueryAnswer) or the QueryError that explains why there is none."""
        job = _Job(next(self._ids), request, time.monotonic() + self._timeout, Future())
        with self._lock:
            if self._closed:
                raise QueryError(503, "the query service is shutting down")
            self._waiting.append(job)
            sends = self._dispatch()
            self._lock.notify_all()  # the watchdog learns the new deadline
        self._send(sends)
        return job.future

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers if w.process.pid is not None]

    def run(self, request: QueryRequest) -> QueryAnswer:
        return self.submit(request).result()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, []
            pending = list(self._waiting) + [j for w in workers for j in w.jobs.values()]
            self._waiting.clear()
            self._lock.notify_all()
        for worker in workers:
            worker.stopping = True
            worker.process.kill()
        for job in pending:
            _settle(job.future, QueryError(503, "the query service is shutting down"))
