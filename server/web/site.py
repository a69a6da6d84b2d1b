"""The pre-rendered site of the release (release/render.py), served as it is: the same bytes a static copy
(`publish --static`) serves, with strong ETags from the build's checksums and the build's own .gz of a file
when the client accepts gzip. Only paths listed in site.json are served, so no URL reaches another file."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response

from ccds_crosswalk.formats import ASSET_TYPES, media_type_of_file
from ccds_crosswalk.release.render import SITE, html_name
from ccds_crosswalk.web.http import etag_matches, representation
from ccds_crosswalk.web.negotiation import accepts_gzip
from ccds_crosswalk.web.render import language


class Site:
    def __init__(self, release_dir: Path, built_at: float) -> None:
        listing = release_dir / "site.json"
        self.directory = release_dir / SITE
        self.sums: dict[str, str] = json.loads(listing.read_text(encoding="utf-8")) if listing.exists() else {}
        self.built_at = built_at

    def has(self, path: str) -> bool:
        return path in self.sums

    def html_path(self, request: Request, stem: str) -> tuple[str, str]:
        """The language document of a page for this request (?lang=, then Accept-Language), and the language."""
        lang = language(request)
        return html_name(stem, lang), lang

    def send(
        self, request: Request, path: str, varies: tuple[str, ...] = (), headers: dict[str, str] | None = None
    ) -> Response:
        """The file at `path` (listed: check `has` first); `varies` names the request headers that chose it."""
        media = ASSET_TYPES.get(path.rsplit(".", 1)[-1]) or media_type_of_file(path)
        out = dict(headers or {})
        sent = path
        if f"{path}.gz" in self.sums:
            varies = (*varies, "Accept-Encoding")
            if accepts_gzip(request.headers.get("accept-encoding")):
                out["Content-Encoding"] = "gzip"  # the gzip middleware passes such a response through as it is
                sent = f"{path}.gz"
        if varies:
            out["Vary"] = ", ".join(varies)
        if media == "text/html":
            out["Content-Language"] = path.rsplit(".", 2)[-2]
        etag = f'"{self.sums[sent][:32]}"'  # strong: one ETag per byte sequence, so the .gz has its own
        # a copy of either encoding is the same document: revalidating it answers 304, with the tag the client holds
        held = request.headers.get("if-none-match")
        if held is not None and held.strip() != "*":
            tags = [f'"{self.sums[p][:32]}"' for p in (path, f"{path}.gz") if p in self.sums]
            etag = next((tag for tag in tags if etag_matches(held, tag)), etag)
        body = (self.directory / sent).read_bytes()
        return representation(request, body, media, self.built_at, vary=False, headers=out, etag=etag)
