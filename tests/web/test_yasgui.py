"""YASGUI on /query in headless Chromium (Debian's, driven by Playwright) against a real server: a canned query runs
in the editor and its result table shows what the Appendix prints; nothing is fetched from any host but ours; no
console error, page error or Content-Security-Policy violation. Without JavaScript the form still answers. The
vendored files match the checksums recorded with them (scripts/vendor-yasgui.sh).

Expected values from the source: the Appendix prints 該当なし 32 times, all in table 3-1 (data/source/appendix.txt,
lines 1224-4356), the first for CPS.AM-2 (line 1224); UK1 (table 4-1, lines 4536-4568) is printed against
SR2-SP-1, SR2-PP-1, SR2-H-1 and SR2-D-1."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from headless import ARGS, CHROMIUM

from ccds_crosswalk.web.headers import YASGUI_STYLE_HASHES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "server" / "web" / "static" / "yasgui"
NO_CORRESPONDENCE_ROWS = 32
UK1_TARGETS = {"SR2-SP-1", "SR2-PP-1", "SR2-H-1", "SR2-D-1"}
# every CSP violation the page meets, recorded by the page itself (Playwright's console events do not carry them)
WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


@pytest.fixture(scope="module")
def sync_api():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian package 'chromium'; CI installs it)")
    return pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")


@pytest.fixture(scope="module")
def browser(sync_api) -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Watched:
    """A page with everything that could go wrong on it recorded: console errors, page errors, requests to other
    hosts, CSP violations."""

    def __init__(self, browser, server: str, javascript: bool = True) -> None:
        self.context = browser.new_context(java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.ours = urlsplit(server).netloc
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.requests: list[str] = []
        self.page.add_init_script(WATCH_CSP)
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("request", self._request)

    def _request(self, request) -> None:
        self.requests.append(f"{request.method} {request.url}")
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.ours:
            self.foreign.append(request.url)

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations || []")

    def assert_clean(self) -> None:
        assert self.foreign == [], f"requests to other hosts: {self.foreign}"
        assert self.errors == [], self.errors
        assert self.violations() == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser, server: str) -> Iterator[Watched]:
    page = Watched(browser, server)
    yield page
    page.close()


def result_rows(page) -> list[list[str]]:
    rows = page.locator(".yasr table.dataTable tbody tr")
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]


def test_a_canned_query_runs_in_yasgui(watched: Watched, server: str) -> None:
    page = watched.page
    page.goto(f"{server}/query?lang=en")
    page.locator(".yasgui .CodeMirror").first.wait_for(state="visible", timeout=20_000)
    assert page.locator("#query-form").is_hidden()  # the editor stands in for the form
    page.locator('#canned a[data-query-name="no-correspondence"]').click()
    page.locator(".yasr table.dataTable tbody tr").nth(NO_CORRESPONDENCE_ROWS - 1).wait_for(timeout=20_000)
    rows = result_rows(page)
    assert len(rows) == NO_CORRESPONDENCE_ROWS
    assert any("CPS.AM-2" in cell for cell in rows[0])  # ORDER BY ?framework ?line: line 1224 comes first
    assert any(cell.startswith('"1224"') for cell in rows[0]), rows[0]  # typed literals: "1224"^^xsd:integer
    tab_names = page.locator(".yasgui .tabsList .tab").all_inner_texts()
    assert any("no correspondence" in name.lower() for name in tab_names), tab_names
    # the query went to our endpoint, as a POST
    assert any(r.startswith("POST ") and r.endswith("/sparql") for r in watched.requests), watched.requests
    watched.assert_clean()


def test_a_new_tab_has_our_prefixes_and_completes_them(watched: Watched, server: str) -> None:
    page = watched.page
    page.goto(f"{server}/query?lang=en")
    page.locator(".yasgui .CodeMirror").first.wait_for(state="visible", timeout=20_000)
    text = page.evaluate("document.querySelector('.yasgui .CodeMirror').CodeMirror.getValue()")
    base = "https://w3id.org/ccds-crosswalk/"
    for line in [f"PREFIX ccdsx: <{base}ontology#>", f"PREFIX ukcop: <{base}id/uk-cop/>", "PREFIX skos: <"]:
        assert line in text
    watched.assert_clean()


def test_the_page_query_opens_in_a_tab_and_runs(watched: Watched, server: str) -> None:
    page = watched.page
    page.goto(f"{server}/query?lang=en&name=item-mappings")
    page.locator(".yasr table.dataTable tbody tr").first.wait_for(timeout=20_000)
    text = " ".join(cell for row in result_rows(page) for cell in row)
    assert all(target in text for target in UK1_TARGETS), text  # item-mappings defaults to UK1
    watched.assert_clean()


def test_without_javascript_the_form_still_answers(browser, server: str) -> None:
    plain = Watched(browser, server, javascript=False)
    try:
        page = plain.page
        page.goto(f"{server}/query?lang=en")
        assert page.locator("#query-form").is_visible()
        page.locator('#canned a[data-query-name="no-correspondence"]').click()
        page.locator("#results tbody tr").first.wait_for(timeout=20_000)
        assert page.locator("#results tbody tr").count() == NO_CORRESPONDENCE_ROWS
        page.locator("#query-text").fill(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
            "SELECT ?n WHERE { ?r owl:annotatedSource <https://w3id.org/ccds-crosswalk/id/uk-cop/UK1> ; "
            "owl:annotatedTarget/skos:notation ?n }"
        )
        page.locator("#run").click()
        page.wait_for_load_state()
        cells = set(page.locator("#results tbody td").all_inner_texts())
        assert {c.strip() for c in cells} == UK1_TARGETS
        assert plain.foreign == []
    finally:
        plain.close()


def test_the_vendored_files_match_their_recorded_checksums() -> None:
    record = dict(
        line.split(": ", 1) for line in (VENDORED / "VERSION").read_text(encoding="utf-8").splitlines() if line
    )
    for name in ("yasgui.min.js", "yasgui.min.css"):
        assert hashlib.sha256((VENDORED / name).read_bytes()).hexdigest() == record[f"sha256 {name}"], name
    pinned = re.search(r"^YASGUI_VERSION=(\S+)$", (ROOT / "scripts" / "vendor-yasgui.sh").read_text(), re.M)
    assert pinned and record["version"] == pinned.group(1)  # the one pin and what is vendored agree
    assert "MIT License" in (VENDORED / "LICENSE").read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def test_the_csp_allows_exactly_the_style_texts_of_the_vendored_yasgui() -> None:
    """The column resizer's two <style> texts, read out of the vendored file: the grip rules, and the drag cursor
    rule built from its default dragCursor."""
    js = (VENDORED / "yasgui.min.js").read_text(encoding="utf-8")
    grips = re.findall(r"createStyle\(a,`( \.grip-resizable[^`]*)`\)", js)
    assert len(grips) == 1
    assert "createStyle(document.querySelector(`head`),`*{cursor:`+n.opt.dragCursor+`!important}`)" in js
    assert "dragCursor:`col-resize`" in js
    texts = [grips[0], "*{cursor:col-resize!important}"]
    assert [csp_hash(text) for text in texts] == list(YASGUI_STYLE_HASHES)
