"""The query pool with real worker processes: queries run side by side in one worker, a runaway is stopped
without costing the queries that shared its worker their answers, and a worker that dies on its own is
replaced with its queries answered elsewhere. (The HTTP view of the same is in test_hostile.py.)"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from ccds_crosswalk.engine.jobs import QueryError, QueryRequest
from ccds_crosswalk.engine.pool import QueryPool
from ccds_crosswalk.engine.store import load_store
from ccds_crosswalk.engine.worker import DEMOTED_NICE
from conftest import BASE

JSON = "application/sparql-results+json"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOOKUP = f'SELECT ?item WHERE {{ ?item <{SKOS}notation> "UK1" }}'
UK1 = f"{BASE}id/uk-cop/UK1"


def medium(n: int) -> str:
    """A query whose cost grows linearly with n: (all notations)² × n of them."""
    return f"""SELECT (COUNT(*) AS ?n) WHERE {{
        ?a <{SKOS}notation> ?x . ?b <{SKOS}notation> ?y .
        {{ SELECT ?c WHERE {{ ?c <{SKOS}notation> ?z }} ORDER BY ?c LIMIT {n} }} }}"""


def ask(query: str) -> QueryRequest:
    return QueryRequest(query=query, media_type=JSON)


def count(answer: object) -> int:
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def store(release_dir: Path) -> ox.Store:
    return load_store(release_dir, BASE)


@pytest.fixture(scope="module")
def about_a_second(store: ox.Store) -> tuple[int, int]:
    """(n, expected count) for a medium query that takes about 1.2 s on this machine, measured here, now."""
    started = time.monotonic()
    store.query(medium(20), use_default_graph_as_union=True)
    took = max(time.monotonic() - started, 0.005)
    n = max(1, min(2000, round(20 * 1.2 / took)))
    expected = int(next(iter(store.query(medium(n), use_default_graph_as_union=True)))["n"].value)
    return n, expected


@contextlib.contextmanager
def pool_of(release_dir: Path, timeout: float, threads: int, size: int = 1) -> Iterator[QueryPool]:
    pool = QueryPool(release_dir, BASE, size, timeout, threads)
    try:
        yield pool
    finally:
        pool.close()


def test_cheap_queries_are_answered_beside_a_runaway_in_the_same_worker(release_dir: Path) -> None:
    """One worker: the old pool made every query wait for the runaway's 3 s; now they run beside it."""
    with pool_of(release_dir, timeout=3.0, threads=4) as pool:
        runaway = pool.submit(ask(RUNAWAY))
        time.sleep(0.3)
        for _ in range(20):
            answer = pool.run(ask(LOOKUP))
            assert json.loads(answer.body)["results"]["bindings"] == [{"item": {"type": "uri", "value": UK1}}]
        assert not runaway.done(), "the lookups were answered after the runaway, not beside it"
        with pytest.raises(QueryError) as stopped:
            runaway.result(timeout=30)
        assert stopped.value.status == 503 and "time limit" in stopped.value.message
        assert pool.counters["overruns"] == 1
        assert count(pool.run(ask("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))) > 10_000  # the replacement


def test_queries_sharing_a_killed_worker_are_resent_and_answered(
    release_dir: Path, about_a_second: tuple[int, int]
) -> None:
    """The runaway's worker is killed at 4 s while an innocent ~1.2 s query is half-way through in it: the
    innocent is re-sent to the fresh worker and answered correctly; only the runaway gets the 503."""
    n, expected = about_a_second
    with pool_of(release_dir, timeout=4.0, threads=2) as pool:
        runaway = pool.submit(ask(RUNAWAY))
        time.sleep(4.0 - 0.6)
        innocent = pool.submit(ask(medium(n)))
        assert count(innocent.result(timeout=30)) == expected
        with pytest.raises(QueryError) as stopped:
            runaway.result(timeout=30)
        assert stopped.value.status == 503
        assert pool.counters["overruns"] == 1
        assert pool.counters["resent"] == 1, "the innocent query was not in the killed worker (calibration?)"


def test_each_runaway_is_stopped_at_its_own_deadline(release_dir: Path) -> None:
    """The watchdog is woken only when it sleeps with no deadline (pool.submit): the first runaway wakes it, the
    second (due 1 s later) does not, and is still stopped at its own limit — after a ride to a fresh worker when
    the first one's worker is killed."""
    with pool_of(release_dir, timeout=2.0, threads=2) as pool:
        started = time.monotonic()
        first = pool.submit(ask(RUNAWAY))
        time.sleep(1.0)
        second = pool.submit(ask(RUNAWAY))
        stopped_at = []
        for runaway in (first, second):
            with pytest.raises(QueryError) as stopped:
                runaway.result(timeout=30)
            assert stopped.value.status == 503 and "time limit" in stopped.value.message
            stopped_at.append(time.monotonic() - started)
        assert 2.0 <= stopped_at[0] < 2.8 and 3.0 <= stopped_at[1] < 3.8, stopped_at
        assert pool.counters["overruns"] == 2


def test_a_worker_that_dies_on_its_own_is_replaced_and_its_queries_answered(
    release_dir: Path, about_a_second: tuple[int, int]
) -> None:
    n, expected = about_a_second
    with pool_of(release_dir, timeout=20.0, threads=2) as pool:
        [first] = pool.pids()
        query = pool.submit(ask(medium(n)))
        time.sleep(0.3)
        os.kill(first, signal.SIGKILL)
        assert count(query.result(timeout=30)) == expected
        assert pool.counters == {"overruns": 0, "resent": 1, "workers lost": 1}
        assert pool.pids() and pool.pids() != [first]


def test_a_query_that_keeps_killing_workers_is_given_up_after_the_second(
    release_dir: Path, about_a_second: tuple[int, int]
) -> None:
    """Each query is re-sent at most once after a worker died on its own, so a query that crashes workers
    can take down two, not the whole pool in a loop; it then gets a 500 that says what happened."""
    n, _ = about_a_second
    with pool_of(release_dir, timeout=20.0, threads=2) as pool:
        query = pool.submit(ask(medium(n * 4)))
        killed: list[int] = []
        for _ in range(2):
            # the replacement first: its start takes longer on a busy machine
            deadline = time.monotonic() + 10
            while not set(pool.pids()) - set(killed) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)  # the query (re-sent, the second time) is running there
            killed.append(next(pid for pid in pool.pids() if pid not in killed))
            os.kill(killed[-1], signal.SIGKILL)
        with pytest.raises(QueryError) as lost:
            query.result(timeout=30)
        assert lost.value.status == 500 and "stopped unexpectedly" in lost.value.message
        assert pool.counters["workers lost"] == 2
        assert count(pool.run(ask("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))) > 10_000


def test_a_query_queued_behind_a_runaway_is_answered_once_it_is_stopped(release_dir: Path) -> None:
    """One worker with one thread, held by a runaway: a lookup queued behind it has a later deadline than the
    runaway, so the runaway is stopped first and the lookup is answered by the fresh worker, not refused."""
    with pool_of(release_dir, timeout=2.0, threads=1) as pool:
        runaway = pool.submit(ask(RUNAWAY))
        time.sleep(0.5)
        queued = pool.submit(ask(LOOKUP))
        assert json.loads(queued.result(timeout=30).body)["results"]["bindings"][0]["item"]["value"] == UK1
        with pytest.raises(QueryError) as refused:
            runaway.result(timeout=30)
        assert refused.value.status == 503 and "time limit" in refused.value.message
        assert pool.counters == {"overruns": 1, "resent": 0, "workers lost": 0}


def test_concurrent_multi_graph_datasets_do_not_mix(release_dir: Path) -> None:
    """Queries with several default graphs each merge them into their own hidden graph, so concurrent ones in
    one worker cannot see or delete each other's merge."""
    graphs = tuple(f"{BASE}graph/{name}" for name in ("data", "ontology"))
    request = QueryRequest(
        query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", media_type=JSON, default_graphs=graphs, named_graphs=()
    )
    with pool_of(release_dir, timeout=20.0, threads=4) as pool:
        futures = [pool.submit(request) for _ in range(12)]
        counts = {count(f.result(timeout=30)) for f in futures}
        assert len(counts) == 1 and counts.pop() > 0
        names = pool.run(ask("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"))
        assert "merged-default-graph" not in names.body.decode()


def test_a_merged_default_graph_is_removed_whoever_names_it() -> None:
    """A default graph of several graphs is merged into a hidden graph for the query: whether the protocol's
    default-graph-uri names them or the query's own FROM clauses do, the merge is gone once the answer is written."""
    from ccds_crosswalk.engine.evaluate import MERGE_PREFIX, evaluate

    store = ox.Store()
    a, b = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b")
    for graph in (a, b):
        subject = ox.NamedNode(f"{graph.value}/s")
        store.add(ox.Quad(subject, ox.NamedNode("http://example.org/p"), ox.Literal("o"), graph))
    by_protocol = QueryRequest(
        query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        media_type=JSON,
        default_graphs=(a.value, b.value),
        named_graphs=(),
    )
    by_query = ask(f"SELECT (COUNT(*) AS ?n) FROM <{a.value}> FROM <{b.value}> WHERE {{ ?s ?p ?o }}")
    for request in (by_protocol, by_query):
        assert count(evaluate(store, request)) == 2
        assert [g.value for g in store.named_graphs() if g.value.startswith(MERGE_PREFIX)] == []


def thread_nice_values(pid: int) -> list[int]:
    """The nice value of every thread of a process (field 19 of /proc/PID/task/TID/stat)."""
    values = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        with contextlib.suppress(OSError):
            values.append(int(stat.read_text().rsplit(")", 1)[1].split()[16]))
    return values


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads thread priorities from Linux /proc")
def test_a_heavy_query_runs_at_low_priority_and_its_thread_is_replaced(
    release_dir: Path, about_a_second: tuple[int, int]
) -> None:
    """Once a query has used more CPU than a cheap one ever does, its thread is niced (the scheduler then gives
    the CPU to cheap queries and the web process first); cheap queries never are; after the heavy query the
    worker's threads are all back at normal priority (the niced thread made way for a fresh one)."""
    n, expected = about_a_second
    with pool_of(release_dir, timeout=20.0, threads=4) as pool:
        [pid] = pool.pids()
        for _ in range(50):
            pool.run(ask(LOOKUP))
        assert set(thread_nice_values(pid)) == {0}
        heavy = pool.submit(ask(medium(n)))
        time.sleep(0.5)
        assert DEMOTED_NICE in thread_nice_values(pid)
        assert count(heavy.result(timeout=30)) == expected
        time.sleep(0.1)
        assert set(thread_nice_values(pid)) == {0}
        assert len(thread_nice_values(pid)) >= 4 + 1  # the query threads are all there (plus the main thread)
        assert json.loads(pool.run(ask(LOOKUP)).body)["results"]["bindings"][0]["item"]["value"] == UK1


def test_cheap_queries_go_to_the_worker_without_a_runaway(release_dir: Path) -> None:
    """Two workers, one holding a runaway: every cheap query is sent to the other one, so none of them is caught
    in the kill and re-sent (the pool counts re-sent queries)."""
    with pool_of(release_dir, timeout=2.0, threads=4, size=2) as pool:
        runaway = pool.submit(ask(RUNAWAY))
        time.sleep(0.4)
        deadline = time.monotonic() + 2.5  # past the runaway's kill at 2 s
        while time.monotonic() < deadline:
            pool.run(ask(LOOKUP))
        with pytest.raises(QueryError):
            runaway.result(timeout=30)
        assert pool.counters == {"overruns": 1, "resent": 0, "workers lost": 0}


def test_idle_threads_leave_out_a_worker_holding_a_long_running_query(release_dir: Path) -> None:
    """Cheap queries are shared with the pool only where they start at once (backend._share): a worker holding a
    query past LONG_RUNNING_S has no idle threads to offer."""
    with pool_of(release_dir, timeout=3.0, threads=4) as pool:
        assert pool.idle_threads() == 4
        runaway = pool.submit(ask(RUNAWAY))
        time.sleep(0.6)  # past LONG_RUNNING_S (0.25 s)
        assert pool.idle_threads() == 0
        with pytest.raises(QueryError):
            runaway.result(timeout=30)
        deadline = time.monotonic() + 30
        while pool.idle_threads() != 4 and time.monotonic() < deadline:  # the replacement worker
            time.sleep(0.05)
        assert pool.idle_threads() == 4


def test_queries_side_by_side_get_the_full_stores_answers_on_either_copy(release_dir: Path) -> None:
    """A worker answers a query that names no graph on its copy of the union when that copy is free, and any
    other on its full store: run together (so both copies are busy), each query must get the answer the full
    store gives it alone."""
    from dataclasses import replace

    from ccds_crosswalk.engine.evaluate import evaluate, prepare

    reference = load_store(release_dir, BASE)
    prepare(reference)
    graph = f"{BASE}graph/data"
    requests = [
        ask(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{SKOS}notation> ?o }}"),  # the union
        ask(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{SKOS}notation> ?o }} }}"),  # every named graph
        ask(f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s <{SKOS}notation> ?o }}"),  # one graph, by FROM
        replace(
            ask(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{SKOS}notation> ?o }}"), default_graphs=(graph,), named_graphs=()
        ),
        ask(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"),
        ask("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
    ]
    expected = [count(evaluate(reference, r)) for r in requests]
    assert expected[1] >= expected[0] >= expected[2] > 0 and expected[2] == expected[3] and expected[5] > expected[4]
    with pool_of(release_dir, timeout=30, threads=4) as pool:
        for _ in range(5):
            futures = [pool.submit(r) for r in requests]
            assert [count(f.result(timeout=30)) for f in futures] == expected


@pytest.mark.parametrize(
    "query, names",
    [
        ("SELECT * { GRAPH ?g { ?s ?p ?o } }", True),
        ("select * { graph <x> { ?s ?p ?o } }", True),
        ("SELECT * FROM <x> { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <x> { ?s ?p ?o }", True),
        ("SELECT ?graph { ?graph ?p ?o }", False),
        ("PREFIX ex: <x#> SELECT * { ?s ex:graph ?o . ?o ex:from ?x }", False),
        ('SELECT * { ?s ?p "GRAPH" } # GRAPH ?g', False),
        ("SELECT * { <http://example.org/GRAPH> ?p ?o } #FROM <x>", False),
    ],
)
def test_a_query_names_graphs_only_by_its_keywords(query: str, names: bool) -> None:
    from ccds_crosswalk.engine.policy import names_graphs

    assert names_graphs(query) is names
