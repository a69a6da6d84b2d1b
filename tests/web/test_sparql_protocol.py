"""The SPARQL 1.1 Protocol endpoint of the real crosswalk (/sparql on a `ccds-crosswalk serve` process), from the
outside: query via GET, POST form and POST direct; SELECT and ASK results in SPARQL JSON, XML, CSV and TSV, each
parsed back (json, xml.etree, csv) and compared with the others and with what the Appendix prints; CONSTRUCT and
DESCRIBE in Turtle, JSON-LD, N-Triples and RDF/XML, parsed with rdflib and compared as graphs (with each other and
with the graphs the build produced); SPARQLWrapper and rdflib's SPARQLStore as clients; the Service Description;
the protocol's errors (400), refused updates (4xx, nothing changes), CORS; and the canned queries of queries/*.rq.

Expected values come from the source (seed lines given): UK1 (table 4-1, lines 4536-4568) maps to SR2-SP-1,
SR2-PP-1, SR2-H-1 and SR2-D-1 under sections 6.2.1-6.2.4, each with ※共通要件 No.6; table 3-1 prints 該当なし 32
times (lines 1224-4356), all for CPSF requirements; the Appendix's four tables have 130 + 292 + 62 + 10 = 494 rows."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.error import HTTPError

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV as SW_CSV
from SPARQLWrapper import JSON as SW_JSON
from SPARQLWrapper import POST, POSTDIRECTLY, RDFXML, TURTLE, SPARQLWrapper
from SPARQLWrapper import XML as SW_XML
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from ccds_crosswalk.engine.store import load_store
from ccds_crosswalk.release.pipeline import Built
from ccds_crosswalk.settings import Limits

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "queries"
BASE = "https://w3id.org/ccds-crosswalk/"
UK1 = f"{BASE}id/uk-cop/UK1"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

SRJ, SRX, CSV, TSV, JSON = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
)
TTL, JSONLD, NT, RDFXML_TYPE = "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"
RDFLIB = {TTL: "turtle", JSONLD: "json-ld", NT: "nt", RDFXML_TYPE: "xml"}
TABULAR = [SRJ, SRX, CSV, TSV]
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"

# ------------------------------------------------------------------------------------------ read off the seed

# Table 4-1, lines 4536-4568: UK1 「デフォルトパスワードを使用しない」 → (section, item), each ※共通要件 No.6
UK1_TITLE = "デフォルトパスワードを使用しない"
UK1_TARGETS = {"SR2-SP-1": "6.2.1", "SR2-PP-1": "6.2.2", "SR2-H-1": "6.2.3", "SR2-D-1": "6.2.4"}
UK1_TARGET_TITLE = "共通要件への対応"
# Table 3-1: every 該当なし, as (requirement, bullet statement number, seed line of 該当なし). CPS.MA-1's second
# bullet (line 3446) is the one without correspondence; every other requirement has one bullet before 該当なし.
NO_CORRESPONDENCE = [
    ("CPS.AM-2", 1, 1224),
    ("CPS.AM-3", 1, 1242),
    ("CPS.RA-4", 1, 1576),
    ("CPS.SC-7", 1, 1910),
    ("CPS.SC-8", 1, 1930),
    ("CPS.SC-10", 1, 1968),
    ("CPS.SC-11", 1, 1990),
    ("CPS.AC-4", 1, 2198),
    ("CPS.AT-3", 1, 2635),
    ("CPS.DS-4", 1, 2758),
    ("CPS.DS-8", 1, 2938),
    ("CPS.DS-9", 1, 2952),
    ("CPS.DS-10", 1, 2968),
    ("CPS.DS-11", 1, 2979),
    ("CPS.DS-12", 1, 2991),
    ("CPS.DS-13", 1, 3003),
    ("CPS.DS-14", 1, 3017),
    ("CPS.DS-15", 1, 3033),
    ("CPS.IP-2", 1, 3112),
    ("CPS.IP-4", 1, 3142),
    ("CPS.IP-5", 1, 3162),
    ("CPS.MA-1", 2, 3456),
    ("CPS.CM-4", 1, 3961),
    ("CPS.CM-6", 1, 4020),
    ("CPS.DP-2", 1, 4141),
    ("CPS.DP-3", 1, 4157),
    ("CPS.DP-4", 1, 4174),
    ("CPS.RP-1", 1, 4197),
    ("CPS.RP-3", 1, 4245),
    ("CPS.CO-2", 1, 4322),
    ("CPS.CO-3", 1, 4338),
    ("CPS.AN-1", 1, 4356),
]
# lines 1212-1222 and 1228-1238, the bullet text joined across the printed line breaks
NO_CORRESPONDENCE_TITLES = {
    "CPS.AM-2": "自組織が生産したモノのサプライチェーン上の重要性に応じて、トレーサビリティ確保のための特定方法を定"
    "める。",
    "CPS.AM-3": "重要性に応じて、生産日時やその状態等について記録を作成し、一定期間保管するために生産活動の記録に関"
    "する内部規則を整備し、運用する。",
}
# rows of tables 2-1, 3-1, 4-1 and 5-1, in the order of the Appendix's chapters
ROWS_PER_FRAMEWORK = {"IoT-SG": 130, "CPSF": 292, "UK-CoP": 62, "SB-327": 10}

PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX ccdsx: <https://w3id.org/ccds-crosswalk/ontology#>
"""
UK1_TARGETS_QUERY = (
    PREFIXES
    + f"""SELECT ?notation WHERE {{
  ?record owl:annotatedSource <{UK1}> ; owl:annotatedTarget ?target . ?target skos:notation ?notation }}"""
)
TRICKY = 'comma, "quote"\ttab\nnewline\rreturn \\ backslash 日本語'
# every kind of term: IRIs, plain, language-tagged, integer and boolean literals, an unbound variable, and a
# string that needs escaping in every format
UK1_ROWS_QUERY = (
    PREFIXES
    + f"""SELECT ?record ?target ?notation ?section ?statement ?none ?title ?qualifier
       ?unbound ?tricky WHERE {{
  ?record owl:annotatedSource <{UK1}> ; owl:annotatedTarget ?target ;
          ccdsx:statementNumber ?statement ; ccdsx:noCorrespondence ?none .
  ?target skos:notation ?notation .
  <{UK1}> skos:prefLabel ?title . FILTER (LANG(?title) = "ja")
  OPTIONAL {{ ?record ccdsx:printedSection ?section }}
  OPTIONAL {{ ?record ccdsx:printedQualifier ?qualifier }}
  OPTIONAL {{ ?record ccdsx:noSuchProperty ?unbound }}
  BIND ({json.dumps(TRICKY)} AS ?tricky)
}} ORDER BY ?notation"""
)


