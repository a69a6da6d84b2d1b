"""Where the web app gets its data. `Embedded` answers from the release in memory: the fixed, cheap lookups
of pages and resources run in-process on pyoxigraph; user SPARQL goes to the killable worker pool, except queries
of a shape judged provably cheap (server/engine/cheap.py), which are answered in-process."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from ccds_crosswalk.engine.cheap import NOT_CHEAP, ShapeBook, judge, shape, stats_of
from ccds_crosswalk.engine.evaluate import UNION_GRAPH, evaluate
from ccds_crosswalk.engine.jobs import QueryAnswer, QueryRequest
from ccds_crosswalk.engine.pool import QueryPool
from ccds_crosswalk.engine.worker import trim_heap

log = logging.getLogger("ccds_crosswalk.engine")
# The event loop serves everyone: a shape whose queries keep taking more CPU than this in-process (bounded by the
# cost model, but a few ms of string functions or a large answer to write) goes to the workers, which use both
# cores (three runs in a row over it); one that takes much more (the model was wrong) goes at once.
INLINE_BUDGET_S = 0.003
INLINE_STRIKES = 3
INLINE_LIMIT_S = 0.05
TRIM_AFTER_BYTES = 100_000
# The event loop is one core's worth: while other requests wait, a cheap query that is not tiny (its shape's
# in-process runs take more CPU than this, on average) goes to an idle worker thread instead, so the other core
# answers it. A tiny one (a lookup by notation: ~0.1 ms), or one with nobody waiting or no idle worker, is
# answered on the loop, where it costs least.
LOOP_BUDGET_S = 0.0003

__all__ = [
    "LABELS",
    "OWL_SOURCE",
    "OWL_TARGET",
    "Backend",
    "Embedded",
    "Row",
    "Term",
    "as_terms",
    "in_order",
    "select_on",
    "to_ox",
    "to_ox_subject",
]

OWL_SOURCE = "http://www.w3.org/2002/07/owl#annotatedSource"
OWL_TARGET = "http://www.w3.org/2002/07/owl#annotatedTarget"
LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#notation",
    "http://www.w3.org/2000/01/rdf-schema#label",
)


@dataclass(frozen=True)
class Term:
    value: str
    kind: str  # uri, literal, bnode
    lang: str = ""
    datatype: str = ""


Row = dict[str, Term]


@dataclass
class _Runs:
    """How a shape's queries have fared in the web process."""

    cpu: float  # CPU a run takes, a moving average
    strikes: int = 0  # runs in a row over INLINE_BUDGET_S


Triple = tuple[str, str, Term]


class Backend(Protocol):
    in_memory: bool  # answers without I/O: called on the event loop, not on a thread

    def exists(self, uri: str) -> bool: ...
    def triples(self, uri: str) -> list[ox.Triple]: ...
    def select(self, query: str) -> list[Row]: ...
    async def sparql(self, request: QueryRequest) -> QueryAnswer: ...
    def close(self) -> None: ...


def to_term(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return Term(term.value, "uri")
    if isinstance(term, ox.Literal):
        return Term(term.value, "literal", term.language or "", "" if term.language else term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return Term(term.value, "bnode")
    return Term(str(term), "literal")


def to_ox_subject(term: Term) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(term.value) if term.kind == "bnode" else ox.NamedNode(term.value)


def to_ox(term: Term) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype) if term.datatype else None)


def in_order(triples: set[ox.Triple], uri: str) -> list[ox.Triple]:
    """The resource's own triples first, then by subject, predicate and object: one order on every backend."""

    def key(t: ox.Triple) -> tuple[bool, str, str, str, str, str, str]:
        o = t.object
        return (
            _value(t.subject) != uri,
            _value(t.subject),
            t.predicate.value,
            _value(o),
            getattr(o, "language", None) or "",
            type(o).__name__,
            o.datatype.value if isinstance(o, ox.Literal) else "",
        )

    return sorted(triples, key=key)


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The term's value; a quoted triple (RDF-star, not in this dataset) as its N-Triples text."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def as_terms(triples: list[ox.Triple]) -> list[Triple]:
    return [(_value(t.subject), t.predicate.value, to_term(t.object)) for t in triples]


def select_on(store: ox.Store, query: str) -> list[Row]:
    """A SELECT on a release's store, the union of its graphs as the default graph (the materialised one when
    the store has it: with it, the option would count each triple twice)."""
    union = ox.NamedNode(UNION_GRAPH)
    if store.contains_named_graph(union):
        solutions = store.query(query, default_graph=[union])
    else:
        solutions = store.query(query, use_default_graph_as_union=True)
    if not isinstance(solutions, ox.QuerySolutions):
        raise ValueError("select_on runs SELECT queries only")
    names = [v.value for v in solutions.variables]
    return [{n: to_term(s[n]) for n in names if s[n] is not None} for s in solutions]


