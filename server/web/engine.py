"""The query engine: a small pool of worker processes, each holding the release in an in-memory pyoxigraph
store. A query that overruns its time limit is stopped for real: its process is killed and replaced, while
the other workers keep answering. (pyoxigraph cannot interrupt a running query, and a thread cannot be killed.)

    main process ──request──▶ idle worker ──bytes or error──▶ main process
                  └─ no answer within the limit: kill worker, start a fresh one, answer 503
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

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

def _dataset_options(request: QueryRequest) -> dict[str, Any]:
    """The RDF dataset of one query (SPARQL 1.1 Protocol 2.1.4, SPARQL 1.1 Query 13.2):
    - default-graph-uri / named-graph-uri given: exactly that dataset, overriding the query's FROM / FROM NAMED;
      a part left out is empty (named-graph-uri alone → an empty default graph, and vice versa);
    - else the query's own FROM / FROM NAMED (FROM NAMED alone → an empty default graph, FROM alone → no
      named graphs);
    - else the service's default dataset: the union of all graphs as default graph, every graph named."""
    import pyoxigraph as ox

    from server.web.policy import dataset_clauses

    if request.default_graphs is not None or request.named_graphs is not None:
        return {"default_graph": [ox.NamedNode(g) for g in request.default_graphs or ()],
                "named_graphs": [ox.NamedNode(g) for g in request.named_graphs or ()]}
    has_from, has_from_named = dataset_clauses(request.query)
    if has_from:
        return {}  # pyoxigraph takes FROM (and FROM NAMED) from the query; the union option would override them
    if has_from_named:
        return {"default_graph": []}
    return {"use_default_graph_as_union": True}


def evaluate(store: Any, request: QueryRequest) -> QueryAnswer:
    """Run one query on a pyoxigraph store and write the answer; raises QueryError for the client's mistakes."""
    import pyoxigraph as ox

    from server.web.results import SELECT_TYPES, TooManyRows, collect, write_boolean, write_select

    try:
        result = store.query(request.query, **_dataset_options(request))
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
        raise QueryError(422, f"the answer is larger than {request.max_bytes} bytes; page through it with LIMIT and OFFSET")
    return QueryAnswer(200, request.media_type, body, form)


def _worker_main(conn: Connection, release_dir: str, base: str) -> None:
    from server.store import load_store

    store = load_store(Path(release_dir), base)
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            conn.send(evaluate(store, request))
        except QueryError as error:
            conn.send(error)
        except Exception as error:  # noqa: BLE001 - report, never crash the worker
            conn.send(QueryError(500, f"internal error while evaluating the query ({type(error).__name__})"))


# ------------------------------------------------------------------ in the web process

@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection


class QueryPool:
    """A fixed number of query worker processes; `run` blocks the calling thread (never the event loop)."""

    def __init__(self, release_dir: Path, base: str, size: int, timeout_s: float) -> None:
        self._release_dir, self._base, self._timeout = str(release_dir), base, timeout_s
        self._context = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        starters = [threading.Thread(target=self._add_worker, daemon=True) for _ in range(size)]
        for t in starters:
            t.start()
        for t in starters:
            t.join()

    def _add_worker(self) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_main, args=(child, self._release_dir, self._base), daemon=True)
        process.start()
        child.close()
        if not parent.poll(60) or parent.recv() != "ready":
            process.kill()
            raise RuntimeError("a query worker failed to start")
        self._idle.put(_Worker(process, parent))

    def _replace(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        if not self._closed:
            threading.Thread(target=self._add_worker, daemon=True).start()

    def run(self, request: QueryRequest) -> QueryAnswer:
        deadline = time.monotonic() + self._timeout
        try:
            worker = self._idle.get(timeout=self._timeout)
        except queue.Empty:
            raise QueryError(503, "all query workers are busy; try again shortly") from None
        try:
            worker.conn.send(request)
            if not worker.conn.poll(max(deadline - time.monotonic(), 0.01)):
                self._replace(worker)
                raise QueryError(503, f"the query was stopped after the {self._timeout:g} s time limit; "
                                      "make it more selective or add LIMIT")
            answer = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            raise QueryError(500, "the query worker stopped unexpectedly; the query was not answered") from None
        self._idle.put(worker)
        if isinstance(answer, QueryError):
            raise answer
        return answer

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            worker.process.kill()
            worker.conn.close()
