"""The SPARQL results writers (server/engine/results.py): JSON answers are written by pyoxigraph and then held to
the row cap by counting rows in the bytes, so the count must be exact whatever the literals hold, and both caps
must refuse (422), never truncate."""

from __future__ import annotations

import json
import random

import pyoxigraph as ox
import pytest

from ccds_crosswalk.engine.evaluate import evaluate
from ccds_crosswalk.engine.jobs import QueryError, QueryRequest
from ccds_crosswalk.engine.results import json_rows, write_json

SRJ = "application/sparql-results+json"
# what could pass for a row's start, or hide one, inside a literal
AWKWARD = ["[{", ",{", "{", "}", '"', "\\", '\\"[{', "},{", "x", "\n", "日本", "\u2028"]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    rng = random.Random(7)
    store = ox.Store()
    for i in range(300):
        text = "".join(rng.choice(AWKWARD) for _ in range(rng.randint(0, 8)))
        store.add(
            ox.Quad(ox.NamedNode(f"http://example.org/{i}"), ox.NamedNode("http://example.org/p"), ox.Literal(text))
        )
        if i % 3 == 0:
            store.add(
                ox.Quad(
                    ox.NamedNode(f"http://example.org/{i}"),
                    ox.NamedNode("http://example.org/q"),
                    ox.Literal(text, language="ja"),
                )
            )
    return store


QUERIES = [
    "SELECT ?s ?o WHERE { ?s ?p ?o }",
    "SELECT ?unbound WHERE { ?s ?p ?o }",  # rows with no binding: '{}'
    "SELECT * WHERE { ?s <http://example.org/p> ?o OPTIONAL { ?s <http://example.org/q> ?l } }",
    "SELECT ?s WHERE { }",
    "SELECT * WHERE { ?s ?p ?o FILTER(false) }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_rows_are_counted_exactly_in_the_written_json(store: ox.Store, query: str) -> None:
    body = write_json(store.query(query), 10**6, 10**8)
    assert json_rows(body) == len(json.loads(body)["results"]["bindings"])


def test_the_row_cap_refuses_one_row_more_and_takes_exactly_the_cap(store: ox.Store) -> None:
    query = "SELECT ?s ?o WHERE { ?s <http://example.org/q> ?o }"
    rows = 100  # every third of the 300 subjects has a ja literal
    at_cap = evaluate(store, QueryRequest(query=query, media_type=SRJ, max_rows=rows))
    assert len(json.loads(at_cap.body)["results"]["bindings"]) == rows
    with pytest.raises(QueryError) as refused:
        evaluate(store, QueryRequest(query=query, media_type=SRJ, max_rows=rows - 1))
    assert refused.value.status == 422 and f"more than {rows - 1} rows" in refused.value.message


def test_the_byte_cap_stops_the_writer(store: ox.Store) -> None:
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # 90,000 rows: megabytes, stopped at the cap
    with pytest.raises(QueryError) as refused:
        evaluate(store, QueryRequest(query=query, media_type=SRJ, max_rows=10**6, max_bytes=100_000))
    assert refused.value.status == 422 and "larger than 100000 bytes" in refused.value.message
