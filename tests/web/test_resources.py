"""Dereferencing: every kind of URI the dataset mints answers 303 from /id/… to /doc/….ext by Accept, and every
representation of it (Turtle, JSON-LD, N-Triples, RDF/XML and the JSON-LD embedded in the HTML page) is the
same graph, holding what the Appendix prints. Then unknown URIs (404 in the type asked for), conditional GET
(ETag, Last-Modified), gzip, and the same answers whether the Host is 127.0.0.1 or the public base's host.

Expected values were read off the seed (the Appendix as text); comments give its line numbers."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from rdflib import RDF, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, VOID

from ccds_crosswalk.release.pipeline import Built
from ccds_crosswalk.settings import current_release

# the current release: the last row of data/releases.csv
RELEASE = current_release(Path(__file__).resolve().parents[2])

BASE = "https://w3id.org/ccds-crosswalk/"
ID = Namespace(f"{BASE}id/")
X = Namespace(f"{BASE}ontology#")
SSSOM = Namespace("https://w3id.org/sssom/")

TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
RDFLIB = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}
JSONLD_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def ja(text: str) -> Literal:
    return Literal(text, lang="ja")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


@dataclass(frozen=True)
class Kind:
    name: str
    path: str  # below {base}id/
    expected: frozenset = field(default_factory=frozenset)

    @property
    def uri(self) -> URIRef:
        return ID[self.path]


def triples(subject: URIRef, *pairs: tuple) -> frozenset:
    return frozenset((subject, p, o) for p, o in pairs)


UK1 = ID["uk-cop/UK1"]
RECORD_UK1 = ID["mapping/uk-cop/UK1/to/6.2.1/SR2-SP-1;common=6"]
RECORD_NONE = ID["mapping/cpsf/CPS.AM-2/to/none"]

KINDS = [
    # table 4-1, seed 4536-4540: UK1 デフォルトパスワードを使用しない; its targets 4547-4568
    Kind(
        "item",
        "uk-cop/UK1",
        triples(
            UK1,
            (SKOS.prefLabel, ja("デフォルトパスワードを使用しない")),
            (SKOS.prefLabel, en("No default passwords")),
            (SKOS.notation, Literal("UK1")),
            (SKOS.inScheme, ID["uk-cop"]),
            (RDF.type, SKOS.Concept),
            (X.complianceConfirmedBy, ID["ccds/SR2-SP-1"]),
            (X.complianceConfirmedBy, ID["ccds/SR2-PP-1"]),
            (X.complianceConfirmedBy, ID["ccds/SR2-H-1"]),
            (X.complianceConfirmedBy, ID["ccds/SR2-D-1"]),
        )
        | frozenset({(RECORD_UK1, OWL.annotatedSource, UK1)}),
    ),
    # table 3-1, seed 1562-1570: the first statement of CPS.RA-4
    Kind(
        "statement",
        "cpsf/CPS.RA-4/1",
        triples(
            ID["cpsf/CPS.RA-4/1"],
            (
                SKOS.prefLabel,
                ja(
                    "構成要素の管理におけるセキュリティルールが、実装方法を含めて有効かを確認するため、"
                    "定期的にリスクアセスメントを実施する。"
                ),
            ),
            (SKOS.broader, ID["cpsf/CPS.RA-4"]),
            (SKOS.inScheme, ID["cpsf"]),
        ),
    ),
    # table 4-1 lists UK1 … UK13 (seed 4536 … 4940)
    Kind(
        "scheme",
        "uk-cop",
        triples(
            ID["uk-cop"],
            (RDF.type, SKOS.ConceptScheme),
            (SKOS.notation, Literal("UK-CoP")),
            (SKOS.prefLabel, en("Code of Practice for Consumer IoT Security")),
            *((SKOS.hasTopConcept, ID[f"uk-cop/UK{n}"]) for n in range(1, 14)),
        ),
    ),
    # seed 3065-3069: 6.2.1 スマートホームサービス情報基盤へのセキュリティ要求事項, SR2-SP-1「共通要件への対応」
    Kind(
        "ccds component requirement",
        "ccds/SR2-SP-1",
        triples(
            ID["ccds/SR2-SP-1"],
            (SKOS.prefLabel, ja("共通要件への対応")),
            (SKOS.notation, Literal("SR2-SP-1")),
            (SKOS.broader, ID["ccds/6.2.1"]),
            (X.component, ID["ccds/component/SP"]),
            (X.serviceLevel, ID["ccds/level/2"]),
        ),
    ),
    # seed 66-72: 5.2.1 サービス企画フェーズ ・No.1 企業としての対応方針の策定 (beside IoT-SG point 1)
    Kind(
        "ccds activity",
        "ccds/5.2.1/No.1",
        triples(
            ID["ccds/5.2.1/No.1"],
            (SKOS.prefLabel, ja("企業としての対応方針の策定")),
            (SKOS.notation, Literal("No.1")),
            (SKOS.broader, ID["ccds/5.2.1"]),
        ),
    ),
    # seed 4547: ※共通要件 No.6
    Kind(
        "ccds common requirement",
        "ccds/common/6",
        triples(
            ID["ccds/common/6"],
            (SKOS.prefLabel, ja("共通要件 No.6")),
            (SKOS.inScheme, ID["ccds"]),
        ),
    ),
    # seed 1434: 6.2.1 スマートホームサービス情報基盤
    Kind(
        "component",
        "ccds/component/SP",
        triples(
            ID["ccds/component/SP"],
            (SKOS.prefLabel, ja("スマートホームサービス情報基盤")),
            (SKOS.notation, Literal("SP")),
            (X.section, ID["ccds/6.2.1"]),
        ),
    ),
    # seed 2890: （★★サービス
    Kind(
        "level",
        "ccds/level/2",
        triples(
            ID["ccds/level/2"],
            (SKOS.prefLabel, ja("★★サービス")),
            (SKOS.notation, Literal("2")),
        ),
    ),
    # seed 4536-4547: UK1 → 6.2.1 スマートホームサービス情報基盤へのセキュリティ要求事項, SR2-SP-1 ※共通要件 No.6
    Kind(
        "mapping record with a common requirement",
        "mapping/uk-cop/UK1/to/6.2.1/SR2-SP-1;common=6",
        triples(
            RECORD_UK1,
            (RDF.type, X.MappingRecord),
            (OWL.annotatedSource, UK1),
            (OWL.annotatedTarget, ID["ccds/SR2-SP-1"]),
            (X.qualifier, ID["ccds/common/6"]),
            (X.printedSection, Literal("6.2.1")),
            (X.printedItem, Literal("SR2-SP-1")),
            (X.printedSectionTitle, ja("スマートホームサービス情報基盤へのセキュリティ要求事項")),
            (DCTERMS.source, ID["source/table-4-1"]),
        ),
    ),
    # seed 1210-1224: 3.1. CPS.AM-2 … － 該当なし
    Kind(
        "mapping record to nothing",
        "mapping/cpsf/CPS.AM-2/to/none",
        triples(
            RECORD_NONE,
            (RDF.type, X.MappingRecord),
            (OWL.annotatedSource, ID["cpsf/CPS.AM-2"]),
            (OWL.annotatedTarget, SSSOM.NoTermFound),
            (X.noCorrespondence, Literal(True)),
            (DCTERMS.source, ID["source/table-3-1"]),
        ),
    ),
    # seed 66-72: IoT-SG point 1 → 5.2.1 No.1
    Kind(
        "mapping record to an activity",
        "mapping/iotsg/point-1/to/5.2.1/No.1",
        triples(
            ID["mapping/iotsg/point-1/to/5.2.1/No.1"],
            (OWL.annotatedSource, ID["iotsg/point-1"]),
            (OWL.annotatedTarget, ID["ccds/5.2.1/No.1"]),
            (DCTERMS.source, ID["source/table-2-1"]),
        ),
    ),
    # seed 4580: R2-8「サービス提供におけるインシデント対応」 (the title of R3-8)
    Kind(
        "erratum",
        "erratum/E21",
        triples(
            ID["erratum/E21"],
            (RDF.type, X.Erratum),
            (X.printedText, ja("R2-8「サービス提供におけるインシデント対応」")),
            (X.resolvedTarget, ID["ccds/R3-8"]),
            (DCTERMS.subject, ID["uk-cop"]),
            (X.sourceLine, Literal(4580, datatype=XSD.integer)),
        ),
    ),
    # seed 4527: 表 4-1 Code of Practice for Consumer IoT Security と本書との対応
    Kind(
        "source table",
        "source/table-4-1",
        triples(
            ID["source/table-4-1"],
            (DCTERMS.identifier, Literal("4-1")),
            (DCTERMS.isPartOf, ID["source/appendix"]),
            (DCTERMS.title, ja("表4-1 Code of Practice for Consumer IoT Securityと本書との対応")),
        ),
    ),
]
KIND_IDS = [k.name for k in KINDS]


def documents(server: str, kind: Kind) -> dict[str, Graph]:
    out = {}
    for ext, fmt in RDFLIB.items():
        response = httpx.get(f"{server}/doc/{kind.path}.{ext}")
        assert response.status_code == 200, (kind.path, ext, response.text[:300])
        assert response.headers["content-type"].split(";")[0] == TYPES[ext]
        out[ext] = Graph().parse(data=response.content, format=fmt)
    return out


# ------------------------------------------------------------------ 303 and the four RDF types


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_id_answers_303_to_the_document_for_each_type(server: str, kind: Kind) -> None:
    for ext, media in [("html", "text/html"), *TYPES.items()]:
        response = httpx.get(f"{server}/id/{kind.path}", headers={"Accept": media})
        assert response.status_code == 303, (media, response.text[:300])
        assert response.headers["location"] == f"/doc/{kind.path}.{ext}"
        assert "accept" in [v.strip().lower() for v in response.headers["vary"].split(",")]
        assert response.content == b""
    head = httpx.head(f"{server}/id/{kind.path}", headers={"Accept": "text/turtle"})
    assert (head.status_code, head.headers["location"]) == (303, f"/doc/{kind.path}.ttl")


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_every_representation_is_the_same_graph_with_the_printed_facts(server: str, kind: Kind) -> None:
    graphs = documents(server, kind)
    turtle = graphs["ttl"]
    assert (kind.uri, None, None) in turtle
    for ext, graph in graphs.items():
        assert isomorphic(graph, turtle), f"{ext} differs from Turtle for {kind.path}"
        missing = {t for t in kind.expected if t not in graph}
        assert not missing, f"{ext} of {kind.path} lacks {missing}"


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_rdflib_follows_the_303(server: str, kind: Kind) -> None:
    """rdflib fetches the /id/ URL with its own Accept header, follows the 303, and reads the same graph."""
    fetched = Graph().parse(f"{server}/id/{kind.path}")
    reference = Graph().parse(data=httpx.get(f"{server}/doc/{kind.path}.nt").content, format="nt")
    assert len(fetched) > 0
    assert isomorphic(fetched, reference)
    assert all(t in fetched for t in kind.expected)


def _embedded_jsonld(html: str) -> Graph:
    scripts = JSONLD_SCRIPT.findall(html)
    assert len(scripts) == 1, f"expected one JSON-LD script, found {len(scripts)}"
    json.loads(scripts[0])  # valid JSON ("<\/" is a JSON escape of "</")
    return Graph().parse(data=scripts[0], format="json-ld")


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_html_embeds_the_same_graph_as_json_ld(server: str, kind: Kind) -> None:
    response = httpx.get(f"{server}/id/{kind.path}", headers={"Accept": "text/html"}, follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/html"
    assert str(response.url).endswith(f"/doc/{kind.path}.html")
    embedded = _embedded_jsonld(response.text)
    reference = Graph().parse(data=httpx.get(f"{server}/doc/{kind.path}.ttl").content, format="turtle")
    assert isomorphic(embedded, reference)


def test_a_negotiated_document_names_its_variant(server: str) -> None:
    for media, ext in [("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("text/html", "html")]:
        response = httpx.get(f"{server}/doc/uk-cop/UK1", headers={"Accept": media})
        assert response.status_code == 200
        assert response.headers["content-location"] == f"/doc/uk-cop/UK1.{ext}"
        fixed = httpx.get(f"{server}/doc/uk-cop/UK1.{ext}")
        assert "content-location" not in fixed.headers
        if ext == "html":  # the page links to itself (language switch), so compare what it describes
            assert isomorphic(_embedded_jsonld(fixed.text), _embedded_jsonld(response.text))
        else:
            assert fixed.content == response.content


def test_every_minted_uri_dereferences(server: str, built: Built) -> None:
    """Every {base}id/… IRI of the release, whatever its kind, answers 303 and its document describes it."""
    minted = {
        str(term)
        for triple in built.asserted
        for term in (triple[0], triple[2])
        if isinstance(term, URIRef) and str(term).startswith(f"{BASE}id/")
    }
    kinds = {re.sub(r"^([^/]+(?:/(?:component|level|common))?).*", r"\1", uri[len(BASE) + 3 :]) for uri in minted}
    assert {
        "uk-cop",
        "cpsf",
        "iotsg",
        "sb327",
        "ccds",
        "ccds/component",
        "ccds/level",
        "ccds/common",
        "mapping",
        "erratum",
        "source",
    } <= kinds
    failures = []
    with httpx.Client(base_url=server) as client:
        for uri in sorted(minted):
            path = uri[len(BASE) + 3 :]
            response = client.get(f"/id/{path}", headers={"Accept": "application/n-triples"})
            if response.status_code != 303 or response.headers.get("location") != f"/doc/{path}.nt":
                failures.append((uri, response.status_code, response.headers.get("location")))
                continue
            document = client.get(response.headers["location"])
            graph = Graph().parse(data=document.content, format="nt")
            if (URIRef(uri), None, None) not in graph:
                failures.append((uri, document.status_code, "describes nothing"))
    assert not failures, f"{len(failures)} of {len(minted)} URIs do not dereference, e.g. {failures[:5]}"


# ------------------------------------------------------------------ the ontology and the dataset


def test_ontology_in_every_type(server: str) -> None:
    onto = URIRef(f"{BASE}ontology")
    graphs = {}
    for ext, fmt in RDFLIB.items():
        response = httpx.get(f"{server}/ontology.{ext}")
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == TYPES[ext]
        graphs[ext] = Graph().parse(data=response.content, format=fmt)
    for ext, graph in graphs.items():
        assert isomorphic(graph, graphs["ttl"]), ext
    graph = graphs["ttl"]
    assert (onto, RDF.type, OWL.Ontology) in graph
    for term in ("MappingRecord", "Erratum", "Item", "Framework"):
        assert (X[term], RDF.type, OWL.Class) in graph, term
    for term in ("complianceConfirmedBy", "correspondsTo"):
        assert (X[term], None, None) in graph, term
    fetched = Graph().parse(f"{server}/ontology")
    assert isomorphic(fetched, graph)
    html = httpx.get(f"{server}/ontology", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "MappingRecord" in html.text


def test_dataset_description_in_every_rdf_type(server: str) -> None:
    dataset = URIRef(f"{BASE}dataset")
    graphs = {}
    for ext, media in TYPES.items():
        response = httpx.get(f"{server}/dataset", headers={"Accept": media})
        assert response.status_code == 200, (media, response.text[:200])
        assert response.headers["content-type"].split(";")[0] == media
        graphs[ext] = Graph().parse(data=response.content, format=RDFLIB[ext])
    for ext, graph in graphs.items():
        assert isomorphic(graph, graphs["ttl"]), ext
    graph = graphs["ttl"]
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert (dataset, VOID.exampleResource, UK1) in graph
    assert (dataset, DCTERMS.hasVersion, URIRef(f"{BASE}release/{RELEASE}")) in graph
    # the tables the dataset is made of (seed 38, 1175, 4527)
    assert (ID["source/table-4-1"], DCTERMS.isPartOf, ID["source/appendix"]) in graph
    browser = httpx.get(f"{server}/dataset", headers={"Accept": "text/html"})
    assert (browser.status_code, browser.headers["location"]) == (303, "/downloads")


# ------------------------------------------------------------------ unknown URIs

UNKNOWN = [
    "uk-cop/UK99",
    "cpsf/CPS.AM-1/9",
    "ccds/SR9-XX-1",
    "mapping/uk-cop/UK1/to/none",
    "erratum/E99",
    "nothing",
    "uk-cop/UK1/extra",
]


@pytest.mark.parametrize("path", UNKNOWN)
def test_unknown_uri_is_404_in_the_type_asked_for(server: str, path: str) -> None:
    uri = f"{BASE}id/{path}"
    html = httpx.get(f"{server}/id/{path}", headers={"Accept": "text/html"})
    assert html.status_code == 404
    assert html.headers["content-type"].split(";")[0] == "text/html"
    assert "<html" in html.text and uri in html.text and "/search" in html.text

    for media, fmt in [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml")]:
        rdf = httpx.get(f"{server}/id/{path}", headers={"Accept": media})
        assert rdf.status_code == 404
        assert rdf.headers["content-type"].split(";")[0] == media
        assert uri in rdf.text
        assert len(Graph().parse(data=rdf.content, format=fmt)) == 0  # a comment, not data
    turtle = httpx.get(f"{server}/id/{path}", headers={"Accept": "text/turtle"})
    assert all(line.startswith("#") for line in turtle.text.splitlines())

    for media in ("application/json", "application/ld+json"):
        as_json = httpx.get(f"{server}/id/{path}", headers={"Accept": media})
        assert as_json.status_code == 404
        assert as_json.headers["content-type"].split(";")[0] == media
        problem = json.loads(as_json.text)["error"]
        assert problem["status"] == 404 and uri in problem["message"]

    for ext, media in TYPES.items():
        document = httpx.get(f"{server}/doc/{path}.{ext}")
        assert document.status_code == 404
        assert document.headers["content-type"].split(";")[0] == media


def test_html_404_names_its_status(server: str) -> None:
    response = httpx.get(f"{server}/id/uk-cop/UK99", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert re.search(r"<title>\s*404", response.text)
    assert re.search(r"<h1>\s*404", response.text)


@pytest.mark.parametrize(
    "path", ["uk-cop/a%20b", "uk-cop/%00", "uk-cop/a%3Eb", "uk-cop/%22%3E%3Cscript%3E", "%FF%FE", "uk-cop/%7Bx%7D"]
)
def test_a_path_that_is_not_even_an_iri_is_404(server: str, path: str) -> None:
    for prefix in ("/id/", "/doc/"):
        response = httpx.get(f"{server}{prefix}{path}", headers={"Accept": "text/html"})
        assert response.status_code == 404, (prefix, path, response.text[:200])
        assert "<script>" not in response.text
    turtle = httpx.get(f"{server}/doc/{path}.ttl")
    assert turtle.status_code == 404


# ------------------------------------------------------------------ conditional GET and gzip

CONDITIONAL = [
    "/doc/uk-cop/UK1.ttl",
    "/doc/uk-cop/UK1.html",
    "/doc/mapping/cpsf/CPS.AM-2/to/none.jsonld",
    "/ontology.ttl",
    "/ontology",
    f"/release/{RELEASE}/crosswalk.nt",
    "/dataset",
]
TURTLE = {"Accept": "text/turtle"}


@pytest.mark.parametrize("path", CONDITIONAL)
def test_etag_and_if_none_match(server: str, path: str) -> None:
    first = httpx.get(f"{server}{path}", headers=TURTLE)
    assert first.status_code == 200
    etag = first.headers["etag"]
    opaque = etag.removeprefix("W/")
    for header in (etag, opaque, f'"other", {etag}', "*"):
        again = httpx.get(f"{server}{path}", headers={**TURTLE, "If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again.headers["etag"] == etag
    changed = httpx.get(f"{server}{path}", headers={**TURTLE, "If-None-Match": '"not-this-one"'})
    assert changed.status_code == 200 and changed.content == first.content
    other_type = httpx.get(f"{server}{path}", headers={"Accept": "application/ld+json", "If-None-Match": etag})
    if "." not in path.rsplit("/", 1)[-1]:  # a negotiated URL: another variant has another validator
        assert other_type.status_code == 200 and other_type.headers["etag"] != etag


@pytest.mark.parametrize("path", CONDITIONAL)
def test_last_modified_and_if_modified_since(server: str, path: str) -> None:
    first = httpx.get(f"{server}{path}", headers=TURTLE)
    stamp = first.headers["last-modified"]
    modified = parsedate_to_datetime(stamp)
    assert modified <= datetime.now(UTC) + timedelta(seconds=5)
    later = format_datetime(modified + timedelta(days=1), usegmt=True)
    earlier = format_datetime(modified - timedelta(days=1), usegmt=True)
    for since, status in [(stamp, 304), (later, 304), (earlier, 200), ("not a date", 200)]:
        response = httpx.get(f"{server}{path}", headers={**TURTLE, "If-Modified-Since": since})
        assert response.status_code == status, since
        assert response.content == (b"" if status == 304 else first.content)
    # If-None-Match decides when both are sent (RFC 9110 13.2.2)
    both = httpx.get(f"{server}{path}", headers={**TURTLE, "If-None-Match": '"stale"', "If-Modified-Since": stamp})
    assert both.status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/doc/uk-cop/UK1.ttl", "/doc/uk-cop/UK1.html", "/ontology.rdf", f"/release/{RELEASE}/crosswalk.ttl", "/dataset"],
)
def test_gzip_when_the_client_accepts_it(server: str, path: str) -> None:
    plain = httpx.get(f"{server}{path}", headers={**TURTLE, "Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    with httpx.Client() as client:
        request = client.build_request("GET", f"{server}{path}", headers={**TURTLE, "Accept-Encoding": "gzip"})
        response = client.send(request, stream=True)
        raw = b"".join(response.iter_raw())
        response.close()
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == plain.content
    assert len(raw) < len(plain.content)
    assert "accept-encoding" in [v.strip().lower() for v in response.headers["vary"].split(",")]
    vary = [v.strip().lower() for v in response.headers["vary"].split(",")]
    assert len(vary) == len(set(vary)), f"repeated names in Vary: {response.headers['vary']}"
    # the gzip answer carries validators that work for it: the same weak ETag, or (pre-rendered files) a strong
    # one of its own, since strong ETags name byte sequences (RFC 9110 8.8.3)
    if plain.headers["etag"].startswith("W/"):
        assert response.headers["etag"] == plain.headers["etag"]
    else:
        assert response.headers["etag"] != plain.headers["etag"]
    again = httpx.get(
        f"{server}{path}", headers={**TURTLE, "Accept-Encoding": "gzip", "If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304


# ------------------------------------------------------------------ the public host

PUBLIC_HOST = urlsplit(BASE).hostname
SAME_ON_BOTH = [
    ("/id/uk-cop/UK1", "text/turtle"),
    ("/id/uk-cop/UK1", "text/html"),
    ("/id/mapping/uk-cop/UK1/to/6.2.1/SR2-SP-1;common=6", "application/ld+json"),
    ("/doc/uk-cop/UK1.ttl", None),
    ("/doc/uk-cop/UK1.html", None),
    ("/doc/uk-cop/UK1", "application/rdf+xml"),
    ("/doc/erratum/E21.html", None),
    ("/ontology", "text/turtle"),
    ("/dataset", "text/turtle"),
    ("/dataset", "text/html"),
    ("/id/uk-cop/UK99", "application/json"),
    ("/id/uk-cop/UK99", "text/html"),
    ("/id/uk-cop/UK1", "image/png"),
]


@pytest.mark.parametrize(("path", "accept"), SAME_ON_BOTH)
def test_same_answer_on_the_public_host(server: str, path: str, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    local = httpx.get(f"{server}{path}", headers=headers)
    public = httpx.get(f"{server}{path}", headers={**headers, "Host": PUBLIC_HOST})
    assert public.status_code == local.status_code
    assert public.headers.get("location") == local.headers.get("location")
    assert public.headers.get("content-type") == local.headers.get("content-type")
    assert public.headers.get("etag") == local.headers.get("etag")
    assert public.content == local.content


@pytest.mark.parametrize(
    ("accept", "name"),
    [
        ("text/csv", "crosswalk.csv"),
        ("text/tab-separated-values", "crosswalk.sssom.tsv"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "crosswalk.xlsx"),
        ("application/oscal+json", "oscal-mapping.json"),
        ("text/turtle", "crosswalk.ttl"),
    ],
)
def test_the_whole_crosswalk_is_negotiable(server: str, accept: str, name: str) -> None:
    """/crosswalk answers each export by its media type, byte for byte the release file it names."""
    response = httpx.get(f"{server}/crosswalk", headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    location = response.headers["content-location"]
    assert location.endswith(f"/{name}")
    assert response.content == httpx.get(f"{server}{location}", timeout=30).content
    if name == "crosswalk.csv":  # the flat crosswalk: 494 records + a header row (tables 2-1 … 5-1)
        assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 495


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_query_page_answers_a_canned_query_without_javascript(server: str, lang: str) -> None:
    """The page runs the query on the server (the same worker pool as /sparql): the 32 該当なし rows of table 3-1."""
    response = httpx.get(f"{server}/query", params={"name": "no-correspondence", "lang": lang})
    assert response.status_code == 200, response.text[:500]
    body = response.text.split('<table id="results">', 1)[1].split("</table>", 1)[0]
    rows = body.split("<tbody>", 1)[1].count("<tr>")
    assert rows == 32
    assert "CPS." in body and "Traceback" not in response.text


@pytest.mark.parametrize("name", ["crosswalk.ttl", "crosswalk.jsonld", "crosswalk-graphs.nq"])
def test_a_download_goes_out_as_the_release_built_it_gzip_included(server: str, release_dir: Path, name: str) -> None:
    """With gzip accepted, the bytes on the wire are the release's own .gz file (listed in SHA256SUMS), not a
    fresh compression; without it, the plain file. Both variants share one weak ETag and say Vary."""
    sums = dict(line.split()[::-1] for line in (release_dir / "SHA256SUMS").read_text().splitlines())
    variants = {}
    for accept_encoding, served in (
        ("gzip", f"{name}.gz"),
        ("gzip;q=0, identity", name),
        ("br;q=1, *;q=0.5", f"{name}.gz"),
    ):
        connection = http.client.HTTPConnection(urlsplit(server).netloc, timeout=30)
        connection.request("GET", f"/release/{RELEASE}/{name}", headers={"Accept-Encoding": accept_encoding})
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        assert response.status == 200
        assert raw == (release_dir / served).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == sums[served]
        assert response.getheader("Content-Encoding") == ("gzip" if served.endswith(".gz") else None)
        assert "Accept-Encoding" in response.getheader("Vary", "")
        variants[accept_encoding] = response.getheader("ETag")
    assert len(set(variants.values())) == 1


@pytest.mark.parametrize("path", ["/doc/uk-cop/UK1.ttl", f"/release/{RELEASE}/crosswalk.ttl", "/ontology.rdf"])
def test_gzip_refused_with_q_0_is_not_sent(server: str, path: str) -> None:
    connection = http.client.HTTPConnection(urlsplit(server).netloc, timeout=30)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip;q=0, identity"})
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    assert response.status == 200 and response.getheader("Content-Encoding") is None
    assert not raw.startswith(b"\x1f\x8b")
