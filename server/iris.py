"""The only place that knows the URI patterns (documented in README.md, "URIs").

    {base}id/{scheme}                       a framework (skos:ConceptScheme)
    {base}id/{scheme}/{item}                an item; CPSF statements are {base}id/cpsf/{requirement}/{n}
    {base}id/ccds/component/{code}          a CCDS component (SP, PP, H, D, A)
    {base}id/ccds/level/{n}                 a CCDS service level (2 = ★★, 3 = ★★★)
    {base}id/mapping/{scheme}/{subject}/to/{target}
                                            a mapping record; target = printed section[/item][;common=n] or 'none'
    {base}id/erratum/{id}                   an erratum of the printed appendix
    {base}id/source/{table}                 a table of the appendix (provenance)
    {base}source/appendix.txt               the text of the Appendix the data was read from (text/plain);
                                            {base}source/appendix.txt#line={n-1},{n} cites its line n (RFC 5147)
    {base}ontology                          the ontology; terms are {base}ontology#Term
    {base}dataset                           the dataset (VoID, DCAT); {base}release/{version} one release
    {base}graph/{name}                      named graphs: data, inferred, ontology, metadata
    {base}release/{version}/graph/{name}    the same graphs of one release, as published into an external store

Item URIs carry no version: an item keeps its URI across releases.
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import Namespace, URIRef

GRAPHS = ("data", "inferred", "ontology", "metadata")


def _seg(value: str) -> str:
    """Percent-encode a local id for a path, keeping '/' (statements, activities) readable."""
    return quote(value, safe="/-._~!$&'()*+,;=:@")


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


def source_table(base: str, table: str) -> URIRef:
    return URIRef(f"{base}id/source/table-{table}")


def source_document(base: str) -> URIRef:
    return URIRef(f"{base}id/source/appendix")


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
