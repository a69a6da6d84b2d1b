"""Which queries are provably cheap, so the web process may answer them itself, without the hop to a query
worker (a query in a worker can be killed at its time limit; one in the web process cannot).

A query's *shape* is its text with comments, string literals and IRIs outside the prologue blanked out: every
query of one shape has the same algebra, only the constants differ. A shape is cheap when an upper bound on the
work of evaluating it, whatever its constants, stays under COST_LIMIT. The bound reads the shape's SPARQL
algebra (rdflib's parser) against statistics of the release's default graph, which never changes: for each
predicate the number of triples and the largest number of objects one subject has (and subjects one object has).
A triple pattern whose subject is bound yields at most that many rows; a join at most the product; a join may
also be evaluated as a hash join, so the work of each side on its own is counted as well. Anything the model does
not cover (GRAPH, SERVICE, DESCRIBE, a dataset of the query's own, an unbounded path) is not cheap.

Classifying a shape costs a parse (milliseconds), so it happens once per shape, on a thread of the web process
beside its event loop; the web process remembers the verdict (ShapeBook)."""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ccds_crosswalk.engine.lexis import blanked

# Triple matches (rows visited), an upper bound. Measured: queries/crosswalk.rq is bounded at ~120,000 and takes
# ~20 ms; a lookup by notation at ~1,400 and takes 0.05 ms. Under this limit a query takes a few ms at most.
COST_LIMIT = 30_000
PLACEHOLDER_IRI = "urn:x-ccds-crosswalk:shape-constant"

# the prologue: BASE and PREFIX declarations (their IRIs are kept), whitespace and comments
_PROLOGUE = re.compile(r"(?:\s|#[^\n]*|(?:PREFIX\s*[^\s:]*:|BASE)\s*<[^<>\"{}|^`\\\s]*>)*", re.IGNORECASE)
_IN_PROLOGUE = {"str": " ", "comment": " "}  # its IRIs are kept
_IN_BODY = {"str": '""', "iri": f"<{PLACEHOLDER_IRI}>", "comment": " "}


def shape(query: str) -> str:
    """The query with comments dropped, whitespace collapsed, and string literals and IRIs (except those a
    PREFIX or BASE declares) replaced by placeholders."""
    end = _PROLOGUE.match(query).end()  # type: ignore[union-attr]  # (it matches the empty string too)
    # whitespace is collapsed afterwards, in one C-level split and join: as a token of its own it cost a Python
    # call per run of it (most of the time this took on a lookup); blanked tokens hold none, and IRIs none at all
    text = f"{blanked(query, 0, end, _IN_PROLOGUE)} {blanked(query, end, len(query), _IN_BODY)}"
    return " ".join(text.split())


# ------------------------------------------------------------------ statistics of the data


@dataclass
class Stats:
    """Per predicate: triples, the most objects one subject has, the most subjects one object has; and the same
    over all predicates."""

    total: int = 0
    count: dict[str, int] = field(default_factory=dict)
    max_out: dict[str, int] = field(default_factory=dict)
    max_in: dict[str, int] = field(default_factory=dict)
    max_out_all: int = 0
    max_in_all: int = 0

    @classmethod
    def of(cls, quads: Any) -> Stats:
        stats = cls()
        out: dict[tuple[Any, str], int] = {}
        into: dict[tuple[Any, str], int] = {}
        out_all: dict[Any, int] = {}
        in_all: dict[Any, int] = {}
        for quad in quads:
            p = quad.predicate.value
            s, o = quad.subject, quad.object
            stats.total += 1
            stats.count[p] = stats.count.get(p, 0) + 1
            out[(s, p)] = out.get((s, p), 0) + 1
            into[(o, p)] = into.get((o, p), 0) + 1
            out_all[s] = out_all.get(s, 0) + 1
            in_all[o] = in_all.get(o, 0) + 1
        for (_, p), n in out.items():
            stats.max_out[p] = max(stats.max_out.get(p, 0), n)
        for (_, p), n in into.items():
            stats.max_in[p] = max(stats.max_in.get(p, 0), n)
        stats.max_out_all = max(out_all.values(), default=0)
        stats.max_in_all = max(in_all.values(), default=0)
        return stats


# ------------------------------------------------------------------ the cost bound

