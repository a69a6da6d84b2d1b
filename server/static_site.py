"""`ccds-crosswalk publish --static DIR`: the release as a static site that needs no program of ours.

    DIR/…                     the build's site/ (every document and page, with .gz), as the server serves it
    DIR/release/{version}/…   the download artefacts; DIR/source/appendix.txt the Appendix text
    DIR/.htaccess             Apache httpd rules (mod_rewrite, mod_headers, mod_mime; DIR = document root)
    DIR/nginx.conf            nginx maps and a server block, to include in http { }
    DIR/w3id.htaccess         the w3id.org registry's rules for /ccds-crosswalk/, pointing at --target-url

The home and query pages are rendered again (by the same functions) to name --sparql-endpoint, or to say that
this copy has none; everything else is copied byte for byte.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ccds_crosswalk import webrules
from ccds_crosswalk.engine.backend import Embedded
from ccds_crosswalk.engine.store import load_union_store
from ccds_crosswalk.release.render import SITE, SiteWriter, html_name, query_page
from ccds_crosswalk.settings import Settings
from ccds_crosswalk.web import documents
from ccds_crosswalk.web.i18n import LANGUAGES
from ccds_crosswalk.web.render import environment, render_html

NOT_DOWNLOADS = {SITE, "site.json"}


class StaticError(RuntimeError):
    """DIR cannot be written (not empty and not an earlier static copy)."""


@dataclass(frozen=True)
class Written:
    directory: Path
    files: int

    def __str__(self) -> str:
        return (
            f"static site written to {self.directory} ({self.files} files); Apache: .htaccess, nginx: nginx.conf, "
            "w3id.org: w3id.htaccess"
        )


def publish_static(
    settings: Settings, directory: Path, target_url: str | None = None, sparql_endpoint: str | None = None
) -> Written:
    site = settings.release_dir / SITE
    if not site.is_dir():
        raise StaticError(f"release {settings.release} has no rendered site: run 'ccds-crosswalk build' again")
    marker = directory / ".htaccess"
    if directory.exists() and any(directory.iterdir()) and not marker.exists():
        raise StaticError(f"{directory} is not empty and not a static copy of ours: choose an empty folder")
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(site, directory)
    downloads = directory / "release" / settings.release
    downloads.mkdir(parents=True)
    for path in sorted(settings.release_dir.iterdir()):
        if path.is_file() and path.name not in NOT_DOWNLOADS:
            shutil.copy2(path, downloads / path.name)
    if (settings.release_dir / "appendix.txt").is_file():  # the source text at its stable URI
        (directory / "source").mkdir()
        shutil.copy2(settings.release_dir / "appendix.txt", directory / "source" / "appendix.txt")
    _endpoint_pages(settings, sparql_endpoint).write_into(directory)
    (directory / ".htaccess").write_text(webrules.htaccess(settings.release, sparql_endpoint), encoding="utf-8")
    (directory / "nginx.conf").write_text(
        webrules.nginx(settings.release, directory, sparql_endpoint), encoding="utf-8"
    )
    target = target_url or "https://example.org/"
    (directory / "w3id.htaccess").write_text(webrules.w3id_htaccess(target), encoding="utf-8")
    return Written(directory, sum(1 for p in directory.rglob("*") if p.is_file()))


def _endpoint_pages(settings: Settings, endpoint: str | None) -> SiteWriter:
    """Home and query pages naming this copy's SPARQL endpoint (or saying it has none)."""
    base = settings.base_uri
    backend = Embedded(load_union_store(settings.release_dir, base), None)
    env = environment()
    documents.bind(env, backend, base, settings.release_dir)
    out = SiteWriter()
    pages = {
        "index": ("/", documents.home(backend, base, settings.release, endpoint or "")),
        "query": ("/query", query_page(settings, endpoint or "")),
    }
    for stem, (path, (template, context)) in pages.items():
        for lang in LANGUAGES:
            switch = f"{path}?lang={'en' if lang == 'ja' else 'ja'}"
            out.add(html_name(stem, lang), render_html(env, base, template, lang, path, switch, **context))
    return out
