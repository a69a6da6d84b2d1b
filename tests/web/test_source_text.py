"""The source text over HTTP: {base}source/appendix.txt answers as text/plain; charset=utf-8 with the bytes the
release's checksum describes, every line citation of the data (prov:wasQuotedFrom) resolves on the running
server, and the item, record and erratum pages show the cited line among its neighbours, marked.

Expected lines were read off data/source/appendix.txt; comments give the line numbers."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from pathlib import Path

import httpx
import pytest

from ccds_crosswalk.settings import current_release

# the current release: the last row of data/releases.csv
RELEASE = current_release(Path(__file__).resolve().parents[2])

BASE = "https://w3id.org/ccds-crosswalk/"
SEED = Path(__file__).resolve().parents[2] / "data" / "source" / "appendix.txt"
PREFIXES = """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX ccdsx: <https://w3id.org/ccds-crosswalk/ontology#>
"""


def marked(page: str) -> tuple[int, str]:
    """The line number and text of the line a page marks as cited."""
    match = re.search(r'<mark id="line-(\d+)"><span class="line-no">\d+</span> (.*?)</mark>', page)
    assert match, "no marked source line on the page"
    return int(match[1]), html.unescape(match[2])


def test_the_text_is_served_as_published(server: str, release_dir: Path) -> None:
    response = httpx.get(f"{server}/source/appendix.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.content == SEED.read_bytes() == (release_dir / "appendix.txt").read_bytes()
    digest = hashlib.sha256(response.content).hexdigest()
    assert f"{digest}  appendix.txt" in httpx.get(f"{server}/release/{RELEASE}/SHA256SUMS").text
    again = httpx.get(f"{server}/source/appendix.txt", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_every_citation_resolves_on_the_server(server: str) -> None:
    query = PREFIXES + "SELECT DISTINCT ?cite WHERE { ?x prov:wasQuotedFrom ?cite }"
    answer = httpx.get(f"{server}/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30)
    citations = [row["cite"] for row in csv.DictReader(io.StringIO(answer.text))]
    assert len(citations) > 400
    documents = {citation.split("#")[0] for citation in citations}
    assert documents == {f"{BASE}source/appendix.txt"}
    # the document is the server's path under the public base, and each fragment selects one of its lines
    lines = httpx.get(f"{server}/source/appendix.txt").text.splitlines()
    for citation in citations:
        start, end = map(int, re.fullmatch(r"line=(\d+),(\d+)", citation.split("#")[1]).groups())
        assert end == start + 1 and end <= len(lines), citation


@pytest.mark.parametrize(
    ("path", "line", "printed"),
    [
        # seed line 4547: UK1's first target "SR2-SP-1「共通要件への対応」※共通要件 No.6"
        ("/doc/mapping/uk-cop/UK1/to/6.2.1/SR2-SP-1;common=6.html", 4547, "SR2-SP-1「共通要件への対応」"),
        # seed line 4536: UK1 itself
        ("/doc/uk-cop/UK1.html", 4536, "UK1"),
    ],
)
def test_a_page_shows_the_cited_line_in_context(server: str, path: str, line: int, printed: str) -> None:
    page = httpx.get(f"{server}{path}", params={"lang": "en"}).text
    number, text = marked(page)
    assert number == line and text.startswith(printed)
    assert f'href="/source/appendix.txt#line={line - 1},{line}"' in page
    assert f"{BASE}source/appendix.txt#line={line - 1},{line}" in page
    shown = [int(n) for n in re.findall(r'<span class="line-no">(\d+)</span>', page)]
    assert shown == list(range(line - 4, line + 5))  # four lines either side


def test_an_erratum_page_shows_its_line(server: str) -> None:
    query = PREFIXES + "SELECT ?e ?line WHERE { ?e a ccdsx:Erratum ; ccdsx:sourceLine ?line } ORDER BY ?e LIMIT 1"
    answer = httpx.get(f"{server}/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30)
    (row,) = list(csv.DictReader(io.StringIO(answer.text)))
    page = httpx.get(f"{server}/doc/{row['e'][len(BASE) + 3 :]}.html").text
    number, text = marked(page)
    assert number == int(row["line"])
    assert text == SEED.read_text(encoding="utf-8").splitlines()[number - 1]
