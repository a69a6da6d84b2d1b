"""The clients people run against the endpoint, on a real `ccds-crosswalk serve` process: Debian's Apache Jena
(`arq.rsparql`: GET, `--post`, and a long query that Jena POSTs by itself), `curl --http2` (which, like Java's
HttpClient, offers `Upgrade: h2c` on a POST), and hand-written HTTP/1.1 on raw sockets for the edge cases of the
HTTP server: the upgrade offer with the body in a later packet, `Expect: 100-continue`, chunked bodies,
pipelining and `Connection: close`. Then the hardening headers, response by response.

Expected values come from the source: UK1 (table 4-1, lines 4536-4568 of data/source/appendix.txt) is printed
against SR2-SP-1 (6.2.1), SR2-PP-1 (6.2.2), SR2-H-1 (6.2.3) and SR2-D-1 (6.2.4)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import jena_cli
import pytest

from ccds_crosswalk.web.headers import ALL_RESPONSES, CONTENT_SECURITY_POLICY, HTML_RESPONSES, YASGUI_STYLE_HASHES
from conftest import start_server, stop_server

BASE = "https://w3id.org/ccds-crosswalk/"
UK1 = f"{BASE}id/uk-cop/UK1"
UK1_TARGETS = sorted(["SR2-SP-1", "SR2-PP-1", "SR2-H-1", "SR2-D-1"])
PATTERN = f"""?record owl:annotatedSource <{UK1}> ; owl:annotatedTarget ?target . ?target skos:notation ?notation ."""
PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
QUERY = f"{PREFIXES}SELECT ?notation WHERE {{ {PATTERN} }} ORDER BY ?notation"
# Jena sends a query longer than its URL limit (2 KB) as a POST by itself; a FILTER that is always true pads it
# (a comment would not do: rsparql parses the query and sends it re-serialised, without comments)
PADDING = f'FILTER NOT EXISTS {{ ?target skos:notation "{"x" * 3000}" }}'
LONG_QUERY = f"{PREFIXES}SELECT ?notation WHERE {{ {PATTERN} {PADDING} }} ORDER BY ?notation"
JSON_ACCEPT = "application/sparql-results+json"


@pytest.fixture(scope="module")
def served(release_dir: Path, artefacts: Path) -> Iterator[tuple[str, Path]]:
    """A server of its own, so that its access log (one JSON line per request) shows how each client asked."""
    process, url = start_server(artefacts)
    log = artefacts / f"server-{urlsplit(url).port}.log"
    deadline = time.monotonic() + 10  # the line of the request that found the server ready, before any test counts
    while not requests_logged(log) and time.monotonic() < deadline:
        time.sleep(0.05)
    yield url, log
    stop_server(process)


@pytest.fixture(scope="module")
def url(served: tuple[str, Path]) -> str:
    return served[0]


def requests_logged(log: Path) -> list[dict]:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def sparql_requests_logged(log: Path, before: int) -> list[dict]:
    """The /sparql lines after the first `before`, once there are any: the access line is written after the
    response has gone out, so it may trail the client's exit on a busy machine."""
    deadline = time.monotonic() + 10
    while True:
        found = [r for r in requests_logged(log)[before:] if r["path"] == "/sparql"]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def notations_of_json(body: bytes | str) -> list[str]:
    return sorted(b["notation"]["value"] for b in json.loads(body)["results"]["bindings"])


# ------------------------------------------------------------------ Apache Jena (Debian's libapache-jena-java)


