"""Hostile input: every attempt gets a precise 4xx (or a bounded 503), a message a person can act on, never a
stack trace, and the server keeps answering. Covers SERVICE and FROM pointed at a local canary listener (which
must see no connection), updates, malformed, over-long and oversized requests, a runaway query stopped at the
time limit while cheap lookups go on being answered, the row cap, path traversal on the downloads, and many
concurrent clients."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from ccds_crosswalk.engine.evaluate import evaluate
from ccds_crosswalk.engine.jobs import QueryError, QueryRequest
from ccds_crosswalk.settings import Limits, current_release
from conftest import start_server, stop_server

# the current release: the last row of data/releases.csv
RELEASE = current_release(Path(__file__).resolve().parents[2])

BASE = "https://w3id.org/ccds-crosswalk/"
UK1 = f"{BASE}id/uk-cop/UK1"
JSON_ACCEPT = {"Accept": "application/sparql-results+json, application/json;q=0.9"}
CHEAP_SELECT = f"SELECT ?n WHERE {{ <{UK1}> <http://www.w3.org/2004/02/skos/core#notation> ?n }}"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# ------------------------------------------------------------------ helpers


def assert_refused(response: httpx.Response, status: int | tuple[int, ...], *phrases: str) -> str:
    """The status is the one expected, the body says why (every phrase in it) and shows no stack trace."""
    statuses = status if isinstance(status, tuple) else (status,)
    text = response.text
    assert response.status_code in statuses, f"{response.status_code} (expected {statuses}): {text[:300]}"
    assert "Traceback" not in text and 'File "' not in text, text[:500]
    for phrase in phrases:
        assert phrase.lower() in text.lower(), f"{phrase!r} not in {text[:300]!r}"
    return text


def message_of(response: httpx.Response) -> str:
    return json.loads(response.text)["error"]["message"]


def assert_alive(url: str) -> None:
    """The server still answers a page lookup and a SPARQL query correctly."""
    turtle = httpx.get(f"{url}/doc/uk-cop/UK1.ttl", timeout=5)
    assert turtle.status_code == 200
    graph = Graph().parse(data=turtle.content, format="turtle")
    assert (URIRef(UK1), URIRef("http://www.w3.org/2004/02/skos/core#notation"), Literal("UK1")) in graph
    answer = httpx.post(f"{url}/sparql", data={"query": CHEAP_SELECT}, headers=JSON_ACCEPT, timeout=5)
    assert answer.status_code == 200, answer.text
    assert json.loads(answer.text)["results"]["bindings"] == [{"n": {"type": "literal", "value": "UK1"}}]


@pytest.fixture(autouse=True)
def _still_alive_after(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "server" in request.fixturenames:
        assert_alive(request.getfixturevalue("server"))


class Canary:
    """A TCP listener on a free loopback port that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(4096) or b"(connected, sent nothing)")
                except OSError:
                    self.received.append(b"(connected)")

    def settle(self) -> list[bytes]:
        """What reached the canary, after giving a late connection time to be accepted."""
        time.sleep(0.5)
        return list(self.received)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