@pytest.fixture(scope="module")
def sparql(server: str) -> str:
    return f"{server}/sparql"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as http:
        yield http


# --------------------------------------------------------------------------------------------------- helpers


def media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()


def run(
    client: httpx.Client, sparql: str, query: str, accept: str = SRJ, method: str = "GET", **params: str
) -> httpx.Response:
    if method == "GET":
        return client.get(sparql, params={"query": query, **params}, headers={"accept": accept})
    if method == "POST-form":
        return client.post(sparql, data={"query": query, **params}, headers={"accept": accept})
    return client.post(
        sparql, params=params, content=query.encode("utf-8"), headers={"content-type": DIRECT, "accept": accept}
    )


Term = tuple[str, str, str, str]  # (kind, value, language, datatype)


def _term(kind: str, value: str, lang: str = "", datatype: str = "") -> Term:
    if kind == "literal" and not lang and not datatype:
        datatype = str(XSD.string)
    return kind, value, lang, datatype


def parse_json(body: bytes) -> tuple[list[str], list[dict[str, Term]]]:
    document = json.loads(body)
    rows = [
        {
            name: _term(
                {"typed-literal": "literal"}.get(t["type"], t["type"]),
                t["value"],
                t.get("xml:lang", ""),
                t.get("datatype", ""),
            )
            for name, t in binding.items()
        }
        for binding in document["results"]["bindings"]
    ]
    return document["head"]["vars"], rows


NS = {"r": "http://www.w3.org/2005/sparql-results#"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse_xml(body: bytes) -> tuple[list[str], list[dict[str, Term]]]:
    root = ET.fromstring(body)
    variables = [v.get("name") for v in root.find("r:head", NS).findall("r:variable", NS)]
    rows = []
    for result in root.find("r:results", NS).findall("r:result", NS):
        row = {}
        for binding in result.findall("r:binding", NS):
            (node,) = list(binding)
            kind = node.tag.split("}")[1]
            row[binding.get("name")] = _term(kind, node.text or "", node.get(XML_LANG, ""), node.get("datatype", ""))
        rows.append(row)
    return variables, rows


def parse_csv(body: bytes) -> tuple[list[str], list[dict[str, str]]]:
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    return header, [{k: v for k, v in zip(header, row, strict=True) if v != ""} for row in rows]


_NT_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?$', re.DOTALL)
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(
        r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)",
        lambda m: (
            chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "uU" and len(m.group(1)) > 1 else _ESCAPES[m.group(1)]
        ),
        text,
    )


def parse_tsv_term(text: str) -> Term:
    if text.startswith("<") and text.endswith(">"):
        return _term("uri", text[1:-1])
    if text.startswith("_:"):
        return _term("bnode", text[2:])
    if match := _NT_LITERAL.match(text):
        return _term("literal", _unescape(match.group(1)), match.group(2) or "", match.group(3) or "")
    for datatype, pattern in (
        (XSD.integer, r"[+-]?\d+"),
        (XSD.decimal, r"[+-]?\d*\.\d+"),
        (XSD.double, r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+"),
        (XSD.boolean, "true|false"),
    ):
        if re.fullmatch(pattern, text):
            return _term("literal", text, "", str(datatype))
    raise AssertionError(f"not a TSV term: {text!r}")


def parse_tsv(body: bytes) -> tuple[list[str], list[dict[str, Term]]]:
    text = body.decode("utf-8")
    assert text.endswith("\n") and "\r" not in text  # a raw carriage return would break the line structure
    header, *rows = [line.split("\t") for line in text[:-1].split("\n")]
    assert all(h.startswith("?") for h in header), header
    variables = [h[1:] for h in header]
    return variables, [{k: parse_tsv_term(v) for k, v in zip(variables, row, strict=True) if v != ""} for row in rows]


def tabular(response: httpx.Response) -> tuple[list[str], list[dict]]:
    assert response.status_code == 200, response.text
    parser = {SRJ: parse_json, JSON: parse_json, SRX: parse_xml, CSV: parse_csv, TSV: parse_tsv}[media(response)]
    return parser(response.content)


def values(rows: list[dict[str, Term]]) -> list[dict[str, str]]:
    """What CSV keeps of a term: its lexical form (blank nodes as _:label)."""
    return [{k: ("_:" + t[1] if t[0] == "bnode" else t[1]) for k, t in row.items()} for row in rows]


def select(client: httpx.Client, sparql: str, query: str, method: str = "GET", **params: str) -> list[dict[str, str]]:
    _, rows = tabular(run(client, sparql, query, SRJ, method, **params))
    return values(rows)


def graph_of(response: httpx.Response) -> Graph:
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.content, format=RDFLIB[media(response)])


