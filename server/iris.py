"""The only place that knows the URI patterns (documented in README.md, "URIs").

    {base}id/{scheme}                       a framework (skos:ConceptScheme)
    {base}id/{scheme}/{item}                an item; CPSF statements are {base}id/cpsf/{requirement}/{n}
    {base}id/ccds/component/{code}          a CCDS component (SP, PP, H, D, A)
    {base}id/ccds/level/{n}                 a CCDS service level (2 = ★★, 3 = ★★★)
    {base}id/mapping/{scheme}/{subject}/to/{target}
                                            a mapping record; target = printed section[/item][;common=n] or 'none'
    {base}id/erratum/{id}                   an erratum of the printed appendix
    {base}id/source/{key}                   a source document: the appendix, its tables (table-{n}), ETSI EN 303 645
    {base}id/etsi-en-303-645/{clause}       an ETSI EN 303 645 provision group; …/derived-from/{ccds item} its link
    {base}source/appendix.txt               the text of the Appendix the data was read from (text/plain);
                                            {base}source/appendix.txt#line={n-1},{n} cites its line n (RFC 5147)
    {base}ontology                          the ontology; terms are {base}ontology#Term
    {base}dataset                           the dataset (VoID, DCAT); {base}release/{version} one release
    {base}graph/{name}                      named graphs: data, inferred, ontology, metadata
    {base}release/{version}/graph/{name}    the same graphs of one release, as published into an external store
    {base}release/{version}/{file}          a file of a release (DCAT distribution); {file}#sha256 its checksum
    {base}release/{version}/changes         the change set of a release; #c-{hash} one change
    {base}validation-report                 the SHACL report of the build; #{hash} one result
    {base}#project                          this project (the publisher)

Item URIs carry no version: an item keeps its URI across releases.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from rdflib import Namespace, URIRef

__all__ = [
    "ETSI",
    "GRAPHS",
    "change",
    "changes",
    "checksum",
    "component",
    "dataset",
    "distribution",
    "erratum",
    "etsi_derivation",
    "etsi_group",
    "graph",
    "id_space",
    "is_safe_iri",
    "item",
    "level",
    "mapping",
    "ontology",
    "ontology_ns",
    "ontology_version",
    "own_prefixes",
    "project",
    "release",
    "release_graph",
    "resource",
    "scheme",
    "source",
    "source_document",
    "source_line",
    "source_table",
    "source_text",
    "sparql_iri",
    "sparql_service",
    "validation_report",
    "validation_result",
]

GRAPHS = ("data", "inferred", "ontology", "metadata")
ETSI = "etsi-en-303-645"  # the scheme code of ETSI EN 303 645's provision groups
_UNSAFE = frozenset('<>"{}|^`\\ ')  # characters an IRIREF may not hold (SPARQL 1.1, Turtle)


def _seg(value: str) -> str:
    """Percent-encode a local id for a path, keeping '/' (statements, activities) readable."""
    return quote(value, safe="/-._~!$&'()*+,;=:@")


def _short_hash(key: str) -> str:
    """A stable fragment for a node named by its content (a change, a validation result)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def is_safe_iri(value: str) -> bool:
    """Whether `value` can be written as <value> in SPARQL or Turtle as it is (no character an IRIREF forbids)."""
    return not any(c in _UNSAFE or ord(c) <= 0x20 for c in value)