def raw_get(url: str, path: str, method: str = "GET") -> tuple[int, bytes]:
    """A request whose path goes on the wire exactly as written (no client-side normalisation of ../ or %)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# ------------------------------------------------------------------ SERVICE, FROM, FROM NAMED


def service_queries(port: int) -> list[str]:
    target = f"http://127.0.0.1:{port}"
    return [
        f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{target}/> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE# a comment\n<{target}/q> {{ ?s ?p ?x }} }} }} LIMIT 1",
        f"PREFIX c: <{target}/> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ <{UK1}> ?p ?o SERVICE <{target}/x> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }} }} }}",
    ]


def test_the_canary_would_see_pyoxigraph_follow_service(canary: Canary) -> None:
    """The control: without the endpoint's policy, pyoxigraph itself does call the SERVICE IRI, and the canary
    sees it. So the endpoint tests below, which see nothing at the canary, are not empty."""
    store = ox.Store()
    with pytest.raises((QueryError, OSError)):
        evaluate(store, QueryRequest(service_queries(canary.port)[0], "application/sparql-results+json"))
    received = canary.settle()
    assert received and received[0].startswith(b"POST /sparql")


@pytest.mark.parametrize("how", ["GET", "POST form", "POST direct"])
def test_service_is_refused_and_never_called(server: str, canary: Canary, how: str) -> None:
    for query in service_queries(canary.port):
        if how == "GET":
            response = httpx.get(f"{server}/sparql", params={"query": query}, headers=JSON_ACCEPT)
        elif how == "POST form":
            response = httpx.post(f"{server}/sparql", data={"query": query}, headers=JSON_ACCEPT)
        else:
            response = httpx.post(
                f"{server}/sparql",
                content=query.encode(),
                headers={**JSON_ACCEPT, "Content-Type": "application/sparql-query"},
            )
        assert_refused(response, 400, "SERVICE is not supported")
        assert "never makes a network request" in message_of(response)
    assert canary.settle() == []


def test_service_in_a_literal_or_iri_is_just_data(server: str, canary: Canary) -> None:
    text = f"SERVICE <http://127.0.0.1:{canary.port}/sparql> {{ ?s ?p ?o }}"
    query = f'SELECT ?x ?y WHERE {{ BIND("{text}" AS ?x) BIND(<http://example.org/SERVICE> AS ?y) }}'
    response = httpx.post(f"{server}/sparql", data={"query": query}, headers=JSON_ACCEPT)
    assert response.status_code == 200, response.text
    row = json.loads(response.text)["results"]["bindings"][0]
    assert row["x"]["value"] == text and row["y"]["value"] == "http://example.org/SERVICE"
    assert canary.settle() == []


def _count(server: str, query: str, **params: str) -> list[dict]:
    response = httpx.post(f"{server}/sparql", data={"query": query, **params}, headers=JSON_ACCEPT)
    assert response.status_code == 200, response.text
    return json.loads(response.text)["results"]["bindings"]


def test_from_and_from_named_read_local_graphs_only(server: str, canary: Canary) -> None:
    remote = f"http://127.0.0.1:{canary.port}/x"
    # FROM a graph that is not in the store: an empty default graph, and no request to fetch it
    rows = _count(server, f"SELECT (COUNT(*) AS ?n) FROM <{remote}> WHERE {{ ?s ?p ?o }}")
    assert rows[0]["n"]["value"] == "0"
    rows = _count(
        server, f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    )
    assert rows == []
    rows = _count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": remote})
    assert rows[0]["n"]["value"] == "0"
    rows = _count(server, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1", **{"named-graph-uri": remote})
    assert rows == []
    assert canary.settle() == []
    # the control: FROM a local graph reads exactly that graph
    ontology = f"{BASE}graph/ontology"
    local = _count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}")
    via_from = _count(server, f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> WHERE {{ ?s ?p ?o }}")
    everything = _count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(local[0]["n"]["value"]) > 0
    assert via_from == local
    assert int(everything[0]["n"]["value"]) > int(local[0]["n"]["value"])


# ------------------------------------------------------------------ updates


def test_load_and_insert_are_refused(server: str, canary: Canary) -> None:
    remote = f"http://127.0.0.1:{canary.port}/x"
    marker = "urn:x-hostile:inserted"
    updates = [
        f"LOAD <{remote}>",
        f"LOAD SILENT <{remote}> INTO GRAPH <{marker}>",
        f"INSERT DATA {{ <{marker}> <{marker}> <{marker}> }}",
        f"CLEAR GRAPH <{BASE}graph/data>",
        f"PREFIX x: <{remote}/> DELETE WHERE {{ ?s ?p ?o }}",
    ]
    for update in updates:
        # as the protocol's update operation: refused as such
        as_update = httpx.post(f"{server}/sparql", data={"update": update}, headers=JSON_ACCEPT)
        assert_refused(as_update, 403, "read-only")
        direct = httpx.post(
            f"{server}/sparql",
            content=update.encode(),
            headers={**JSON_ACCEPT, "Content-Type": "application/sparql-update"},
        )
        assert_refused(direct, 403, "read-only")
        by_get = httpx.get(f"{server}/sparql", params={"update": update}, headers=JSON_ACCEPT)
        assert_refused(by_get, 403, "read-only")
        # smuggled in as a query: not a query, and the message says what to send instead
        as_query = httpx.post(f"{server}/sparql", data={"query": update}, headers=JSON_ACCEPT)
        assert_refused(as_query, 400, "read-only", "SELECT")
    assert canary.settle() == []
    rows = _count(
        server,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ <{marker}> ?p ?o }} UNION {{ GRAPH <{marker}> {{ ?s ?p ?o }} }} }}",
    )
    assert rows[0]["n"]["value"] == "0"
    data = _count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/data> {{ ?s ?p ?o }} }}")
    assert int(data[0]["n"]["value"]) > 0


# ------------------------------------------------------------------ malformed, over-long, oversized


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("SELECT * WHERE { ?s ?p }", "1:"),
        ("SELECT * WHERE { ?s ?p ?o ", "1:"),
        ("SELECT * WHERE { ?s nope:p ?o }", "1:"),
        ("SELECT ?x WHERE {\n  ?x ?p ?o .\n  ?x ?p\n}", "4:"),
        ("SELEKT * WHERE { ?s ?p ?o }", "1:"),
        ("", "1:"),
        ("\x00\x01\x02", "1:"),
    ],
)
def test_malformed_query_is_400_with_the_parser_message(server: str, query: str, where: str) -> None:
    response = httpx.post(f"{server}/sparql", data={"query": query}, headers=JSON_ACCEPT)
    assert_refused(response, 400, "malformed query")
    message = message_of(response)
    assert f"error at {where}" in message, message
    # a client that reads CSV results gets the same message as plain text
    plain = httpx.post(f"{server}/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert_refused(plain, 400, "malformed query", f"error at {where}")
    assert plain.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("braces", "SELECT * WHERE " + "{" * 3000 + "}" * 3000),
        ("parentheses", "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"),
        ("negations", "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 10000 + "true) }"),
        ("optionals", "SELECT * WHERE { " + "OPTIONAL { " * 1500 + "?s ?p ?o" + " }" * 1500 + " }"),
        ("sub-selects", "SELECT * WHERE " + "{ SELECT * WHERE " * 800 + "{}" + " }" * 800),
    ],
)
def test_deeply_nested_query_is_refused_not_a_crash(server: str, name: str, query: str) -> None:
    """Nesting that would overflow the parser's stack (and kill the query worker: a 500) is refused up front."""
    assert len(query) <= Limits().max_query_chars
    response = httpx.post(f"{server}/sparql", data={"query": query}, headers=JSON_ACCEPT)
    assert_refused(response, 400, "levels deep", "the limit is")