def boolean(response: httpx.Response) -> bool:
    assert response.status_code == 200, response.text
    if media(response) == SRX:
        return ET.fromstring(response.content).find("r:boolean", NS).text == "true"
    document = json.loads(response.content)
    assert set(document) == {"head", "boolean"}
    return document["boolean"]


# --------------------------------------------------------------------------------------------- query methods


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_each_query_method_gives_uk1s_targets(client: httpx.Client, sparql: str, method: str) -> None:
    rows = select(client, sparql, UK1_TARGETS_QUERY, method)
    assert sorted(r["notation"] for r in rows) == sorted(UK1_TARGETS)


def test_a_query_with_non_ascii_text_survives_every_method(client: httpx.Client, sparql: str) -> None:
    """Japanese in the query (percent-encoded UTF-8 in the URL and the form, raw UTF-8 in a direct POST)."""
    query = PREFIXES + f'SELECT ?item WHERE {{ ?item skos:prefLabel "{UK1_TITLE}"@ja }}'
    for method in ("GET", "POST-form", "POST-direct"):
        assert select(client, sparql, query, method) == [{"item": UK1}], method


def test_the_form_and_the_url_may_share_the_parameters(client: httpx.Client, sparql: str) -> None:
    """A form POST's parameters may also come in the URL (the W3C suite's query_post_form does so)."""
    response = client.post(
        sparql,
        params={"default-graph-uri": f"{BASE}graph/data"},
        data={"query": UK1_TARGETS_QUERY},
        headers={"accept": SRJ},
    )
    assert sorted(r["notation"] for r in values(tabular(response)[1])) == sorted(UK1_TARGETS)


# ---------------------------------------------------------------------------------- SELECT in four formats


@pytest.fixture(scope="module")
def uk1_rows(client: httpx.Client, sparql: str) -> dict[str, tuple[list[str], list[dict]]]:
    return {accept: tabular(run(client, sparql, UK1_ROWS_QUERY, accept, "POST-direct")) for accept in TABULAR}


def test_select_json_has_what_the_appendix_prints_for_uk1(uk1_rows: dict) -> None:
    variables, rows = uk1_rows[SRJ]
    assert variables == [
        "record",
        "target",
        "notation",
        "section",
        "statement",
        "none",
        "title",
        "qualifier",
        "unbound",
        "tricky",
    ]
    assert [r["notation"][1] for r in rows] == sorted(UK1_TARGETS)  # ORDER BY ?notation
    for row in rows:
        notation = row["notation"][1]
        assert row["target"] == _term("uri", f"{BASE}id/ccds/{notation}")
        assert row["section"] == _term("literal", UK1_TARGETS[notation])
        assert row["statement"] == _term("literal", "1", "", str(XSD.integer))
        assert row["none"] == _term("literal", "false", "", str(XSD.boolean))
        assert row["title"] == _term("literal", UK1_TITLE, "ja")
        assert row["qualifier"][2] == "ja" and re.sub(r"[\s※]", "", row["qualifier"][1]) == "共通要件No.6"
        assert "unbound" not in row
        assert row["tricky"] == _term("literal", TRICKY)
        assert row["record"][0] == "uri" and row["record"][1].startswith(f"{BASE}id/mapping/uk-cop/UK1/to/")


@pytest.mark.parametrize("accept", [SRX, TSV])
def test_select_xml_and_tsv_carry_the_same_terms_as_json(uk1_rows: dict, accept: str) -> None:
    """Term for term: kind, lexical form, language tag and datatype (TSV in its N-Triples-like syntax)."""
    assert uk1_rows[accept] == uk1_rows[SRJ]


def test_select_csv_carries_the_same_values(uk1_rows: dict) -> None:
    variables, rows = uk1_rows[CSV]
    assert variables == uk1_rows[SRJ][0]
    assert rows == values(uk1_rows[SRJ][1])
    assert all(r["tricky"] == TRICKY for r in rows)  # quoted, with its comma, quote, tab and line breaks intact


def test_select_with_a_blank_node_in_every_format(client: httpx.Client, sparql: str) -> None:
    """Blank node labels are the same across one response's rows, in each format (the ontology's restrictions)."""
    query = (
        "SELECT ?node ?p WHERE { GRAPH <" + BASE + "graph/ontology> { ?node ?p ?o FILTER isBlank(?node) } } "
        "ORDER BY ?node ?p LIMIT 20"
    )
    answers = {accept: tabular(run(client, sparql, query, accept)) for accept in TABULAR}
    json_rows = answers[SRJ][1]
    assert json_rows and all(r["node"][0] == "bnode" for r in json_rows)
    for accept, (_, rows) in answers.items():
        if accept == CSV:
            assert all(r["node"].startswith("_:") for r in rows)
            labels = [r["node"] for r in rows]
        else:
            assert all(r["node"][0] == "bnode" for r in rows), accept
            labels = [r["node"][1] for r in rows]
        # the same rows grouped under the same nodes, whatever the labels are
        assert _partition(labels) == _partition([r["node"][1] for r in json_rows]), accept


def _partition(labels: list[str]) -> list[int]:
    first: dict[str, int] = {}
    return [first.setdefault(label, len(first)) for label in labels]


