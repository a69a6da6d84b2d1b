"""The rdflib-endpoint alternative: the same release (crosswalk-graphs.nq + void.ttl in the metadata graph)
in an rdflib Dataset whose default graph is the union of its named graphs, served by rdflib-endpoint's
SparqlEndpoint app under uvicorn. Started by run.py as

    python -m uvicorn --app-dir benchmarks rdflib_app:create --factory --host 127.0.0.1 --port P

with BENCH_RELEASE_DIR and BENCH_BASE_URI in the environment."""

from __future__ import annotations

import os
from pathlib import Path

from rdflib import Dataset, URIRef
from rdflib_endpoint import SparqlEndpoint


def load_dataset(release_dir: Path, base: str) -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(release_dir / "crosswalk-graphs.nq", format="nquads")
    dataset.graph(URIRef(f"{base}graph/metadata")).parse(release_dir / "void.ttl", format="turtle")
    return dataset


def create() -> SparqlEndpoint:  # uvicorn factory
    release_dir = Path(os.environ["BENCH_RELEASE_DIR"])
    base = os.environ.get("BENCH_BASE_URI", "https://w3id.org/ccds-crosswalk/")
    return SparqlEndpoint(
        graph=load_dataset(release_dir, base),
        path="/sparql",
        cors_enabled=False,
        title="ccds-crosswalk on rdflib-endpoint (benchmark)",
    )
