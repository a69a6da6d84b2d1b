"""Content negotiation: the one negotiation function as a table (q-values, wildcards, specificity, q=0,
ties, malformed and empty headers), then the same table through HTTP against the real server, where the
Content-Type (parsed back into a graph or rows), the 303 target and the 406 body must agree with it."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef

from ccds_crosswalk.settings import current_release
from ccds_crosswalk.web.negotiation import accepts_gzip, negotiate, negotiate_language

# the current release: the last row of data/releases.csv
RELEASE = current_release(Path(__file__).resolve().parents[2])

HTML, TTL, JSONLD, NT, RDFXML = (
    "text/html",
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
)
# what /id/… and /doc/… offer, in the server's order of preference
RESOURCE = [HTML, TTL, JSONLD, NT, RDFXML]
SRJ, SRX, CSV, TSV, JSON = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
)
# what /sparql offers for SELECT and ASK, in the server's order
SELECT = [SRJ, SRX, CSV, TSV, JSON]
CONSTRUCT = [TTL, JSONLD, NT, RDFXML]

EXTENSION = {HTML: "html", TTL: "ttl", JSONLD: "jsonld", NT: "nt", RDFXML: "rdf"}
RDFLIB = {TTL: "turtle", JSONLD: "json-ld", NT: "nt", RDFXML: "xml"}

# (Accept header, the choice among RESOURCE); None means 406
TABLE = [
    # no preference: the server's first offer
    (None, HTML),
    ("", HTML),
    ("   ", HTML),
    (", ,", HTML),  # only empty list elements: the same as an empty header (RFC 9110 5.6.1)
    ("*/*", HTML),
    # one exact type, any letter case, with or without parameters
    ("text/turtle", TTL),
    ("application/ld+json", JSONLD),
    ("application/n-triples", NT),
    ("application/rdf+xml", RDFXML),
    ("TEXT/Turtle", TTL),
    ("text/turtle;charset=utf-8", TTL),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', JSONLD),
    ("text/turtle ; q=0.5 , application/rdf+xml ; q = 0.6", RDFXML),
    # q-values
    ("text/turtle;q=0.5, application/ld+json", JSONLD),
    ("text/turtle;q=0.9, application/ld+json;q=0.8", TTL),
    ("text/html;q=0.001, application/ld+json;q=0.002", JSONLD),
    ("application/rdf+xml, text/turtle;q=0.999", RDFXML),
    ('text/turtle;q="0.4", application/n-triples;q=0.3', TTL),
    # ties go to the server's order, not to the client's listing order
    ("application/ld+json, text/turtle", TTL),
    ("application/ld+json;q=0.5, text/turtle;q=0.5", TTL),
    ("application/rdf+xml, application/n-triples", NT),
    ("text/turtle, application/ld+json, text/html", HTML),
    # wildcards: type/* and */*
    ("text/*", HTML),
    ("application/*", JSONLD),
    ("application/*;q=0.5, text/turtle;q=0.1", JSONLD),
    ("text/*;q=0.3, application/rdf+xml;q=0.4", RDFXML),
    ("*/*;q=0.1, application/n-triples", NT),
    ("image/*, application/*;q=0.2", JSONLD),
    # the most specific matching range decides, wherever it is listed
    ("text/turtle;q=0.2, text/*;q=0.9", HTML),
    ("text/*;q=0.9, text/turtle;q=0.95, */*;q=0.1", TTL),
    ("*/*;q=0.9, text/html;q=0.1", TTL),
    ("*/*;q=0.8, application/*;q=0.2, text/turtle;q=0.5", HTML),
    ("application/*;q=0.9, application/ld+json;q=0.1", NT),
    # q=0 excludes, even when a wildcard would allow it
    ("text/html;q=0, */*", TTL),
    ("*/*, text/html;q=0, text/turtle;q=0", JSONLD),
    ("text/*;q=0, */*", JSONLD),
    ("text/turtle;q=0, text/*", HTML),
    ("text/turtle;q=0.000, text/html;q=0.0, application/*;q=0", None),
    ("*/*;q=0", None),
    ("text/html;q=0", None),
    ("application/rdf+xml;q=0", None),
    # nothing offered is acceptable
    ("image/png", None),
    ("image/*", None),
    ("application/json", None),
    # malformed elements are ignored; a header made only of malformed elements accepts nothing
    ("garbage", None),
    ("text", None),
    ("text/", None),
    ("/turtle", None),
    ("*/turtle", None),
    ("text/turtle/extra", None),
    ("text/tur tle", None),
    ("garbage, text/turtle", TTL),
    (";q=1, application/n-triples", NT),
    ("text/html;q=abc, text/turtle;q=0.5", TTL),
    ("text/html;q=abc, */*;q=0.5", HTML),  # the bad element says nothing, so */* lets text/html through
    ("*/*;q=nan, text/turtle", TTL),
    ("*/*;q=inf, text/turtle;q=0.5", TTL),
    ("text/html;q=2, application/ld+json;q=0.5", JSONLD),
    ("text/html;q=-1, */*;q=0.5", HTML),
    ("text/html;q=0.0001, text/turtle;q=0.1", TTL),
    ("text/html;q=, text/turtle;q=0.1", TTL),
]

SELECT_TABLE = [
    (None, SRJ),
    ("*/*", SRJ),
    ("application/sparql-results+xml", SRX),
    ("text/csv", CSV),
    ("text/tab-separated-values", TSV),
    ("application/json", JSON),
    ("text/*", CSV),
    ("application/*", SRJ),
    ("application/sparql-results+json;q=0, */*", SRX),
    ("application/*;q=0.1, text/tab-separated-values;q=0.2", TSV),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.5", SRX),
    ("text/turtle", None),
    ("text/html", None),
    ("application/*;q=0, text/*;q=0", None),
]

CONSTRUCT_TABLE = [
    (None, TTL),
    ("*/*", TTL),
    ("application/*", JSONLD),
    ("application/rdf+xml", RDFXML),
    ("application/n-triples, text/turtle;q=0.9", NT),
    ("text/turtle;q=0, */*", JSONLD),
    ("application/sparql-results+json", None),
    ("text/html", None),
]


def _ids(table: list[tuple[str | None, str | None]]) -> list[str]:
    return [repr(accept) for accept, _ in table]


# ------------------------------------------------------------------ the function


@pytest.mark.parametrize(("accept", "expected"), TABLE, ids=_ids(TABLE))
def test_negotiate_resource_offers(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, RESOURCE) == expected


@pytest.mark.parametrize(("accept", "expected"), SELECT_TABLE, ids=_ids(SELECT_TABLE))
def test_negotiate_select_offers(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, SELECT) == expected


@pytest.mark.parametrize(("accept", "expected"), CONSTRUCT_TABLE, ids=_ids(CONSTRUCT_TABLE))
def test_negotiate_construct_offers(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, CONSTRUCT) == expected


def test_server_order_decides_ties_whatever_the_offer_order() -> None:
    accept = "application/ld+json, text/turtle"
    assert negotiate(accept, [TTL, JSONLD]) == TTL
    assert negotiate(accept, [JSONLD, TTL]) == JSONLD


def test_nothing_offered_is_never_acceptable() -> None:
    assert negotiate("*/*", []) is None
    assert negotiate(None, []) is None


# ------------------------------------------------------------------ through HTTP

UK1 = URIRef("https://w3id.org/ccds-crosswalk/id/uk-cop/UK1")
SKOS_PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
# a header value cannot start or end with whitespace on the wire
HTTP_TABLE = [(accept, expected) for accept, expected in TABLE if accept is None or accept == accept.strip()]


def _headers(accept: str | None) -> dict[str, str]:
    return {} if accept is None else {"Accept": accept}


def _assert_uk1_body(response: httpx.Response, media: str) -> None:
    """The body really is `media`: HTML names UK1's title; RDF parses and holds UK1's labels (table 4-1)."""
    if media == HTML:
        assert "<html" in response.text
        assert "デフォルトパスワードを使用しない" in response.text
        return
    graph = Graph().parse(data=response.content, format=RDFLIB[media])
    assert (UK1, SKOS_PREF, Literal("デフォルトパスワードを使用しない", lang="ja")) in graph
    assert (UK1, SKOS_PREF, Literal("No default passwords", lang="en")) in graph


def _assert_406(response: httpx.Response, offers: list[str]) -> None:
    assert response.status_code == 406, response.text
    for media in offers:
        assert media in response.text, f"the 406 body does not list {media}: {response.text!r}"
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("accept", "expected"), HTTP_TABLE, ids=_ids(HTTP_TABLE))
def test_id_redirects_to_the_negotiated_document(server: str, accept: str | None, expected: str | None) -> None:
    response = httpx.get(f"{server}/id/uk-cop/UK1", headers=_headers(accept))
    if expected is None:
        _assert_406(response, RESOURCE)
        return
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/doc/uk-cop/UK1.{EXTENSION[expected]}"
    assert "accept" in [v.strip().lower() for v in response.headers["vary"].split(",")]


@pytest.mark.parametrize(("accept", "expected"), HTTP_TABLE, ids=_ids(HTTP_TABLE))
def test_doc_answers_in_the_negotiated_type(server: str, accept: str | None, expected: str | None) -> None:
    response = httpx.get(f"{server}/doc/uk-cop/UK1", headers=_headers(accept))
    if expected is None:
        _assert_406(response, RESOURCE)
        return
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    assert response.headers["content-location"] == f"/doc/uk-cop/UK1.{EXTENSION[expected]}"
    assert "accept" in [v.strip().lower() for v in response.headers["vary"].split(",")]
    _assert_uk1_body(response, expected)


def _assert_select_body(response: httpx.Response, media: str) -> None:
    """The body is `media` and carries the one row of the query below: ?n = "UK1"."""
    text = response.text
    if media in (SRJ, JSON):
        assert json.loads(text)["results"]["bindings"] == [{"n": {"type": "literal", "value": "UK1"}}]
    elif media == SRX:
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(response.content)
        assert [e.text for e in root.iterfind(".//r:binding[@name='n']/r:literal", ns)] == ["UK1"]
    elif media == CSV:
        assert list(csv.reader(io.StringIO(text))) == [["n"], ["UK1"]]
    elif media == TSV:
        assert text.splitlines() == ["?n", '"UK1"']


SELECT_QUERY = f"SELECT ?n WHERE {{ <{UK1}> <http://www.w3.org/2004/02/skos/core#notation> ?n }}"
CONSTRUCT_QUERY = f"CONSTRUCT {{ <{UK1}> ?p ?o }} WHERE {{ <{UK1}> ?p ?o FILTER(?p = <{SKOS_PREF}>) }}"


@pytest.mark.parametrize(("accept", "expected"), SELECT_TABLE, ids=_ids(SELECT_TABLE))
def test_sparql_select_in_the_negotiated_type(server: str, accept: str | None, expected: str | None) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": SELECT_QUERY}, headers=_headers(accept))
    if expected is None:
        _assert_406(response, SELECT)
        return
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    _assert_select_body(response, expected)


@pytest.mark.parametrize(("accept", "expected"), CONSTRUCT_TABLE, ids=_ids(CONSTRUCT_TABLE))
def test_sparql_construct_in_the_negotiated_type(server: str, accept: str | None, expected: str | None) -> None:
    response = httpx.post(f"{server}/sparql", data={"query": CONSTRUCT_QUERY}, headers=_headers(accept))
    if expected is None:
        _assert_406(response, CONSTRUCT)
        return
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    graph = Graph().parse(data=response.content, format=RDFLIB[expected])
    assert set(graph) == {
        (UK1, SKOS_PREF, Literal("デフォルトパスワードを使用しない", lang="ja")),
        (UK1, SKOS_PREF, Literal("No default passwords", lang="en")),
    }


def test_a_406_is_written_in_a_type_the_client_reads(server: str) -> None:
    """The 406 itself is negotiated: JSON when the client takes JSON, plain text otherwise."""
    refused = httpx.get(f"{server}/doc/uk-cop/UK1", headers={"Accept": "image/png, application/json;q=0.5"})
    assert refused.status_code == 406
    assert refused.headers["content-type"].split(";")[0] == "application/json"
    message = json.loads(refused.text)["error"]["message"]
    assert all(media in message for media in RESOURCE)
    plain = httpx.get(f"{server}/doc/uk-cop/UK1", headers={"Accept": "image/png"})
    assert plain.status_code == 406
    assert plain.headers["content-type"].split(";")[0] == "text/plain"


def test_negotiation_is_the_same_on_the_ontology(server: str) -> None:
    for accept, expected in [
        ("text/turtle", TTL),
        ("application/*", JSONLD),
        ("text/html;q=0, */*", TTL),
        ("application/rdf+xml;q=1, text/turtle;q=0.9", RDFXML),
    ]:
        response = httpx.get(f"{server}/ontology", headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == expected
        assert response.headers["content-location"] == f"/ontology.{EXTENSION[expected]}"
        graph = Graph().parse(data=response.content, format=RDFLIB[expected])
        onto = URIRef("https://w3id.org/ccds-crosswalk/ontology")
        assert (
            onto,
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("http://www.w3.org/2002/07/owl#Ontology"),
        ) in graph
    _assert_406(httpx.get(f"{server}/ontology", headers={"Accept": "image/png"}), RESOURCE)


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("deflate, gzip;q=0.001", True),
        ("br;q=1, *;q=0.5", True),
        ("gzip;q=0", False),
        ("gzip;q=0, identity", False),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("identity", False),
        ("", False),
        (None, False),
        ("gzip;q=abc", False),
    ],
)
def test_accept_encoding_gzip_follows_rfc_9110(header: str | None, accepted: bool) -> None:
    """q=0 refuses a coding, '*' covers the codings not named (RFC 9110 12.5.3); Starlette's own check is a substring
    test, so the server asks this function first."""
    assert accepts_gzip(header) is accepted


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip;q=0.5, *;q=0", True),  # a named coding overrides '*' whatever the order
        ("x-gzip;q=0", False),
        ("br, deflate", False),
        ("gzip;q=1.5", False),  # not a qvalue: the element is ignored, and nothing else names gzip
    ],
)
def test_accept_encoding_more_cases(header: str, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


@pytest.mark.parametrize(
    ("header", "expected"),
    [(h, accepted) for h, accepted in [("gzip;q=0", False), ("*;q=0", False), ("deflate, gzip;q=0.1", True)]],
)
def test_accept_encoding_through_http(server: str, header: str, expected: bool) -> None:
    """The same parser decides for the gzip middleware (a page) and for the pre-built .gz (a download)."""
    for path in ("/doc/uk-cop/UK1.html", f"/release/{RELEASE}/crosswalk.ttl"):
        with httpx.Client() as client:
            response = client.send(
                client.build_request("GET", f"{server}{path}", headers={"Accept-Encoding": header}), stream=True
            )
            response.close()
        assert response.status_code == 200
        assert (response.headers.get("content-encoding") == "gzip") is expected, (path, header)


# (Accept-Language, the choice among ["ja", "en"]); None means no stated preference: the page is then Japanese
LANGUAGE_TABLE = [
    (None, None),
    ("", None),
    (" , ", None),
    ("en", "en"),
    ("ja", "ja"),
    ("EN", "en"),
    ("en-GB", "en"),  # a more specific tag matches its language (RFC 4647 lookup)
    ("ja-JP, en;q=0.5", "ja"),
    ("en-US,en;q=0.9,ja;q=0.8", "en"),
    ("ja;q=0.5, en;q=0.6", "en"),
    ("en, ja", "en"),  # equal q: the client's order
    ("ja, en", "ja"),
    ("*", "ja"),  # any language: the server's order
    ("*, ja;q=0.1", "en"),
    ("fr, de;q=0.5", None),
    ("fr, en;q=0.1", "en"),
    # q=0 refuses a language, even where a wildcard or a broader range would allow it
    ("en;q=0", None),
    ("en;q=0, ja;q=0", None),
    ("en;q=0, *", "ja"),
    ("*, ja;q=0", "en"),
    ("en-GB;q=0, en", "en"),  # the exact range decides for en
    ("en;q=0.000", None),
    # malformed elements are ignored
    ("en;q=abc, ja;q=0.5", "ja"),
    ("en;q=2", None),
    ("e n, en;q=0.3", "en"),
    ("en_US", None),
]


@pytest.mark.parametrize(("header", "expected"), LANGUAGE_TABLE, ids=_ids(LANGUAGE_TABLE))
def test_negotiate_language(header: str | None, expected: str | None) -> None:
    assert negotiate_language(header, ["ja", "en"]) == expected


HTTP_LANGUAGE_TABLE = [(h, e) for h, e in LANGUAGE_TABLE if h is None or h == h.strip()]


@pytest.mark.parametrize(("header", "expected"), HTTP_LANGUAGE_TABLE, ids=_ids(HTTP_LANGUAGE_TABLE))
def test_page_language_through_http(server: str, header: str | None, expected: str | None) -> None:
    """The page is in the negotiated language, Japanese (the source's language) when none is preferred; the
    title of UK1 is the one table 4-1 gives in that language."""
    headers = {} if header is None else {"Accept-Language": header}
    response = httpx.get(f"{server}/doc/uk-cop/UK1.html", headers=headers)
    assert response.status_code == 200
    lang = expected or "ja"
    assert response.headers["content-language"] == lang
    assert f'<html lang="{lang}">' in response.text
    title = {"ja": "デフォルトパスワードを使用しない", "en": "No default passwords"}[lang]
    assert title in response.text.split("<h1", 1)[1].split("</h1>", 1)[0]


def test_query_parameter_wins_over_accept_language(server: str) -> None:
    response = httpx.get(f"{server}/doc/uk-cop/UK1.html?lang=en", headers={"Accept-Language": "en;q=0"})
    assert response.headers["content-language"] == "en"
