"""Every page type on a phone and on a desktop, in both languages, in a real browser (Debian's /usr/bin/chromium,
driven by Playwright, against the session's `ccds-crosswalk serve` process):

- nothing is wider than the window (`document.documentElement.scrollWidth <= innerWidth`): wide tables reflow or
  scroll inside their own box, never the page;
- axe-core finds no violation of the WCAG 2.0/2.1 A and AA rules (tags wcag2a, wcag2aa, wcag21a, wcag21aa);
- the page logs no console error and throws no script error.

axe-core is vendored in tests/web/vendor/axe-core (MPL-2.0, from `npm pack`); its version and SHA-256 are checked
before it is used, and it is evaluated in the page by the test: the pages never load it, nor anything from a CDN.
Screenshots at 360 px go to /tmp/screens-everywhere/<page>.<lang>.png (and the print views) for a person to look at.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from headless import ARGS, CHROMIUM, require_chromium

pytestmark = pytest.mark.browser

require_chromium()
from playwright import sync_api  # noqa: E402

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core"
AXE_VERSION = "4.14.1"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENS = Path("/tmp/screens-everywhere")
WIDTHS = {"phone": 360, "desktop": 1280}

# One page of each type. The item pages cover an external requirement (UK1, whose counterparts table is the widest),
# a CCDS item (incoming mappings) and a requirement made of bullet statements (CPS.RA-4).
PAGES = {
    "home": "/",
    "frameworks": "/frameworks",
    "scheme": "/doc/uk-cop.html",
    "item": "/doc/uk-cop/UK1.html",
    "ccds-item": "/doc/ccds/SR2-SP-1.html",
    "statements": "/doc/cpsf/CPS.RA-4.html",
    "statement": "/doc/cpsf/CPS.RA-4/2.html",
    "record": "/doc/mapping/uk-cop/UK1/to/6.2.1/SR2-SP-1;common=6.html",
    "errata": "/errata",
    "erratum": "/doc/erratum/E21.html",
    "coverage": "/coverage",
    "query": "/query?name=no-correspondence",
    "search": "/search?q=%E8%AA%8D%E8%A8%BC",
    "downloads": "/downloads",
    "changes": "/changes",
    "ontology": "/ontology",
    "compare-form": "/compare",
    "compare": "/compare?a=uk-cop&b=cpsf",
    "gap-form": "/gap",
    "gap": "/gap?have=uk-cop:UK1,uk-cop:UK2,uk-cop:UK3&against=ccds",
}


def axe_source() -> str:
    """The vendored axe-core, after checking it is the pinned release, byte for byte."""
    pinned = json.loads((AXE / "VERSION.json").read_text(encoding="utf-8"))
    assert pinned["version"] == AXE_VERSION
    data = (AXE / "axe.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == pinned["files"]["axe.min.js"], "vendored axe.min.js was altered"
    source = data.decode("utf-8")
    assert source.startswith(f"/*! axe v{AXE_VERSION}")
    assert "Mozilla Public" in (AXE / "LICENSE").read_text(encoding="utf-8")
    return source


def test_axe_core_is_the_pinned_release() -> None:
    axe_source()


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


@pytest.fixture(scope="module")
def contexts() -> Iterator[dict]:
    """One browser; one context per language and viewport width, opened when first needed."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        opened: dict = {}

        def context(lang: str, width: int):
            if (lang, width) not in opened:
                opened[(lang, width)] = browser.new_context(
                    locale={"ja": "ja-JP", "en": "en-US"}[lang],
                    extra_http_headers={"Accept-Language": lang},
                    viewport={"width": width, "height": 800},
                )
                opened[(lang, width)].set_default_timeout(120_000)  # generous on a loaded machine; not a speed test
            return opened[(lang, width)]

        yield context
        browser.close()


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
            for node in v["nodes"][:5]
        )
        for v in violations
    )


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_page_fits_the_window_passes_axe_and_logs_no_error(
    contexts, axe: str, server: str, name: str, lang: str, width: int
) -> None:
    page = contexts(lang, width).new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    try:
        path = PAGES[name]
        response = page.goto(f"{server}{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == lang
        if page.locator("#yasgui").count():  # the SPARQL editor fetches and draws its results after the load
            page.wait_for_load_state("networkidle")
            page.locator("#yasgui .yasr table").first.wait_for()

        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if width == WIDTHS["phone"]:
            SCREENS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENS / f"{name}.{lang}.png"), full_page=True)
        assert overflow <= 0, f"{name} ({lang}) at {width}px is {overflow}px wider than the window"

        page.evaluate(axe)  # by the test, not by the page: the page's own policy never lets it load scripts
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        assert result["testEngine"]["version"] == AXE_VERSION
        assert not result["violations"], describe(result["violations"])
        if lang == "en":
            unmarked = page.evaluate(JAPANESE_OUTSIDE_LANG_JA)
            assert not unmarked, f"Japanese text not marked lang=ja: {unmarked[:5]}"
        assert not problems, problems
    finally:
        page.close()