class Embedded:
    """`store` holds the release with its union default graph materialised (evaluate.prepare)."""

    in_memory = True

    def __init__(self, store: ox.Store, pool: QueryPool | None, shapes: ShapeBook | None = None) -> None:
        # no pool: lookups only (the build's render stage); a query the judge does not take inline is refused
        self.store, self.pool = store, pool
        self.shapes = shapes or ShapeBook()
        self.union = ox.NamedNode(UNION_GRAPH)
        self.counters = {"inline": 0, "pooled": 0, "demoted": 0}
        self._runs: dict[str, _Runs] = {}  # shape -> its in-process runs
        self._judge_thread = ThreadPoolExecutor(1, thread_name_prefix="shape-judge")
        self._judging = False
        self._in_flight = 0  # SPARQL requests this backend is answering now
        # the parser builds its grammar on first use (a few hundred ms): now, while the server starts, not on
        # the first new query
        self._judge_thread.submit(judge, "ASK {}", stats_of(store))

    def exists(self, uri: str) -> bool:
        return next(iter(self.store.quads_for_pattern(ox.NamedNode(uri), None, None, self.union)), None) is not None

    def triples(self, uri: str) -> list[ox.Triple]:
        """Outgoing triples (asserted and inferred), the records pointing at it, and labels of linked resources."""
        node, union = ox.NamedNode(uri), self.union
        seen: set[ox.Triple] = set()
        linked: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
        for quad in self.store.quads_for_pattern(node, None, None, union):
            seen.add(quad.triple)
            if isinstance(quad.object, ox.NamedNode):
                linked.add(quad.object)
        for predicate in (OWL_SOURCE, OWL_TARGET):
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), node, union):
                seen.add(quad.triple)
                linked.add(quad.subject)
        linked.discard(node)
        for other in linked:
            for predicate in LABELS:
                seen.update(q.triple for q in self.store.quads_for_pattern(other, ox.NamedNode(predicate), None, union))
        return in_order(seen, uri)

    def select(self, query: str) -> list[Row]:
        return select_on(self.store, query)

    async def sparql(self, request: QueryRequest) -> QueryAnswer:
        """A query of a shape judged cheap is answered here, in the web process (it takes well under a
        millisecond to a few); any other goes to the pool."""
        self._in_flight += 1
        try:
            return await self._answer(request)
        finally:
            self._in_flight -= 1

    async def _answer(self, request: QueryRequest) -> QueryAnswer:
        if request.default_graphs is None and request.named_graphs is None:
            key = shape(request.query)
            verdict = self.shapes.get(key)
            if verdict is None:
                verdict = await self._judge(key)
            # (None: the judge was busy; a later one is judged)
            if verdict is not None and verdict != NOT_CHEAP and (self._tiny(key) or not await self._share()):
                return self._inline(request, key)
        if self.pool is None:
            raise RuntimeError("this backend answers lookups only")
        self.counters["pooled"] += 1
        answer = await asyncio.wrap_future(self.pool.submit(request))  # no thread waits for the worker
        if len(answer.body) > TRIM_AFTER_BYTES:
            trim_heap()  # what unpickling and copying a large answer left in glibc's free lists goes back
        return answer

    def _tiny(self, key: str) -> bool:
        """Whether a cheap query is answered on the event loop at once: it takes little CPU (or has not run yet),
        or there are no workers."""
        runs = self._runs.get(key)
        return self.pool is None or runs is None or runs.cpu <= LOOP_BUDGET_S

    async def _share(self) -> bool:
        """Whether a cheap query that is not tiny goes to a worker after all: others are waiting, and a worker has
        a thread that no long-running query holds (so it never waits behind a runaway)."""
        # one turn of the event loop first: requests that arrived meanwhile are read and counted (a loop that
        # answers queries back to back would never see the others waiting)
        await asyncio.sleep(0)
        return self._in_flight > 1 and self.pool is not None and self.pool.idle_threads() > 0

    async def _judge(self, key: str) -> float | None:
        """Judge a new shape here, on one thread beside the event loop (a parse: milliseconds), so that a cheap
        query of a new shape does not wait behind a runaway in the pool either; None when that thread is busy
        with another shape (this query then goes to the pool)."""
        if self._judging:
            return None
        self._judging = True
        try:
            loop = asyncio.get_running_loop()
            verdict = await loop.run_in_executor(self._judge_thread, lambda: judge(key, stats_of(self.store)))
        except Exception:  # a judgement that fails is "not cheap"
            verdict = NOT_CHEAP
        finally:
            self._judging = False
        self.shapes.put(key, verdict)
        return verdict

    def _inline(self, request: QueryRequest, key: str) -> QueryAnswer:
        self.counters["inline"] += 1
        began = time.thread_time()  # CPU, not wall time: a busy machine may preempt a cheap query
        try:
            return evaluate(self.store, request, union_only=True, where="web process")
        finally:
            took = time.thread_time() - began
            if len(self._runs) > 4096:  # bounded like the verdicts
                self._runs.clear()
            runs = self._runs.setdefault(key, _Runs(took))
            runs.cpu = 0.8 * runs.cpu + 0.2 * took
            # strikes count in a row: one slow run on a busy machine is not a shape
            runs.strikes = 0 if took <= INLINE_BUDGET_S else runs.strikes + 1
            if runs.strikes >= INLINE_STRIKES or took > INLINE_LIMIT_S:
                self.shapes.put(key, NOT_CHEAP)
                self.counters["demoted"] += 1
                log.info("queries of a shape took %.1f ms of CPU in-process; the workers answer it now", took * 1e3)

    def close(self) -> None:
        self._judge_thread.shutdown(wait=False)
        if self.pool is not None:
            self.pool.close()