def sparql_iri(value: str) -> str:
    """`value` as a SPARQL IRI term <value>; ValueError when it cannot be one (it would change the query)."""
    if not is_safe_iri(value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def id_space(base: str) -> str:
    """Where every resource the dataset mints lives (void:uriSpace)."""
    return f"{base}id/"


def resource(base: str, path: str) -> URIRef:
    """The resource at `path` under the id space, as a request names it (already percent-encoded)."""
    return URIRef(f"{base}id/{path}")


def own_prefixes(base: str) -> dict[str, str]:
    """The prefixes of the crosswalk's own namespaces (dumps, SPARQL, SSSOM)."""
    return {
        "ccdsx": f"{base}ontology#",
        "iotsg": f"{base}id/iotsg/",
        "cpsf": f"{base}id/cpsf/",
        "ukcop": f"{base}id/uk-cop/",
        "sb327": f"{base}id/sb327/",
        "ccds": f"{base}id/ccds/",
        "mapping": f"{base}id/mapping/",
        "errata": f"{base}id/erratum/",
    }


def ontology_ns(base: str) -> Namespace:
    return Namespace(f"{base}ontology#")


def ontology(base: str) -> URIRef:
    return URIRef(f"{base}ontology")


def ontology_version(base: str, version: str) -> URIRef:
    return URIRef(f"{base}ontology/{version}")


def scheme(base: str, code: str) -> URIRef:
    return URIRef(f"{base}id/{code}")


def item(base: str, scheme_code: str, local_id: str) -> URIRef:
    return URIRef(f"{base}id/{scheme_code}/{_seg(local_id)}")


def component(base: str, code: str) -> URIRef:
    return URIRef(f"{base}id/ccds/component/{code}")


def level(base: str, n: int) -> URIRef:
    return URIRef(f"{base}id/ccds/level/{n}")


def mapping(base: str, scheme_code: str, subject: str, target_key: str) -> URIRef:
    return URIRef(f"{base}id/mapping/{scheme_code}/{_seg(subject)}/to/{_seg(target_key)}")


def erratum(base: str, local_id: str) -> URIRef:
    return URIRef(f"{base}id/erratum/{_seg(local_id)}")


def source(base: str, key: str) -> URIRef:
    return URIRef(f"{base}id/source/{key}")


def source_table(base: str, table: str) -> URIRef:
    return source(base, f"table-{table}")


def source_document(base: str) -> URIRef:
    return source(base, "appendix")


def etsi_group(base: str, clause: str) -> URIRef:
    return URIRef(f"{base}id/{ETSI}/{clause}")


def etsi_derivation(base: str, clause: str, derived_from: str) -> URIRef:
    return URIRef(f"{etsi_group(base, clause)}/derived-from/{derived_from}")


def source_text(base: str) -> URIRef:
    """The text of the Appendix (data/source/appendix.txt), served as text/plain and published with every release."""
    return URIRef(f"{base}source/appendix.txt")


def source_line(base: str, line: int) -> URIRef:
    """Line `line` of the source text (counted from 1, as `ccdsx:sourceLine` and any editor count them) as an
    RFC 5147 fragment. RFC 5147 counts line *positions* from 0 (position 0 is before the first line), and
    `line=a,b` is the range between positions a and b, so printed line n is `#line=n-1,n`: line 1 is
    `#line=0,1`, line 4547 is `#line=4546,4547`."""
    if line < 1:
        raise ValueError(f"source lines are counted from 1, not {line}")
    return URIRef(f"{source_text(base)}#line={line - 1},{line}")


def dataset(base: str) -> URIRef:
    return URIRef(f"{base}dataset")


def release(base: str, version: str) -> URIRef:
    return URIRef(f"{base}release/{version}")


def distribution(base: str, version: str, filename: str) -> URIRef:
    return URIRef(f"{base}release/{version}/{filename}")


def checksum(base: str, version: str, filename: str) -> URIRef:
    return URIRef(f"{distribution(base, version, filename)}#sha256")


def changes(base: str, version: str) -> URIRef:
    return URIRef(f"{release(base, version)}/changes")


def change(base: str, version: str, key: str) -> URIRef:
    """One change of a release's change set, named by what it changes (`key`)."""
    return URIRef(f"{changes(base, version)}#c-{_short_hash(key)}")


def validation_report(base: str) -> URIRef:
    return URIRef(f"{base}validation-report")


def validation_result(base: str, key: str) -> URIRef:
    """One result of the validation report, named by its content (`key`)."""
    return URIRef(f"{validation_report(base)}#{_short_hash(key)}")


def project(base: str) -> URIRef:
    return URIRef(f"{base}#project")


def graph(base: str, name: str) -> URIRef:
    if name not in GRAPHS:
        raise ValueError(f"unknown graph {name!r}; known: {', '.join(GRAPHS)}")
    return URIRef(f"{base}graph/{name}")


def release_graph(base: str, version: str, name: str) -> URIRef:
    """A named graph of one release, as `publish` loads it into an external store."""
    if name not in GRAPHS:
        raise ValueError(f"unknown graph {name!r}; known: {', '.join(GRAPHS)}")
    return URIRef(f"{base}release/{version}/graph/{name}")


def sparql_service(base: str) -> URIRef:
    return URIRef(f"{base}sparql")
