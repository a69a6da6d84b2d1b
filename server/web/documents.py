"""What every document of the site shows, as (template, view model) pairs, and each resource's RDF documents.

The live routes (resources.py, pages.py) and the build's render stage (release/render.py) both call these
functions and `render.render_html`, so a pre-rendered file and a live answer come from the same code.

    resource_page    an /id/ URI's HTML document: scheme, mapping record, erratum, item or generic resource
    rdf_document     its Turtle, N-Triples, RDF/XML, or JSON-LD compacted with the published @context
    home … changes   the pages that are not one resource
    search_page      the search form; `static=True` adds the JSON index and its script instead of a server
    query_page       the query page of a static copy: where the SPARQL endpoint is, canned queries to send it
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
from jinja2 import Environment
from rdflib import BNode, Graph, Literal, URIRef

from ccds_crosswalk.analysis.diagrams import coverage_sankey
from ccds_crosswalk.engine.backend import Backend, as_terms
from ccds_crosswalk.formats import JSON_LD, of_media_type
from ccds_crosswalk.rdfwriter import write
from ccds_crosswalk.release.exports.diff import read_changes
from ccds_crosswalk.release.jsonld import to_jsonld
from ccds_crosswalk.web import views
from ccds_crosswalk.web.render import PerLanguage
from ccds_crosswalk.web.source import SourceText

Page = tuple[str, dict[str, Any]]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def bind(env: Environment, backend: Backend, base: str, release_dir: Path) -> None:
    """Lookups templates call themselves: a framework's counts beside a scheme's title, the cited line of the
    Appendix in context on item, record and erratum pages."""
    env.globals["framework_info"] = lambda uri: views.framework(backend, base, uri)
    env.globals["source_excerpt"] = SourceText.load(release_dir, base).excerpt


def _rdflib(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> URIRef | Literal | BNode:
    if isinstance(term, ox.Triple):
        raise ValueError("quoted triples (RDF-star) are not part of this dataset")
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def rdf_document(triples: list[ox.Triple], media_type: str, base: str, prefixes: dict[str, str]) -> bytes:
    """One resource's triples as a document. JSON-LD is compacted with the published @context exactly as the
    dumps are (release/jsonld.py); the other formats come from pyoxigraph in the triples' fixed order."""
    fmt = of_media_type(media_type)
    if fmt == JSON_LD:
        graph = Graph()
        for t in triples:
            graph.add((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object)))
        return to_jsonld(graph, base).encode("utf-8")
    return write(triples, fmt, prefixes)


def jsonld_embed(document: bytes) -> str:
    """A JSON-LD document inside <script>: "</" must not close the element."""
    return document.decode("utf-8").replace("</", "<\\/")


def resource_page(backend: Backend, base: str, uri: str, stem: str, rdf: list[ox.Triple], jsonld: bytes) -> Page:
    """The HTML document about `uri`, whose triples (its own first) are `rdf`."""
    triples = as_terms(rdf)
    types = {o.value for s, p, o in triples if s == uri and p == RDF_TYPE}
    onto = f"{base}ontology#"
    common: dict[str, Any] = {"doc": f"/doc/{stem}", "jsonld": jsonld_embed(jsonld), "uri": uri}
    if f"{onto}Framework" in types:
        scheme = {"uri": uri, "label": views.labels_of(backend, base, uri)}
        return "scheme.html", {"scheme": scheme, "items": views.scheme_tree(backend, base, uri), **common}
    if f"{onto}MappingRecord" in types:
        return "record.html", {"r": views.record_view(backend, base, uri), **common}
    if f"{onto}Erratum" in types:
        erratum = views.errata(backend, base, uri)[0]
        return "erratum.html", {"e": erratum, "records": views.erratum_records(backend, base, erratum["id"]), **common}
    item = views.item_view(backend, base, uri)
    if item is not None:
        return "item.html", {"item": item, **common}
    rows = [(p, o) for s, p, o in triples if s == uri]
    title = next((o.value for p, o in rows if p.endswith(("#prefLabel", "#label", "/title"))), uri.rsplit("/", 1)[-1])
    return "resource.html", {"rows": rows, "title": title, **common}


def home(backend: Backend, base: str, release: str, endpoint: str) -> Page:
    return "home.html", {"frameworks": views.frameworks(backend, base), "release": release, "endpoint": endpoint}


def frameworks(backend: Backend, base: str) -> Page:
    return "frameworks.html", {"frameworks": views.frameworks(backend, base)}


def coverage(backend: Backend, base: str) -> Page:
    chart = views.coverage(backend, base)
    # the Sankey diagram draws the matrix's own numbers with the page's language and links
    sankey = PerLanguage(lambda lang: lambda link: coverage_sankey(chart, lang, link))
    return "coverage.html", {"chart": chart, "sankey": sankey}


def errata(backend: Backend, base: str) -> Page:
    return "errata.html", {"errata": views.errata(backend, base)}


def downloads(manifest: dict, release: str) -> Page:
    return "downloads.html", {"files": manifest["files"], "release": release}


def changes(release_dir: Path, release: str) -> Page:
    rows = read_changes(release_dir / "changes.csv")
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        counts[(row["kind"], row["change"])] = counts.get((row["kind"], row["change"]), 0) + 1
    return "changes.html", {"changes": rows, "counts": sorted(counts.items()), "release": release}


def ontology(backend: Backend, base: str) -> Page:
    return "ontology.html", {"terms": views.ontology_terms(backend, base)}


def search_page(q: str = "", hits: list[dict[str, Any]] | None = None, static: bool = False) -> Page:
    return "search.html", {"q": q, "hits": hits or [], "static": static}


def query_page(canned: list, endpoint: str, example: str) -> Page:
    """A static copy runs no query itself: the page names the endpoint and sends the form there."""
    return "query.html", {
        "canned": canned,
        "text": example,
        "error": None,
        "results": None,
        "boolean": None,
        "selected": None,
        "static": True,
        "endpoint": endpoint,
    }
