"""The SPARQL 1.1 Service Description returned by /sparql without a query (W3C sparql11-service-description)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from ccds_crosswalk import iris
from ccds_crosswalk.formats import GRAPH, HTML, RESULTS, of_media_type
from ccds_crosswalk.release.vocab import SD
from ccds_crosswalk.settings import Settings
from ccds_crosswalk.web.http import error, representation, url_without_query
from ccds_crosswalk.web.negotiation import negotiate

__all__ = ["service_description"]

W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")


def description(endpoint: str, base: str) -> Graph:
    graph = Graph()
    graph.bind("sd", SD)
    service = URIRef(f"{endpoint}#service")
    dataset = URIRef(f"{endpoint}#dataset")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, RDFS.label, Literal("CCDS smart-home crosswalk SPARQL endpoint (read-only)", lang="en")))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for answer_format in (*RESULTS, *GRAPH):  # what /sparql answers SELECT/ASK and CONSTRUCT/DESCRIBE in
        if answer_format.w3c:
            graph.add((service, SD.resultFormat, W3C_FORMATS[answer_format.w3c]))
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = URIRef(f"{endpoint}#default-graph")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, RDFS.comment, Literal("The default graph is the union of all named graphs.", lang="en")))
    for name in iris.GRAPHS:
        named = URIRef(f"{endpoint}#graph-{name}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, iris.graph(base, name)))
    graph.add((service, URIRef("http://rdfs.org/ns/void#inDataset"), iris.dataset(base)))
    return graph


def service_description(request: Request, settings: Settings) -> Response:
    offers = [*(f.media_type for f in GRAPH), HTML.media_type]
    chosen = negotiate(request.headers.get("accept"), offers)
    if chosen is None:
        return error(request, 406, "the service description is offered as " + ", ".join(offers))
    if chosen == HTML.media_type:
        return Response(status_code=303, headers={"Location": "/query", "Vary": "Accept"})
    endpoint = url_without_query(request.scope)
    rdflib_format = of_media_type(chosen).rdflib or "turtle"  # every GRAPH row names one (tests/test_formats.py)
    body = description(endpoint, settings.base_uri).serialize(format=rdflib_format).encode("utf-8")
    return representation(request, body, chosen)