def test_keyboard_reaches_a_skip_link_first_and_it_moves_focus_to_main(contexts, server: str) -> None:
    page = contexts("en", WIDTHS["phone"]).new_page()
    try:
        page.goto(f"{server}/doc/uk-cop/UK1.html?lang=en")
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]"
        )
        assert focused == ["Skip to content", "#main"]
        # the focused skip link is on screen, with a visible focus outline
        box = page.locator("a.skip").bounding_box()
        assert box is not None and box["width"] > 10 and box["y"] >= 0
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", "")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")  # the next stop is inside main: the breadcrumb's first link
        assert page.evaluate("!!document.activeElement.closest('main')")
    finally:
        page.close()


def test_english_pages_mark_japanese_text_and_japanese_pages_mark_english(contexts, server: str) -> None:
    """Text in the other language carries its own lang, so screen readers switch voice and fonts pick the right
    glyphs: UK1's Japanese title on the English page, its official English title on the Japanese one."""
    page = contexts("en", WIDTHS["desktop"]).new_page()
    try:
        page.goto(f"{server}/doc/uk-cop/UK1.html?lang=en")
        assert page.locator("[lang=ja]", has_text="デフォルトパスワードを使用しない").count() >= 1
        page.goto(f"{server}/doc/uk-cop/UK1.html?lang=ja")
        assert page.locator("[lang=en]", has_text="No default passwords").count() >= 1
    finally:
        page.close()


JAPANESE_OUTSIDE_LANG_JA = r"""(() => {
  // Text that is mostly Japanese (more kana/kanji than Latin letters) outside an element marked lang=ja. English
  // sentences that quote a Japanese title (the errata's reasons) are English and need no mark.
  const japanese = /[\u3040-\u30ff\u3400-\u9fff]/g, latin = /[A-Za-z]/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const kana = (n.textContent.match(japanese) || []).length, letters = (n.textContent.match(latin) || []).length;
    const marked = n.parentElement.closest('[lang]').getAttribute('lang');
    if (kana > letters && marked !== 'ja') found.push(n.textContent.trim());
  }
  return found;
})()"""


def test_item_and_erratum_print_as_a_citation_sheet(contexts, server: str) -> None:
    page = contexts("en", WIDTHS["desktop"]).new_page()
    try:
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.emulate_media(media="print")
        for path in ("/doc/uk-cop/UK1.html?lang=en", "/doc/erratum/E21.html?lang=en"):
            page.goto(f"{server}{path}")
            for hidden in ("header", "footer", "nav.breadcrumb", "a.skip"):
                assert not page.locator(hidden).first.is_visible(), f"{hidden} is printed on {path}"
            assert page.locator("h1").is_visible()
            assert page.locator("main code.uri").first.is_visible()  # the page's own URI, to cite
            # each linked resource prints its dataset URI after the link text
            links = page.locator("main a[data-uri]")
            assert links.count() > 0
            for i in range(links.count()):
                link = links.nth(i)
                uri = link.get_attribute("data-uri")
                assert uri.startswith("https://w3id.org/ccds-crosswalk/id/"), uri
                after = link.evaluate("a => getComputedStyle(a, '::after').content")
                assert uri in after, (path, uri, after)
            page.screenshot(path=str(SCREENS / f"print-{path.split('/')[-1].split('?')[0]}.png"), full_page=True)
    finally:
        page.close()
