"""The source text of the Appendix at its stable URI, {base}source/appendix.txt (text/plain; charset=utf-8), and
the lines around a cited one for the item, record and erratum pages.

The text is the release's own copy (appendix.txt, the bytes its checksums describe), read once when the app
starts; requests are answered from memory. Citations are `{base}source/appendix.txt#line={n-1},{n}` (RFC 5147
counts line positions from 0; see iris.source_line); the pages show the cited line n with a few lines around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ccds_crosswalk import iris
from ccds_crosswalk.formats import TEXT
from ccds_crosswalk.release.serialise import SOURCE_TEXT
from ccds_crosswalk.web.http import error, representation

AROUND = 4  # lines shown before and after the cited one: a wrapped cell spans a few lines of the text


@dataclass(frozen=True)
class SourceText:
    base: str
    body: bytes
    lines: tuple[str, ...]

    @classmethod
    def load(cls, release_dir: Path, base: str) -> SourceText:
        """The release's copy; empty for a release built before the text was published (the route says so)."""
        path = release_dir / SOURCE_TEXT.name
        body = path.read_bytes() if path.is_file() else b""
        return cls(base, body, tuple(body.decode("utf-8").splitlines()))

    @property
    def path(self) -> str:
        """The text's path on this server, the same under any base URI."""
        return "/" + iris.source_text(self.base)[len(self.base) :]

    def excerpt(self, line: int | str | None, around: int = AROUND) -> dict[str, Any] | None:
        """Line `line` (counted from 1) with `around` lines each side, for a page; None when there is no such line."""
        try:
            cited = int(line or 0)
        except ValueError:
            return None
        if not 1 <= cited <= len(self.lines):
            return None
        first, last = max(1, cited - around), min(len(self.lines), cited + around)
        fragment = iris.source_line(self.base, cited)
        return {
            "line": cited,
            "uri": str(fragment),
            "href": self.path + "#" + fragment.split("#", 1)[1],
            "lines": [{"number": n, "text": self.lines[n - 1], "cited": n == cited} for n in range(first, last + 1)],
        }


def make_router(source: SourceText, release: str, built_at: float) -> APIRouter:
    router = APIRouter()

    async def text(request: Request) -> Response:
        if not source.body:
            return error(request, 404, f"release {release} was built without its source text; rebuild it")
        headers = {"Content-Disposition": f'inline; filename="{SOURCE_TEXT.name}"'}
        return representation(request, source.body, TEXT.media_type, built_at, vary=False, headers=headers)

    router.add_api_route(source.path, text, methods=["GET", "HEAD"], include_in_schema=False)
    return router
