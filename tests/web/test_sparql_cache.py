"""The per-release SPARQL result cache and HTTP validators of GET /sparql, over HTTP against real
`ccds-crosswalk serve` processes: an ETag from the release and the request, Cache-Control, 304 on If-None-Match,
a changed query never answered from the cache, and the cache's bounds (entries, bytes, the largest answer kept)
holding. Cache-Status (RFC 9211) says whether an answer came from the cache.

Expected values come from the source: the Appendix's four tables have 130 + 292 + 62 + 10 = 494 rows (seed of
test_sparql_protocol.py), which queries/crosswalk.rq returns one per row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
SRJ = "application/sparql-results+json"
PREFIX = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
NOTATIONS = ("UK1", "UK2", "UK3", "UK4", "UK5", "UK6")  # UK-CoP provisions 1-6 (Appendix table 4-1)


def lookup(notation: str) -> str:
    return PREFIX + f'SELECT ?item ?label WHERE {{ ?item skos:notation "{notation}" ; skos:prefLabel ?label }}'


def get(url: str, query: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": SRJ, **headers}, timeout=30)


def items(response: httpx.Response) -> set[str]:
    return {row["item"]["value"] for row in response.json()["results"]["bindings"]}


def test_second_identical_get_is_answered_304_on_if_none_match(server: str) -> None:
    first = get(server, lookup("UK1"))
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    assert "accept" in first.headers["vary"].lower()
    again = get(server, lookup("UK1"), **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert get(server, lookup("UK1"), **{"If-None-Match": 'W/"not-this-one"'}).status_code == 200


def test_a_repeated_query_comes_from_the_cache_with_the_same_bytes(server: str) -> None:
    query = lookup("UK2") + "\n# repeated"
    first = get(server, query)
    second = get(server, query)
    assert "fwd=miss" in first.headers["cache-status"] and "stored" in first.headers["cache-status"]
    assert second.headers["cache-status"].endswith("; hit")
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert {i.rsplit("/", 1)[1] for i in items(second)} == {"UK2"}


def test_a_changed_query_is_not_served_from_the_cache(server: str) -> None:
    one = get(server, lookup("UK3"))
    get(server, lookup("UK3"))  # now surely cached
    other = get(server, lookup("UK4"))
    assert other.status_code == 200
    assert "fwd=miss" in other.headers["cache-status"]
    assert other.headers["etag"] != one.headers["etag"]
    assert {i.rsplit("/", 1)[1] for i in items(other)} == {"UK4"}
    # the old ETag does not validate the changed query
    assert get(server, lookup("UK4"), **{"If-None-Match": one.headers["etag"]}).status_code == 200


def test_another_result_format_has_its_own_etag_and_answer(server: str) -> None:
    json_answer = get(server, lookup("UK5"))
    csv_answer = get(server, lookup("UK5"), Accept="text/csv")
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert csv_answer.headers["etag"] != json_answer.headers["etag"]
    assert csv_answer.text.splitlines()[0] == "item,label"


def test_post_is_answered_but_not_marked_cacheable(server: str) -> None:
    response = httpx.post(f"{server}/sparql", data={"query": lookup("UK1")}, headers={"Accept": SRJ}, timeout=30)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


def test_errors_carry_no_validator(server: str) -> None:
    response = get(server, "SELECT * WHERE { ?s ?p }")
    assert response.status_code == 400
    assert "etag" not in response.headers
    assert response.headers["cache-control"] == "no-store"


@pytest.fixture(scope="module")
def small_cache(artefacts: Path, release_dir: Path) -> Iterator[str]:
    """A server whose cache holds at most 3 answers, 4000 bytes in all, none above 2500 bytes."""
    process, url = start_server(
        artefacts, "--cache-entries", "3", "--cache-bytes", "4000", "--cache-entry-bytes", "2500"
    )
    yield url
    stop_server(process)


def _status(url: str, query: str) -> str:
    response = get(url, query)
    assert response.status_code == 200
    return response.headers["cache-status"]


def test_the_entry_bound_holds(small_cache: str) -> None:
    queries = [lookup(n) + "\n# entries" for n in NOTATIONS[:4]]
    for query in queries:
        assert "stored" in _status(small_cache, query)
    assert _status(small_cache, queries[3]).endswith("; hit")  # the newest is kept
    assert "fwd=miss" in _status(small_cache, queries[0])  # the oldest of four went: three entries at most


def test_the_byte_bound_holds(small_cache: str) -> None:
    queries = [lookup(n) + "\n# bytes " + "x" * 1200 for n in NOTATIONS]  # each entry over 1500 bytes
    for query in queries:
        assert "stored" in _status(small_cache, query)
    assert _status(small_cache, queries[-1]).endswith("; hit")
    assert "fwd=miss" in _status(small_cache, queries[-3])  # 4000 bytes hold two of them


def test_answers_above_the_size_cap_are_not_kept(small_cache: str) -> None:
    crosswalk = (ROOT / "queries" / "crosswalk.rq").read_text(encoding="utf-8")
    first = get(small_cache, crosswalk)
    assert first.status_code == 200
    assert len(first.json()["results"]["bindings"]) == 130 + 292 + 62 + 10
    assert first.headers["cache-status"] == "ccds-crosswalk; fwd=miss"  # not stored
    assert get(small_cache, crosswalk).headers["cache-status"] == "ccds-crosswalk; fwd=miss"
    assert get(small_cache, crosswalk, **{"If-None-Match": first.headers["etag"]}).status_code == 304