@pytest.mark.parametrize(
    "how, query, method",
    [("get", QUERY, "GET"), ("post", QUERY, "POST"), ("long-query", LONG_QUERY, "POST")],
    ids=["get", "post", "long-query-posted-by-jena"],
)
def test_jena_rsparql_gets_uk1s_targets(
    jena: str, served: tuple[str, Path], tmp_path: Path, how: str, query: str, method: str
) -> None:
    url, log = served
    query_file = tmp_path / "q.rq"
    query_file.write_text(query, encoding="utf-8")
    before = len(requests_logged(log))
    extra = ["--post"] if how == "post" else []
    done = jena_cli.run(
        jena, "arq.rsparql", "--service", f"{url}/sparql", "--query", str(query_file), "--results=CSV", *extra
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert sorted(r["notation"] for r in rows) == UK1_TARGETS, done.stdout
    sparql_requests = sparql_requests_logged(log, before)
    assert [r["method"] for r in sparql_requests] == [method]
    assert sparql_requests[0]["status"] == 200


# ------------------------------------------------------------------ curl --http2 (offers Upgrade: h2c)


@pytest.fixture(scope="module")
def curl() -> str:
    found = shutil.which("curl")
    if not found:
        pytest.skip("no curl (Debian package curl)")
    return found


def run_curl(curl: str, *args: str) -> tuple[int, str, str]:
    """(status, response headers, body) of a curl run with -D-; fails on a transport error."""
    done = subprocess.run(
        [curl, "-sS", "--http2", "-D", "/dev/stderr", "-o", "-", "-w", "", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    status = int(done.stderr.split("\n", 1)[0].split()[1])
    return status, done.stderr, done.stdout


def test_curl_http2_form_post(curl: str, url: str) -> None:
    status, _, body = run_curl(
        curl, "-H", f"Accept: {JSON_ACCEPT}", "--data-urlencode", f"query={QUERY}", f"{url}/sparql"
    )
    assert status == 200, body
    assert notations_of_json(body) == UK1_TARGETS


def test_curl_http2_direct_post(curl: str, url: str) -> None:
    status, _, body = run_curl(
        curl,
        "-H",
        f"Accept: {JSON_ACCEPT}",
        "-H",
        "Content-Type: application/sparql-query",
        "--data-binary",
        QUERY,
        f"{url}/sparql",
    )
    assert status == 200, body
    assert notations_of_json(body) == UK1_TARGETS


def test_curl_http2_get(curl: str, url: str) -> None:
    status, _, body = run_curl(curl, "-H", f"Accept: {JSON_ACCEPT}", f"{url}/sparql?query={quote(QUERY)}")
    assert status == 200, body
    assert notations_of_json(body) == UK1_TARGETS


@pytest.mark.parametrize("how", ["form", "multipart-file"])
def test_curl_http2_posts_to_the_gap_form(curl: str, url: str, how: str) -> None:
    """/gap is the other POST route: the POSTed form, or a file in it, gives the same CSV as the same GET."""
    expected = httpx.get(f"{url}/gap?have=UK1,UK2,UK3&against=ccds&format=csv", timeout=60)
    assert expected.status_code == 200 and "UK1" in expected.text
    if how == "form":
        sent = ["--data-urlencode", "have=UK1,UK2,UK3", "--data-urlencode", "against=ccds"]
    else:
        sent = ["-F", "file=@-;filename=have.csv;type=text/csv", "-F", "have=", "-F", "against=ccds"]
    done = subprocess.run(
        [curl, "-sS", "--http2", "-o", "-", "-w", "\n%{http_code}", *sent, f"{url}/gap?format=csv"],
        input="id\nUK1\nUK2\nUK3\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    body, _, status = done.stdout.rpartition("\n")
    assert status == "200", done.stdout[-500:] + done.stderr
    assert body == expected.text


# ------------------------------------------------------------------ raw HTTP/1.1


class Wire:
    """One TCP connection, written by hand and read back response by response."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = f"{parts.hostname}:{parts.port}"
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
        self.reader = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def response(self) -> tuple[int, dict[str, str], bytes]:
        status_line = self.reader.readline()
        assert status_line.startswith(b"HTTP/1.1 "), status_line
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if status < 200 or status in (204, 304):
            return status, headers, b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while (size := int(self.reader.readline().split(b";")[0], 16)) > 0:
                body += self.reader.read(size)
                self.reader.readline()
            self.reader.readline()
            return status, headers, body
        return status, headers, self.reader.read(int(headers["content-length"]))

    def closed_by_server(self) -> bool:
        return self.reader.read(1) == b""

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


def head(host: str, *lines: str, method: str = "POST", target: str = "/sparql") -> bytes:
    return "\r\n".join([f"{method} {target} HTTP/1.1", f"Host: {host}", *lines, "", ""]).encode("ascii")


H2C = ["Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA"]
DIRECT = ["Content-Type: application/sparql-query", f"Accept: {JSON_ACCEPT}"]
FORM = ["Content-Type: application/x-www-form-urlencoded", f"Accept: {JSON_ACCEPT}"]
BODY = QUERY.encode("utf-8")
FORM_BODY = ("query=" + quote(QUERY, safe="")).encode("ascii")


@pytest.fixture
def wire(url: str) -> Iterator[Wire]:
    connection = Wire(url)
    yield connection
    connection.close()


def chunked(body: bytes, size: int = 50) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


@pytest.mark.parametrize("upgrade", [False, True], ids=["plain", "h2c-offer"])
@pytest.mark.parametrize("form", [False, True], ids=["direct", "form"])
def test_post_body_in_a_later_packet(wire: Wire, upgrade: bool, form: bool) -> None:
    """Java's HttpClient writes the head, then the body: the body must still reach the endpoint."""
    body = FORM_BODY if form else BODY
    wire.send(head(wire.host, *(H2C if upgrade else []), *(FORM if form else DIRECT), f"Content-Length: {len(body)}"))
    time.sleep(0.3)
    wire.send(body)
    status, headers, answer = wire.response()
    assert status == 200, answer
    assert notations_of_json(answer) == UK1_TARGETS
    assert "upgrade" not in headers.get("connection", "").lower()  # the offer was declined, not taken up


@pytest.mark.parametrize("upgrade", [False, True], ids=["plain", "h2c-offer"])
def test_expect_100_continue(wire: Wire, upgrade: bool) -> None:
    wire.send(
        head(wire.host, *(H2C if upgrade else []), *DIRECT, f"Content-Length: {len(BODY)}", "Expect: 100-continue")
    )
    status, _, _ = wire.response()
    assert status == 100  # the server asks for the body before the client sends it
    wire.send(BODY)
    status, _, answer = wire.response()
    assert status == 200, answer
    assert notations_of_json(answer) == UK1_TARGETS


@pytest.mark.parametrize("upgrade", [False, True], ids=["plain", "h2c-offer"])
def test_chunked_request_body(wire: Wire, upgrade: bool) -> None:
    wire.send(head(wire.host, *(H2C if upgrade else []), *DIRECT, "Transfer-Encoding: chunked") + chunked(BODY))
    status, _, answer = wire.response()
    assert status == 200, answer
    assert notations_of_json(answer) == UK1_TARGETS


@pytest.mark.parametrize("upgrade", [False, True], ids=["plain", "h2c-offer"])
def test_pipelined_requests_are_answered_in_order(wire: Wire, upgrade: bool) -> None:
    ask = f"ASK {{ <{UK1}> ?p ?o }}"
    requests = [
        head(wire.host, *(H2C if upgrade else []), *DIRECT, f"Content-Length: {len(BODY)}") + BODY,
        head(wire.host, f"Accept: {JSON_ACCEPT}", method="GET", target=f"/sparql?query={quote(ask)}"),
        head(wire.host, *(H2C if upgrade else []), *FORM, f"Content-Length: {len(FORM_BODY)}") + FORM_BODY,
    ]
    wire.send(b"".join(requests))  # all in one packet, before any answer
    first, second, third = wire.response(), wire.response(), wire.response()
    assert first[0] == second[0] == third[0] == 200
    assert notations_of_json(first[2]) == UK1_TARGETS
    assert json.loads(second[2])["boolean"] is True
    assert notations_of_json(third[2]) == UK1_TARGETS


def test_connection_close_is_honoured(wire: Wire) -> None:
    wire.send(head(wire.host, *DIRECT, f"Content-Length: {len(BODY)}", "Connection: close") + BODY)
    status, headers, answer = wire.response()
    assert status == 200
    assert notations_of_json(answer) == UK1_TARGETS
    assert headers.get("connection", "").lower() == "close"
    assert wire.closed_by_server()


def test_keep_alive_serves_a_second_request(wire: Wire) -> None:
    for _ in range(2):
        wire.send(head(wire.host, *H2C, *DIRECT, f"Content-Length: {len(BODY)}") + BODY)
        status, _, answer = wire.response()
        assert status == 200
        assert notations_of_json(answer) == UK1_TARGETS


def test_a_get_offering_h2c_is_answered_over_http1(wire: Wire) -> None:
    wire.send(head(wire.host, *H2C, method="GET", target="/"))
    status, headers, answer = wire.response()
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert b"<html" in answer


# ------------------------------------------------------------------ hardening headers


def csp_directives(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize(
    "path", ["/", "/query", "/frameworks", "/doc/uk-cop/UK1.html", "/id/uk-cop/UK1", "/no/such/page"]
)
def test_html_responses_carry_csp_referrer_policy_and_nosniff(url: str, path: str) -> None:
    response = httpx.get(f"{url}{path}", headers={"Accept": "text/html"}, follow_redirects=True, timeout=10)
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]  # once, not doubled
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    csp = csp_directives(response.headers["content-security-policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'", *YASGUI_STYLE_HASHES]  # the hashes: two fixed <style> texts of YASGUI
    assert csp["frame-ancestors"] in (["'none'"], ["'self'"])
    assert csp["default-src"] == ["'none'"]
    # nothing but our own origin (and data: images) anywhere in the policy
    allowed = ("'self'", "'none'", "data:", *YASGUI_STYLE_HASHES)
    assert not [s for sources in csp.values() for s in sources if s not in allowed]


@pytest.mark.parametrize(
    "path, accept",
    [
        (f"/sparql?query={quote(QUERY)}", JSON_ACCEPT),
        ("/sparql", "text/turtle"),
        ("/doc/uk-cop/UK1.ttl", "*/*"),
        ("/doc/uk-cop/UK1.jsonld", "*/*"),
        ("/context.jsonld", "*/*"),
        ("/static/site.css", "*/*"),
        ("/no/such/page", "application/json"),
    ],
)
def test_every_other_response_carries_nosniff_and_no_page_policy(url: str, path: str, accept: str) -> None:
    response = httpx.get(f"{url}{path}", headers={"Accept": accept}, timeout=10)
    assert not response.headers["content-type"].startswith("text/html")
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]  # once, not doubled
    assert "content-security-policy" not in response.headers


def test_a_post_and_an_error_from_the_size_guard_carry_nosniff(url: str) -> None:
    ok = httpx.post(f"{url}/sparql", data={"query": QUERY}, headers={"Accept": JSON_ACCEPT}, timeout=10)
    assert ok.status_code == 200 and ok.headers["x-content-type-options"] == "nosniff"
    too_long = httpx.get(f"{url}/sparql?query={'x' * 40_000}", timeout=10)
    assert too_long.status_code == 414 and too_long.headers["x-content-type-options"] == "nosniff"


def test_the_servers_own_answer_to_a_malformed_request_carries_nosniff(wire: Wire) -> None:
    wire.send(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    status, headers, _ = wire.response()
    assert status == 400
    assert headers["x-content-type-options"] == "nosniff"


def test_cors_on_the_endpoint_and_the_data_is_unchanged(url: str) -> None:
    origin = {"Origin": "https://example.org"}
    for path in [f"/sparql?query={quote(QUERY)}", "/doc/uk-cop/UK1.ttl"]:
        response = httpx.get(f"{url}{path}", headers=origin, timeout=10)
        assert response.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(
        f"{url}/sparql",
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
        timeout=10,
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_the_header_table_is_what_goes_out(url: str) -> None:
    """The static-site rules read the same table: what the app sends is exactly that table."""
    page = httpx.get(f"{url}/", timeout=10)
    for name, value in {**ALL_RESPONSES, **HTML_RESPONSES}.items():
        assert page.headers[name] == value
    assert HTML_RESPONSES["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
