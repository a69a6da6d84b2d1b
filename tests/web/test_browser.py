"""The bilingual HTML pages in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against the session's `ccds-crosswalk serve` process. The tests click through the pages as a reader would and assert
on what the pages show; the expected values come from the Appendix (the seed text), cited by line:

- table 1-1 (seed lines 8-25): chapter 2 IoT-SG, 3 CPSF, 4 the UK Code of Practice, 5 SB-327;
- table 4-1 (seed 4527-4985): UK1 ... UK13; UK1 「デフォルトパスワードを使用しない」 (4536) is printed against
  6.2.1 SR2-SP-1, 6.2.2 SR2-PP-1, 6.2.3 SR2-H-1 and 6.2.4 SR2-D-1「共通要件への対応」, each ※共通要件 No.6 (4536-4568);
  UK2 prints R2-8「サービス提供におけるインシデント対応」 (4580), the title of R3-8 (146, 3257): erratum E21;
- table 5-1 (seed 4986-5125): two requirements; No.1 against 6.1 and 6.2.1-6.2.5, No.2 against 6.2.1-6.2.4
  (10 rows);
- table 3-1: CPS.AM-1 (1186) against 5.4.2 No.2 使用機器等の発注 and No.3 使用機器の管理・監督;
  CPS.AM-2 (1210) 該当なし; SR2-D-2「認証」 (741, 2166); CPS.RA-4 (1562-1600) is two bullet statements, the first
  該当なし, the second against 6.2.5 SR2-A-2「セキュア設計・コーディング」.

Screenshots of the main pages in both languages go to /tmp/screens/<page>.<lang>.png.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from headless import ARGS, CHROMIUM, require_chromium
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

pytestmark = pytest.mark.browser

require_chromium()
from playwright import sync_api  # noqa: E402

BASE = "https://w3id.org/ccds-crosswalk/"
SCREENS = Path("/tmp/screens")
UK1_TARGETS = {"6.2.1": "SR2-SP-1", "6.2.2": "SR2-PP-1", "6.2.3": "SR2-H-1", "6.2.4": "SR2-D-1"}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def new_page(browser, accept_language: str = "ja", javascript: bool = True):
    """A page in a fresh context whose browser asks for `accept_language` (Chromium derives the header from the
    locale, so both are set)."""
    locale = {"ja": "ja-JP", "en": "en-US"}.get(accept_language, accept_language.split(",")[0])
    context = browser.new_context(
        locale=locale,
        extra_http_headers={"Accept-Language": accept_language},
        java_script_enabled=javascript,
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(120_000)  # a bounded wait, generous for a loaded machine; not a speed assertion
    return context.new_page()


@pytest.fixture
def page(browser) -> Iterator[object]:
    opened = new_page(browser)
    yield opened
    opened.context.close()


def lang_of(url: str) -> str | None:
    return parse_qs(urlparse(url).query).get("lang", [None])[0]


def table_rows(page, selector: str) -> list[list[str]]:
    """The text of each body row's cells (th and td), whitespace collapsed."""
    script = (
        "rows => rows.map(r => Array.from(r.querySelectorAll('th, td'))"
        ".map(c => c.innerText.replace(/\\s+/g, ' ').trim()))"
    )
    return page.eval_on_selector_all(f"{selector} tbody tr", script)


# --- from the home page down to UK1 and across to CCDS ------------------------------------------------------------


