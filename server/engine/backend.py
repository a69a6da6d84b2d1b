"""Where the web app gets its data. `Embedded` answers from the release in memory: the fixed, cheap lookups
of pages and resources run in-process on pyoxigraph; user SPARQL goes to the killable worker pool."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from ccds_crosswalk.engine.jobs import QueryAnswer, QueryRequest
from ccds_crosswalk.engine.pool import QueryPool

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

    def key(t: ox.Triple) -> tuple:
        o = t.object
        return (
            t.subject.value != uri,
            t.subject.value,
            t.predicate.value,
            o.value,
            getattr(o, "language", None) or "",
            type(o).__name__,
            o.datatype.value if isinstance(o, ox.Literal) else "",
        )

    return sorted(triples, key=key)


def as_terms(triples: list[ox.Triple]) -> list[Triple]:
    return [(t.subject.value, t.predicate.value, to_term(t.object)) for t in triples]


def select_on(store: ox.Store, query: str) -> list[Row]:
    """A SELECT on a release's store, the union of its graphs as the default graph."""
    solutions = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: to_term(s[n]) for n in names if s[n] is not None} for s in solutions]


class Embedded:
    in_memory = True

    def __init__(self, store: ox.Store, pool: QueryPool) -> None:
        self.store, self.pool = store, pool

    def exists(self, uri: str) -> bool:
        return next(iter(self.store.quads_for_pattern(ox.NamedNode(uri), None, None, None)), None) is not None

    def triples(self, uri: str) -> list[ox.Triple]:
        """Outgoing triples (asserted and inferred), the records pointing at it, and labels of linked resources."""
        node = ox.NamedNode(uri)
        seen: set[ox.Triple] = set()
        linked: set[ox.NamedNode] = set()
        for quad in self.store.quads_for_pattern(node, None, None, None):
            seen.add(quad.triple)
            if isinstance(quad.object, ox.NamedNode):
                linked.add(quad.object)
        for predicate in (OWL_SOURCE, OWL_TARGET):
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), node, None):
                seen.add(quad.triple)
                linked.add(quad.subject)
        linked.discard(node)
        for other in linked:
            for predicate in LABELS:
                seen.update(q.triple for q in self.store.quads_for_pattern(other, ox.NamedNode(predicate), None, None))
        return in_order(seen, uri)

    def select(self, query: str) -> list[Row]:
        return select_on(self.store, query)

    async def sparql(self, request: QueryRequest) -> QueryAnswer:
        return await asyncio.wrap_future(self.pool.submit(request))  # no thread waits for the worker

    def close(self) -> None:
        self.pool.close()
