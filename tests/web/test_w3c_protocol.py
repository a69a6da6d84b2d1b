"""The W3C SPARQL 1.1 Protocol conformance tests, driven from their own manifest (manifest.ttl of the w3c/rdf-tests
protocol suite, with data1/2/3.nt), against a real `ccds-crosswalk serve` process.

The dataset tests name graphs such as http://kasei.us/2009/09/sparql/data/data1.rdf, and this endpoint never fetches
a URL: so the conformance server gets an artefacts folder of its own — the built release with crosswalk-graphs.nq
replaced by N-Quads that hold data1/2/3.nt in named graphs named exactly as the manifest labels them, plus a
non-empty default graph and a copy of data1 under another name (to tell an RDF merge from a bag).

- Every query-side entry (query_*, bad_query_*, bad_multiple_queries) is one test: its requests are sent as written
  (the manifest's /sparql/ is this endpoint's /sparql), the status class is checked, and the body is parsed in the
  media type the server declares — tabular and boolean results as SPARQL JSON/XML/CSV/TSV, RDF with rdflib — under
  the default Accept and under every media type the server offers for that result form.
- The update entries (update_*, bad_update_*, bad_multiple_updates) expect 2xx from an updatable endpoint; this one
  is read-only, so each update request must be refused with a 4xx and change nothing: the entry's own follow-up
  query and a snapshot of the whole dataset answer the same before and after.
- Beyond the manifest (whose ASKs would also pass on a wrong dataset): the dataset rules of SPARQL 1.1 Protocol
  2.1.4 and SPARQL 1.1 Query 13.2 as a table of queries with exact answers.
- The SPARQL 1.1 Service Description tests (service-description-manifest.ttl), one test per entry.

The suite is vendored in tests/web/w3c-protocol/ (W3C test suite licence, see its README.md)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlencode, urlsplit
from urllib.request import url2pathname

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

from ccds_crosswalk.release.vocab import SD
from conftest import start_server, stop_server

SUITE = Path(__file__).resolve().parent / "w3c-protocol"  # vendored; see its README.md for the licence

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
KASEI = "http://kasei.us/2009/09/sparql/data/"
DATA = {n: f"{KASEI}data{n}.rdf" for n in (0, 1, 2, 3)}  # data0.rdf is named by the manifest but holds nothing
DATA1_COPY = "http://example.org/protocol-tests/data1-copy"
DEFAULT_SUBJECT = "http://example.org/protocol-tests/in-the-default-graph"

SRJ, SRX, CSV, TSV, JSON = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
)
TTL, JSONLD, NT, RDFXML = "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"
RDFLIB = {TTL: "turtle", JSONLD: "json-ld", NT: "nt", RDFXML: "xml"}
# the media types the manifest's formats may come in (the protocol's lists), and those this endpoint offers
FORMAT_TYPES = {"boolean": (SRJ, SRX, JSON), "tabular": (SRJ, SRX, CSV, TSV, JSON), "RDF": (TTL, JSONLD, NT, RDFXML)}
OFFERED = {"boolean": (SRJ, SRX), "tabular": (SRJ, SRX, CSV, TSV), "RDF": (TTL, JSONLD, NT, RDFXML)}


# ------------------------------------------------------------------------------------------- reading the manifest


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string, as written in the manifest
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: frozenset[str]  # status classes: "2", "3", "4", "5"
    format: str | None  # "boolean", "tabular", "RDF"
    boolean: bool | None

    @property
    def media(self) -> str:
        return dict(self.headers).get("content-type", "").split(";")[0].strip().lower()

    @property
    def carries_update(self) -> bool:
        """An update by the protocol's rules: an application/sparql-update body, or an update / using-graph-uri
        parameter in the URL or a form body."""
        text = self.path + "&" + (self.body.decode("utf-8", errors="replace") if self.body else "")
        return self.media == "application/sparql-update" or any(
            f"{sep}{name}=" in text for sep in "?&" for name in ("update", "using-graph-uri", "using-named-graph-uri")
        )


@dataclass(frozen=True)
class Entry:
    name: str  # the local name, e.g. query_get
    title: str
    requests: tuple[Request, ...]
    graphs: tuple[tuple[Path, str], ...]  # (file, graph name) of ut:graphData
    approved: bool

    @property
    def is_update(self) -> bool:
        return "update" in self.name

    @property
    def updates(self) -> list[Request]:
        """In an update entry, every request but the follow-up queries (direct POSTs of application/sparql-query)."""
        return [r for r in self.requests if r.media != "application/sparql-query"] if self.is_update else []

    @property
    def follow_ups(self) -> list[Request]:
        return [r for r in self.requests if r not in self.updates]


def _manifest(path: Path) -> tuple[Graph, list[URIRef]]:
    graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    return graph, list(Collection(graph, graph.value(manifest, MF.entries)))


def _request(graph: Graph, node: URIRef) -> Request:
    headers = []
    if (listed := graph.value(node, HT.headers)) is not None:
        for header in Collection(graph, listed):
            headers.append((str(graph.value(header, HT.fieldName)).lower(), str(graph.value(header, HT.fieldValue))))
    body = None
    if (content := graph.value(node, HT.body)) is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    statuses = frozenset(str(s).removeprefix(f"{HTS}StatusCode")[0] for s in graph.objects(response, MF.expectedStatus))
    boolean = graph.value(response, MF.expectedBoolean)
    expected_format = graph.value(response, MF.expectedFormat)
    return Request(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=tuple(headers),
        body=body,
        statuses=statuses,
        format=str(expected_format) if expected_format is not None else None,
        boolean=boolean.toPython() if boolean is not None else None,
    )


def read_protocol_manifest(path: Path) -> list[Entry]:
    graph, entries = _manifest(path)
    out = []
    for entry in entries:
        action = graph.value(entry, MF.action)
        requests = tuple(_request(graph, r) for r in Collection(graph, graph.value(action, HT.requests)))
        graphs = tuple(
            sorted(
                (Path(url2pathname(urlsplit(str(graph.value(d, UT.graph))).path)), str(graph.value(d, RDFS.label)))
                for d in graph.objects(entry, UT.graphData)
            )
        )
        out.append(
            Entry(
                name=str(entry).rsplit("#", 1)[-1],
                title=str(graph.value(entry, MF.name)),
                requests=requests,
                graphs=graphs,
                approved=(entry, DAWGT.approval, DAWGT.Approved) in graph,
            )
        )
    return out


ENTRIES = read_protocol_manifest(SUITE / "manifest.ttl")
QUERY_ENTRIES = [e for e in ENTRIES if not e.is_update]
UPDATE_ENTRIES = [e for e in ENTRIES if e.is_update]


def test_the_manifest_is_read_whole() -> None:
    """34 approved entries in two halves (20 query side, 14 update side), each with its requests and expectations,
    and the graphs the dataset tests need: data1/2/3.nt under the kasei.us names."""
    assert len(ENTRIES) == 34 and all(e.approved for e in ENTRIES)
    assert len(QUERY_ENTRIES) == 20 and len(UPDATE_ENTRIES) == 14
    assert all(e.requests and all(r.statuses and r.method for r in e.requests) for e in ENTRIES)
    assert {name for e in ENTRIES for _, name in e.graphs} == {DATA[1], DATA[2], DATA[3]}
    assert {f.name for e in ENTRIES for f, _ in e.graphs} == {"data1.nt", "data2.nt", "data3.nt"}
    assert all(e.updates and e.requests[0] in e.updates for e in UPDATE_ENTRIES)
    assert sum(len(e.follow_ups) for e in UPDATE_ENTRIES) == 5  # the ASKs after update_dataset_* and update_base_uri
    assert not any(r.carries_update for e in QUERY_ENTRIES for r in e.requests)
    # the update requests that do not look like one are the bad ones with a wrong or missing media type
    assert {e.name for e in UPDATE_ENTRIES for r in e.updates if not r.carries_update} == {
        "bad_update_wrong_media_type"
    }


# ------------------------------------------------------------------------------------ the conformance server


def conformance_quads() -> bytes:
    """data1/2/3.nt in named graphs named as the manifest says, a default graph with one triple of its own, and
    data1's triple once more in a graph of another name."""
    quads: list[ox.Quad] = []
    named = {name: file for e in ENTRIES for file, name in e.graphs}
    for name, file in sorted(named.items()):
        quads += [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
            for t in ox.parse(path=file, format=ox.RdfFormat.N_TRIPLES)
        ]
    quads += [
        ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(DATA1_COPY))
        for q in quads
        if q.graph_name == ox.NamedNode(DATA[1])
    ]
    quads.append(
        ox.Quad(
            ox.NamedNode(DEFAULT_SUBJECT),
            ox.NamedNode(str(RDFS.comment)),
            ox.Literal("a triple of the store's default graph"),
            ox.DefaultGraph(),
        )
    )
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def _discard(stream: IO[bytes]) -> None:
    for _ in stream:
        pass


