"""Loads a built release into an in-memory pyoxigraph store: the named graphs of crosswalk-graphs.nq plus
the VoID/DCAT description in the metadata graph. Queries see the union of all graphs as default graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

__all__ = ["load_store", "load_union_store"]


def load_store(release_dir: Path, base: str, metadata_graph: str | None = None) -> ox.Store:
    """`metadata_graph`: the metadata graph's IRI when the caller has it (a query worker: it then never imports
    rdflib, which iris.py needs, ~18 MB per process)."""
    if metadata_graph is None:
        from ccds_crosswalk import iris

        metadata_graph = str(iris.graph(base, "metadata"))
    store = ox.Store()
    store.load(path=release_dir / "crosswalk-graphs.nq", format=ox.RdfFormat.N_QUADS)
    store.load(
        path=release_dir / "void.ttl",
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(metadata_graph),
    )
    return store


def load_union_store(release_dir: Path, base: str) -> ox.Store:
    """The release as one graph only: the union of all its graphs, materialised as a set in the hidden union
    graph (evaluate.UNION_GRAPH), without the named graphs. What the web process needs (resources, pages and the
    cheap queries, none of which name a graph) at half the memory of load_store + evaluate.prepare; queries that
    name graphs go to the workers, which hold both."""
    from ccds_crosswalk.engine.evaluate import UNION_GRAPH

    union = ox.NamedNode(UNION_GRAPH)
    store = ox.Store()
    quads = ox.parse(path=release_dir / "crosswalk-graphs.nq", format=ox.RdfFormat.N_QUADS)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, union) for q in quads)
    store.load(path=release_dir / "void.ttl", format=ox.RdfFormat.TURTLE, to_graph=union)
    return store