def test_over_long_query_by_get_is_414(server: str, limits: Limits) -> None:
    padding = "#" + "x" * (limits.max_query_chars * 2) + "\n"  # over the URL limit, under the HTTP parser's
    status, body = raw_get(server, "/sparql?query=" + quote(padding + CHEAP_SELECT))  # too long for httpx's URLs
    assert status == 414, body[:200]
    text = body.decode()
    assert "URL is longer than" in text and "POST the query" in text and "Traceback" not in text


def test_over_long_query_by_post_is_413(server: str, limits: Limits) -> None:
    query = "#" + "x" * (limits.max_request_bytes + 10) + "\n" + CHEAP_SELECT
    direct = httpx.post(
        f"{server}/sparql", content=query.encode(), headers={**JSON_ACCEPT, "Content-Type": "application/sparql-query"}
    )
    assert_refused(direct, 413, f"larger than {limits.max_request_bytes} bytes")
    form = httpx.post(f"{server}/sparql", data={"query": query}, headers=JSON_ACCEPT)
    assert_refused(form, 413, f"larger than {limits.max_request_bytes} bytes")


def test_body_over_the_limit_without_content_length_is_413(server: str, limits: Limits) -> None:
    """A chunked body has no Content-Length to check up front: it is counted as it arrives."""

    def chunks() -> Iterator[bytes]:
        yield CHEAP_SELECT.encode() + b"\n#"
        for _ in range(limits.max_request_bytes // 1000 + 5):
            yield b"x" * 1000

    response = httpx.post(
        f"{server}/sparql", content=chunks(), headers={**JSON_ACCEPT, "Content-Type": "application/sparql-query"}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_refused(response, 413, f"larger than {limits.max_request_bytes} bytes")


def test_query_over_the_character_limit_names_the_limit(server: str, limits: Limits) -> None:
    """Short enough for the URL and body caps, too long for the query cap."""
    query = "#" + "x" * (limits.max_query_chars + 10) + "\n" + CHEAP_SELECT
    assert len(quote(query)) < limits.max_query_chars * 3 and len(query) < limits.max_request_bytes
    by_get = httpx.get(f"{server}/sparql", params={"query": query}, headers=JSON_ACCEPT)
    assert_refused(by_get, (400, 414), f"the limit is {limits.max_query_chars}")
    by_post = httpx.post(f"{server}/sparql", data={"query": query}, headers=JSON_ACCEPT)
    assert_refused(by_post, (400, 413), f"the limit is {limits.max_query_chars}")


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "phrase"),
    [
        ("GET", "/sparql?query=%FF%FE", {}, 400, "UTF-8"),
        (
            "POST",
            "/sparql",
            {"content": b"SELECT \xff WHERE {}", "headers": {"Content-Type": "application/sparql-query"}},
            400,
            "UTF-8",
        ),
        (
            "POST",
            "/sparql",
            {"content": b"query=ASK{}", "headers": {"Content-Type": "text/plain"}},
            400,
            "application/x-www-form-urlencoded",
        ),
        ("POST", "/sparql", {"content": b"ASK {}"}, 400, "Content-Type"),
        ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, 400, "more than one query"),
        ("PUT", "/sparql", {"content": b"ASK {}"}, 405, "read-only"),
        ("DELETE", "/id/uk-cop/UK1", {}, 405, "read-only"),
        ("GET", "/id/" + "a" * 63_000, {}, 414, "longer than"),
    ],
    ids=[
        "bad percent-encoding",
        "body not UTF-8",
        "unknown content type",
        "no content type",
        "two queries",
        "PUT",
        "DELETE",
        "long path",
    ],
)
def test_protocol_abuse_gets_a_precise_4xx(
    server: str, method: str, path: str, kwargs: dict, status: int, phrase: str
) -> None:
    response = httpx.request(method, f"{server}{path}", **kwargs)
    assert_refused(response, status, phrase)


