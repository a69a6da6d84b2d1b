"""`ccds-crosswalk publish --store URL`: load a release into an existing triplestore through the SPARQL 1.1
Graph Store HTTP Protocol, one named graph per (release, graph), then verify the triple counts by SPARQL.

PUT replaces a graph, so publishing the same release twice leaves the store as publishing it once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import httpx

from ccds_crosswalk import iris
from ccds_crosswalk.formats import N_TRIPLES, SPARQL_JSON
from ccds_crosswalk.settings import Settings

__all__ = ["PublishError", "publish"]

GRAPH_FILES = {
    "data": "crosswalk.nt",
    "inferred": "crosswalk-inferred.nt",
    "ontology": "ontology.nt",
    "metadata": "void.nt",
}


class PublishError(RuntimeError):
    """The store refused a graph or holds a different number of triples than was sent."""


@dataclass(frozen=True)
class Loaded:
    graph: str
    sent: int
    found: int


def query_endpoint_for(store: str) -> str:
    """The SPARQL query endpoint beside a Graph Store endpoint (Oxigraph /store → /query, Virtuoso
    /sparql-graph-crud[-auth] → /sparql); pass --sparql to name it explicitly."""
    for pattern, replacement in ((r"/store/?$", "/query"), (r"/sparql-graph-crud(-auth)?/?$", "/sparql")):
        if re.search(pattern, store):
            return re.sub(pattern, replacement, store)
    raise PublishError(f"cannot tell the SPARQL query endpoint of {store}; give it with --sparql URL")


def _ntriples(release_dir: Path, name: str) -> bytes:
    if name == "metadata":
        from rdflib import Graph

        from ccds_crosswalk.release.serialise import ntriples

        graph = Graph().parse(release_dir / "void.ttl", format="turtle")
        return ntriples(graph).encode("utf-8")
    return (release_dir / GRAPH_FILES[name]).read_bytes()


def count(client: httpx.Client, sparql: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = client.post(sparql, data={"query": query}, headers={"Accept": SPARQL_JSON.media_type})
    if response.status_code != 200:
        raise PublishError(f"{sparql} answered {response.status_code} to a count query: {response.text[:300]}")
    return int(json.loads(response.text)["results"]["bindings"][0]["n"]["value"])


def publish(settings: Settings, store: str, sparql: str | None = None, auth: tuple[str, str] | None = None) -> str:
    base, version = settings.base_uri, settings.release
    sparql = sparql or query_endpoint_for(store)
    loaded: list[Loaded] = []
    with httpx.Client(timeout=120, auth=httpx.DigestAuth(*auth) if auth else None) as client:
        for name in iris.GRAPHS:
            graph = str(iris.release_graph(base, version, name))
            body = _ntriples(settings.release_dir, name)
            sent = sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
            try:
                response = client.put(
                    store, params={"graph": graph}, content=body, headers={"Content-Type": N_TRIPLES.media_type}
                )
            except httpx.HTTPError as problem:
                raise PublishError(f"cannot reach {store}: {problem}") from None
            if response.status_code not in (200, 201, 204):
                raise PublishError(f"{store} refused graph {graph}: {response.status_code} {response.text[:300]}")
            found = count(client, sparql, graph)
            if found != sent:
                raise PublishError(f"graph {graph}: sent {sent} triples, the store holds {found}")
            loaded.append(Loaded(graph, sent, found))
    lines = [f"published release {version} into {store} (verified through {sparql}):"]
    lines += [f"  {item.graph}: {item.found} triples" for item in loaded]
    lines.append(f"  total: {sum(item.found for item in loaded)} triples in {len(loaded)} graphs")
    return "\n".join(lines)
