"""Stage 3, reason: the OWL 2 RL closure of data + ontology + SKOS axioms, kept apart from what is asserted.

The closure is computed with `reasonable` (a Rust OWL 2 RL engine, ~100× faster than owlrl here);
`reasonable` does not apply property chains, so the chains the ontology declares
(owl:propertyChainAxiom, rule prp-spo2) are applied here and the closure re-run until nothing changes.
tests/release/test_reason.py checks that owlrl derives the same entailments.

Only entailments about the crosswalk's own resources are kept (subjects under the base URI, predicates
and classes of the ontology or SKOS); the rest of an RL closure (owl:sameAs reflexivity, owl:Thing,
schema-level tautologies) is noise to a user of the data.
"""

from __future__ import annotations

from collections import defaultdict

import reasonable
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, SKOS, XSD

from ccds_crosswalk import iris

__all__ = ["ReasoningError", "closure", "infer", "keep", "plain"]

Triple = tuple[URIRef, URIRef, URIRef]


class ReasoningError(RuntimeError):
    """The closure found an inconsistency (an owl:Nothing member or a clash the rules flag)."""


def property_chains(ontology: Graph) -> list[tuple[URIRef, list[URIRef]]]:
    chains = []
    for prop, head in ontology.subject_objects(OWL.propertyChainAxiom):
        members = [URIRef(str(m)) for m in Collection(ontology, head)]
        chains.append((URIRef(str(prop)), members))
    return sorted(chains)


def apply_chains(triples: set[tuple], chains: list[tuple[URIRef, list[URIRef]]]) -> set[Triple]:
    """Rule prp-spo2: p1(x0,x1) ∧ … ∧ pn(xn-1,xn) → p(x0,xn)."""
    by_predicate: dict[URIRef, dict[URIRef, set[URIRef]]] = defaultdict(lambda: defaultdict(set))
    for s, p, o in triples:
        by_predicate[p][s].add(o)
    derived: set[Triple] = set()
    for prop, steps in chains:
        frontier = {(s, s) for s in by_predicate[steps[0]]}
        for step in steps:
            frontier = {(start, o) for start, here in frontier for o in by_predicate[step].get(here, ())}
        derived |= {(start, prop, end) for start, end in frontier}
    return derived - triples


def closure(asserted: Graph) -> set[tuple]:
    chains = property_chains(asserted)
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(asserted)
    while True:
        entailed = set(reasoner.reason())
        extra = apply_chains(entailed, chains)
        if not extra:
            return entailed
        reasoner.from_graph(list(extra))


def check_consistency(entailed: set[tuple]) -> None:
    clashes = sorted(str(s) for s, p, o in entailed if p == RDF.type and o == OWL.Nothing)
    if clashes:
        raise ReasoningError(f"inconsistent: members of owl:Nothing: {', '.join(clashes[:10])}")


def keep(base: str, triple: tuple) -> bool:
    s, p, o = triple
    ontology_ns = str(iris.ontology_ns(base))
    if not isinstance(s, URIRef) or not str(s).startswith(base) or str(s).startswith(ontology_ns):
        return False
    if p == RDF.type:
        return str(o).startswith(ontology_ns) or o in (SKOS.Concept, SKOS.ConceptScheme)
    return str(p).startswith(ontology_ns) or str(p).startswith(str(SKOS))


def plain(triple: tuple) -> tuple:
    """`reasonable` returns simple literals typed xsd:string; rdflib tells them apart from plain ones."""
    s, p, o = triple
    if isinstance(o, Literal) and o.datatype == XSD.string:
        o = Literal(str(o))
    return s, p, o


def infer(base: str, asserted: Graph) -> Graph:
    """The entailments of `asserted` (data + ontology + SKOS axioms) that are not asserted."""
    entailed = {plain(t) for t in closure(asserted)}
    check_consistency(entailed)
    inferred = Graph()
    for triple in entailed:
        if triple not in asserted and keep(base, triple):
            inferred.add(triple)
    return inferred