def test_huge_accept_and_header_injection_are_harmless(server: str) -> None:
    accept = ", ".join(f"application/x-{n};q=0.{n % 9 + 1}" for n in range(400)) + ", text/turtle;q=0.01"
    response = httpx.get(f"{server}/doc/uk-cop/UK1", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    status, body = raw_get(server, "/id/uk-cop/UK1%0d%0aSet-Cookie:%20hostile=1")
    assert status == 404 and b"Traceback" not in body
    injected = httpx.get(f"{server}/id/uk-cop/UK1%0d%0aSet-Cookie:%20hostile=1")
    assert "set-cookie" not in injected.headers


# ------------------------------------------------------------------ the time limit and liveness


def test_runaway_query_is_stopped_while_cheap_lookups_are_answered(release_dir: Path, artefacts: Path) -> None:
    """A cross join runs past the 2 s limit; meanwhile pages and cheap queries (beside it, on the workers'
    other threads) are each answered within 2 s; the runaway gets a 503 saying what to do; afterwards all is
    normal."""
    process, url = start_server(artefacts, timeout=2.0)
    try:
        outcome: dict[str, object] = {}

        def runaway() -> None:
            started = time.monotonic()
            outcome["response"] = httpx.post(
                f"{url}/sparql", data={"query": CROSS_JOIN}, headers=JSON_ACCEPT, timeout=60
            )
            outcome["elapsed"] = time.monotonic() - started
            outcome["finished"] = time.monotonic()

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.5)  # the cross join is now running in a worker

        def lookup(kind: str) -> tuple[str, int, float, float]:
            started = time.monotonic()
            with httpx.Client(base_url=url, timeout=2.0) as client:  # a liveness bound, not a benchmark
                if kind == "sparql":
                    response = client.post("/sparql", data={"query": CHEAP_SELECT}, headers=JSON_ACCEPT)
                    ok = json.loads(response.text)["results"]["bindings"][0]["n"]["value"] == "UK1"
                elif kind == "doc":
                    response = client.get("/doc/uk-cop/UK1.ttl")
                    ok = "デフォルトパスワードを使用しない" in response.text
                elif kind == "id":
                    response = client.get("/id/uk-cop/UK1", headers={"Accept": "text/turtle"})
                    ok = response.headers.get("location") == "/doc/uk-cop/UK1.ttl"
                else:
                    response = client.get("/ontology.ttl")
                    ok = "owl:Ontology" in response.text
            assert ok, (kind, response.status_code, response.text[:200])
            return kind, response.status_code, time.monotonic() - started, time.monotonic()

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lookup, ["sparql", "doc", "id", "ontology"] * 3))
        for kind, status, elapsed, _ in answers:
            assert status in (200, 303), kind
            assert elapsed < 2.0, f"{kind} took {elapsed:.2f} s while the runaway query ran"
        thread.join(60)
        assert not thread.is_alive()
        assert all(done < outcome["finished"] for *_, done in answers), "the lookups did not overlap the runaway"
        response = outcome["response"]
        assert isinstance(response, httpx.Response)
        assert_refused(response, 503, "time limit", "LIMIT")
        assert 2.0 <= outcome["elapsed"] < 20, outcome["elapsed"]
        # afterwards: normal answers, SPARQL included (while the stopped worker is being replaced, and after)
        for _ in range(5):
            assert_alive(url)
        # and the limit still holds for the next runaway
        again = httpx.post(f"{url}/sparql", data={"query": CROSS_JOIN}, headers=JSON_ACCEPT, timeout=60)
        assert_refused(again, 503, "time limit")
        assert_alive(url)
    finally:
        stop_server(process)


