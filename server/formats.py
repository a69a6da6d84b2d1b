"""The one table of formats: every module that names a file extension, a media type, an rdflib or pyoxigraph
format or a download label reads it here. A new RDF format is one row below plus its writer.

    label        extension  media types (first = canonical)        kind      rdflib    pyoxigraph
    HTML         html       text/html                               page
    Turtle       ttl        text/turtle                             graph     turtle    TURTLE
    JSON-LD      jsonld     application/ld+json                     graph     json-ld   JSON_LD
    N-Triples    nt         application/n-triples                   graph     nt        N_TRIPLES
    RDF/XML      rdf        application/rdf+xml                     graph     xml       RDF_XML
    TriG         trig       application/trig                        dataset   trig      TRIG
    N-Quads      nq         application/n-quads                     dataset   nquads    N_QUADS
    SPARQL JSON  srj        application/sparql-results+json, application/json    results
    SPARQL XML   srx        application/sparql-results+xml          results
    CSV / TSV    csv, tsv   text/csv, text/tab-separated-values     results
    …            json, txt, gz, svg, xlsx                           file

Kinds: a `graph` format writes triples (resource documents, CONSTRUCT answers, graph dumps); a `dataset` format
writes quads (dataset dumps); a `results` format writes SPARQL SELECT/ASK results; `page` and `file` are the
other things the server sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

__all__ = [
    "ASSET_TYPES",
    "DATASET",
    "FORMATS",
    "GRAPH",
    "HTML",
    "JSON",
    "JSON_LD",
    "N_TRIPLES",
    "RDF_XML",
    "RESULTS",
    "SPARQL_JSON",
    "TEXT",
    "TURTLE",
    "Format",
    "Kind",
    "by_extension",
    "by_media_type",
    "content_type",
    "media_type_of_file",
    "of_extension",
    "of_media_type",
    "offers",
]

Kind = Literal["graph", "dataset", "results", "page", "file"]


@dataclass(frozen=True)
class Format:
    label: str  # how pages, messages and the downloads page name it
    extension: str  # without the dot
    media_types: tuple[str, ...]  # the first is canonical (sent as Content-Type); the others are accepted too
    kind: Kind
    rdflib: str | None = None  # rdflib's parser/serializer plugin name
    oxigraph: ox.RdfFormat | None = None  # pyoxigraph's parser/serializer
    results: str | None = None  # the engine's results writer (engine/results.py)
    w3c: str | None = None  # its name under http://www.w3.org/ns/formats/ (Service Description)
    charset: bool = False  # Content-Type carries "; charset=utf-8"
    prefixes: bool = False  # written with our prefixes (not JSON-LD: pyoxigraph would add an @context)

    @property
    def media_type(self) -> str:
        return self.media_types[0]


FORMATS: tuple[Format, ...] = (
    Format("HTML", "html", ("text/html",), "page", charset=True),
    Format(
        "Turtle",
        "ttl",
        ("text/turtle",),
        "graph",
        "turtle",
        ox.RdfFormat.TURTLE,
        w3c="Turtle",
        charset=True,
        prefixes=True,
    ),
    Format(
        "JSON-LD",
        "jsonld",
        ("application/ld+json",),
        "graph",
        "json-ld",
        ox.RdfFormat.JSON_LD,
        w3c="JSON-LD",
        charset=True,
    ),
    Format(
        "N-Triples",
        "nt",
        ("application/n-triples",),
        "graph",
        "nt",
        ox.RdfFormat.N_TRIPLES,
        w3c="N-Triples",
        charset=True,
    ),
    Format(
        "RDF/XML",
        "rdf",
        ("application/rdf+xml",),
        "graph",
        "xml",
        ox.RdfFormat.RDF_XML,
        w3c="RDF_XML",
        charset=True,
        prefixes=True,
    ),
    Format("TriG", "trig", ("application/trig",), "dataset", "trig", ox.RdfFormat.TRIG, w3c="TriG", prefixes=True),
    Format("N-Quads", "nq", ("application/n-quads",), "dataset", "nquads", ox.RdfFormat.N_QUADS, w3c="N-Quads"),
    Format(
        "SPARQL results JSON",
        "srj",
        ("application/sparql-results+json", "application/json"),
        "results",
        results="json",
        w3c="SPARQL_Results_JSON",
        charset=True,
    ),
    Format(
        "SPARQL results XML",
        "srx",
        ("application/sparql-results+xml",),
        "results",
        results="xml",
        w3c="SPARQL_Results_XML",
        charset=True,
    ),
    Format("CSV", "csv", ("text/csv",), "results", results="csv", w3c="SPARQL_Results_CSV", charset=True),
    Format(
        "TSV",
        "tsv",
        ("text/tab-separated-values",),
        "results",
        results="tsv",
        w3c="SPARQL_Results_TSV",
        charset=True,
    ),
    Format("JSON", "json", ("application/json",), "file", charset=True),
    Format("Text", "txt", ("text/plain",), "file", charset=True),
    Format("gzip", "gz", ("application/gzip",), "file"),
    Format("SVG", "svg", ("image/svg+xml",), "file", charset=True),
    Format("Excel", "xlsx", ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",), "file"),
)

GRAPH = tuple(f for f in FORMATS if f.kind == "graph")
DATASET = tuple(f for f in FORMATS if f.kind == "dataset")
RESULTS = tuple(f for f in FORMATS if f.kind == "results")


def _row(extension: str) -> Format:
    return next(f for f in FORMATS if f.extension == extension)


HTML, TURTLE, JSON_LD, N_TRIPLES, RDF_XML = (_row(e) for e in ("html", "ttl", "jsonld", "nt", "rdf"))
TEXT, JSON, SPARQL_JSON = _row("txt"), _row("json"), _row("srj")

_BY_EXTENSION = {f.extension: f for f in FORMATS}
_BY_MEDIA_TYPE: dict[str, Format] = {}
for _format in FORMATS:  # a media type listed by two rows (application/json) belongs to the first
    for _media in _format.media_types:
        _BY_MEDIA_TYPE.setdefault(_media, _format)


def by_extension(extension: str) -> Format | None:
    return _BY_EXTENSION.get(extension.lstrip("."))


def by_media_type(media_type: str) -> Format | None:
    return _BY_MEDIA_TYPE.get(media_type.split(";")[0].strip().lower())


def of_extension(extension: str) -> Format:
    """The row of an extension the code itself names, so unknown means a bug: ValueError."""
    found = by_extension(extension)
    if found is None:
        raise ValueError(f".{extension} is not in the format table")
    return found


def of_media_type(media_type: str) -> Format:
    """The row of a media type the server itself chose (from the table), so unknown means a bug: ValueError."""
    found = by_media_type(media_type)
    if found is None:
        raise ValueError(f"{media_type} is not in the format table")
    return found


def offers(formats: tuple[Format, ...]) -> list[str]:
    """The media types to negotiate among, in the server's order: every canonical type first, then the aliases
    (so an alias such as application/json never wins a tie against a canonical type)."""
    canonical = [f.media_type for f in formats]
    aliases = [m for f in formats for m in f.media_types[1:] if m not in canonical]
    return canonical + aliases


# files of the site that are no data format: its own style sheets and scripts, and checksum companions
ASSET_TYPES = {"css": "text/css", "js": "text/javascript", "sha256": "text/plain"}


def media_type_of_file(name: str) -> str:
    """The media type of a release file by its last extension (application/octet-stream when unknown)."""
    found = by_extension(name.rsplit(".", 1)[-1]) if "." in name else None
    return found.media_type if found else "application/octet-stream"


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: UTF-8 text formats say so."""
    found = by_media_type(media_type)
    charset = found.charset if found else media_type.startswith("text/")
    return f"{media_type}; charset=utf-8" if charset else media_type
