"""The static copy of the release (`publish --static DIR`) behind real web servers, and the server's own answers
from the same pre-rendered files.

Apache httpd (Debian apache2, DIR/.htaccess) and nginx (Debian nginx, DIR/nginx.conf) serve DIR on loopback; each
must answer the negotiation table of test_negotiation.py (imported, not copied) exactly as our server does: 303
to the chosen document, 200 with its Content-Type and Content-Location, `Vary: Accept`, 406 when nothing offered
is acceptable, 404 for unknown URIs, 304 on a conditional GET, the other language from ?lang= or the language
document; their Turtle is the same graph as our server's. A third Apache plays w3id.org with DIR/w3id.htaccess.
UK1's titles come from table 4-1 of the Appendix (seed line 4536; the English is the UK code's own).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic
from test_negotiation import EXTENSION, HTML, HTTP_TABLE, RDFLIB, RESOURCE, TTL, _assert_uk1_body, _headers, _ids

from ccds_crosswalk.processes import free_port
from ccds_crosswalk.webservers import WebServer, start_apache, start_nginx
from conftest import ROOT, cli

SKOS_PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
UK1 = URIRef("https://w3id.org/ccds-crosswalk/id/uk-cop/UK1")
ENDPOINT = "https://sparql.example.org/ccds/sparql"
# one document of each kind the build renders (scheme, item, statement, record, erratum, component, level, ETSI)
DOCUMENTS = [
    "uk-cop",
    "uk-cop/UK1",
    "cpsf/CPS.RA-4/2",
    "ccds/5.2.1/No.1",
    "erratum/E21",
    "ccds/component/SP",
    "ccds/level/2",
    "etsi-en-303-645/5.1",
]


def _vary(response: httpx.Response) -> list[str]:
    return [v.strip().lower() for v in response.headers.get("vary", "").split(",")]


@pytest.fixture(scope="module")
def published(release_dir: Path, artefacts: Path) -> Iterator[tuple[Path, int]]:
    """DIR written by the command line, in a folder Apache's unprivileged children can read; the w3id rules point
    at the port the Apache serving DIR will take."""
    holder = Path(tempfile.mkdtemp(prefix="ccds-static-"))
    holder.chmod(0o755)
    port = free_port()
    directory = holder / "site"
    command = [
        *cli(artefacts),
        "publish",
        "--static",
        str(directory),
        "--target-url",
        f"http://127.0.0.1:{port}/",
        "--sparql-endpoint",
        ENDPOINT,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    yield directory, port
    shutil.rmtree(holder, ignore_errors=True)


@pytest.fixture(scope="module")
def apache(published: tuple[Path, int]) -> Iterator[WebServer]:
    directory, port = published
    server = start_apache(directory, directory.parent / "apache", port=port)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nginx(published: tuple[Path, int]) -> Iterator[WebServer]:
    directory, _ = published
    server = start_nginx(directory / "nginx.conf", directory.parent / "nginx")
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["apache", "nginx"])
def web(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(request.param).url


# ------------------------------------------------------------------ the negotiation table, through each server


@pytest.mark.parametrize(("accept", "expected"), HTTP_TABLE, ids=_ids(HTTP_TABLE))
def test_id_redirects_like_our_server(web: str, accept: str | None, expected: str | None) -> None:
    response = httpx.get(f"{web}/id/uk-cop/UK1", headers=_headers(accept))
    if expected is None:
        assert response.status_code == 406, response.text
        return
    assert response.status_code == 303, response.text
    assert urlsplit(response.headers["location"]).path == f"/doc/uk-cop/UK1.{EXTENSION[expected]}"
    assert "accept" in _vary(response)


@pytest.mark.parametrize(("accept", "expected"), HTTP_TABLE, ids=_ids(HTTP_TABLE))
def test_doc_answers_like_our_server(web: str, accept: str | None, expected: str | None) -> None:
    response = httpx.get(f"{web}/doc/uk-cop/UK1", headers=_headers(accept))
    if expected is None:
        assert response.status_code == 406, response.text
        return
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    assert response.headers["content-location"] == f"/doc/uk-cop/UK1.{EXTENSION[expected]}"
    assert "accept" in _vary(response)
    _assert_uk1_body(response, expected)


@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_kind_of_document_follows_from_its_uri(web: str, path: str) -> None:
    for media in RESOURCE:
        response = httpx.get(f"{web}/id/{path}", headers={"Accept": media}, follow_redirects=True)
        assert response.status_code == 200, (path, media)
        assert urlsplit(str(response.url)).path == f"/doc/{path}.{EXTENSION[media]}"
        assert response.headers["content-type"].split(";")[0] == media
        if media != HTML:
            graph = Graph().parse(data=response.content, format=RDFLIB[media])
            assert (URIRef(f"https://w3id.org/ccds-crosswalk/id/{path}"), None, None) in graph, (path, media)


def test_unknown_uris_are_404(web: str) -> None:
    for path, accept in [
        ("/id/uk-cop/UK99", TTL),
        ("/id/uk-cop/UK99", HTML),
        ("/id/nothing", "*/*"),
        ("/doc/uk-cop/UK99", TTL),
        ("/doc/uk-cop/UK99.ttl", TTL),
        ("/doc/uk-cop/UK99.html", HTML),
        ("/no-such-page", HTML),
    ]:
        assert httpx.get(f"{web}{path}", headers={"Accept": accept}).status_code == 404, path


def test_conditional_get_answers_304(web: str) -> None:
    for path, headers in [("/doc/uk-cop/UK1.ttl", {}), ("/doc/uk-cop/UK1", {"Accept": TTL}), ("/", {})]:
        first = httpx.get(f"{web}{path}", headers=headers)
        assert first.status_code == 200 and first.headers.get("etag"), path
        again = httpx.get(f"{web}{path}", headers={**headers, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path
        assert again.content == b""


def test_the_other_language_from_lang_or_its_document(web: str) -> None:
    english = httpx.get(f"{web}/doc/uk-cop/UK1.html", params={"lang": "en"}, headers={"Accept-Language": "ja"})
    japanese = httpx.get(f"{web}/doc/uk-cop/UK1.html", params={"lang": "ja"}, headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.text and "No default passwords" in english.text
    assert '<html lang="ja">' in japanese.text and "デフォルトパスワードを使用しない" in japanese.text
    assert httpx.get(f"{web}/doc/uk-cop/UK1.en.html").text == english.text
    assert httpx.get(f"{web}/doc/uk-cop/UK1.ja.html").text == japanese.text
    by_header = httpx.get(f"{web}/doc/uk-cop/UK1.html", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert by_header.text == english.text
    followed = httpx.get(f"{web}/id/uk-cop/UK1", params={"lang": "en"}, headers={"Accept": HTML}, follow_redirects=True)
    assert followed.text == english.text
    for page in ("/", "/frameworks", "/coverage", "/errata", "/downloads", "/changes", "/ontology", "/search"):
        pages = {lang: httpx.get(f"{web}{page}", params={"lang": lang}) for lang in ("ja", "en")}
        assert all(r.status_code == 200 for r in pages.values()), page
        assert f'<html lang="{"en"}">' in pages["en"].text and '<html lang="ja">' in pages["ja"].text, page


def test_turtle_is_the_same_graph_as_our_server(web: str, server: str) -> None:
    for path in [f"/id/{p}" for p in DOCUMENTS] + ["/ontology", "/dataset"]:
        ours = httpx.get(f"{server}{path}", headers={"Accept": TTL}, follow_redirects=True)
        theirs = httpx.get(f"{web}{path}", headers={"Accept": TTL}, follow_redirects=True)
        assert ours.status_code == theirs.status_code == 200, path
        a = Graph().parse(data=ours.content, format="turtle")
        b = Graph().parse(data=theirs.content, format="turtle")
        _, only_ours, only_theirs = graph_diff(a, b)
        assert isomorphic(a, b), (path, sorted(only_ours)[:5], sorted(only_theirs)[:5])


def test_downloads_dataset_and_pages(web: str, release_dir: Path) -> None:
    release = json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))["release"]
    dump = httpx.get(f"{web}/release/{release}/crosswalk.ttl")
    assert dump.content == (release_dir / "crosswalk.ttl").read_bytes()
    latest = httpx.get(f"{web}/download/crosswalk.ttl")
    assert (
        latest.status_code == 302 and urlsplit(latest.headers["location"]).path == f"/release/{release}/crosswalk.ttl"
    )
    browser = httpx.get(f"{web}/dataset", headers={"Accept": HTML})
    assert browser.status_code == 303 and urlsplit(browser.headers["location"]).path == "/downloads"
    void = httpx.get(f"{web}/release/{release}", headers={"Accept": TTL})
    assert void.status_code == 200 and void.content == (release_dir / "void.ttl").read_bytes()
    assert httpx.get(f"{web}/.well-known/void").content == (release_dir / "void.ttl").read_bytes()
    assert httpx.get(f"{web}/context.jsonld").json()["@context"]
    query = httpx.get(f"{web}/query", params={"lang": "en"})
    assert query.status_code == 200 and ENDPOINT in query.text  # the page says where queries run


def test_w3id_rules_lead_to_the_document(published: tuple[Path, int], apache: WebServer) -> None:
    """An Apache playing w3id.org, with DIR/w3id.htaccess as its ccds-crosswalk/.htaccess, sends each URI to the
    Apache serving DIR, which negotiates: the chain ends at the document."""
    directory, _ = published
    root = directory.parent / "w3id-root"
    (root / "ccds-crosswalk").mkdir(parents=True, exist_ok=True)
    shutil.copy(directory / "w3id.htaccess", root / "ccds-crosswalk" / ".htaccess")
    w3id = start_apache(root, directory.parent / "w3id-apache")
    try:
        for accept, ext in [(TTL, "ttl"), (HTML, "html"), ("application/ld+json", "jsonld")]:
            response = httpx.get(
                f"{w3id.url}/ccds-crosswalk/id/uk-cop/UK1", headers={"Accept": accept}, follow_redirects=True
            )
            assert [r.status_code for r in response.history] == [302, 303]
            assert str(response.url) == f"{apache.url}/doc/uk-cop/UK1.{ext}"
            assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == accept
        turtle = httpx.get(f"{w3id.url}/ccds-crosswalk/id/uk-cop/UK1", headers={"Accept": TTL}, follow_redirects=True)
        graph = Graph().parse(data=turtle.content, format="turtle")
        assert (UK1, SKOS_PREF, Literal("No default passwords", lang="en")) in graph
        ontology = httpx.get(f"{w3id.url}/ccds-crosswalk/ontology", headers={"Accept": TTL}, follow_redirects=True)
        assert str(ontology.url) == f"{apache.url}/ontology" and ontology.headers["content-location"] == "/ontology.ttl"
    finally:
        w3id.stop()


# ------------------------------------------------------------------ our server serves the same files


def _sums(release_dir: Path) -> dict[str, str]:
    return json.loads((release_dir / "site.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("path", "headers", "file"),
    [
        ("/doc/uk-cop/UK1.ttl", {}, "doc/uk-cop/UK1.ttl"),
        ("/doc/uk-cop/UK1", {"Accept": "application/ld+json"}, "doc/uk-cop/UK1.jsonld"),
        ("/doc/uk-cop/UK1.html?lang=en", {}, "doc/uk-cop/UK1.en.html"),
        ("/doc/cpsf/CPS.AM-1.html", {"Accept-Language": "ja"}, "doc/cpsf/CPS.AM-1.ja.html"),
        ("/doc/erratum/E21.html?lang=ja", {}, "doc/erratum/E21.ja.html"),
        ("/frameworks?lang=en", {}, "frameworks.en.html"),
        ("/ontology", {"Accept": "text/turtle"}, "ontology.ttl"),
    ],
)
def test_server_sends_the_prerendered_bytes(
    server: str, published: tuple[Path, int], release_dir: Path, path: str, headers: dict[str, str], file: str
) -> None:
    """The same bytes as the static copy, a strong ETag from the build's checksum, and the build's own .gz."""
    directory, _ = published
    plain = httpx.get(f"{server}{path}", headers={**headers, "Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.content == (directory / file).read_bytes()
    assert plain.headers["etag"] == f'"{_sums(release_dir)[file][:32]}"'
    packed = httpx.Client().send(
        httpx.Request("GET", f"{server}{path}", headers={**headers, "Accept-Encoding": "gzip"}), stream=True
    )
    raw = b"".join(packed.iter_raw())
    assert packed.headers["content-encoding"] == "gzip"
    assert raw == (directory / f"{file}.gz").read_bytes() and gzip.decompress(raw) == plain.content
    assert packed.headers["etag"] == f'"{_sums(release_dir)[file + ".gz"][:32]}"'
    assert httpx.get(f"{server}{path}", headers={**headers, "If-None-Match": plain.headers["etag"]}).status_code == 304


def test_item_jsonld_is_compacted_with_the_published_context(server: str, release_dir: Path) -> None:
    """The per-item JSON-LD has the dumps' shape: the published @context, compact keys, a @graph of nodes."""
    document = httpx.get(f"{server}/doc/uk-cop/UK1.jsonld").json()
    published = json.loads((release_dir / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == published["@context"]
    node = next(n for n in document["@graph"] if n["id"] == "ukcop:UK1")  # the prefix the dumps use
    assert node["prefLabel"]["en"] == "No default passwords"


def test_render_is_listed_and_checksummed(release_dir: Path) -> None:
    sums = _sums(release_dir)
    site = release_dir / "site"
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert set(sums) == on_disk
    for name in ("doc/uk-cop/UK1.ttl", "index.ja.html", "search-index.json", "static/search.js"):
        assert hashlib.sha256((site / name).read_bytes()).hexdigest() == sums[name]
    index = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    uk1 = next(row for row in index if row["b"] == "UK1")
    assert uk1["u"] == "/doc/uk-cop/UK1.html" and uk1["ja"] == "デフォルトパスワードを使用しない"


def test_publish_refuses_a_folder_that_is_not_a_static_copy(artefacts: Path, tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    done = subprocess.run(
        [*cli(artefacts), "publish", "--static", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )
    assert done.returncode != 0 and "not empty" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "keep me"


# ------------------------------------------------------------------ in a browser, without any server of ours


@pytest.mark.browser
def test_chromium_reads_the_static_copy_without_errors(apache: WebServer) -> None:
    """Headless Chromium on the Apache copy: the home page, UK1's page and the search (JSON index + script) show
    what they should, with no console error (a CSP violation is one) and no failed script."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from headless import ARGS, CHROMIUM

    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"})
            context.set_default_timeout(120_000)
            page = context.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.goto(f"{apache.url}/")
            assert page.locator("html").get_attribute("lang") == "en"
            assert page.locator("table").first.is_visible()
            page.goto(f"{apache.url}/id/uk-cop/UK1")
            assert page.url.endswith("/doc/uk-cop/UK1.html")
            assert "No default passwords" in page.locator("h1").inner_text()
            page.fill("#site-search", "UK1")
            page.locator("header form button").click()
            page.wait_for_selector("#hits:not([hidden]) tbody tr")
            first = page.locator("#hits tbody tr").first
            assert "UK1" in first.inner_text() and "No default passwords" in first.inner_text()
            first.locator("a").click()
            page.wait_for_url("**/doc/uk-cop/UK1.html?lang=en")
            none = f"{apache.url}/search?lang=ja&q=zzzz-nothing"
            page.goto(none)
            page.wait_for_selector("#hit-count:not([hidden])")
            assert "該当する項目はありません" in page.locator("#hit-count").inner_text()
            quiet = browser.new_context(java_script_enabled=False).new_page()
            quiet.goto(f"{apache.url}/search?lang=en&q=UK1")
            assert "JavaScript" in quiet.locator("main").inner_text()  # the form says where to go instead
        finally:
            browser.close()
    assert problems == []
