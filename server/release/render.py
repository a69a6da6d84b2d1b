"""Stage 6, render: every document of the site, once, into `{release}/site/`, byte-identical from build to build.

    doc/{path}.{ja,en}.html, .ttl, .jsonld, .nt, .rdf   each URI minted under {base}id/ (the 303 targets)
    ontology.{ja,en}.html, .ttl, .jsonld, .nt, .rdf     the ontology (a hash namespace: 200 at {base}ontology)
    void.{ttl,jsonld,nt,rdf}                            the dataset and release description
    {index,frameworks,coverage,errata,downloads,changes,search,query,404}.{ja,en}.html   the pages
    search-index.json, context.jsonld, static/*         what the pages load
    *.gz                                                gzip of every file worth compressing (mtime 0)
    site.json (beside site/)                            path → SHA-256 of every file: strong ETags, checks

The HTML comes from the server's own templates and view code (web/documents.py, web/render.py); the server
then answers these paths with these files, and `publish --static` copies them with rules for Apache and nginx.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from ccds_crosswalk.engine.backend import Embedded
from ccds_crosswalk.engine.store import load_union_store
from ccds_crosswalk.formats import GRAPH, TURTLE, Format
from ccds_crosswalk.queries import canned_queries
from ccds_crosswalk.rdfwriter import write
from ccds_crosswalk.release.vocab import prefixes as all_prefixes
from ccds_crosswalk.settings import DEFAULT_BASE, Settings
from ccds_crosswalk.web import documents, views
from ccds_crosswalk.web.i18n import LANGUAGES
from ccds_crosswalk.web.render import environment, render_html

SITE = "site"
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
GZIP_FROM = 512  # bytes; smaller files gain little and cost a second file
# pages that are not one resource: file stem → URL path
PAGE_PATHS = {
    "index": "/",
    "frameworks": "/frameworks",
    "coverage": "/coverage",
    "errata": "/errata",
    "downloads": "/downloads",
    "changes": "/changes",
    "ontology": "/ontology",
    "search": "/search",
    "query": "/query",
}
SAFE_PATH = "/:;=,.~!$&'()*+@-_"


def site_dir(release_dir: Path) -> Path:
    return release_dir / SITE


def html_name(stem: str, lang: str) -> str:
    """The language document of an HTML page: `doc/uk-cop/UK1.en.html`, `frameworks.ja.html`."""
    return f"{stem}.{lang}.html"


def _gzip(body: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as handle:
        handle.write(body)
    return buffer.getvalue()


class SiteWriter:
    """Collects path → bytes, then writes each file, its .gz and the checksum list in one sorted pass."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def add(self, path: str, body: bytes) -> None:
        if path in self.files and self.files[path] != body:
            raise ValueError(f"two different documents for {path}")
        self.files[path] = body

    def write(self, directory: Path) -> dict[str, str]:
        shutil.rmtree(directory, ignore_errors=True)
        return self.write_into(directory)

    def write_into(self, directory: Path) -> dict[str, str]:
        """Writes (or overwrites) the collected files in `directory`, leaving its other files alone."""
        sums: dict[str, str] = {}
        for path in sorted(self.files):
            body = self.files[path]
            target = directory / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            sums[path] = hashlib.sha256(body).hexdigest()
            if len(body) >= GZIP_FROM and not path.endswith(".gz"):
                packed = _gzip(body)
                target.with_name(target.name + ".gz").write_bytes(packed)
                sums[path + ".gz"] = hashlib.sha256(packed).hexdigest()
        return sums


def minted(backend: Embedded, base: str) -> list[str]:
    """Every URI the dataset mints under {base}id/ (each is a subject in some graph)."""
    rows = backend.select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), "{base}id/")) }}')
    return sorted(row["s"].value for row in rows if row["s"].kind == "uri")


def doc_stem(base: str, uri: str) -> str:
    """`{base}id/uk-cop/UK1` → `doc/uk-cop/UK1`: the file path, i.e. the URL path a web server decodes."""
    return "doc/" + unquote(uri[len(f"{base}id/") :])


