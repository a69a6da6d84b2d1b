"""The one RDF writer for graph and dataset formats: pyoxigraph's serialiser, which writes its input in the order
given, so sorted input gives the same bytes on every run. The release's dumps (RDF/XML, N-Triples, TriG, N-Quads),
the /doc documents and CONSTRUCT answers all go through `write`. (Turtle dumps stay with rdflib's serialiser, which
sorts by itself; JSON-LD dumps with release/jsonld.py, whose context is ours.)

    rdflib Graph ──ox_triples()──▶ sorted pyoxigraph triples ──write(fmt)──▶ bytes
    {name: Graph} ──ox_quads()───▶ sorted pyoxigraph quads   ──write(fmt)──▶ bytes
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ccds_crosswalk.formats import Format

if TYPE_CHECKING:  # rdflib only for the build's helpers: a query worker writes answers without it (~18 MB)
    from rdflib import Graph, URIRef
    from rdflib.term import Node

__all__ = ["line_sorted", "ox_quads", "ox_term", "ox_triples", "write"]

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def ox_term(term: Node) -> OxTerm:
    """An rdflib term as pyoxigraph's (the lexical form of a literal kept as it is)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise ValueError(f"cannot write {term!r} as RDF")


def _key(triple: tuple[Node, Node, Node]) -> tuple[str, ...]:
    return tuple(term.n3() for term in triple)


def ox_triples(graph: Graph) -> list[ox.Triple]:
    """The graph's triples in a fixed order (subject, predicate, object, each by its N-Triples form)."""
    return [ox.Triple(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in sorted(graph, key=_key)]  # type: ignore[arg-type]


def ox_quads(graphs: Mapping[URIRef, Graph]) -> list[ox.Quad]:
    """The quads of named graphs, graph by graph in name order, each graph's triples as ox_triples orders them."""
    return [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(str(name)))
        for name in sorted(graphs)
        for t in ox_triples(graphs[name])
    ]


def write(items: Sequence[ox.Triple] | Sequence[ox.Quad], fmt: Format, prefixes: Mapping[str, str] | None) -> bytes:
    """`items` in a graph or dataset format of the table, prefixes where the format uses ours."""
    if fmt.oxigraph is None:
        raise ValueError(f"{fmt.label} is not an RDF format")
    body = ox.serialize(items, format=fmt.oxigraph, prefixes=dict(prefixes) if prefixes and fmt.prefixes else None)
    if body is None:  # only when an output file is given
        raise ValueError("pyoxigraph wrote no bytes")
    if fmt.oxigraph == ox.RdfFormat.RDF_XML:
        # pyoxigraph writes a carriage return in a literal as it is, and XML parsers read CR LF back as LF; a
        # character reference survives (the writer itself ends lines with LF only, so every CR is a literal's)
        body = body.replace(b"\r", b"&#13;")
    return body


def line_sorted(body: bytes) -> bytes:
    """A line-based document (N-Triples, N-Quads) with its lines sorted: the dumps' order, whatever the input's."""
    lines: Iterable[bytes] = sorted(body.splitlines(keepends=True))
    return b"".join(lines)