@pytest.mark.parametrize("accept", [SRJ, SRX])
def test_ask_answers_true_and_false(client: httpx.Client, sparql: str, accept: str) -> None:
    mapped = PREFIXES + f"ASK {{ ?r owl:annotatedSource <{UK1}> ; owl:annotatedTarget <{BASE}id/ccds/SR2-SP-1> }}"
    unmapped = PREFIXES + f"ASK {{ ?r owl:annotatedSource <{UK1}> ; owl:annotatedTarget <{BASE}id/ccds/R2-7> }}"
    assert boolean(run(client, sparql, mapped, accept)) is True
    assert boolean(run(client, sparql, unmapped, accept, "POST-direct")) is False


def test_negotiation_picks_the_clients_preference(client: httpx.Client, sparql: str) -> None:
    for accept, chosen in [
        (f"{SRX};q=0.5, {CSV}", CSV),
        (f"{TSV}, {SRX};q=0.9", TSV),
        ("*/*", SRJ),
        ("application/*", SRJ),
        (JSON, JSON),
    ]:
        response = run(client, sparql, UK1_TARGETS_QUERY, accept)
        assert media(response) == chosen, accept
        rows = tabular(response)[1]
        notations = [r["notation"] if chosen == CSV else r["notation"][1] for r in rows]
        assert sorted(notations) == sorted(UK1_TARGETS)
    response = run(client, sparql, UK1_TARGETS_QUERY, "image/png")
    assert response.status_code == 406 and SRJ in response.text


# -------------------------------------------------------------------------------- CONSTRUCT and DESCRIBE

UK1_CONSTRUCT = f"CONSTRUCT {{ <{UK1}> ?p ?o }} WHERE {{ <{UK1}> ?p ?o }}"
UK1_DESCRIBE = f"DESCRIBE <{UK1}>"
RECORDS_DESCRIBE = PREFIXES + f"DESCRIBE ?record WHERE {{ ?record owl:annotatedSource <{UK1}> }}"


@pytest.mark.parametrize(
    "query", [UK1_CONSTRUCT, UK1_DESCRIBE, RECORDS_DESCRIBE], ids=["construct", "describe-iri", "describe-where"]
)
def test_graph_results_are_one_graph_in_four_syntaxes(client: httpx.Client, sparql: str, query: str) -> None:
    graphs = {accept: graph_of(run(client, sparql, query, accept, "POST-direct")) for accept in RDFLIB}
    turtle = graphs[TTL]
    assert len(turtle) > 0
    for accept, graph in graphs.items():
        assert isomorphic(graph, turtle), accept


def test_construct_holds_uk1s_data(client: httpx.Client, sparql: str, built: Built) -> None:
    """What the endpoint answers about UK1 is what the build asserted and inferred about it, triple for triple."""
    graph = graph_of(run(client, sparql, UK1_CONSTRUCT, TTL))
    uk1 = URIRef(UK1)
    expected = {(uk1, p, o) for g in (built.asserted, built.inferred) for p, o in g.predicate_objects(uk1)}
    assert set(graph) == expected
    assert (uk1, URIRef("http://www.w3.org/2004/02/skos/core#notation"), Literal("UK1")) in graph
    assert (uk1, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal(UK1_TITLE, lang="ja")) in graph


def test_describe_of_the_records_names_uk1s_targets(client: httpx.Client, sparql: str) -> None:
    graph = graph_of(run(client, sparql, RECORDS_DESCRIBE, NT))
    owl_target = URIRef("http://www.w3.org/2002/07/owl#annotatedTarget")
    assert {str(o) for o in graph.objects(None, owl_target)} == {f"{BASE}id/ccds/{n}" for n in UK1_TARGETS}


@pytest.mark.parametrize("accept", list(RDFLIB))
def test_construct_of_a_named_graph_is_the_built_graph(
    client: httpx.Client, sparql: str, built: Built, accept: str
) -> None:
    """The whole ontology graph (blank nodes included) through the endpoint, in each syntax: isomorphic to the
    ontology the build produced — the release's N-Quads, the store and the writers lose nothing."""
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BASE}graph/ontology> {{ ?s ?p ?o }} }}"
    graph = graph_of(run(client, sparql, query, accept, "POST-direct"))
    assert len(graph) == len(built.ontology)
    assert to_isomorphic(graph) == to_isomorphic(built.ontology)


@pytest.mark.parametrize("how", ["FROM", "default-graph-uri"])
def test_a_dataset_of_the_data_graph_excludes_the_inferences(
    client: httpx.Client, sparql: str, built: Built, how: str
) -> None:
    """FROM <graph/data> (or default-graph-uri) makes the asserted graph the default graph: the answer about UK1
    is exactly its asserted triples, none of the inferred ones the union default graph adds."""
    uk1 = URIRef(UK1)
    data = f"{BASE}graph/data"
    if how == "FROM":
        response = run(client, sparql, f"CONSTRUCT {{ <{UK1}> ?p ?o }} FROM <{data}> WHERE {{ <{UK1}> ?p ?o }}", TTL)
    else:
        response = run(client, sparql, UK1_CONSTRUCT, TTL, **{"default-graph-uri": data})
    graph = graph_of(response)
    asserted = {(uk1, p, o) for p, o in built.asserted.predicate_objects(uk1)}
    inferred_only = {(uk1, p, o) for p, o in built.inferred.predicate_objects(uk1)} - asserted
    assert inferred_only, "UK1 has inferred triples, or this test shows nothing"
    assert set(graph) == asserted


