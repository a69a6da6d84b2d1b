"""In-process micro-measurements behind the proposals in README.md: where a request's time goes inside our
server's code, measured by calling the same functions the server calls, on the same built release.

Each measurement is independent and reports `n/a` (with the reason) if the server code it calls has changed
shape, so the benchmark never fails because of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _time(fn: Callable[[], Any], repeat: int, budget_s: float = 3.0) -> float:
    """Median-free mean in ms over `repeat` calls (after one warm-up), stopping early after `budget_s`."""
    fn()
    began = time.perf_counter()
    done = 0
    while done < repeat and time.perf_counter() - began < budget_s:
        fn()
        done += 1
    return (time.perf_counter() - began) / max(done, 1) * 1000


def measure(release_dir: Path, base: str, crosswalk_query: str) -> list[tuple[str, str, str]]:
    """(what, ms, note) rows."""
    rows: list[tuple[str, str, str]] = []

    def attempt(what: str, fn: Callable[[], tuple[float, str]]) -> None:
        try:
            value, note = fn()
            rows.append((what, f"{value:.2f}", note))
        except Exception as problem:
            rows.append((what, "n/a", f"{type(problem).__name__}: {str(problem)[:120]}"))

    import pyoxigraph as ox

    from ccds_crosswalk.engine.store import load_store, load_union_store

    store = load_union_store(release_dir, base)  # the web process's store
    worker_store = load_store(release_dir, base)
    from ccds_crosswalk.engine.evaluate import UNION_GRAPH, prepare

    prepare(worker_store)  # the worker's own materialised default graph
    options: dict[str, Any] = {"default_graph": [ox.NamedNode(UNION_GRAPH)]}

    def evaluate_only() -> tuple[float, str]:
        return _time(
            lambda: sum(1 for _ in worker_store.query(crosswalk_query, **options)), 20
        ), "queries/crosswalk.rq evaluated, rows iterated, nothing written"

    def capped_json() -> tuple[float, str]:
        from ccds_crosswalk.engine.results import write_json

        def run() -> bytes:
            return write_json(worker_store.query(crosswalk_query, **options), 100_000, 50_000_000)

        return _time(run, 20), "the same + server/engine/results.py write_json (what a worker does: capped)"

    def native_json() -> tuple[float, str]:
        return _time(
            lambda: worker_store.query(crosswalk_query, **options).serialize(format=ox.QueryResultsFormat.JSON), 20
        ), "the same + pyoxigraph QuerySolutions.serialize(JSON)"

    attempt("crosswalk: evaluate", evaluate_only)
    attempt("crosswalk: evaluate + JSON writer within the caps", capped_json)
    attempt("crosswalk: evaluate + pyoxigraph JSON writer alone", native_json)

    lookup = (
        'SELECT ?item ?label WHERE { ?item <http://www.w3.org/2004/02/skos/core#notation> "UK1" ; '
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
    )

    def lookup_native() -> tuple[float, str]:
        return _time(
            lambda: worker_store.query(lookup, **options).serialize(format=ox.QueryResultsFormat.JSON), 2000
        ), "a notation lookup: pyoxigraph query + its JSON writer (the floor)"

    def lookup_evaluate() -> tuple[float, str]:
        from ccds_crosswalk.engine.evaluate import evaluate
        from ccds_crosswalk.engine.jobs import QueryRequest
        from ccds_crosswalk.release.vocab import prefixes

        request = QueryRequest(lookup, "application/sparql-results+json", prefixes=prefixes(base))
        return _time(
            lambda: evaluate(worker_store, request), 2000
        ), "the same through server/engine/evaluate.py evaluate() (what a worker does per request)"

    def lookup_pool() -> tuple[float, str]:
        from ccds_crosswalk.engine.jobs import QueryRequest
        from ccds_crosswalk.engine.pool import QueryPool
        from ccds_crosswalk.release.vocab import prefixes

        pool = QueryPool(release_dir, base, 1, 10.0)
        try:
            request = QueryRequest(lookup, "application/sparql-results+json", prefixes=prefixes(base))
            return _time(
                lambda: pool.run(request), 1000
            ), "the same through QueryPool.run() (pickle, pipe, worker, pipe, unpickle), 1 worker"
        finally:
            pool.close()

    attempt("lookup: pyoxigraph floor", lookup_native)
    attempt("lookup: evaluate()", lookup_evaluate)
    attempt("lookup: QueryPool.run()", lookup_pool)

    from ccds_crosswalk.engine.backend import Embedded

    backend = Embedded(store, None)  # type: ignore[arg-type]  # pages and resources only use the store
    uri = f"{base}id/uk-cop/UK1"

    def describe() -> tuple[float, str]:
        return _time(lambda: backend.triples(uri), 300), "Embedded.triples(UK1) (every /doc request)"

    def serialise() -> tuple[float, str]:
        from ccds_crosswalk.release.vocab import prefixes
        from ccds_crosswalk.web.resources import serialise as write

        triples, names = backend.triples(uri), prefixes(base)
        return _time(
            lambda: write(triples, "text/turtle", names), 300
        ), "resources.serialise(…, text/turtle) of UK1's description"

    def frameworks() -> tuple[float, str]:
        from ccds_crosswalk.web import views

        return _time(
            lambda: views.frameworks(backend, base), 10
        ), "views.frameworks(): counts over the whole dataset, run by every item page via views.framework()"

    def item_view() -> tuple[float, str]:
        from ccds_crosswalk.web import views

        return _time(
            lambda: views.item_view(backend, base, uri), 10
        ), "views.item_view(UK1): all queries of one item page"

    attempt("Turtle document: triples", describe)
    attempt("Turtle document: serialise", serialise)
    attempt("item page: views.frameworks()", frameworks)
    attempt("item page: views.item_view() in all", item_view)
    return rows
