"""Namespaces of the standard vocabularies the crosswalk reuses, bound the same way everywhere."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace

from ccds_crosswalk import iris

__all__ = ["SD", "SEMAPV", "SH", "SPDX", "SSSOM", "bind_all", "prefixes"]

SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VANN = Namespace("http://purl.org/vocab/vann/")
SPDX = Namespace("http://spdx.org/rdf/terms#")

STANDARD_PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "dcat": DCAT,
    "void": VOID,
    "sssom": SSSOM,
    "semapv": SEMAPV,
    "sd": SD,
    "foaf": FOAF,
    "sh": SH,
    "vann": VANN,
    "spdx": SPDX,
}


def prefixes(base: str) -> dict[str, str]:
    """Every prefix the dumps and the SPARQL endpoint know, including the crosswalk's own."""
    return {**iris.own_prefixes(base), **{k: str(v) for k, v in STANDARD_PREFIXES.items()}}


def bind_all(graph: Graph, base: str) -> Graph:
    for prefix, namespace in prefixes(base).items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