def drain(process: subprocess.Popen) -> None:
    """Read the server's stdout and stderr (its access log) for as long as it runs: a pipe nobody reads fills up
    after a few hundred requests and then stalls the server."""
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            threading.Thread(target=_discard, args=(stream,), daemon=True).start()


@pytest.fixture(scope="module")
def endpoint(release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    artefacts = tmp_path_factory.mktemp("w3c-protocol-artefacts")
    release = artefacts / "release" / release_dir.name
    shutil.copytree(release_dir, release)
    (release / "crosswalk-graphs.nq").write_bytes(conformance_quads())
    process, url = start_server(artefacts)
    drain(process)
    yield f"{url}/sparql"
    stop_server(process)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as http:
        yield http


def send(client: httpx.Client, endpoint: str, request: Request, accept: str | None = None) -> httpx.Response:
    """One manifest request, as written: /sparql/ becomes this endpoint, the query string and body go as they are."""
    split = urlsplit(request.path)
    assert split.path == "/sparql/", split.path
    url = endpoint + (f"?{split.query}" if split.query else "")
    headers = dict(request.headers)
    if accept is not None:
        headers["accept"] = accept
    return client.request(request.method, httpx.URL(url), headers=headers, content=request.body)


# ------------------------------------------------------------------------------------------- parsing answers


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_boolean(response: httpx.Response) -> bool:
    media = media_type(response)
    if media in (SRJ, JSON):
        document = json.loads(response.content)
        assert "results" not in document and isinstance(document["boolean"], bool), document
        return document["boolean"]
    if media == SRX:
        root = ET.fromstring(response.content)
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        assert root.find("r:results", ns) is None
        text = root.find("r:boolean", ns).text
        assert text in ("true", "false"), text
        return text == "true"
    raise AssertionError(f"a boolean result came as {media!r}")


def parse_tabular(response: httpx.Response) -> tuple[list[str], list[dict[str, str]]]:
    """(variables, rows of lexical values) from any of the four SPARQL 1.1 results formats."""
    media, text = media_type(response), response.content.decode("utf-8")
    if media in (SRJ, JSON):
        document = json.loads(text)
        return document["head"]["vars"], [
            {k: v["value"] for k, v in b.items()} for b in document["results"]["bindings"]
        ]
    if media == SRX:
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(text)
        variables = [v.get("name") for v in root.find("r:head", ns).findall("r:variable", ns)]
        rows = [
            {b.get("name"): next(iter(b)).text or "" for b in result.findall("r:binding", ns)}
            for result in root.find("r:results", ns).findall("r:result", ns)
        ]
        return variables, rows
    if media == CSV:
        header, *rows = list(csv.reader(io.StringIO(text)))
        return header, [{k: v for k, v in zip(header, row, strict=True) if v != ""} for row in rows]
    if media == TSV:
        header, *rows = [line.split("\t") for line in text.rstrip("\n").split("\n")]
        assert all(h.startswith("?") for h in header), header
        variables = [h[1:] for h in header]
        return variables, [{k: _tsv_value(v) for k, v in zip(variables, row, strict=True) if v != ""} for row in rows]
    raise AssertionError(f"a tabular result came as {media!r}")


def _tsv_value(term: str) -> str:
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    if term.startswith('"'):
        return term[1 : term.rindex('"')]
    return term  # a number or boolean written bare


def parse_rdf(response: httpx.Response) -> Graph:
    media = media_type(response)
    assert media in RDFLIB, f"an RDF result came as {media!r}"
    return Graph().parse(data=response.content, format=RDFLIB[media])


def answer(response: httpx.Response) -> object:
    """A comparable reading of any 200 answer."""
    media = media_type(response)
    if media in RDFLIB:
        return sorted(parse_rdf(response))
    try:
        return parse_boolean(response)
    except (AssertionError, KeyError):
        variables, rows = parse_tabular(response)
        return variables, sorted(sorted(r.items()) for r in rows)


def status_class(response: httpx.Response) -> str:
    return str(response.status_code)[0]


# ---------------------------------------------------------------------------------------- the query-side tests


def check(response: httpx.Response, request: Request, accept: str | None) -> None:
    where = f"{request.method} {request.path} (Accept: {accept or 'not sent'})"
    assert status_class(response) in request.statuses, f"{where} → {response.status_code}: {response.text[:500]}"
    if request.statuses <= {"4", "5"}:
        assert response.text.strip(), f"{where}: an error without a message"
        return
    if request.format is None:
        return
    assert media_type(response) in FORMAT_TYPES[request.format], f"{where} → {media_type(response)}"
    if accept is not None:
        assert media_type(response) == accept, f"{where}: asked for {accept}, got {media_type(response)}"
    if request.format == "boolean":
        value = parse_boolean(response)
        if request.boolean is not None:
            assert value is request.boolean, f"{where} → {value}"
    elif request.format == "tabular":
        variables, rows = parse_tabular(response)
        assert variables and len(rows) >= 1, f"{where} → {variables} {rows}"
    else:
        parse_rdf(response)  # must parse as the declared syntax; the manifest expects no particular triples


@pytest.mark.parametrize("entry", QUERY_ENTRIES, ids=[e.name for e in QUERY_ENTRIES])
def test_query_entry(entry: Entry, endpoint: str, client: httpx.Client) -> None:
    """The entry's requests in order, with the default Accept and with each media type offered for its result."""
    for request in entry.requests:
        accepts: list[str | None] = [None, *(OFFERED[request.format] if request.format else ())]
        for accept in accepts:
            check(send(client, endpoint, request, accept), request, accept)


@pytest.mark.parametrize("accept", OFFERED["tabular"])
def test_select_of_a_constant_answers_one_row_in_every_format(endpoint: str, client: httpx.Client, accept: str) -> None:
    entry = next(e for e in QUERY_ENTRIES if e.name == "query_content_type_select")
    response = send(client, endpoint, entry.requests[0], accept)
    assert response.status_code == 200
    variables, rows = parse_tabular(response)
    assert variables == ["value"] and rows == [{"value": "1"}]


@pytest.mark.parametrize("accept", OFFERED["RDF"])
def test_construct_of_a_relative_triple_resolves_against_a_base(
    endpoint: str, client: httpx.Client, accept: str
) -> None:
    """CONSTRUCT { <s> <p> 1 } WHERE {}: one triple, its IRIs absolute (resolved against a service base IRI,
    which the protocol lets the service choose) and its object the integer 1."""
    entry = next(e for e in QUERY_ENTRIES if e.name == "query_content_type_construct")
    response = send(client, endpoint, entry.requests[0], accept)
    assert response.status_code == 200, response.text
    triples = list(parse_rdf(response))
    assert len(triples) == 1
    s, p, o = triples[0]
    assert isinstance(s, URIRef) and str(s).endswith("s") and urlsplit(str(s)).scheme
    assert isinstance(p, URIRef) and str(p).endswith("p") and urlsplit(str(p)).scheme
    assert o.toPython() == 1


# ----------------------------------------------------------------------------------------- the update entries

SNAPSHOT = "SELECT ?g ?s ?p ?o WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"


def snapshot(client: httpx.Client, endpoint: str) -> object:
    response = client.post(
        endpoint, content=SNAPSHOT.encode(), headers={"content-type": "application/sparql-query", "accept": SRJ}
    )
    assert response.status_code == 200, response.text
    return answer(response)


@pytest.mark.parametrize("entry", UPDATE_ENTRIES, ids=[e.name for e in UPDATE_ENTRIES])
def test_update_entry_is_refused_and_changes_nothing(entry: Entry, endpoint: str, client: httpx.Client) -> None:
    """The manifest expects an updatable endpoint to answer 2xx (update_*) or 4xx (bad_update_*); a read-only one
    refuses every update request with a 4xx, and the entry's follow-up query answers as it did before."""
    updates, queries = entry.updates, entry.follow_ups
    assert updates, entry.name
    before_dataset = snapshot(client, endpoint)
    before = []
    for query in queries:
        response = send(client, endpoint, query)
        assert response.status_code == 200, response.text
        before.append(answer(response))
    for update in updates:
        response = send(client, endpoint, update)
        assert status_class(response) == "4", f"{entry.name}: {update.method} → {response.status_code} {response.text}"
        assert response.text.strip()
    assert [answer(send(client, endpoint, q)) for q in queries] == before
    assert snapshot(client, endpoint) == before_dataset
    for query in queries:  # the follow-ups ask whether the update happened: on a read-only endpoint it did not
        if query.boolean is True:
            assert before[queries.index(query)] is False, f"{entry.name}: the update's effect is visible"


def test_the_snapshot_sees_the_conformance_dataset(endpoint: str, client: httpx.Client) -> None:
    """The dataset the update tests watch is the one built for them: it is not empty, so 'unchanged' means something."""
    _, rows = snapshot(client, endpoint)
    graphs = {dict(r).get("g") for r in rows}
    assert {DATA[1], DATA[2], DATA[3], DATA1_COPY} <= graphs
    assert None in graphs  # rows of the default graph


# ------------------------------------------------------------------------ the dataset rules, answer by answer


def ask(client: httpx.Client, endpoint: str, query: str, method: str = "POST-direct", **params: list[str]) -> bool:
    response = _query(client, endpoint, query, method, params, SRJ)
    assert response.status_code == 200, response.text
    return parse_boolean(response)


def select(
    client: httpx.Client, endpoint: str, query: str, method: str = "POST-direct", **params: list[str]
) -> list[tuple[str, ...]]:
    response = _query(client, endpoint, query, method, params, SRJ)
    assert response.status_code == 200, response.text
    variables, rows = parse_tabular(response)
    return sorted(tuple(r.get(v, "") for v in variables) for r in rows)


def _query(
    client: httpx.Client, endpoint: str, query: str, method: str, params: dict[str, list[str]], accept: str
) -> httpx.Response:
    pairs = [(name.replace("_", "-"), value) for name, values in params.items() for value in values]
    if method == "GET":
        return client.get(endpoint, params=[("query", query), *pairs], headers={"accept": accept})
    if method == "POST-form":
        return client.post(
            endpoint,
            content=urlencode([("query", query), *pairs]).encode("ascii"),
            headers={"content-type": "application/x-www-form-urlencoded", "accept": accept},
        )
    return client.post(
        endpoint,
        params=pairs,
        content=query.encode("utf-8"),
        headers={"content-type": "application/sparql-query", "accept": accept},
    )


DOCS = f"SELECT ?s WHERE {{ ?s a <{FOAF_DOCUMENT}> }}"
GRAPHS = f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?s a <{FOAF_DOCUMENT}> }} }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
D1, D2, D3 = DATA[1], DATA[2], DATA[3]

