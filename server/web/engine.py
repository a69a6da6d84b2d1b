"""The query engine: a small pool of worker processes, each holding the release in an in-memory pyoxigraph
store. A query that overruns its time limit is stopped for real: its process is killed and replaced, while
the other workers keep answering. (pyoxigraph cannot interrupt a running query, and a thread cannot be killed.)

    main process ──request──▶ idle worker ──bytes or error──▶ main process
                  └─ no answer within the limit: kill worker, start a fresh one, answer 503
"""

from __future__ import annotations

import multiprocessing as mp
import os
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
MERGE_GRAPH = "urn:x-ccds-crosswalk:merged-default-graph"  # hidden, per query: a merge of several graphs
HIDDEN = (UNION_GRAPH, MERGE_GRAPH)


def prepare(store: Any) -> None:
    """Materialise the service's default graph once: the RDF merge of the store's default graph and all named
    graphs, as a set. (pyoxigraph 0.5 evaluates a multi-graph default graph as a bag: a triple held by two
    graphs would match twice — oxigraph issue #1919.)"""
    import pyoxigraph as ox

    union = ox.NamedNode(UNION_GRAPH)
    store.extend([ox.Quad(q.subject, q.predicate, q.object, union) for q in store.quads_for_pattern(None, None, None)])


def _named(store: Any) -> list[Any]:
    return [g for g in store.named_graphs() if g.value not in HIDDEN]


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


def _explicit(store: Any, defaults: list[str], named: list[str]) -> dict[str, Any]:
    """A dataset given graph by graph; a default graph made of several graphs is merged into a hidden graph."""
    import pyoxigraph as ox

    defaults, named = list(dict.fromkeys(defaults)), list(dict.fromkeys(named))
    default_graph = [ox.NamedNode(g) for g in defaults]
    if len(defaults) > 1:
        merged = ox.NamedNode(MERGE_GRAPH)
        if store.contains_named_graph(merged):
            store.remove_graph(merged)
        store.extend([ox.Quad(q.subject, q.predicate, q.object, merged)
                      for graph in default_graph for q in store.quads_for_pattern(None, None, None, graph)])
        default_graph = [merged]
    return {"default_graph": default_graph, "named_graphs": [ox.NamedNode(g) for g in named]}


def _dataset_options(store: Any, request: QueryRequest) -> dict[str, Any]:
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
        return _explicit(store, list(request.default_graphs or ()), list(request.named_graphs or ()))
    has_from, has_from_named = dataset_clauses(request.query)
    if has_from:
        dataset = _query_dataset(request.query) if has_from > 1 else None
        if dataset is not None:
            return _explicit(store, *dataset)
        return {}  # pyoxigraph reads FROM / FROM NAMED itself; the union option would override them
    if has_from_named:
        return {"default_graph": []}
    if store.contains_named_graph(ox.NamedNode(UNION_GRAPH)):
        return {"default_graph": [ox.NamedNode(UNION_GRAPH)], "named_graphs": _named(store)}
    return {"use_default_graph_as_union": True}


def evaluate(store: Any, request: QueryRequest) -> QueryAnswer:
    """Run one query on a pyoxigraph store and write the answer; raises QueryError for the client's mistakes."""
    import pyoxigraph as ox

    try:
        return _evaluate(store, request)
    finally:
        merged = ox.NamedNode(MERGE_GRAPH)
        if store.contains_named_graph(merged):
            store.remove_graph(merged)


def _evaluate(store: Any, request: QueryRequest) -> QueryAnswer:
    import pyoxigraph as ox

    from server.web.results import SELECT_TYPES, TooManyRows, collect, write_boolean, write_select

    try:
        result = store.query(request.query, base_iri=request.base_iri, **_dataset_options(store, request))
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


def _worker_main(conn: Connection, release_dir: str, base: str) -> None:
    from server.web import preload

    if (release_dir, base) == preload.LOADED_FROM:  # forked from the fork server: the store is already here
        store = preload.STORE
    else:
        from server.store import load_store

        store = load_store(Path(release_dir), base)
        prepare(store)
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
        except Exception as error:  # report, never crash the worker
            conn.send(QueryError(500, f"internal error while evaluating the query ({type(error).__name__})"))


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


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection


class QueryPool:
    """A fixed number of query worker processes; `run` blocks the calling thread (never the event loop)."""

    def __init__(self, release_dir: Path, base: str, size: int, timeout_s: float) -> None:
        self._release_dir, self._base, self._timeout = str(release_dir), base, timeout_s
        self._context = _context(self._release_dir, base)
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
