"""Provably cheap queries answered in the web process (server/engine/cheap.py): the shape of a query, the cost
bound over the built release's statistics, and, over HTTP against a real `ccds-crosswalk serve`, which process
answered (Server-Timing): queries of a cheap shape are answered in the web process; heavy and runaway queries
never are, and a runaway stopped at its time limit does not delay the lookups answered meanwhile.

Expected values come from the source: UK1 (Appendix table 4-1, lines 4536-4568) has the notation "UK1"; the
Appendix's four tables have 130 + 292 + 62 + 10 = 494 rows, which queries/crosswalk.rq returns one per row."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest

from ccds_crosswalk.engine import cheap
from ccds_crosswalk.engine.evaluate import evaluate, prepare
from ccds_crosswalk.engine.jobs import QueryError, QueryRequest
from ccds_crosswalk.engine.store import load_store

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/ccds-crosswalk/"
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
SRJ = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def lookup(notation: str, note: str = "") -> str:
    return SKOS + f'SELECT ?item ?label WHERE {{ ?item skos:notation "{notation}" ; skos:prefLabel ?label }}\n# {note}'


@pytest.fixture(scope="module")
def stats(release_dir: Path) -> cheap.Stats:
    store = load_store(release_dir, BASE)
    prepare(store)
    return cheap.stats_of(store)


def test_a_shape_keeps_the_structure_and_blanks_the_constants() -> None:
    one = cheap.shape(lookup("UK1", "first"))
    assert one == cheap.shape(lookup("CPS.AM-1", "another comment"))
    assert "<http://www.w3.org/2004/02/skos/core#>" in one  # a declared prefix stays
    assert "UK1" not in one and "first" not in one
    assert cheap.shape(f"SELECT * WHERE {{ <{BASE}id/uk-cop/UK1> ?p ?o }}") == cheap.shape(
        f"SELECT * WHERE {{ <{BASE}id/ccds/5> ?p ?o }}"
    )
    assert one != cheap.shape(lookup("UK1").replace("skos:prefLabel", "skos:altLabel"))


@pytest.mark.parametrize(
    "query",
    [
        lookup("UK1"),
        f"CONSTRUCT {{ <{BASE}id/uk-cop/UK1> ?p ?o }} WHERE {{ <{BASE}id/uk-cop/UK1> ?p ?o }}",
        SKOS + f"ASK {{ <{BASE}id/uk-cop/UK1> skos:notation ?n }}",
        SKOS + 'SELECT ?item WHERE { ?item skos:prefLabel ?l FILTER(CONTAINS(?l, "パスワード")) }',
        SKOS + f"SELECT ?item WHERE {{ ?item skos:broader+ <{BASE}id/ccds/5> }}",
        (ROOT / "queries" / "item-mappings.rq").read_text(encoding="utf-8"),
    ],
)
def test_lookups_are_cheap(query: str, stats: cheap.Stats) -> None:
    assert cheap.judge(cheap.shape(query), stats) != cheap.NOT_CHEAP, cheap.bounds(cheap.shape(query), stats)


@pytest.mark.parametrize(
    "query",
    [
        RUNAWAY,
        "SELECT * WHERE { ?s ?p ?o }",
        SKOS + "SELECT * WHERE { ?a skos:broader+ ?b }",  # a closure with neither end bound
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"SELECT * FROM <{BASE}graph/data> WHERE {{ <{BASE}id/uk-cop/UK1> ?p ?o }}",
        f"DESCRIBE <{BASE}id/uk-cop/UK1>",
        (ROOT / "queries" / "crosswalk.rq").read_text(encoding="utf-8"),
        (ROOT / "queries" / "frameworks.rq").read_text(encoding="utf-8"),
        "SELECT * WHERE { ?s ?p",  # not even a query
    ],
)
def test_heavy_unbounded_or_unusual_queries_are_not(query: str, stats: cheap.Stats) -> None:
    assert cheap.judge(cheap.shape(query), stats) == cheap.NOT_CHEAP


def where(response: httpx.Response) -> str:
    timing = response.headers["server-timing"]
    return timing.split('desc="', 1)[1].rstrip('"')


def rows(response: httpx.Response) -> set[tuple[str, str]]:
    return {(r["item"]["value"], r["label"]["value"]) for r in response.json()["results"]["bindings"]}


def test_a_cheap_shape_is_answered_in_the_web_process_from_its_first_query(server: str) -> None:
    with httpx.Client(base_url=server, headers={"Accept": SRJ}, timeout=30) as client:
        first = client.get("/sparql", params={"query": lookup("UK1", "cheap-1")})
        assert first.status_code == 200
        assert where(first) == "web process"  # judged there, on a thread beside the event loop
        again = client.get("/sparql", params={"query": lookup("UK1", "cheap-1 again")})
        assert where(again) == "web process"
        assert rows(again) == rows(first)
        assert {item.rsplit("/", 1)[1] for item, _ in rows(first)} == {"UK1"}
        assert any("パスワード" in label for _, label in rows(first))  # デフォルトパスワードを使用しない


def test_heavy_queries_stay_on_the_workers(server: str) -> None:
    crosswalk = (ROOT / "queries" / "crosswalk.rq").read_text(encoding="utf-8")
    with httpx.Client(base_url=server, headers={"Accept": SRJ}, timeout=60) as client:
        for n in range(3):
            response = client.get("/sparql", params={"query": crosswalk + f"\n# heavy {n}"})
            assert response.status_code == 200
            assert len(response.json()["results"]["bindings"]) == 130 + 292 + 62 + 10
            assert where(response) == "query worker"


def test_a_runaway_is_stopped_and_lookups_beside_it_are_answered_in_process(server: str) -> None:
    """The session server's time limit is 2 s (tests/conftest.py start_server)."""
    with httpx.Client(base_url=server, headers={"Accept": SRJ}, timeout=30) as client:
        outcome: dict[str, object] = {}

        def runaway() -> None:
            began = time.monotonic()
            response = httpx.get(f"{server}/sparql", params={"query": RUNAWAY}, headers={"Accept": SRJ}, timeout=30)
            outcome.update(status=response.status_code, where=response.headers.get("server-timing", ""))
            outcome["seconds"] = time.monotonic() - began

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.3)
        answered = []
        while thread.is_alive():
            response = client.get("/sparql", params={"query": lookup("UK2", f"beside {len(answered)}")})
            assert response.status_code == 200
            answered.append(where(response))
        thread.join()
    assert outcome["status"] == 503
    assert 2.0 <= outcome["seconds"] < 10  # stopped at its limit, not before
    assert len(answered) >= 5 and set(answered) == {"web process"}, answered