# (id, query, protocol parameters, exact rows); every method (GET, POST form, POST direct) must give the rows
DATASET_RULES = [
    # the service's default dataset: the default graph is the union of all graphs, every named graph is named
    ("service default graph is the union", DOCS, {}, [(D1,), (D2,), (D3,)]),
    (
        "service default graph holds the store's default graph",
        f"SELECT ?c WHERE {{ <{DEFAULT_SUBJECT}> ?p ?c }}",
        {},
        [("a triple of the store's default graph",)],
    ),
    ("service named graphs are all graphs", GRAPHS, {}, [(DATA1_COPY, D1), (D1, D1), (D2, D2), (D3, D3)]),
    (
        "a triple in two graphs is one triple of the union",
        f"SELECT ?s WHERE {{ ?s a <{FOAF_DOCUMENT}> }}",
        {},
        [(D1,), (D2,), (D3,)],
    ),
    # protocol dataset (2.1.4): default-graph-uri / named-graph-uri, each part alone leaves the other empty
    ("default-graph-uri", DOCS, {"default_graph_uri": [D1]}, [(D1,)]),
    ("default-graph-uri twice: the merge", DOCS, {"default_graph_uri": [D1, D2]}, [(D1,), (D2,)]),
    (
        "default-graph-uri of two graphs sharing a triple: it counts once",
        COUNT,
        {"default_graph_uri": [D1, DATA1_COPY]},
        [("1",)],
    ),
    ("default-graph-uri repeated: counted once", COUNT, {"default_graph_uri": [D1, D1]}, [("1",)]),
    ("default-graph-uri alone: no named graphs", GRAPHS, {"default_graph_uri": [D1]}, []),
    ("default-graph-uri of an absent graph: an empty default graph", COUNT, {"default_graph_uri": [DATA[0]]}, [("0",)]),
    ("named-graph-uri", GRAPHS, {"named_graph_uri": [D1, D2]}, [(D1, D1), (D2, D2)]),
    ("named-graph-uri alone: an empty default graph", COUNT, {"named_graph_uri": [D1]}, [("0",)]),
    (
        "both",
        f"SELECT ?g ?s WHERE {{ {{ ?s a <{FOAF_DOCUMENT}> }} UNION {{ GRAPH ?g {{ ?s a <{FOAF_DOCUMENT}> }} }} }}",
        {"default_graph_uri": [D3], "named_graph_uri": [D1, D2]},
        [("", D3), (D1, D1), (D2, D2)],
    ),
    # the protocol's dataset overrides the query's FROM / FROM NAMED
    (
        "default-graph-uri overrides FROM",
        f"SELECT ?s FROM <{D3}> WHERE {{ ?s a <{FOAF_DOCUMENT}> }}",
        {"default_graph_uri": [D1]},
        [(D1,)],
    ),
    (
        "named-graph-uri overrides FROM NAMED",
        f"SELECT ?g ?s FROM NAMED <{D3}> WHERE {{ GRAPH ?g {{ ?s a <{FOAF_DOCUMENT}> }} }}",
        {"named_graph_uri": [D1]},
        [(D1, D1)],
    ),
    (
        "named-graph-uri overrides FROM too (the default graph is empty)",
        f"SELECT ?s FROM <{D3}> WHERE {{ ?s a <{FOAF_DOCUMENT}> }}",
        {"named_graph_uri": [D1]},
        [],
    ),
    (
        "default-graph-uri overrides FROM NAMED too (no named graphs)",
        f"SELECT ?g ?s FROM NAMED <{D3}> WHERE {{ GRAPH ?g {{ ?s a <{FOAF_DOCUMENT}> }} }}",
        {"default_graph_uri": [D1]},
        [],
    ),
    # the query's own dataset (SPARQL 1.1 Query 13.2) when the protocol gives none
    ("FROM", f"SELECT ?s FROM <{D3}> WHERE {{ ?s a <{FOAF_DOCUMENT}> }}", {}, [(D3,)]),
    ("FROM alone: no named graphs", f"SELECT ?g ?s FROM <{D3}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}, []),
    (
        "FROM twice: the merge",
        f"SELECT ?s FROM <{D1}> FROM <{D3}> WHERE {{ ?s a <{FOAF_DOCUMENT}> }}",
        {},
        [(D1,), (D3,)],
    ),
    (
        "FROM of two graphs sharing a triple: it counts once",
        f"PREFIX k: <{KASEI}> SELECT (COUNT(*) AS ?n) FROM k:data1.rdf FROM <{DATA1_COPY}> WHERE {{ ?s ?p ?o }}",
        {},
        [("1",)],
    ),
    ("FROM NAMED", f"SELECT ?g ?s FROM NAMED <{D2}> WHERE {{ GRAPH ?g {{ ?s a <{FOAF_DOCUMENT}> }} }}", {}, [(D2, D2)]),
    (
        "FROM NAMED alone: an empty default graph",
        f"SELECT (COUNT(*) AS ?n) FROM NAMED <{D2}> WHERE {{ ?s ?p ?o }}",
        {},
        [("0",)],
    ),
    (
        "FROM and FROM NAMED",
        f"SELECT ?g ?s FROM <{D3}> FROM NAMED <{D1}> WHERE {{ {{ ?s a <{FOAF_DOCUMENT}> }} UNION "
        f"{{ GRAPH ?g {{ ?s a <{FOAF_DOCUMENT}> }} }} }}",
        {},
        [("", D3), (D1, D1)],
    ),
    (
        "FROM written in a string or a comment is no dataset",
        f'SELECT ?s WHERE {{ ?s a <{FOAF_DOCUMENT}> FILTER (?s != "FROM <{D3}>") }} # FROM <{D3}>',
        {},
        [(D1,), (D2,), (D3,)],
    ),
]


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
@pytest.mark.parametrize(
    ("query", "params", "expected"), [r[1:] for r in DATASET_RULES], ids=[r[0] for r in DATASET_RULES]
)
def test_dataset_rule(
    endpoint: str, client: httpx.Client, query: str, params: dict, expected: list, method: str
) -> None:
    assert select(client, endpoint, query, method, **params) == sorted(expected)


def test_manifest_dataset_asks_fail_on_the_wrong_dataset(endpoint: str, client: httpx.Client) -> None:
    """The manifest's dataset ASKs turned round: with the graphs swapped out of the dataset, each answers false —
    so their true answers above come from the dataset the protocol named."""
    doc = f"<{FOAF_DOCUMENT}>"
    assert not ask(client, endpoint, f"ASK {{ <{D1}> a {doc} . <{D2}> a {doc} }}", default_graph_uri=[D1])
    assert not ask(
        client,
        endpoint,
        f"ASK {{ GRAPH ?g1 {{ <{D1}> a {doc} }} GRAPH ?g2 {{ <{D2}> a {doc} }} }}",
        named_graph_uri=[D1],
    )
    assert not ask(client, endpoint, f"ASK {{ <{D3}> a {doc} }}", default_graph_uri=[D1], named_graph_uri=[D3])
    assert not ask(client, endpoint, f"ASK FROM <{D3}> {{ <{D3}> a {doc} }}", named_graph_uri=[D1, D2])
    assert ask(client, endpoint, f"ASK FROM <{D3}> {{ <{D3}> a {doc} }}")


def test_a_dataset_parameter_that_is_not_an_iri_is_a_400(endpoint: str, client: httpx.Client) -> None:
    response = _query(client, endpoint, "ASK {}", "GET", {"default_graph_uri": ["not an IRI"]}, SRJ)
    assert response.status_code == 400, response.text
    assert "not an IRI" in response.text or "IRI" in response.text


# ------------------------------------------------------------------------------------ the service description

SD_ENTRIES = (
    [str(e).rsplit("#", 1)[-1] for e in _manifest(SUITE / "service-description-manifest.ttl")[1]]
    if (SUITE / "service-description-manifest.ttl").is_file()
    else []
)
SD_LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}


