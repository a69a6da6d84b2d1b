"""A deterministic RDF/XML writer: one rdf:Description per subject, subjects and properties sorted.
rdflib's writers order subjects by hash, which changes from run to run."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef

from ccds_crosswalk.release.vocab import prefixes

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*$")


def _split(predicate: str) -> tuple[str, str]:
    """(namespace, local name) with an XML-valid local name."""
    match = _NAME.search(predicate)
    if not match or match.start() == 0:
        raise ValueError(f"cannot write predicate {predicate} as RDF/XML (no valid local name)")
    return predicate[: match.start()], predicate[match.start() :]


def to_rdfxml(graph: Graph, base: str) -> str:
    namespaces = {ns: prefix for prefix, ns in prefixes(base).items()}
    used: dict[str, str] = {RDF_NS: "rdf"}
    for predicate in sorted({str(p) for p in graph.predicates()}):
        namespace, _ = _split(predicate)
        used.setdefault(namespace, namespaces.get(namespace, f"ns{len(used)}"))
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    lines += [f"   xmlns:{prefix}={quoteattr(ns)}" for ns, prefix in sorted(used.items(), key=lambda kv: kv[1])]
    lines[-1] += ">"

    def subject_attr(node: object) -> str:
        return f"rdf:nodeID={quoteattr(str(node))}" if isinstance(node, BNode) else f"rdf:about={quoteattr(str(node))}"

    for subject in sorted(set(graph.subjects()), key=lambda n: (isinstance(n, BNode), str(n))):
        lines.append(f"  <rdf:Description {subject_attr(subject)}>")
        for predicate, obj in sorted(graph.predicate_objects(subject), key=lambda po: (str(po[0]), po[1].n3())):
            namespace, local = _split(str(predicate))
            tag = f"{used[namespace]}:{local}"
            if isinstance(obj, URIRef):
                lines.append(f"    <{tag} rdf:resource={quoteattr(str(obj))}/>")
            elif isinstance(obj, BNode):
                lines.append(f"    <{tag} rdf:nodeID={quoteattr(str(obj))}/>")
            elif isinstance(obj, Literal) and obj.language:
                lines.append(f"    <{tag} xml:lang={quoteattr(obj.language)}>{escape(str(obj))}</{tag}>")
            elif isinstance(obj, Literal) and obj.datatype:
                lines.append(f"    <{tag} rdf:datatype={quoteattr(str(obj.datatype))}>{escape(str(obj))}</{tag}>")
            else:
                lines.append(f"    <{tag}>{escape(str(obj))}</{tag}>")
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"
