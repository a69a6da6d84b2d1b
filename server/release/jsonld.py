"""A deterministic, readable JSON-LD writer: one node object per subject, sorted, compacted with the
published context (server/release/jsonld_context.py). rdflib's serializer is not used because its node
order depends on the store and it does not produce language maps."""

from __future__ import annotations

import json
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ccds_crosswalk.release.jsonld_context import TERMS, context
from ccds_crosswalk.release.vocab import prefixes

__all__ = ["to_jsonld"]

JsonValue = Any


def _compactor(base: str):
    table = sorted(prefixes(base).items(), key=lambda kv: -len(kv[1]))

    def compact(iri: str) -> str:
        for prefix, namespace in table:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace) :].startswith("//"):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    return compact


def _plain(value: Literal) -> JsonValue:
    if value.language:
        return {"@value": str(value), "@language": value.language}
    if value.datatype in (None, XSD.string):
        return str(value)
    if value.datatype == XSD.integer:
        return int(value)
    if value.datatype == XSD.boolean:
        return bool(value.toPython())
    return {"@value": str(value), "@type": str(value.datatype)}


def _one_or_many(values: list[JsonValue]) -> JsonValue:
    return values[0] if len(values) == 1 else values


def _key(value: JsonValue) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _id(term: object, compact) -> str:
    return f"_:{term}" if isinstance(term, BNode) else compact(str(term))


def _node(graph: Graph, subject: Node, compact, reverse_terms: dict[str, tuple[str, str | None]]) -> dict:
    node: dict[str, JsonValue] = {"id": _id(subject, compact)}
    by_predicate: dict[str, list] = {}
    for predicate, obj in graph.predicate_objects(subject):
        by_predicate.setdefault(str(predicate), []).append(obj)
    types = sorted(compact(str(t)) for t in by_predicate.pop(str(RDF.type), []))
    if types:
        node["type"] = _one_or_many(types)
    for name in sorted(by_predicate):
        objects = by_predicate[name]
        key, kind = reverse_terms.get(name, (compact(name), None))
        # a language map only when every value has a language: "@none" as a map key is JSON-LD 1.1, and a 1.0
        # reader would take it for a language tag
        if kind == "@language" and all(isinstance(o, Literal) and o.language for o in objects):
            languages: dict[str, list[str]] = {}
            for obj in objects:
                languages.setdefault(str(obj.language), []).append(str(obj))
            node[key] = {lang: _one_or_many(sorted(v)) for lang, v in sorted(languages.items())}
        elif kind == "@id" and all(isinstance(o, URIRef) for o in objects):
            node[key] = _one_or_many(sorted(compact(str(o)) for o in objects))
        else:
            values = [_plain(o) if isinstance(o, Literal) else {"id": _id(o, compact)} for o in objects]
            if kind == "@language":  # a language-map key cannot hold these (a link, a plain string): the full property
                key = compact(name)
            node[key] = _one_or_many(sorted(values, key=_key))
    return node


def to_jsonld(graph: Graph, base: str) -> str:
    """The graph as a self-contained JSON-LD document (the context inline, identical to {base}context.jsonld)."""
    compact = _compactor(base)
    full = prefixes(base)

    def expand(prefixed: str) -> str:
        prefix, _, local = prefixed.partition(":")
        return full[prefix] + local

    reverse_terms = {expand(iri): (key, kind) for key, (iri, kind) in TERMS.items()}
    subjects = sorted(set(graph.subjects()), key=lambda n: (not isinstance(n, URIRef), str(n)))
    document = {**context(base), "@graph": [_node(graph, s, compact, reverse_terms) for s in subjects]}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