def test_a_cheap_query_sees_the_same_dataset_with_its_bound(release_dir: Path, stats: cheap.Stats) -> None:
    """A query judged cheap is evaluated on the materialised union alone (union_only): the answer must be what the
    full default dataset gives, and the row cap still holds (422 past it)."""
    store = load_store(release_dir, BASE)
    prepare(store)
    item_mappings = (ROOT / "queries" / "item-mappings.rq").read_text(encoding="utf-8")
    every_value = SKOS + 'SELECT ?l { ?i skos:notation "UK1" ; ?p ?l }'
    for query in (lookup("UK1"), lookup("要点 1"), item_mappings, every_value):
        bound = cheap.judge(cheap.shape(query), stats)
        assert bound != cheap.NOT_CHEAP
        request = QueryRequest(query=query, media_type=SRJ)
        fast = json.loads(evaluate(store, request, union_only=True).body)
        assert fast == json.loads(evaluate(store, request).body)
        assert fast["results"]["bindings"]
    capped = QueryRequest(query=lookup("UK1"), media_type=SRJ, max_rows=1)  # ja and en labels
    with pytest.raises(QueryError) as refused:
        evaluate(store, capped, union_only=True)
    assert refused.value.status == 422


def test_concurrent_cheap_queries_each_get_their_own_rows(server: str) -> None:
    """Eight clients at once: a cheap query is answered on the event loop, or, while others wait, by an idle query
    worker (backend._share); either way each gets the rows of its own notation."""
    notations = ["UK1", "UK2", "UK3", "UK4", "UK5", "UK6", "UK7", "UK8"]
    results: dict[str, tuple[int, str, set]] = {}

    def ask(notation: str) -> None:
        with httpx.Client(base_url=server, headers={"Accept": SRJ}, timeout=30) as client:
            for n in range(20):
                response = client.get("/sparql", params={"query": lookup(notation, f"together {n}")})
                results[f"{notation}/{n}"] = (response.status_code, where(response), rows(response))

    threads = [threading.Thread(target=ask, args=(n,)) for n in notations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 * 20
    for key, (status, answered_by, found) in results.items():
        assert status == 200 and answered_by in ("web process", "query worker"), key
        assert {item.rsplit("/", 1)[1] for item, _ in found} == {key.split("/")[0]}, key


def test_a_refused_answer_holds_no_query_results(release_dir: Path) -> None:
    """pyoxigraph's results may only be dropped on the thread that made them: the QueryError that evaluate raises
    (here the row cap's 422) carries no frame of the evaluation, so no result outlives the thread's turn."""
    store = load_store(release_dir, BASE)
    prepare(store)
    with pytest.raises(QueryError) as refused:
        evaluate(store, QueryRequest(query="SELECT * WHERE { ?s ?p ?o }", media_type=SRJ, max_rows=5))
    assert refused.value.status == 422
    assert refused.value.__context__ is None
    traceback, frames = refused.value.__traceback__, []
    while traceback is not None:
        frames.append(traceback.tb_frame.f_code.co_name)
        traceback = traceback.tb_next
    assert frames[-1] == "evaluate" and "_evaluate" not in frames and "collect" not in frames