def test_home_to_frameworks_to_uk1(page, server: str) -> None:
    page.goto(f"{server}/?lang=ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.get_by_role("navigation", name="サイト内").get_by_role("link", name="フレームワーク", exact=True).click()
    page.wait_for_url(re.compile(r"/frameworks\?lang=ja$"))
    assert page.locator("h1").inner_text() == "フレームワーク"

    rows = {row.get_attribute("data-framework"): row for row in page.locator("#frameworks tbody tr").all()}
    assert set(rows) == {"CCDS", "IoT-SG", "CPSF", "UK-CoP", "SB-327"}  # four external frameworks + CCDS itself
    cells = {name: [c.inner_text().strip() for c in row.locator("th, td").all()] for name, row in rows.items()}
    # columns: framework, relation, chapter/table, items, records, no-correspondence
    assert "Code of Practice for Consumer IoT Security" in cells["UK-CoP"][0]
    assert "Senate Bill No.327" in cells["SB-327"][0]
    assert "CPSF" in cells["CPSF"][0] and "IoTセキュリティガイドライン" in cells["IoT-SG"][0]
    assert [cells[n][2] for n in ("IoT-SG", "CPSF", "UK-CoP", "SB-327")] == [
        "第2章 表 2-1",
        "第3章 表 3-1",
        "第4章 表 4-1",
        "第5章 表 5-1",
    ]
    assert "準拠を確認" in cells["UK-CoP"][1] and "詳細化" in cells["IoT-SG"][1] and "参考" in cells["CPSF"][1]
    assert cells["UK-CoP"][3] == "13"  # UK1 ... UK13
    assert cells["SB-327"][3:6] == ["2", "10", "0"]  # 6 rows for No.1, 4 for No.2, none 該当なし
    assert int(cells["CPSF"][5]) > 0  # e.g. CPS.AM-2 該当なし
    for name in ("IoT-SG", "CPSF", "UK-CoP"):
        assert int(cells[name][4]) > 0
    assert cells["CCDS"][4] == "—"  # CCDS is the target of the mappings, not a source

    rows["UK-CoP"].get_by_role("link").click()
    page.wait_for_url(re.compile(r"/doc/uk-cop\.html\?lang=ja$"))
    assert "Code of Practice for Consumer IoT Security" in page.locator("h1").inner_text()
    tree = page.locator("ul.tree > li > a .notation").all_inner_texts()
    assert tree == [f"UK{n}" for n in range(1, 14)]
    assert "第4章" in page.locator("#context").inner_text()

    page.locator("ul.tree a", has_text=re.compile(r"^UK1 ")).click()
    page.wait_for_url(re.compile(r"/doc/uk-cop/UK1\.html\?lang=ja$"))
    assert page.locator("h1").inner_text().split() == ["UK1", "デフォルトパスワードを使用しない"]
    crumbs = page.locator("nav.breadcrumb li").all_inner_texts()
    assert crumbs == ["ホーム", "フレームワーク", "UK-CoP", "UK1"]
    assert page.locator("nav.breadcrumb [aria-current=page]").inner_text() == "UK1"
    context = page.locator("#context").inner_text()
    assert "準拠を確認" in context and "表 4-1" in context  # the framework's relation to CCDS, in words


def test_uk1_counterparts_and_the_ccds_item_they_lead_to(page, server: str) -> None:
    page.goto(f"{server}/doc/uk-cop/UK1.html?lang=ja")
    table = "#counterparts table"
    headers = page.locator(f"{table} thead th").all_inner_texts()
    assert headers[:3] == ["本書の章節", "本書の項目", "Appendix の記載(印刷どおり)"]
    rows = table_rows(page, table)
    assert {row[0].split()[0]: row[1].split()[0] for row in rows} == UK1_TARGETS
    for section, item in UK1_TARGETS.items():
        row = next(r for r in rows if r[0].startswith(section))
        assert "共通要件への対応" in row[1]  # the CCDS item's title
        printed = row[2]  # what the Appendix printed: section, ID「title」※qualifier
        assert printed.startswith(section) and f"{item}「共通要件への対応」" in printed
        assert re.search(r"※共通要件 ?No\.6", printed)
        assert "表 4-1" in row[3]
    # the qualifier resolves to the common requirement, linked
    qualifiers = page.locator(f"{table} .qualifier a").all()
    assert len(qualifiers) == 4 and {q.inner_text() for q in qualifiers} == {"共通要件 No.6"}
    assert qualifiers[0].get_attribute("href").startswith("/doc/ccds/common/6.html")

    page.locator(f"{table} a", has_text=re.compile(r"^SR2-SP-1$")).click()
    page.wait_for_url(re.compile(r"/doc/ccds/SR2-SP-1\.html\?lang=ja$"))
    assert page.locator("h1").inner_text().split() == ["SR2-SP-1", "共通要件への対応"]
    crumbs = page.locator("nav.breadcrumb li").all_inner_texts()
    assert crumbs[:3] == ["ホーム", "フレームワーク", "CCDS"]
    # SR2-SP-1 is in section 6.2.1 (table 4-1, line 4547), under 6.2 and chapter 6 by their numbers; the
    # Appendix prints no title for 6 or 6.2, so their crumbs are the numbers alone
    assert crumbs[3:5] == ["6", "6.2"] and crumbs[5].startswith("6.2.1") and crumbs[-1] == "SR2-SP-1"
    mapped = table_rows(page, "#mapped-here table")
    uk1 = [row for row in mapped if row[0] == "UK-CoP" and row[1].split()[0] == "UK1"]
    assert len(uk1) == 1
    assert "デフォルトパスワードを使用しない" in uk1[0][1]
    assert uk1[0][2].startswith("6.2.1") and "SR2-SP-1「共通要件への対応」" in uk1[0][2]

    # the record itself, and back to UK1
    page.locator("#mapped-here tr", has=page.locator("a", has_text=re.compile(r"^UK1$"))).get_by_role(
        "link", name="レコード"
    ).click()
    page.wait_for_url(re.compile(r"/doc/mapping/uk-cop/UK1/to/6\.2\.1/SR2-SP-1;common=6\.html\?lang=ja$"))
    assert re.sub(r"\s+", " ", page.locator("h1").inner_text()) == "対応レコード: UK1 → SR2-SP-1"
    details = page.locator("main dl").inner_text()
    assert "共通要件 No.6" in details and "表 4-1" in details


def test_a_requirement_made_of_statements_shows_each_statement_and_its_counterpart(page, server: str) -> None:
    page.goto(f"{server}/doc/cpsf/CPS.RA-4.html?lang=ja")
    headers = page.locator("#counterparts thead th").all_inner_texts()
    assert headers[:3] == ["記述", "本書の章節", "本書の項目"]
    first, second = table_rows(page, "#counterparts table")
    assert first[0].startswith("記述 1") and "定期的にリスクアセスメントを実施する" in first[0]
    assert first[1].startswith("該当なし")
    assert second[0].startswith("記述 2") and "受容できない既知のセキュリティリスク" in second[0]
    assert second[1].startswith("6.2.5") and second[2].startswith("SR2-A-2 セキュア設計・コーディング")
    # a statement's own page names it by its requirement and number, with its text, under the requirement
    page.locator("ul.children a", has_text="記述 2").click()
    page.wait_for_url(re.compile(r"/doc/cpsf/CPS\.RA-4/2\.html\?lang=ja$"))
    assert page.locator("h1").inner_text().split()[:3] == ["CPS.RA-4", "記述", "2"]
    assert page.locator("nav.breadcrumb li").all_inner_texts()[-2:] == ["CPS.RA-4", "CPS.RA-4 記述 2"]
    assert "受容できない既知のセキュリティリスク" in page.locator("dl.labels").inner_text()


def test_language_switch_is_kept_when_following_links(page, server: str) -> None:
    page.goto(f"{server}/doc/uk-cop/UK1.html?lang=ja")
    assert "デフォルトパスワードを使用しない" in page.locator("h1").inner_text()
    switch = page.locator("#lang-switch")
    assert switch.inner_text() == "English" and switch.get_attribute("hreflang") == "en"
    switch.click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().split(maxsplit=1) == ["UK1", "No default passwords"]
    assert "(English: official)" in page.locator("dl.labels").inner_text()
    assert page.locator("#counterparts thead th").first.inner_text() == "CCDS section"

    page.locator("#counterparts a", has_text=re.compile(r"^SR2-H-1$")).click()
    page.wait_for_url(re.compile(r"/doc/ccds/SR2-H-1\.html"))
    assert lang_of(page.url) == "en" and page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#mapped-here thead th").first.inner_text() == "Framework"
    page.locator("nav.breadcrumb a", has_text="Frameworks").click()
    page.wait_for_url(re.compile(r"/frameworks"))
    assert lang_of(page.url) == "en" and page.locator("h1").inner_text() == "Frameworks"
    # every internal link on the page carries the choice
    hrefs = page.eval_on_selector_all("main a[href^='/']", "as => as.map(a => a.getAttribute('href'))")
    assert hrefs and all(lang_of(h) == "en" for h in hrefs)

    page.locator("#lang-switch").click()
    page.wait_for_url(re.compile(r"lang=ja"))
    assert page.locator("h1").inner_text() == "フレームワーク"


@pytest.mark.parametrize(
    ("accept", "lang", "heading"),
    [
        ("en", "en", "No default passwords"),
        ("en-GB,en;q=0.9", "en", "No default passwords"),
        ("ja", "ja", "デフォルトパスワードを使用しない"),
        ("fr", "ja", "デフォルトパスワードを使用しない"),
    ],
)
def test_accept_language_chooses_the_default(browser, server: str, accept: str, lang: str, heading: str) -> None:
    page = new_page(browser, accept)
    try:
        page.goto(f"{server}/id/uk-cop/UK1")  # 303 → /doc/uk-cop/UK1.html, language from Accept-Language
        assert page.locator("html").get_attribute("lang") == lang
        assert heading in page.locator("h1").inner_text()
        page.goto(f"{server}/")
        assert page.locator("html").get_attribute("lang") == lang
        frameworks = page.locator("nav.site a[href^='/frameworks']").inner_text()
        assert frameworks == ("Frameworks" if lang == "en" else "フレームワーク")
    finally:
        page.context.close()


# --- query, search, coverage, errata, downloads -------------------------------------------------------------------


@pytest.fixture
def plain_page(browser) -> Iterator[object]:
    """Without JavaScript: the query page's own form (with JavaScript YASGUI stands in for it, test_yasgui.py)."""
    opened = new_page(browser, javascript=False)
    yield opened
    opened.context.close()


def test_canned_query_and_a_result_link(plain_page, server: str) -> None:
    page = plain_page
    page.goto(f"{server}/query?lang=en")
    assert page.locator("#canned li").count() >= 5
    page.locator("#canned a[href*='name=no-correspondence']").click()
    page.wait_for_url(re.compile(r"name=no-correspondence"))
    assert page.locator("#canned li.selected a").get_attribute("href").startswith("/query?name=no-correspondence")
    assert "NoTermFound" in page.locator("#query-text").input_value()
    headers = page.locator("#results thead th").all_inner_texts()
    rows = table_rows(page, "#results")
    assert rows
    ids = [row[headers.index("externalId")] for row in rows]
    assert "CPS.AM-2" in ids and "CPS.AM-1" not in ids
    heading = page.locator("#results-section h2").inner_text()
    assert re.search(rf"\b{len(rows)} rows\b", heading)

    page.locator("#results tr", has_text="CPS.AM-2").locator("a[href*='/doc/cpsf/CPS.AM-2']").first.click()
    page.wait_for_url(re.compile(r"/doc/cpsf/CPS\.AM-2\.html\?lang=en$"))
    assert page.locator("h1 .notation").inner_text() == "CPS.AM-2"
    rows = table_rows(page, "#counterparts table")
    assert len(rows) == 1 and rows[0][0].startswith("No correspondence") and "該当なし" in rows[0][0]


def test_query_page_runs_a_typed_query(plain_page, server: str) -> None:
    page = plain_page
    page.goto(f"{server}/query?lang=ja")
    page.locator("#query-text").fill(
        'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nSELECT ?x WHERE { ?x skos:notation "UK1" }'
    )
    page.locator("#run").click()
    page.wait_for_url(re.compile(r"query="))
    assert len(table_rows(page, "#results")) == 1
    assert page.locator("#results td a").get_attribute("href") == "/doc/uk-cop/UK1.html?lang=ja"
    page.locator("#query-text").fill("SELECT ?x WHERE { ?x ?y }")  # syntax error: shown, not a stack trace
    page.locator("#run").click()
    assert page.locator(".error[role=alert]").is_visible()


def search(page, server: str, text: str, lang: str = "ja") -> list[list[str]]:
    page.goto(f"{server}/?lang={lang}")
    page.locator("header input[type=search]").fill(text)
    page.locator("header input[type=search]").press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert lang_of(page.url) == lang
    return table_rows(page, "#hits")


def test_search_by_id_japanese_and_english(page, server: str) -> None:
    hits = search(page, server, "CPS.AM-1")
    assert hits[0][0] == "CPSF" and hits[0][1].startswith("CPS.AM-1 ")  # the exact ID first
    assert "システムを構成するハードウェア" in hits[0][1]
    page.locator("#hits a").first.click()
    page.wait_for_url(re.compile(r"/doc/cpsf/CPS\.AM-1\.html\?lang=ja$"))
    counterparts = table_rows(page, "#counterparts table")
    assert sorted(tuple(row[1].split()[:2]) for row in counterparts) == [("5.4.2", "No.2"), ("5.4.2", "No.3")]
    assert all(row[0].startswith("5.4.2 生産・施工フェーズ") for row in counterparts)
    titles = " ".join(row[1] for row in counterparts)
    assert "使用機器等の発注" in titles and "使用機器の管理・監督" in titles

    hits = search(page, server, "認証")
    found = {(row[0], row[1].split()[0]) for row in hits}
    assert ("CCDS", "SR2-D-2") in found and ("UK-CoP", "UK4") in found
    assert re.match(r"\d+ 件", page.locator("#hit-count").inner_text())

    hits = search(page, server, "passwords", lang="en")
    assert ("UK-CoP", "UK1") in {(row[0], row[1].split()[0]) for row in hits}
    assert any("No default passwords" in row[1] for row in hits)

    search(page, server, "zzzz-no-such-thing")
    assert page.locator("#hits").count() == 0 and "0 件" in page.locator("#hit-count").inner_text()


def test_coverage_chart_is_an_svg_with_one_row_per_framework(page, server: str) -> None:
    page.goto(f"{server}/coverage?lang=en")
    chart = page.locator("figure svg#coverage-chart")
    assert chart.evaluate("e => e.namespaceURI") == "http://www.w3.org/2000/svg"
    rows = chart.locator("g.row")
    assert [r.get_attribute("data-framework") for r in rows.all()] == ["IoT-SG", "CPSF", "UK-CoP", "SB-327"]
    assert page.locator("#coverage-caption").inner_text().startswith("Mapping records")
    # the SB-327 row of the accessible table: No.1 → 6.1, 6.2.1-6.2.5; No.2 → 6.2.1-6.2.4 (table 5-1)
    sections = page.locator("#coverage-table thead th").all_inner_texts()
    sb327 = next(r for r in table_rows(page, "#coverage-table") if r[0] == "SB-327")
    counts = {s: c for s, c in zip(sections[1:], sb327[1:], strict=True) if c}
    assert counts == {"6.1": "1", "6.2.1": "2", "6.2.2": "2", "6.2.3": "2", "6.2.4": "2", "6.2.5": "1", "Total": "10"}
    # each framework label in the chart leads to the framework
    rows.nth(2).locator("a").click()
    page.wait_for_url(re.compile(r"/doc/uk-cop\.html\?lang=en$"))


def test_errata_page_lists_e21(page, server: str) -> None:
    page.goto(f"{server}/errata?lang=ja")
    row = page.locator("#errata tr#E21")
    text = row.inner_text()
    assert "R2-8「サービス提供におけるインシデント対応」" in text and "解決済み" in text
    assert row.get_by_role("link", name="R3-8").get_attribute("href").startswith("/doc/ccds/R3-8.html")
    row.get_by_role("link", name="E21").click()
    page.wait_for_url(re.compile(r"/doc/erratum/E21\.html\?lang=ja$"))
    affected = table_rows(page, "main table.records")
    assert len(affected) == 1
    framework, subject, section, item = affected[0][:4]
    assert (framework, subject.split()[0], section.split()[0], item.split()[0]) == ("UK-CoP", "UK2", "6.1", "R3-8")
    assert "訂正あり" in item and "R2-8" in item  # the resolved item, and what was printed


def test_download_a_dump_and_parse_it(page, server: str, tmp_path: Path) -> None:
    page.goto(f"{server}/downloads?lang=en")
    link = page.locator("#downloads a", has_text=re.compile(r"^crosswalk\.ttl$"))
    with page.expect_download() as waiting:
        link.click()
    download = waiting.value
    assert download.suggested_filename == "crosswalk.ttl"
    saved = tmp_path / "crosswalk.ttl"
    download.save_as(saved)
    graph = Graph().parse(saved, format="turtle")
    uk1 = URIRef(f"{BASE}id/uk-cop/UK1")
    assert (uk1, SKOS.prefLabel, Literal("デフォルトパスワードを使用しない", lang="ja")) in graph
    assert (uk1, SKOS.notation, Literal("UK1")) in graph
    # the size shown on the page is the size of the file
    row = page.locator("#downloads tr").filter(has=page.locator("a", has_text=re.compile(r"^crosswalk\.ttl$")))
    size = row.locator("td.num").inner_text().replace(",", "")
    assert int(size) == saved.stat().st_size


# --- without JavaScript -------------------------------------------------------------------------------------------


def test_pages_work_without_javascript(browser, server: str) -> None:
    page = new_page(browser, "ja", javascript=False)
    try:
        page.goto(f"{server}/?lang=en")
        page.locator("#frameworks a", has_text="Code of Practice").click()
        page.wait_for_url(re.compile(r"/doc/uk-cop\.html"))
        page.locator("ul.tree a", has_text=re.compile(r"^UK1 ")).click()
        page.wait_for_url(re.compile(r"/doc/uk-cop/UK1\.html"))
        assert page.locator("h1").inner_text().split(maxsplit=1) == ["UK1", "No default passwords"]
        page.locator("header input[type=search]").fill("CPS.AM-2")
        page.locator("header button[type=submit]").click()  # a plain GET form
        page.wait_for_url(re.compile(r"/search\?"))
        assert table_rows(page, "#hits")[0][1].startswith("CPS.AM-2")
        page.goto(f"{server}/query?name=no-correspondence&lang=en")
        page.locator("#run").click()  # the textarea's query, submitted by the form
        page.wait_for_url(re.compile(r"query="))
        assert any("CPS.AM-2" in " ".join(row) for row in table_rows(page, "#results"))
        page.goto(f"{server}/coverage?lang=en")
        assert page.locator("svg#coverage-chart g.row").count() == 4
    finally:
        page.context.close()


# --- structure and screenshots ------------------------------------------------------------------------------------

PAGES = {
    "home": "/",
    "frameworks": "/frameworks",
    "uk-cop": "/doc/uk-cop.html",
    "UK1": "/doc/uk-cop/UK1.html",
    "SR2-SP-1": "/doc/ccds/SR2-SP-1.html",
    "common-6": "/doc/ccds/common/6.html",
    "CPS.RA-4": "/doc/cpsf/CPS.RA-4.html",
    "record": "/doc/mapping/uk-cop/UK1/to/6.2.1/SR2-SP-1;common=6.html",
    "coverage": "/coverage",
    "errata": "/errata",
    "E21": "/doc/erratum/E21.html",
    "query": "/query?name=no-correspondence",
    "search": "/search?q=%E8%AA%8D%E8%A8%BC",
    "downloads": "/downloads",
}


@pytest.fixture(scope="module")
def screens() -> Path:
    shutil.rmtree(SCREENS, ignore_errors=True)
    SCREENS.mkdir(parents=True)
    return SCREENS


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_main_pages_are_semantic_fit_the_window_and_are_photographed(
    browser, server: str, screens: Path, lang: str
) -> None:
    page = new_page(browser, lang)
    try:
        for name, path in PAGES.items():
            response = page.goto(f"{server}{path}{'&' if '?' in path else '?'}lang={lang}")
            assert response is not None and response.status == 200, name
            assert page.locator("html").get_attribute("lang") == lang, name
            assert page.locator("main").count() == 1 and page.locator("h1").count() == 1, name
            assert page.locator("header nav").count() >= 1, name
            for table in page.locator("main table").all():
                assert table.locator("thead th").count() > 0 or table.locator("tbody th").count() > 0, name
            # nothing wider than the window: wide tables scroll inside their own box
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} ({lang}) is {overflow}px wider than the window"
            page.screenshot(path=str(screens / f"{name}.{lang}.png"), full_page=True)
            assert (screens / f"{name}.{lang}.png").stat().st_size > 10_000
    finally:
        page.context.close()
