"""The browser-hardening headers: one table, applied by the server (uvicorn's default headers, on every response)
and the app (middleware.Guard, on HTML), and read by whatever else serves our files (the static-site rules for
Apache/nginx: `hardening(content_type)`), so the values live here only.

CORS is not here: the data and the endpoint keep the CORS middleware's headers (app.py) unchanged."""

from __future__ import annotations

# Our pages load scripts, styles, fonts and images from our own origin only (YASGUI is vendored under /static),
# talk only to our own /sparql, submit forms only to us, and are framed by nobody.
# YASGUI's column resizer (vendored in static/yasgui/) writes two fixed <style> elements into the page: its grip
# rules when a result table is drawn, and a cursor rule while a column is dragged. These hashes allow exactly those
# two texts and no other inline style (tests/web/test_yasgui.py recomputes them from the vendored file; rerun it
# after scripts/vendor-yasgui.sh).
YASGUI_STYLE_HASHES = (
    "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",
    "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='",
)
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        " ".join(["style-src 'self'", *YASGUI_STYLE_HASHES]),
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

# on every response, whatever its type
ALL_RESPONSES: dict[str, str] = {"X-Content-Type-Options": "nosniff"}
# on HTML responses in addition
HTML_RESPONSES: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def hardening(content_type: str | None) -> dict[str, str]:
    """The headers a response of this Content-Type gets (the media type decides; parameters are ignored)."""
    media = (content_type or "").split(";")[0].strip().lower()
    return {**ALL_RESPONSES, **HTML_RESPONSES} if media == "text/html" else dict(ALL_RESPONSES)


def server_headers() -> list[tuple[str, str]]:
    """For uvicorn's `headers` setting (web/run.py): the headers of every response, written by the server itself,
    so its own answers (a malformed request's 400, the overload 503) carry them as well as the app's."""
    return list(ALL_RESPONSES.items())


def add_page_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """ASGI response headers with what an HTML response adds (replacing any a route set itself); the headers of
    every response come from the server (server_headers), not from here, so they are never doubled."""
    content_type = next((v.decode("latin-1") for n, v in headers if n.lower() == b"content-type"), None)
    page_only = {k: v for k, v in hardening(content_type).items() if k not in ALL_RESPONSES}
    if not page_only:
        return headers
    extra = {name.lower().encode("latin-1"): value.encode("latin-1") for name, value in page_only.items()}
    kept = [(n, v) for n, v in headers if n.lower() not in extra]
    return kept + list(extra.items())
