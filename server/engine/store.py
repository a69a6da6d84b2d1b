"""Loads a built release into an in-memory pyoxigraph store: the named graphs of crosswalk-graphs.nq plus
the VoID/DCAT description in the metadata graph. Queries see the union of all graphs as default graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ccds_crosswalk import iris


def load_store(release_dir: Path, base: str) -> ox.Store:
    store = ox.Store()
    store.load(path=release_dir / "crosswalk-graphs.nq", format=ox.RdfFormat.N_QUADS)
    store.load(
        path=release_dir / "void.ttl",
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(str(iris.graph(base, "metadata"))),
    )
    return store
