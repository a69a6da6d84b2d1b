"""Stage 5, serialise: write every artefact of a release, byte-identical from one build to the next.

Determinism: blank nodes get canonical labels; RDF/XML, TriG, N-Triples and N-Quads are written by pyoxigraph
(server/rdfwriter.py) from triples in sorted order, and N-Triples/N-Quads lines are sorted; Turtle by rdflib from a
graph rebuilt in sorted order; JSON-LD by server/release/jsonld.py; gzip gets mtime 0 and no file name.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from ccds_crosswalk import formats
from ccds_crosswalk.rdfwriter import line_sorted, ox_quads, ox_triples, write
from ccds_crosswalk.release.jsonld import to_jsonld
from ccds_crosswalk.release.jsonld_context import context
from ccds_crosswalk.release.load import DataError
from ccds_crosswalk.release.vocab import bind_all, prefixes

__all__ = [
    "SOURCE_TEXT",
    "Artefact",
    "dataset_text",
    "graph_text",
    "ntriples",
    "write_checksums",
    "write_context",
    "write_dataset_dumps",
    "write_graph_dumps",
    "write_manifest",
    "write_source_text",
    "write_with_companions",
]

SOURCE_TEXT = Path("source") / "appendix.txt"  # under data/: the text every ccdsx:sourceLine counts the lines of
SOURCE_TEXT_DESCRIPTION = "The source text: the Appendix of the CCDS guideline as extracted from its PDF (© CCDS)"


@dataclass(frozen=True)
class Artefact:
    name: str
    media_type: str
    size: int
    sha256: str
    description: str


def canonical(graph: Graph) -> Graph:
    """Blank nodes (RDF lists of the ontology and shapes) relabelled by graph structure, so labels are stable."""
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        return graph
    return to_canonical_graph(graph)


def sorted_triples(graph: Graph) -> list[tuple]:
    return sorted(canonical(graph), key=lambda t: tuple(term.n3() for term in t))


def sorted_graph(graph: Graph, base: str) -> Graph:
    ordered = bind_all(Graph(), base)
    for triple in sorted_triples(graph):
        ordered.add(triple)
    return ordered


def ntriples(graph: Graph) -> str:
    """N-Triples, one line per triple, lines sorted."""
    return line_sorted(write(ox_triples(canonical(graph)), formats.N_TRIPLES, None)).decode("utf-8")


def nquads(graphs: dict[URIRef, Graph]) -> str:
    """N-Quads, one line per quad, lines sorted."""
    named = {name: canonical(graph) for name, graph in graphs.items()}
    return line_sorted(write(ox_quads(named), formats.of_extension("nq"), None)).decode("utf-8")


def graph_text(graph: Graph, extension: str, base: str) -> str:
    """A graph dump: JSON-LD by our writer (our context), Turtle by rdflib (it sorts), the rest by pyoxigraph."""
    found = formats.by_extension(extension)
    if found is None or found.kind != "graph":
        raise ValueError(f"unknown graph format {extension!r}")
    if found is formats.N_TRIPLES:
        return ntriples(graph)
    if found is formats.JSON_LD:
        return to_jsonld(canonical(graph), base)
    if found is formats.TURTLE:
        return sorted_graph(graph, base).serialize(format="turtle")
    return write(ox_triples(canonical(graph)), found, prefixes(base)).decode("utf-8")


def dataset_text(graphs: dict[URIRef, Graph], extension: str, base: str) -> str:
    """A dataset dump, graph by graph in name order, written by pyoxigraph (lines sorted for N-Quads)."""
    found = formats.by_extension(extension)
    if found is None or found.kind != "dataset":
        raise ValueError(f"unknown dataset format {extension!r}")
    if found.extension == "nq":
        return nquads(graphs)
    named = {name: canonical(graph) for name, graph in graphs.items()}
    return write(ox_quads(named), found, prefixes(base)).decode("utf-8")


def _gzip(path: Path) -> Path:
    """path.gz, reproducible: no file name, mtime 0."""
    target = path.with_name(path.name + ".gz")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as handle:
        handle.write(path.read_bytes())
    target.write_bytes(buffer.getvalue())
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def describe(path: Path, description: str) -> Artefact:
    return Artefact(
        path.name,
        formats.media_type_of_file(path.name),
        path.stat().st_size,
        sha256(path),
        description,
    )


def write_with_companions(path: Path, content: str | bytes, description: str) -> list[Artefact]:
    """The file (text is written as UTF-8), its .gz and their .sha256 files (sha256sum format); the media types
    come from the format table by extension."""
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    packed = _gzip(path)
    artefacts = [describe(path, description), describe(packed, f"{description} (gzip)")]
    for target in (path, packed):
        (target.with_name(target.name + ".sha256")).write_text(f"{sha256(target)}  {target.name}\n", encoding="utf-8")
    return artefacts


def write_graph_dumps(directory: Path, stem: str, graph: Graph, base: str, what: str) -> list[Artefact]:
    artefacts = []
    for graph_format in formats.GRAPH:
        text = graph_text(graph, graph_format.extension, base)
        artefacts += write_with_companions(directory / f"{stem}.{graph_format.extension}", text, what)
    return artefacts


def write_dataset_dumps(
    directory: Path, stem: str, graphs: dict[URIRef, Graph], base: str, what: str
) -> list[Artefact]:
    return [
        a
        for f in formats.DATASET
        for a in write_with_companions(
            directory / f"{stem}.{f.extension}", dataset_text(graphs, f.extension, base), what
        )
    ]


def write_context(directory: Path, base: str) -> list[Artefact]:
    text = json.dumps(context(base), ensure_ascii=False, indent=1) + "\n"
    return write_with_companions(directory / "context.jsonld", text, "JSON-LD context")


def write_source_text(directory: Path, source: Path) -> list[Artefact]:
    """The Appendix text as it is (its bytes, not re-encoded), so that a record's line citation resolves in
    the release it comes from; its copyright stays with CCDS (data/source/README.md)."""
    try:
        text = source.read_bytes().decode("utf-8")  # it is served as text/plain; charset=utf-8
    except UnicodeDecodeError as problem:
        raise DataError(f"{source}: not UTF-8 text (byte {problem.start}); restore it from the repository") from None
    return write_with_companions(directory / source.name, text, SOURCE_TEXT_DESCRIPTION)


def write_checksums(directory: Path, artefacts: Iterable[Artefact]) -> None:
    lines = sorted(f"{a.sha256}  {a.name}\n" for a in artefacts)
    (directory / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")


def write_manifest(directory: Path, artefacts: Iterable[Artefact], extra: dict) -> None:
    files = [a.__dict__ for a in sorted(artefacts, key=lambda a: a.name)]
    (directory / "manifest.json").write_text(
        json.dumps({**extra, "files": files}, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
