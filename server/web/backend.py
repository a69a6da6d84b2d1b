"""Where the web app gets its data. `Embedded` answers from the release in memory: the fixed, cheap lookups
of pages and resources run in-process on pyoxigraph; user SPARQL goes to the killable worker pool."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from server.web.engine import QueryAnswer, QueryPool, QueryRequest

OWL_SOURCE = "http://www.w3.org/2002/07/owl#annotatedSource"
OWL_TARGET = "http://www.w3.org/2002/07/owl#annotatedTarget"
LABELS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2004/02/skos/core#notation",
          "http://www.w3.org/2000/01/rdf-schema#label")


@dataclass(frozen=True)
class Term:
    value: str
    kind: str  # uri, literal, bnode
    lang: str = ""
    datatype: str = ""


Row = dict[str, Term]


class Backend(Protocol):
    def describe(self, uri: str) -> list[tuple[str, str, Term]]: ...
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


class Embedded:
    def __init__(self, store: ox.Store, pool: QueryPool) -> None:
        self.store, self.pool = store, pool

    def describe(self, uri: str) -> list[tuple[str, str, Term]]:
        """Outgoing triples (asserted and inferred), the records pointing at it, and labels of linked resources."""
        node = ox.NamedNode(uri)
        seen: set[tuple[str, str, Term]] = set()
        linked: set[str] = set()
        for quad in self.store.quads_for_pattern(node, None, None, None):
            seen.add((uri, quad.predicate.value, to_term(quad.object)))
            if isinstance(quad.object, ox.NamedNode):
                linked.add(quad.object.value)
        for predicate in (OWL_SOURCE, OWL_TARGET):
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), node, None):
                seen.add((quad.subject.value, predicate, Term(uri, "uri")))
                linked.add(quad.subject.value)
        for other in sorted(linked - {uri}):
            for predicate in LABELS:
                for quad in self.store.quads_for_pattern(ox.NamedNode(other), ox.NamedNode(predicate), None, None):
                    seen.add((other, predicate, to_term(quad.object)))
        return sorted(seen, key=lambda t: (t[0] != uri, t[0], t[1], t[2].value, t[2].lang))

    def select(self, query: str) -> list[Row]:
        solutions = self.store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: to_term(s[n]) for n in names if s[n] is not None} for s in solutions]

    async def sparql(self, request: QueryRequest) -> QueryAnswer:
        return await asyncio.wrap_future(self.pool.submit(request))  # no thread waits for the worker

    def close(self) -> None:
        self.pool.close()
