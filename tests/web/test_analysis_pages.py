"""/compare, /gap and the Sankey diagrams over HTTP against the session's real `ccds-crosswalk serve` process, and
in headless Chromium in both languages.

Expectations come from the printed rows of table 4-1 and 3-1 (lines cited) or from another part of the same
release that the picture must agree with (the coverage matrix table, the coverage-matrix canned query on /sparql).
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from conftest import ROOT, cli

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SVG = "{http://www.w3.org/2000/svg}"
# table 4-1: UK2 (4580) prints R2-8 with R3-8's title (E21); table 3-1 cites R3-8 in these ten requirements
UK2_CPSF = {"CPS.IP-7", "CPS.IP-10", "CPS.AE-2", "CPS.RP-4", "CPS.CO-1", "CPS.AN-2", "CPS.AN-3", "CPS.MI-1",
            "CPS.IM-1", "CPS.IM-2"}  # fmt: skip
# UK1-UK3 (4547-4649): covered in full, and only in part (※共通要件 No.6 / No.11)
COVERED = {"R3-8", "R2-7", "R2-8", "R2-9", "SR2-SP-7", "SR2-PP-7", "SR2-H-6", "SR2-D-5", "SR2-A-3"}
PARTIAL = {"SR2-SP-1", "SR2-PP-1", "SR2-H-1", "SR2-D-1"}


def get(server: str, path: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{server}{path}", headers=headers, timeout=60)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def svg_in(html: str, ident: str) -> ET.Element:
    found = re.search(rf'<svg [^>]*id="{ident}".*?</svg>', html, re.S)
    assert found, f"no svg#{ident}"
    return ET.fromstring(found.group(0))


def flows(svg: ET.Element) -> dict[tuple[str, str], int]:
    return {
        (p.get("data-source", ""), p.get("data-target", "")): int(p.get("data-value", "0"))
        for p in svg.iter(f"{SVG}path")
        if p.get("class") == "flow"
    }


class Table(HTMLParser):
    """The cells of one table (by id), row by row."""

    def __init__(self, ident: str) -> None:
        super().__init__()
        self.ident, self.inside, self.rows, self.cell = ident, False, [], None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table" and dict(attrs).get("id") == self.ident:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell += data


def table(html: str, ident: str) -> list[list[str]]:
    parser = Table(ident)
    parser.feed(html)
    return parser.rows


# ------------------------------------------------------------------ HTTP


def test_compare_csv_by_accept_is_the_cli_output(server: str, artefacts: Path) -> None:
    answer = get(server, "/compare?a=uk-cop&b=cpsf&lang=en", Accept="text/csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["vary"].startswith("Accept")
    command = [*cli(artefacts), "compare", "uk-cop", "cpsf", "--format", "csv", "--lang", "en"]
    assert answer.content == subprocess.run(command, capture_output=True, cwd=ROOT, check=True).stdout
    uk2 = [r for r in rows_of(answer.text) if r["left_id"] == "UK2"]
    assert {r["right_id"] for r in uk2} == UK2_CPSF and {r["errata"] for r in uk2} == {"E21"}
    assert all(r["left_record"] and r["right_record"] and r["derived"] == "true" for r in rows_of(answer.text))


def test_compare_xlsx_by_accept_and_by_link(server: str, tmp_path: Path) -> None:
    csv_rows = rows_of(get(server, "/compare?a=uk-cop&b=sb327&format=csv&lang=ja").text)
    for path, headers in (("/compare?a=uk-cop&b=sb327&lang=ja", {"Accept": XLSX}),
                          ("/compare?a=uk-cop&b=sb327&format=xlsx&lang=ja", {})):  # fmt: skip
        answer = get(server, path, **headers)
        assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
        assert answer.headers["content-disposition"] == 'attachment; filename="compare-uk-cop-sb327.xlsx"'
        (tmp_path / "c.xlsx").write_bytes(answer.content)
        values = list(load_workbook(tmp_path / "c.xlsx").active.iter_rows(values_only=True))
        assert [[c or "" for c in row] for row in values[1:]] == [list(r.values()) for r in csv_rows]


def test_compare_page_in_both_languages(server: str) -> None:
    for lang, heading in (("ja", "比較"), ("en", "Compare")):
        html = get(server, f"/compare?a=uk-cop&b=cpsf&lang={lang}", Accept="text/html").text
        assert f'<html lang="{lang}">' in html and f"<h1>{heading}</h1>" in html
        rows = table(html, "pairs")
        listed = rows_of(get(server, f"/compare?a=uk-cop&b=cpsf&lang={lang}&format=csv").text)
        assert len(rows) - 1 == len(listed)
        assert all(
            r[0].startswith(x["left_id"]) and r[2].startswith(x["right_id"])
            for r, x in zip(rows[1:], listed, strict=True)
        )
        links = re.findall(r'href="(/compare\?[^"]*format=(csv|xlsx)[^"]*)"', html)
        assert {fmt for _, fmt in links} == {"csv", "xlsx"}
        # the Sankey: every pair flows once from A into a section and once from the section to B
        picture = flows(svg_in(html, "compare-sankey"))
        into = sum(n for (s, _), n in picture.items() if s.startswith("a:"))
        out = sum(n for (s, _), n in picture.items() if s.startswith("s:"))
        assert into == out == len(rows) - 1
        # its text alternative: the same flows as a table
        listed_flows = table(html, "flows")[1:]
        assert sorted(int(r[2]) for r in listed_flows) == sorted(picture.values())
        assert "<script" not in html.split("</head>")[1] and ' style="' not in html


def test_compare_refuses_bad_parameters_precisely(server: str) -> None:
    answer = get(server, "/compare?a=uk-cop&b=nist", Accept="text/plain")
    assert answer.status_code == 400 and "b='nist' is not a framework" in answer.text
    answer = get(server, "/compare?a=cpsf&b=cpsf&lang=en", Accept="text/html")
    assert answer.status_code == 400 and "two different frameworks" in answer.text and "<form" in answer.text
    answer = get(server, "/compare?a=uk-cop&b=cpsf&format=pdf", Accept="application/json")
    assert answer.status_code == 400 and answer.json()["error"]["message"].startswith("format='pdf'")
    assert get(server, "/compare?a=uk-cop&b=cpsf", Accept="image/png").status_code == 406


def test_gap_csv_download(server: str) -> None:
    answer = get(server, "/gap?have=UK1,UK2,UK3&against=ccds&format=csv")
    assert answer.status_code == 200 and answer.headers["content-disposition"].startswith("attachment")
    rows = rows_of(answer.text)
    assert {r["ccds_id"] for r in rows if r["status"] == "covered"} == COVERED
    assert {r["ccds_id"] for r in rows if r["status"] == "partial"} == PARTIAL


def test_gap_form_posts_a_file(server: str) -> None:
    files = {"file": ("have.csv", b"id\nUK1\nUK2\nUK3\n", "text/csv")}
    answer = httpx.post(f"{server}/gap?lang=en", data={"have": "", "against": "ccds", "level": ""}, files=files,
                        timeout=60)  # fmt: skip
    assert answer.status_code == 200
    statuses = re.findall(r'<tr class="status-[a-z-]+" data-status="([a-z-]+)" data-id="([^"]+)"', answer.text)
    assert {i for s, i in statuses if s == "covered"} == COVERED and {
        i for s, i in statuses if s == "partial"
    } == PARTIAL
    assert 'href="/gap?have=uk-cop%3AUK1%2Cuk-cop%3AUK2%2Cuk-cop%3AUK3' in answer.text  # a link to the result
    summary = table(answer.text, "gap-summary")
    assert summary[0][:2] == ["Group", "Level"] and len(summary) > 5


def test_gap_refuses_bad_input_precisely(server: str) -> None:
    answer = get(server, "/gap?have=UK99&lang=en", Accept="text/html")
    assert answer.status_code == 400 and "names no item" in answer.text
    answer = get(server, "/gap?have=UK1&level=4", Accept="text/plain")
    assert answer.status_code == 400 and "level='4'" in answer.text
    answer = httpx.post(f"{server}/gap", content=b"have=UK1", headers={"Content-Type": "text/plain"}, timeout=30)
    assert answer.status_code == 400 and "form-data" in answer.text


def test_coverage_sankey_numbers_equal_the_coverage_matrix(server: str, release_dir: Path) -> None:
    html = get(server, "/coverage?lang=en").text
    picture = flows(svg_in(html, "coverage-sankey"))
    cells = table(html, "coverage-table")
    sections = cells[0][1:-1]
    matrix = {
        (f"fw:{row[0]}", f"sec:{section}"): int(value)
        for row in cells[1:]
        for section, value in zip(sections, row[1:-1], strict=True)
        if value
    }
    assert picture == matrix
    # and the canned coverage-matrix query on the endpoint counts the same records
    query = (ROOT / "queries" / "coverage-matrix.rq").read_text(encoding="utf-8")
    answer = httpx.post(f"{server}/sparql", data={"query": query}, headers={"Accept": "text/csv"}, timeout=60)
    counted = {(f"fw:{r['framework']}", f"sec:{r['section']}"): int(r["records"]) for r in rows_of(answer.text)}
    assert picture == counted
    # the release's build-time drawings carry the same flows
    for lang in ("ja", "en"):
        built = ET.fromstring((release_dir / f"coverage-flows.{lang}.svg").read_bytes())
        assert flows(built) == matrix
        assert built.get("role") == "group" and built.find(f"{SVG}title") is not None


# ------------------------------------------------------------------ Chromium

chromium = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from headless import ARGS, CHROMIUM

    with chromium.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def opened(browser, lang: str, javascript: bool = True):
    from test_browser import new_page

    page = new_page(browser, lang, javascript=javascript)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return page, problems


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_compare_and_gap_in_chromium(browser, server: str, lang: str) -> None:
    page, problems = opened(browser, lang)
    try:
        page.goto(f"{server}/compare?lang={lang}")
        page.select_option("#compare-a", "uk-cop")
        page.select_option("#compare-b", "cpsf")
        page.locator("form.analysis button[type=submit]").click()
        page.wait_for_url(re.compile(r"/compare\?.*a=uk-cop&b=cpsf"))
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("svg#compare-sankey").is_visible()
        assert page.locator("#pairs tbody tr").count() == page.locator("svg#compare-sankey").evaluate(
            "s => [...s.querySelectorAll('path.flow')].filter(p => p.dataset.source.startsWith('a:'))"
            ".reduce((n, p) => n + Number(p.dataset.value), 0)"
        )
        uk2 = page.locator("#pairs tbody tr", has=page.locator("td:first-child", has_text="UK2"))
        assert uk2.count() == len(UK2_CPSF) and "E21" in uk2.first.inner_text()
        page.goto(f"{server}/gap?lang={lang}")
        page.locator("#gap-have").fill("UK1, UK2, UK3")
        page.locator("form.gap button[type=submit]").click()
        page.wait_for_load_state()
        covered = page.locator("#gap-rows tr[data-status=covered]")
        assert {c.get_attribute("data-id") for c in covered.all()} == COVERED
        assert page.locator("#gap-rows tr[data-status=partial]").count() == len(PARTIAL)
        with page.expect_download() as download:
            page.locator("a.download[data-format=csv]").click()
        assert download.value.suggested_filename == "gap-ccds.csv"
        assert not problems, problems
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sankeys_need_no_javascript(browser, server: str, lang: str) -> None:
    page, problems = opened(browser, lang, javascript=False)
    try:
        page.goto(f"{server}/coverage?lang={lang}")
        svg = page.locator("svg#coverage-sankey")
        assert svg.is_visible() and svg.get_attribute("role") == "group"  # it holds links: a group, not an image
        title = page.locator("svg#coverage-sankey > title").text_content()
        assert ("フレームワーク" in title) if lang == "ja" else ("framework" in title)
        assert svg.locator("path.flow").count() > 20
        page.goto(f"{server}/compare?a=uk-cop&b=sb327&lang={lang}")
        assert page.locator("svg#compare-sankey path.flow").count() > 0
        assert not problems, problems
    finally:
        page.context.close()