def _description(client: httpx.Client, endpoint: str, accept: str = TTL) -> Graph:
    response = client.get(endpoint, headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert media_type(response) == accept
    return parse_rdf(response)


def _returns_rdf(client: httpx.Client, endpoint: str) -> None:
    graphs = [_description(client, endpoint, accept) for accept in OFFERED["RDF"]]
    assert len(graphs[0]) > 0
    from rdflib.compare import isomorphic

    assert all(isomorphic(graphs[0], g) for g in graphs[1:])
    response = client.get(endpoint)  # no Accept at all: still RDF
    assert response.status_code == 200 and len(parse_rdf(response)) == len(graphs[0])


def _has_endpoint_triple(client: httpx.Client, endpoint: str) -> None:
    graph = _description(client, endpoint)
    services = set(graph.subjects(SD.endpoint, URIRef(endpoint)))
    assert services, f"no sd:endpoint <{endpoint}> in the description"
    assert all((s, RDF.type, SD.Service) in graph for s in services)


def _conforms_to_schema(client: httpx.Client, endpoint: str) -> None:
    """The shape the sparql11-service-description vocabulary gives: a Service with an endpoint IRI and a known
    language; result formats, features, datasets and graphs typed and linked as its domains and ranges say."""
    graph = _description(client, endpoint)
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    assert all(isinstance(e, URIRef) for e in graph.objects(service, SD.endpoint))
    languages = set(graph.objects(service, SD.supportedLanguage))
    assert languages and languages <= SD_LANGUAGES
    assert SD.SPARQL11Update not in languages  # read-only: the description must not offer updates
    formats = set(graph.objects(service, SD.resultFormat))
    assert all(isinstance(f, URIRef) for f in formats)
    for dataset in graph.objects(service, SD.defaultDataset):
        assert (dataset, RDF.type, SD.Dataset) in graph
        for default in graph.objects(dataset, SD.defaultGraph):
            assert (default, RDF.type, SD.Graph) in graph
        for named in graph.objects(dataset, SD.namedGraph):
            assert (named, RDF.type, SD.NamedGraph) in graph
            names = list(graph.objects(named, SD.name))
            assert len(names) == 1 and isinstance(names[0], URIRef)
    for feature in graph.objects(service, SD.feature):
        assert isinstance(feature, URIRef)


SD_CHECKS = {
    "returns-rdf": _returns_rdf,
    "has-endpoint-triple": _has_endpoint_triple,
    "conforms-to-schema": _conforms_to_schema,
}


@pytest.mark.parametrize("entry", SD_ENTRIES)
def test_service_description_entry(entry: str, endpoint: str, client: httpx.Client) -> None:
    assert entry in SD_CHECKS, f"a service-description test this module does not know: {entry}"
    SD_CHECKS[entry](client, endpoint)


def test_service_description_says_what_the_endpoint_does(endpoint: str, client: httpx.Client) -> None:
    """Its claims hold: each result format it lists is one the endpoint answers in."""
    graph = _description(client, endpoint)
    formats = {str(f) for f in graph.objects(None, SD.resultFormat)}
    listed = {
        FORMATS.SPARQL_Results_JSON: SRJ,
        FORMATS.SPARQL_Results_XML: SRX,
        FORMATS.SPARQL_Results_CSV: CSV,
        FORMATS.SPARQL_Results_TSV: TSV,
        FORMATS.Turtle: TTL,
        FORMATS["JSON-LD"]: JSONLD,
        FORMATS["N-Triples"]: NT,
        FORMATS.RDF_XML: RDFXML,
    }
    assert formats == {str(f) for f in listed}
    for uri, media in listed.items():
        query = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1" if media in RDFLIB else "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
        response = client.get(endpoint, params={"query": query}, headers={"accept": media})
        assert response.status_code == 200 and media_type(response) == media, (uri, response.status_code)