# ------------------------------------------------------------------ the row cap


def test_result_over_the_row_cap_is_refused_with_a_message(server: str, limits: Limits) -> None:
    total = int(_count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]["value"])
    assert total > limits.max_result_rows  # so the queries below do cross the cap
    everything = httpx.post(f"{server}/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=JSON_ACCEPT)
    assert_refused(everything, 422, f"more than {limits.max_result_rows} rows", "LIMIT")
    graph = httpx.post(
        f"{server}/sparql", data={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"}
    )
    assert_refused(graph, 422, f"more than {limits.max_result_rows} rows")
    assert graph.headers["content-type"].startswith("text/turtle")  # as a Turtle comment
    at_cap = httpx.post(
        f"{server}/sparql",
        headers=JSON_ACCEPT,
        data={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {limits.max_result_rows}"},
    )
    assert at_cap.status_code == 200
    assert len(json.loads(at_cap.text)["results"]["bindings"]) == limits.max_result_rows


def test_row_and_byte_caps_in_the_engine() -> None:
    """The same caps with small numbers, on a pyoxigraph store of 12 triples: refused above, exact at the cap."""
    store = ox.Store()
    for n in range(12):
        store.add(ox.Quad(ox.NamedNode(f"urn:x:s{n}"), ox.NamedNode("urn:x:p"), ox.Literal(str(n))))
    select = "SELECT * WHERE { ?s ?p ?o }"
    for query, media in [
        (select, "application/sparql-results+json"),
        (select, "text/csv"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle"),
        ("DESCRIBE ?s WHERE { ?s ?p ?o }", "application/n-triples"),
    ]:
        with pytest.raises(QueryError) as refused:
            evaluate(store, QueryRequest(query, media, max_rows=11))
        assert refused.value.status == 422
        assert "more than 11 rows" in refused.value.message and "LIMIT" in refused.value.message
        answer = evaluate(store, QueryRequest(query, media, max_rows=12))
        assert answer.status == 200
    rows = json.loads(evaluate(store, QueryRequest(select, "application/sparql-results+json", max_rows=12)).body)
    assert len(rows["results"]["bindings"]) == 12
    with pytest.raises(QueryError) as too_big:
        evaluate(store, QueryRequest(select, "application/sparql-results+json", max_bytes=200))
    assert too_big.value.status == 422 and "larger than 200 bytes" in too_big.value.message


# ------------------------------------------------------------------ downloads: no way out of the artefacts

TRAVERSALS = [
    f"/release/{RELEASE}/../../../../etc/passwd",
    f"/release/{RELEASE}/..%2f..%2f..%2f..%2fetc%2fpasswd",
    f"/release/{RELEASE}/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    f"/release/{RELEASE}/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
    f"/release/{RELEASE}/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    f"/release/{RELEASE}/..%252f..%252f..%252fpyproject.toml",
    f"/release/{RELEASE}/%2fetc%2fpasswd",
    f"/release/{RELEASE}//etc/passwd",
    f"/release/{RELEASE}/..%5c..%5c..%5c..%5cetc%5cpasswd",
    f"/release/{RELEASE}/..\\..\\..\\..\\etc\\passwd",
    f"/release/{RELEASE}/C:%5cWindows%5cwin.ini",
    f"/release/{RELEASE}/crosswalk.ttl%00.txt",
    f"/release/{RELEASE}/%00",
    f"/release/{RELEASE}/..%00/..%00/etc/passwd",
    f"/release/{RELEASE}/%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
    "/release/..%2f..%2f..%2f/pyproject.toml",
    f"/release/%2e%2e/{RELEASE}/manifest.json",
    "/download/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/download/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/download/%252e%252e%252fpyproject.toml",
    "/download//etc/passwd",
    "/download/..%5cpyproject.toml",
    "/static/../../../../etc/passwd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/settings.py",
    "/static/..%5c..%5capp.py",
    "/static/%252e%252e%252fapp.py",
    "/doc/..%2f..%2f..%2fetc%2fpasswd.ttl",
    "/ontology.%2e%2e%2fpyproject.toml",
    "/context.jsonld/../../pyproject.toml",
]
SECRETS = [b"root:", b"[build-system]", b"[project]", b"def ", b"import ", b"class ", b"BEGIN"]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_downloads_cannot_reach_outside_the_artefacts(server: str, path: str) -> None:
    for method in ("GET", "HEAD"):
        status, body = raw_get(server, path, method)
        assert status in (400, 404), (path, method, status, body[:200])
        assert b"Traceback" not in body
        for secret in SECRETS:
            assert secret not in body, (path, secret, body[:200])
    status, body = raw_get(server, path)
    text = body.decode("utf-8", errors="replace")
    assert any(
        hint in text
        for hint in ("/downloads", "nothing is published", "not a resource of this dataset", "no ontology document")
    ), text[:200]


def test_listed_downloads_are_served_as_they_are(server: str, release_dir: Path) -> None:
    """The control: the names the release lists do come through, byte for byte."""
    for name in ("crosswalk.ttl", "SHA256SUMS", "manifest.json", "ontology.nt.gz"):
        status, body = raw_get(server, f"/release/{RELEASE}/{name}")
        assert status == 200
        assert body == (release_dir / name).read_bytes()
    latest = httpx.get(f"{server}/download/crosswalk.ttl")
    assert (latest.status_code, latest.headers["location"]) == (302, f"/release/{RELEASE}/crosswalk.ttl")


# ------------------------------------------------------------------ many clients at once

MIX = [
    (
        "id",
        lambda c: c.get("/id/uk-cop/UK1", headers={"Accept": "text/turtle"}),
        lambda r: r.status_code == 303 and r.headers["location"] == "/doc/uk-cop/UK1.ttl",
    ),
    (
        "doc",
        lambda c: c.get("/doc/uk-cop/UK1.jsonld"),
        lambda r: r.status_code == 200 and "デフォルトパスワードを使用しない" in r.text,
    ),
    (
        "record",
        lambda c: c.get("/doc/mapping/cpsf/CPS.AM-2/to/none.nt"),
        lambda r: r.status_code == 200 and "<https://w3id.org/sssom/NoTermFound>" in r.text,
    ),
    (
        "select",
        lambda c: c.post("/sparql", data={"query": CHEAP_SELECT}, headers=JSON_ACCEPT),
        lambda r: r.status_code == 200 and json.loads(r.text)["results"]["bindings"][0]["n"]["value"] == "UK1",
    ),
    (
        "ask",
        lambda c: c.get("/sparql", params={"query": f"ASK {{ <{UK1}> ?p ?o }}"}, headers=JSON_ACCEPT),
        lambda r: r.status_code == 200 and json.loads(r.text)["boolean"] is True,
    ),
    (
        "unknown",
        lambda c: c.get("/id/uk-cop/UK99", headers={"Accept": "application/json"}),
        lambda r: r.status_code == 404 and json.loads(r.text)["error"]["status"] == 404,
    ),
    (
        "service",
        lambda c: c.post(
            "/sparql", data={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> {} }"}, headers=JSON_ACCEPT
        ),
        lambda r: r.status_code == 400 and "SERVICE" in r.text,
    ),
    (
        "traversal",
        lambda c: c.get(f"/release/{RELEASE}/..%2f..%2fpyproject.toml"),
        lambda r: r.status_code == 404 and b"[project]" not in r.content,
    ),
    (
        "ontology",
        lambda c: c.get("/ontology", headers={"Accept": "application/n-triples"}),
        lambda r: r.status_code == 200 and "<http://www.w3.org/2002/07/owl#Ontology>" in r.text,
    ),
    (
        "download",
        lambda c: c.get(f"/release/{RELEASE}/SHA256SUMS"),
        lambda r: r.status_code == 200 and "crosswalk.ttl" in r.text,
    ),
]


def test_many_concurrent_clients(server: str) -> None:
    """32 clients × 20 mixed requests at once: every answer is the right one."""

    def client(number: int) -> list[str]:
        problems = []
        with httpx.Client(base_url=server, timeout=30) as http:
            for step in range(20):
                name, send, check = MIX[(number + step) % len(MIX)]
                response = send(http)
                if not check(response) or "Traceback" in response.text:
                    problems.append(f"client {number} {name}: {response.status_code} {response.text[:120]!r}")
        return problems

    with ThreadPoolExecutor(32) as pool:
        problems = [p for found in pool.map(client, range(32)) for p in found]
    assert not problems, f"{len(problems)} of 640 answers were wrong: {problems[:5]}"