def test_the_default_graph_is_the_union_of_the_named_graphs_as_a_set(client: httpx.Client, sparql: str) -> None:
    """sd:UnionDefaultGraph: the default graph has exactly the distinct triples of all named graphs."""
    default = select(client, sparql, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    union = select(
        client, sparql, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    )
    assert default == union and int(default[0]["n"]) > 10_000


# -------------------------------------------------------------------------------------------- SPARQLWrapper


def wrapper(sparql: str, query: str, return_format: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(sparql)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    if method in ("POST", "POSTDIRECTLY"):
        client.setMethod(POST)
        if method == "POSTDIRECTLY":
            client.setRequestMethod(POSTDIRECTLY)
    return client


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_sparqlwrapper_json(sparql: str, method: str) -> None:
    result = wrapper(sparql, UK1_TARGETS_QUERY, SW_JSON, method).queryAndConvert()
    assert sorted(b["notation"]["value"] for b in result["results"]["bindings"]) == sorted(UK1_TARGETS)


def test_sparqlwrapper_xml(sparql: str, uk1_rows: dict) -> None:
    document = wrapper(sparql, UK1_ROWS_QUERY, SW_XML, "POST").queryAndConvert()
    rows = []
    for result in document.getElementsByTagName("result"):
        row = {}
        for binding in result.getElementsByTagName("binding"):
            node = next(n for n in binding.childNodes if n.nodeType == n.ELEMENT_NODE)
            text = "".join(c.data for c in node.childNodes)
            row[binding.getAttribute("name")] = _term(
                node.tagName, text, node.getAttribute("xml:lang"), node.getAttribute("datatype")
            )
        rows.append(row)
    assert rows == uk1_rows[SRJ][1]


def test_sparqlwrapper_csv(sparql: str, uk1_rows: dict) -> None:
    body = wrapper(sparql, UK1_ROWS_QUERY, SW_CSV, "POST").queryAndConvert()
    assert parse_csv(body) == (uk1_rows[SRJ][0], values(uk1_rows[SRJ][1]))


def test_sparqlwrapper_construct_gives_an_rdflib_graph(client: httpx.Client, sparql: str) -> None:
    graph = wrapper(sparql, UK1_CONSTRUCT, RDFXML).queryAndConvert()
    expected = graph_of(run(client, sparql, UK1_CONSTRUCT, NT))
    assert len(graph) == len(expected) > 0
    assert isomorphic(Graph() + graph, expected)
    turtle = wrapper(sparql, UK1_DESCRIBE, TURTLE, "POST").queryAndConvert()
    assert isomorphic(Graph().parse(data=turtle, format="turtle"), graph_of(run(client, sparql, UK1_DESCRIBE, NT)))


def test_sparqlwrapper_reports_a_malformed_query(sparql: str) -> None:
    with pytest.raises(QueryBadFormed):
        wrapper(sparql, "SELECT * WHERE { ?s ?p }", SW_JSON).query()


def test_sparqlwrapper_update_is_refused(sparql: str, client: httpx.Client) -> None:
    before = select(client, sparql, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    update = wrapper(sparql, f'INSERT DATA {{ <{UK1}> <http://example.org/p> "x" }}', SW_JSON, "POST")
    with pytest.raises((HTTPError, QueryBadFormed)) as refused:
        update.query()
    assert isinstance(refused.value, QueryBadFormed) or 400 <= refused.value.code < 500
    assert select(client, sparql, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == before


# ------------------------------------------------------------------------------------ rdflib's SPARQLStore


@pytest.mark.parametrize(
    ("method", "return_format"),
    [("GET", "xml"), ("GET", "json"), ("POST", "json"), ("POST_FORM", "xml"), ("GET", "csv"), ("GET", "tsv")],
)
def test_sparqlstore_select(sparql: str, method: str, return_format: str) -> None:
    graph = Graph(store=SPARQLStore(sparql, method=method, returnFormat=return_format))
    rows = list(graph.query(UK1_TARGETS_QUERY))
    assert sorted(str(r.notation) for r in rows) == sorted(UK1_TARGETS)


def test_sparqlstore_ask_construct_and_triples(client: httpx.Client, sparql: str) -> None:
    graph = Graph(store=SPARQLStore(sparql))
    ask = PREFIXES + f"ASK {{ ?r owl:annotatedSource <{UK1}> ; owl:annotatedTarget <{BASE}id/ccds/SR2-D-1> }}"
    assert graph.query(ask).askAnswer is True
    constructed = graph.query(UK1_CONSTRUCT).graph
    expected = graph_of(run(client, sparql, UK1_CONSTRUCT, TTL))
    assert isomorphic(constructed, expected)
    assert set(graph.triples((URIRef(UK1), None, None))) == set(expected)
    typed = set(graph.objects(URIRef(UK1), RDF.type))
    assert typed and typed == set(expected.objects(URIRef(UK1), RDF.type))


def test_sparqlstore_update_is_refused(client: httpx.Client, sparql: str) -> None:
    store = SPARQLUpdateStore(query_endpoint=sparql, update_endpoint=sparql)
    before = select(client, sparql, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    with pytest.raises(HTTPError) as refused:
        store.update(f'INSERT DATA {{ <{UK1}> <http://example.org/p> "x" }}')
    assert 400 <= refused.value.code < 500
    assert select(client, sparql, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == before


# ----------------------------------------------------------------------------------- service description


def test_service_description(client: httpx.Client, sparql: str) -> None:
    response = client.get(sparql, headers={"accept": TTL})
    assert response.status_code == 200 and media(response) == TTL
    graph = graph_of(response)
    (service,) = graph.subjects(SD.endpoint, URIRef(sparql))
    assert (service, RDF.type, SD.Service) in graph
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert {
        FORMATS.SPARQL_Results_JSON,
        FORMATS.SPARQL_Results_XML,
        FORMATS.SPARQL_Results_CSV,
        FORMATS.SPARQL_Results_TSV,
        FORMATS.Turtle,
        FORMATS["JSON-LD"],
        FORMATS["N-Triples"],
        FORMATS.RDF_XML,
    } <= set(graph.objects(service, SD.resultFormat))
    assert SD.UnionDefaultGraph in set(graph.objects(service, SD.feature))
    dataset = graph.value(service, SD.defaultDataset)
    named = {str(graph.value(n, SD.name)) for n in graph.objects(dataset, SD.namedGraph)}
    served = {r["g"] for r in select(client, sparql, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert named == served == {f"{BASE}graph/{n}" for n in ("data", "inferred", "ontology", "metadata")}


@pytest.mark.parametrize("accept", [JSONLD, NT, RDFXML_TYPE])
def test_service_description_in_other_syntaxes(client: httpx.Client, sparql: str, accept: str) -> None:
    turtle = graph_of(client.get(sparql, headers={"accept": TTL}))
    response = client.get(sparql, headers={"accept": accept})
    assert media(response) == accept
    assert isomorphic(graph_of(response), turtle)


def test_service_description_for_a_browser_is_the_query_page(client: httpx.Client, sparql: str) -> None:
    response = client.get(sparql, headers={"accept": "text/html"})
    assert response.status_code == 303 and response.headers["location"] == "/query"


# ------------------------------------------------------------------------------------------ protocol errors


def message(response: httpx.Response) -> str:
    if media(response) in (JSON, SRJ):
        return json.loads(response.content)["error"]["message"]
    return response.text


def test_two_query_parameters_are_a_400(client: httpx.Client, sparql: str) -> None:
    get = client.get(sparql, params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    form = client.post(sparql, data={"query": ["ASK {}", "ASK {}"]})
    direct = client.post(sparql, params={"query": "ASK {}"}, content=b"ASK {}", headers={"content-type": DIRECT})
    for response in (get, form, direct):
        assert response.status_code == 400, response.text
        assert "query" in message(response)


def test_a_query_and_an_update_together_are_a_400(client: httpx.Client, sparql: str) -> None:
    for response in (
        client.get(sparql, params={"query": "ASK {}", "update": "CLEAR ALL"}),
        client.post(sparql, data={"query": "ASK {}", "update": "CLEAR ALL"}),
    ):
        assert response.status_code == 400, response.text


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b"ASK {}"),
        ("application/json", b'{"query": "ASK {}"}'),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\nASK {}\r\n--x--',
        ),
        (None, b"ASK {}"),
        (None, b"query=ASK%20%7B%7D"),
    ],
    ids=["text-plain", "json", "multipart", "none-direct", "none-form"],
)
def test_a_post_with_a_wrong_or_missing_content_type_is_a_400(
    client: httpx.Client, sparql: str, content_type: str | None, body: bytes
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(sparql, content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert "Content-Type" in message(response)


def test_a_post_without_a_query_is_a_400(client: httpx.Client, sparql: str) -> None:
    response = client.post(sparql, data={"default-graph-uri": f"{BASE}graph/data"})
    assert response.status_code == 400 and "query" in message(response)


BAD_BYTES = b"ASK%20%7B%20%3Fs%20%3Fp%20%22%E9%22%20%7D"  # "é" percent-encoded as Latin-1, not UTF-8


@pytest.mark.parametrize(
    ("how", "send"),
    [
        (
            "direct body latin-1",
            lambda c, u: c.post(u, content='ASK { ?s ?p "é" }'.encode("latin-1"), headers={"content-type": DIRECT}),
        ),
        (
            "direct body utf-16",
            lambda c, u: c.post(
                u, content="ASK {}".encode("utf-16"), headers={"content-type": f"{DIRECT}; charset=UTF-16"}
            ),
        ),
        (
            "direct body utf-16 without BOM",
            lambda c, u: c.post(
                u, content="ASK {}".encode("utf-16-le"), headers={"content-type": f"{DIRECT}; charset=UTF-16LE"}
            ),
        ),
        (
            "form body raw byte",
            lambda c, u: c.post(u, content=b'query=ASK { ?s ?p "\xe9" }', headers={"content-type": FORM}),
        ),
        (
            "form percent-encoding",
            lambda c, u: c.post(u, content=b"query=" + BAD_BYTES, headers={"content-type": FORM}),
        ),
        ("URL percent-encoding", lambda c, u: c.get(httpx.URL(u + "?query=" + BAD_BYTES.decode()))),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_text_that_is_not_utf8_is_a_400(client: httpx.Client, sparql: str, how: str, send: Callable) -> None:
    response = send(client, sparql)
    assert response.status_code == 400, f"{how}: {response.status_code} {response.text}"
    assert "UTF-8" in message(response)


@pytest.mark.parametrize(
    "query",
    ["ASK {", "SELECT * WHERE { ?s ?p }", "SELEKT * WHERE { ?s ?p ?o }", "SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s"],
)
def test_a_malformed_query_is_a_400_with_the_parsers_message(client: httpx.Client, sparql: str, query: str) -> None:
    with pytest.raises(SyntaxError) as parsed:
        ox.Store().query(query)
    for method in ("GET", "POST-form", "POST-direct"):
        response = run(client, sparql, query, SRJ, method)
        assert response.status_code == 400, response.text
        assert str(parsed.value) in message(response), method


def test_service_is_refused(client: httpx.Client, sparql: str) -> None:
    response = run(client, sparql, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert response.status_code == 400 and "SERVICE" in message(response)


def test_an_over_long_query_is_refused_as_too_large(client: httpx.Client, sparql: str, limits: Limits) -> None:
    query = "SELECT * WHERE { ?s ?p ?o }" + " " * limits.max_query_chars
    response = run(client, sparql, query, SRJ, "POST-direct")
    assert response.status_code == 413 and str(limits.max_query_chars) in message(response)


def test_a_dataset_parameter_without_a_query_is_a_400(client: httpx.Client, sparql: str) -> None:
    response = client.get(sparql, params={"default-graph-uri": f"{BASE}graph/data"})
    assert response.status_code == 400


def test_another_http_method_is_refused(client: httpx.Client, sparql: str) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = client.request(method, sparql, params={"query": "ASK {}"})
        assert response.status_code == 405, (method, response.status_code)


# --------------------------------------------------------------------------------------------------- updates

UPDATE = f'INSERT DATA {{ GRAPH <{BASE}graph/data> {{ <{UK1}> <http://example.org/p> "inserted" }} }}'
CLEAR = "CLEAR ALL"


@pytest.mark.parametrize(
    ("how", "send"),
    [
        (
            "direct",
            lambda c, u: c.post(u, content=CLEAR.encode(), headers={"content-type": "application/sparql-update"}),
        ),
        (
            "direct insert",
            lambda c, u: c.post(u, content=UPDATE.encode(), headers={"content-type": "application/sparql-update"}),
        ),
        ("form", lambda c, u: c.post(u, data={"update": CLEAR})),
        ("form insert", lambda c, u: c.post(u, data={"update": UPDATE})),
        ("form with using-graph-uri", lambda c, u: c.post(u, data={"update": UPDATE, "using-graph-uri": f"{BASE}x"})),
        ("GET", lambda c, u: c.get(u, params={"update": CLEAR})),
        ("update as a query", lambda c, u: c.post(u, content=UPDATE.encode(), headers={"content-type": DIRECT})),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_an_update_is_refused_and_changes_nothing(client: httpx.Client, sparql: str, how: str, send: Callable) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = select(client, sparql, count)
    response = send(client, sparql)
    assert 400 <= response.status_code < 500, f"{how}: {response.status_code} {response.text}"
    assert message(response).strip()
    assert select(client, sparql, count) == before
    assert select(client, sparql, f"SELECT ?o WHERE {{ <{UK1}> <http://example.org/p> ?o }}") == []


# ------------------------------------------------------------------------------------------------------ CORS

ORIGIN = "https://example.org"


def test_cors_on_get_and_post(client: httpx.Client, sparql: str) -> None:
    responses = [
        client.get(sparql, params={"query": UK1_TARGETS_QUERY}, headers={"origin": ORIGIN, "accept": SRJ}),
        client.post(sparql, data={"query": UK1_TARGETS_QUERY}, headers={"origin": ORIGIN, "accept": SRJ}),
        client.post(sparql, content=UK1_TARGETS_QUERY.encode(), headers={"origin": ORIGIN, "content-type": DIRECT}),
        client.get(sparql, headers={"origin": ORIGIN}),  # the service description
        client.get(sparql, params={"query": "ASK {"}, headers={"origin": ORIGIN}),  # an error, readable too
    ]
    for response in responses:
        assert response.headers.get("access-control-allow-origin") in ("*", ORIGIN), response.request.method
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 400]
    assert sorted(r["notation"] for r in values(tabular(responses[2])[1])) == sorted(UK1_TARGETS)


def test_cors_preflight_allows_a_direct_post(client: httpx.Client, sparql: str) -> None:
    response = client.options(
        sparql,
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, accept",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", ORIGIN)
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()


# ---------------------------------------------------------------------------------------- the canned queries


def canned(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def crosswalk(client: httpx.Client, sparql: str) -> list[dict[str, str]]:
    return select(client, sparql, canned("crosswalk"), "POST-direct")


def _records(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per mapping record, in the query's order (first appearance)."""
    seen: dict[str, dict[str, str]] = {}
    for row in rows:
        seen.setdefault(row["record"], row)
    return list(seen.values())


def test_crosswalk_has_every_printed_row_once_per_record(crosswalk: list[dict[str, str]]) -> None:
    """494 records: 130 + 292 + 62 + 10 rows of tables 2-1, 3-1, 4-1 and 5-1, in the chapters' order."""
    records = _records(crosswalk)
    assert len(records) == sum(ROWS_PER_FRAMEWORK.values()) == 494
    assert Counter(r["framework"] for r in records) == ROWS_PER_FRAMEWORK
    order = [f for i, f in enumerate(r["framework"] for r in records) if i == 0 or records[i - 1]["framework"] != f]
    assert order == list(ROWS_PER_FRAMEWORK)


def test_crosswalk_answers_exactly_the_494_printed_rows(crosswalk: list[dict[str, str]]) -> None:
    """One row per printed row, also where two errata concern the same row."""
    assert len(crosswalk) == 494
    assert len({r["record"] for r in crosswalk}) == 494
    assert Counter(r["framework"] for r in crosswalk) == ROWS_PER_FRAMEWORK


def test_crosswalk_marks_no_correspondence_exactly_on_the_gaitou_nashi_rows(crosswalk: list[dict[str, str]]) -> None:
    records = _records(crosswalk)
    marked = [r for r in records if r["noCorrespondence"] == "true"]
    assert {r["noCorrespondence"] for r in records} == {"true", "false"}
    assert sorted((r["framework"], r["externalId"], int(r["statement"])) for r in marked) == sorted(
        ("CPSF", item, statement) for item, statement, _ in NO_CORRESPONDENCE
    )
    for row in marked:  # 該当なし: no section, no item, no target
        assert not {"section", "item", "targetTitle", "target"} & set(row), row
    for row in records:
        if row["noCorrespondence"] == "false":
            assert row["target"].startswith(f"{BASE}id/ccds/"), row


def test_crosswalk_has_uk1s_printed_rows(crosswalk: list[dict[str, str]]) -> None:
    rows = [r for r in _records(crosswalk) if r["externalId"] == "UK1"]
    assert sorted((r["section"], r["item"]) for r in rows) == sorted((s, i) for i, s in UK1_TARGETS.items())
    assert all(r["externalTitle"] == UK1_TITLE and r["targetTitle"] == UK1_TARGET_TITLE for r in rows)
    assert all(re.sub(r"[\s※]", "", r["qualifier"]) == "共通要件No.6" for r in rows)


def test_no_correspondence_query(client: httpx.Client, sparql: str) -> None:
    rows = select(client, sparql, canned("no-correspondence"))
    assert [(r["externalId"], int(r["statement"]), int(r["line"])) for r in rows] == NO_CORRESPONDENCE
    assert {r["framework"] for r in rows} == {"CPSF"}
    titles = {r["externalId"]: r["titleJa"] for r in rows}
    for item, title in NO_CORRESPONDENCE_TITLES.items():
        assert titles[item] == title
    assert all(r["titleEn"] for r in rows)


def test_item_mappings_query_for_uk1(client: httpx.Client, sparql: str) -> None:
    rows = select(client, sparql, canned("item-mappings"), "POST-form")
    assert sorted(r["otherId"] for r in rows) == sorted(UK1_TARGETS)
    assert {r["item"] for r in rows} == {UK1}
    assert {r["direction"] for r in rows} == {"to CCDS"}
    assert {r["otherScheme"] for r in rows} == {f"{BASE}id/ccds"}
    assert {r["otherTitle"] for r in rows} == {UK1_TARGET_TITLE}
    assert len({r["relation"] for r in rows}) == 1
    assert len({r["record"] for r in rows}) == 4


@pytest.fixture(scope="module")
def local_store(release_dir: Path) -> ox.Store:
    return load_store(release_dir, BASE)


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES.glob("*.rq")))
def test_each_canned_query_answers_through_the_endpoint_as_on_the_release(
    client: httpx.Client, sparql: str, local_store: ox.Store, name: str
) -> None:
    """Every canned query: the endpoint's JSON, term for term (kind, value, language, datatype), equals the
    release evaluated directly, and the CSV agrees with it value for value; the query answers something."""
    text = canned(name)
    solutions = local_store.query(text, use_default_graph_as_union=True)
    variables = [v.value for v in solutions.variables]
    expected = [{v: _ox_term(s[v]) for v in variables if s[v] is not None} for s in solutions]
    got_vars, got = tabular(run(client, sparql, text, SRJ, "POST-direct"))
    assert got_vars == variables
    assert len(got) == len(expected) > 0
    assert unordered(text, got) == unordered(text, expected)
    csv_vars, csv_rows = tabular(run(client, sparql, text, CSV, "POST-direct"))
    assert csv_vars == variables
    assert unordered(text, csv_rows) == unordered(text, values(expected))


_GROUP_CONCAT = re.compile(
    r'GROUP_CONCAT\s*\((?:[^()"]|"[^"]*")*?(?:separator\s*=\s*"((?:[^"\\]|\\.)*)")?\s*\)'
    r"\s*AS\s*\?(\w+)",
    re.IGNORECASE,
)


def unordered(query: str, rows: list[dict]) -> list[str]:
    """Rows as a sorted list, with each GROUP_CONCAT's parts sorted: SPARQL leaves the order of both open (ties of
    an ORDER BY; the order in which a group's values are concatenated)."""
    concatenated = {name: json.loads(f'"{sep}"') if sep else " " for sep, name in _GROUP_CONCAT.findall(query)}
    out = []
    for row in rows:
        row = dict(row)
        for name, separator in concatenated.items():
            if name in row:
                value = row[name]
                parts = sorted((value if isinstance(value, str) else value[1]).split(separator))
                joined = separator.join(parts)
                row[name] = joined if isinstance(value, str) else (value[0], joined, *value[2:])
        out.append(repr(sorted(row.items())))
    return sorted(out)


def _ox_term(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return _term("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return _term("bnode", term.value)
    assert isinstance(term, ox.Literal)
    return _term("literal", term.value, term.language or "", "" if term.language else term.datatype.value)


def test_form_fields_are_read_as_parse_qsl_reads_them_with_non_utf8_refused() -> None:
    """The endpoint's own reader of query strings and form bodies (the unicode_escape codec, or urllib's
    unquote_to_bytes when a '%' starts no escape) against parse_qsl, on random mixes of the awkward parts: '+',
    '=', '&', stray and partial '%', escapes of multi-byte and invalid UTF-8, backslashes (the codec's own escape
    character) raw and escaped, and raw non-ASCII text."""
    import random
    from urllib.parse import parse_qsl

    from ccds_crosswalk.web.sparql import ProtocolError, parse_protocol

    parts = [
        "a",
        "=",
        "&",
        "+",
        "%",
        "%2",
        "%zz",
        "%41",
        "%e3%83%87",
        "%E3",
        "%ff",
        " ",
        "é",
        "日",
        "%26",
        "%3D",
        "\\",
        "\\x41",
        "%5C",
        "\\N",
    ]
    rng = random.Random(12)
    for _ in range(5000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 12)))
        try:
            expected: object = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            expected = 400
        try:
            got: object = parse_protocol("GET", "", text.encode("utf-8"), b"")[1]
        except ProtocolError as problem:
            got = problem.status
        assert got == expected, text