INF = math.inf
NOT_CHEAP = INF  # a verdict: answer it in a worker
PARSER_LOCK = threading.Lock()  # rdflib's parser (pyparsing) is not thread-safe; a worker runs several threads


class _NotCovered(Exception):
    pass


def _name(node: Any) -> str:
    return getattr(node, "name", "") or ""


def _is_var(term: Any) -> bool:
    from rdflib.term import Variable

    return isinstance(term, Variable)


def _bound(term: Any, bound: frozenset[str]) -> bool:
    return not _is_var(term) or term in bound


class _Model:
    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    # rows one triple pattern (or path) yields for one binding of what is bound
    def fanout(self, path: Any, s_bound: bool, o_bound: bool) -> float:
        from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
        from rdflib.term import URIRef, Variable

        st = self.stats
        if isinstance(path, (Variable, NegatedPath)) or (isinstance(path, URIRef) and str(path) == PLACEHOLDER_IRI):
            if s_bound and o_bound:
                return min(st.max_out_all, st.max_in_all)
            return st.max_out_all if s_bound else st.max_in_all if o_bound else st.total
        if isinstance(path, URIRef):
            p = str(path)
            if s_bound and o_bound:
                return 1 if p in st.count else 0
            if s_bound:
                return st.max_out.get(p, 0)
            if o_bound:
                return st.max_in.get(p, 0)
            return st.count.get(p, 0)
        if isinstance(path, InvPath):
            return self.fanout(path.arg, o_bound, s_bound)
        if isinstance(path, AlternativePath):
            return sum(self.fanout(a, s_bound, o_bound) for a in path.args)
        if isinstance(path, SequencePath):
            args = list(path.args)
            if not s_bound and o_bound:  # walked from the bound end
                args.reverse()
                rows = 1.0
                for a in args:
                    rows *= max(self.fanout(a, False, True), 1)
                return rows
            rows = 1.0 if s_bound else max(self.fanout(args[0], False, False), 1)
            for a in args[0 if s_bound else 1 :]:
                rows *= max(self.fanout(a, True, False), 1)
            return rows
        if isinstance(path, MulPath):
            if path.mod == "?":
                return 1 + self.fanout(path.path, s_bound, o_bound)
            if not (s_bound or o_bound):
                raise _NotCovered("a transitive path with neither end bound")
            inner = path.path
            edges = self.stats.count.get(str(inner), 0) if isinstance(inner, URIRef) else self.stats.total
            return edges + 1  # a closure from one node visits each edge at most once
        raise _NotCovered(f"path {type(path).__name__}")

    def bgp(self, triples: list[Any], bound: frozenset[str]) -> tuple[float, float, frozenset[str]]:
        """(work, rows out, variables bound after): greedy order, as selective first as the bound allows; and,
        since the engine may order it otherwise, at least each pattern's rows on its own."""
        remaining = list(triples)
        rows, work = 1.0, 0.0
        bound_now = set(bound)
        while remaining:
            options = [
                (self.fanout(t[1], _bound(t[0], frozenset(bound_now)), _bound(t[2], frozenset(bound_now))), i)
                for i, t in enumerate(remaining)
            ]
            best, index = min(options)
            triple = remaining.pop(index)
            rows *= max(best, 1) if best else 0
            work += rows
            bound_now |= {t for t in (triple[0], triple[1], triple[2]) if _is_var(t)}
        alone = max((self.fanout(t[1], _bound(t[0], bound), _bound(t[2], bound)) for t in triples), default=0)
        return work + alone, rows, frozenset(bound_now)

    def expr_work(self, expr: Any, bound: frozenset[str]) -> float:
        """Work of EXISTS / NOT EXISTS inside an expression, for one row."""
        work = 0.0
        for node in _walk(expr):
            if _name(node) in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                from rdflib.plugins.sparql.algebra import translateGroupGraphPattern

                graph = node.graph
                if _name(graph).startswith("GroupGraphPattern"):
                    graph = translateGroupGraphPattern(graph)
                w, _, _ = self.pattern(graph, bound)
                work += w
        return work

    def pattern(self, node: Any, bound: frozenset[str]) -> tuple[float, float, frozenset[str]]:
        """(work, rows out per input binding, variables bound after) of an algebra node."""
        name = _name(node)
        if name == "BGP":
            return self.bgp(list(node.triples), bound)
        if name in ("Join", "LeftJoin", "Minus"):
            w1, r1, v1 = self.pattern(node.p1, bound)
            w2_nested, r2, v2 = self.pattern(node.p2, v1)
            w2_alone, _, _ = self.pattern(node.p2, bound)  # a hash join evaluates the right side on its own
            work = w1 + r1 * w2_nested + w2_alone
            if name == "Join":
                return work, r1 * r2, v2
            if name == "Minus":
                return work, r1, v1
            expr_work = self.expr_work(node.expr, v2) * r1 * max(r2, 1) if node.get("expr") is not None else 0
            return work + expr_work, r1 * max(r2, 1), v2
        if name == "Union":
            w1, r1, v1 = self.pattern(node.p1, bound)
            w2, r2, v2 = self.pattern(node.p2, bound)
            return w1 + w2, r1 + r2, v1 & v2
        if name == "Filter":
            w, r, v = self.pattern(node.p, bound)
            return w + r * self.expr_work(node.expr, v), r, v
        if name == "Extend":
            w, r, v = self.pattern(node.p, bound)
            return w + r * self.expr_work(node.expr, v), r, v | {node.var}
        if name in ("Project", "Distinct", "Reduced", "Slice", "OrderBy", "ToMultiSet"):
            w, r, v = self.pattern(node.p, bound)
            return w + (r * math.log2(r + 1) if name == "OrderBy" else 0), r, v
        if name in ("Group", "AggregateJoin"):
            w, r, v = self.pattern(node.p, bound)
            return w + r, r, v | set(node.get("_vars") or ())
        if name == "values":
            rows = len(node.res)
            return rows, rows, frozenset(bound | {k for row in node.res for k in row})
        raise _NotCovered(name or type(node).__name__)


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _walk(value)


