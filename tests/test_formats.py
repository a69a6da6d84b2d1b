"""The format table walked row by row: every row is reachable by its extension and each of its media types, every
graph format is negotiable on resources and CONSTRUCT and written by the dumps and /doc, every dataset format is
written by the dataset dumps, every results format is negotiable on SELECT and written by the engine. A new row
that lacks a writer fails here."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef, Variable
from rdflib.compare import isomorphic
from rdflib.query import Result

from ccds_crosswalk import formats
from ccds_crosswalk.engine.evaluate import evaluate
from ccds_crosswalk.engine.jobs import QueryRequest
from ccds_crosswalk.release.serialise import dataset_text, graph_text
from ccds_crosswalk.web import documents, resources, sparql
from ccds_crosswalk.web.negotiation import negotiate

BASE = "https://w3id.org/ccds-crosswalk/"
UK1 = URIRef(f"{BASE}id/uk-cop/UK1")
PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
SAMPLE = [
    (UK1, PREF, Literal("デフォルトパスワードを使用しない", lang="ja")),
    (UK1, PREF, Literal("No default passwords", lang="en")),
]


def _ids(rows: tuple[formats.Format, ...]) -> list[str]:
    return [f.label for f in rows]


@pytest.mark.parametrize("row", formats.FORMATS, ids=_ids(formats.FORMATS))
def test_every_row_is_found_by_its_extension_and_media_types(row: formats.Format) -> None:
    assert formats.by_extension(row.extension) is row
    found = formats.by_media_type(row.media_type)
    assert found is row or (found is not None and row.media_type in found.media_types[1:])  # application/json
    for media in row.media_types:
        assert formats.by_media_type(media.upper() + "; charset=utf-8") is formats.by_media_type(media) is not None
    if row.kind in ("graph", "dataset"):
        assert row.rdflib and row.oxigraph is not None and row.w3c, f"{row.label} lacks a parser/writer name"
        assert row.oxigraph.supports_datasets or row.kind == "graph"
        assert row.media_type in row.oxigraph.media_type or row.oxigraph.media_type in row.media_types
    if row.kind == "results":
        assert row.results and row.w3c


def test_extensions_and_canonical_media_types_are_unique() -> None:
    assert len({f.extension for f in formats.FORMATS}) == len(formats.FORMATS)
    assert len({f.media_type for f in formats.FORMATS}) == len(formats.FORMATS)


@pytest.mark.parametrize("row", formats.GRAPH, ids=_ids(formats.GRAPH))
def test_graph_formats_are_negotiable_and_written(row: formats.Format) -> None:
    for media in row.media_types:
        assert negotiate(media, resources.OFFERS) == media
        assert negotiate(media, sparql.GRAPH_OFFERS) == media
    graph = Graph()
    for triple in SAMPLE:
        graph.add(triple)
    dump = graph_text(graph, row.extension, BASE)  # the release's writer
    assert isomorphic(Graph().parse(data=dump, format=row.rdflib), graph)
    document = documents.rdf_document(  # the /doc writer
        [
            ox.Triple(ox.NamedNode(str(s)), ox.NamedNode(str(p)), ox.Literal(str(o), language=o.language))
            for s, p, o in SAMPLE
        ],
        row.media_type,
        BASE,
        {"skos": "http://www.w3.org/2004/02/skos/core#"},
    )
    assert isomorphic(Graph().parse(data=document, format=row.rdflib), graph)


@pytest.mark.parametrize("row", formats.DATASET, ids=_ids(formats.DATASET))
def test_dataset_formats_are_written(row: formats.Format) -> None:
    name = URIRef(f"{BASE}graph/data")
    graph = Graph(identifier=name)
    for triple in SAMPLE:
        graph.add(triple)
    text = dataset_text({name: graph}, row.extension, BASE)
    read = Dataset()
    read.parse(data=text, format=row.rdflib)
    assert set(read.graph(name)) == set(SAMPLE)


def _store() -> ox.Store:
    store = ox.Store()
    for s, p, o in SAMPLE:
        store.add(ox.Quad(ox.NamedNode(str(s)), ox.NamedNode(str(p)), ox.Literal(str(o), language=o.language)))
    return store


@pytest.mark.parametrize("row", formats.RESULTS, ids=_ids(formats.RESULTS))
def test_results_formats_are_negotiable_and_written(row: formats.Format) -> None:
    for media in row.media_types:
        assert negotiate(media, sparql.SELECT_OFFERS) == media
        query = f"SELECT ?label WHERE {{ <{UK1}> <{PREF}> ?label FILTER (LANG(?label) = 'en') }}"
        answer = evaluate(_store(), QueryRequest(query=query, media_type=media, max_rows=10, max_bytes=10_000))
        assert answer.media_type == media
        parsed = Result.parse(io.BytesIO(answer.body), format=row.results)
        values = [str(binding[Variable("label")]) for binding in parsed.bindings]
        assert values == ["No default passwords"]


@pytest.mark.parametrize("row", formats.GRAPH + formats.RESULTS, ids=_ids(formats.GRAPH + formats.RESULTS))
def test_every_answer_format_through_http(server: str, row: formats.Format) -> None:
    """Each graph row answers /doc and CONSTRUCT, each results row answers SELECT, with the row's Content-Type."""
    for media in row.media_types:
        if row.kind == "graph":
            response = httpx.get(f"{server}/doc/uk-cop/UK1", headers={"Accept": media})
            assert response.status_code == 200
            assert response.headers["content-type"] == formats.content_type(media)
            assert set(SAMPLE) <= set(Graph().parse(data=response.content, format=row.rdflib))
            query = f"CONSTRUCT {{ <{UK1}> <{PREF}> ?o }} WHERE {{ <{UK1}> <{PREF}> ?o }}"
        else:
            query = f"SELECT ?o WHERE {{ <{UK1}> <{PREF}> ?o }}"
        response = httpx.post(f"{server}/sparql", data={"query": query}, headers={"Accept": media})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == formats.content_type(media)
        if row.kind == "graph":
            assert set(Graph().parse(data=response.content, format=row.rdflib)) == set(SAMPLE)
        else:
            parsed = Result.parse(io.BytesIO(response.content), format=row.results)
            assert {str(b[Variable("o")]) for b in parsed.bindings} == {str(o) for _, _, o in SAMPLE}


def test_every_release_file_has_the_media_type_of_its_row(release_dir: Path) -> None:
    manifest = json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))
    types = {f["name"]: f["media_type"] for f in manifest["files"]}
    for row in formats.GRAPH + formats.DATASET:
        dumps = [name for name in types if name.endswith(f".{row.extension}")]
        assert dumps, f"the release has no {row.label} dump"
        assert {types[name] for name in dumps} == {row.media_type}