def render_site(settings: Settings, release_dir: Path, manifest: dict) -> dict[str, str]:
    """Renders the whole site of the release in `release_dir`; returns path → SHA-256 (also written to site.json)."""
    base = settings.base_uri
    backend = Embedded(load_union_store(release_dir, base), None)
    env = environment()
    documents.bind(env, backend, base, release_dir)
    prefixes = all_prefixes(base)
    out = SiteWriter()

    def html(stem: str, path: str, page: documents.Page) -> None:
        template, context = page
        for lang in LANGUAGES:
            switch = f"{path}?lang={'en' if lang == 'ja' else 'ja'}"
            out.add(html_name(stem, lang), render_html(env, base, template, lang, path, switch, **context))

    for uri in minted(backend, base):
        stem = doc_stem(base, uri)
        triples = backend.triples(uri)
        for fmt in GRAPH:
            out.add(f"{stem}.{fmt.extension}", documents.rdf_document(triples, fmt.media_type, base, prefixes))
        jsonld = out.files[f"{stem}.jsonld"]
        url_stem = "/" + stem.replace("%", "%25")
        html(stem, f"{url_stem}.html", documents.resource_page(backend, base, uri, url_stem[1:], triples, jsonld))

    endpoint = f"{base}sparql"
    html("index", "/", documents.home(backend, base, settings.release, endpoint))
    html("frameworks", "/frameworks", documents.frameworks(backend, base))
    html("coverage", "/coverage", documents.coverage(backend, base))
    html("errata", "/errata", documents.errata(backend, base))
    html("downloads", "/downloads", documents.downloads(manifest, settings.release))
    html("changes", "/changes", documents.changes(release_dir, settings.release))
    html("ontology", "/ontology", documents.ontology(backend, base))
    html("search", "/search", documents.search_page(static=True))
    html("query", "/query", query_page(settings, endpoint))
    html("404", "/404", ("error.html", {"message": "nothing is published at this address; start at / or search"}))

    for fmt in GRAPH:
        out.add(f"ontology.{fmt.extension}", (release_dir / f"ontology.{fmt.extension}").read_bytes())
        out.add(f"void.{fmt.extension}", void_as(release_dir, base, fmt))
    out.add("context.jsonld", (release_dir / "context.jsonld").read_bytes())
    out.add("search-index.json", search_index(backend, base))
    for asset in sorted(p for p in STATIC.rglob("*") if p.is_file()):
        out.add(f"static/{asset.relative_to(STATIC).as_posix()}", asset.read_bytes())

    sums = out.write(site_dir(release_dir))
    (release_dir / "site.json").write_text(json.dumps(sums, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return sums


def query_page(settings: Settings, endpoint: str) -> documents.Page:
    """The static query page: canned queries (against the configured base) to send to `endpoint`."""
    canned = [
        replace(q, text=q.text.replace(DEFAULT_BASE, settings.base_uri)) for q in canned_queries(settings.queries_dir)
    ]
    example = next((q.text for q in canned if q.name == "item-mappings"), canned[0].text if canned else "")
    return documents.query_page(canned, endpoint, example)


def void_as(release_dir: Path, base: str, fmt: Format) -> bytes:
    """The VoID/DCAT description (void.ttl) in any of the graph formats resources are offered in."""
    body = (release_dir / "void.ttl").read_bytes()
    if fmt == TURTLE:
        return body
    triples = [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.TURTLE, base_iri=base)]
    return write(triples, fmt, None)


def search_index(backend: Embedded, base: str) -> bytes:
    """Compact rows for the static search (static/search.js): URL, notation as printed and in full, framework,
    statement number and its requirement, Japanese and English title; in the order the server's search lists."""
    rows = []
    for hit in views.search_index(backend, base):
        rows.append(
            {
                "u": "/" + doc_stem(base, hit["uri"]) + ".html",
                "n": hit["notation"],
                "b": hit["bare"],
                "s": hit["scheme"],
                "st": hit["statement"],
                "of": hit["of"],
                "ja": hit["label"]["ja"],
                "en": hit["label"]["en"],
            }
        )
    return (json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