def bounds(shape_text: str, stats: Stats) -> tuple[float, float]:
    """Upper bounds on (work, answer rows) of any query of this shape (INF, INF when the model does not cover it).
    Answer rows are solutions, or for CONSTRUCT triples."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        with PARSER_LOCK:
            query = translateQuery(parseQuery(shape_text))
    except Exception:
        return INF, INF
    algebra = query.algebra
    if _name(algebra) not in ("SelectQuery", "AskQuery", "ConstructQuery") or algebra.get("datasetClause"):
        return INF, INF
    try:
        work, rows, _ = _Model(stats).pattern(algebra.p, frozenset())
    except (_NotCovered, RecursionError, AttributeError, KeyError, TypeError):
        return INF, INF
    if _name(algebra) == "ConstructQuery":
        rows *= len(algebra.template or ())
        work += rows
    return work, rows


def judge(shape_text: str, stats: Stats) -> float:
    """The verdict on a shape: an upper bound on its answer's rows when it is cheap, NOT_CHEAP otherwise."""
    work, rows = bounds(shape_text, stats)
    return rows if work <= COST_LIMIT else NOT_CHEAP


_STATS: dict[int, Stats] = {}


def stats_of(store: Any) -> Stats:
    """The statistics of a store's default graph (the materialised union), computed once per store."""
    import pyoxigraph as ox

    from ccds_crosswalk.engine.evaluate import UNION_GRAPH

    found = _STATS.get(id(store))
    if found is None:
        found = _STATS[id(store)] = Stats.of(store.quads_for_pattern(None, None, None, ox.NamedNode(UNION_GRAPH)))
    return found


class ShapeBook:
    """The web process's memory of verdicts (judge): shape -> its answer's rows bound, or NOT_CHEAP; bounded
    (least recently used go first)."""

    def __init__(self, size: int = 4096) -> None:
        self._verdicts: OrderedDict[str, float] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: str) -> float | None:
        with self._lock:
            verdict = self._verdicts.get(key)
            if verdict is not None:
                self._verdicts.move_to_end(key)
            return verdict

    def put(self, key: str, verdict: float) -> None:
        with self._lock:
            self._verdicts[key] = verdict
            self._verdicts.move_to_end(key)
            while len(self._verdicts) > self._size:
                self._verdicts.popitem(last=False)
