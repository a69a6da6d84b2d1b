"""HTTP helpers shared by the routes: representations with ETag / Last-Modified / conditional GET,
and errors written in the representation the client asked for (never a stack trace)."""

from __future__ import annotations

import hashlib
import json
from email.utils import formatdate, parsedate_to_datetime

from fastapi import Request
from fastapi.responses import Response

from ccds_crosswalk.web.negotiation import negotiate

RDF_TYPES = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
EXTENSIONS = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "html": "text/html",
}
EXTENSION_OF = {media: ext for ext, media in EXTENSIONS.items()}
CHARSET_TYPES = (
    "text/",
    "application/ld+json",
    "application/n-triples",
    "application/json",
    "application/sparql-results",
    "application/rdf+xml",
)


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith(CHARSET_TYPES) else media_type


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def weak_etag(content: bytes) -> str:
    """Weak: the same content may go out gzip-encoded, and a strong ETag would claim identical bytes."""
    return 'W/"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether gzip is acceptable (RFC 9110 12.5.3): named, or covered by '*', with a q-value above 0."""
    quality: dict[str, float] = {}
    for part in (accept_encoding or "").lower().split(","):
        coding, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding:
            quality[coding] = q
    return quality.get("gzip", quality.get("x-gzip", quality.get("*", 0.0))) > 0


def representation(
    request: Request,
    body: bytes,
    media_type: str,
    last_modified: float | None = None,
    vary: bool = True,
    headers: dict[str, str] | None = None,
    status: int = 200,
    etag: str | None = None,
) -> Response:
    """A 200 (or 304 when the client's copy is current) with validators; `etag` when the caller knows it
    already, else the weak ETag of the body."""
    etag = etag or weak_etag(body)
    out = {"ETag": etag, "Cache-Control": "public, max-age=300", **(headers or {})}
    if vary:
        out["Vary"] = "Accept, Accept-Encoding"
    if last_modified is not None:
        out["Last-Modified"] = http_date(last_modified)
    if status == 200 and _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=out)
    return Response(body, status_code=status, media_type=content_type(media_type), headers=out)


def _not_modified(request: Request, etag: str, last_modified: float | None) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:  # weak comparison (RFC 9110 13.1.2), and it overrides If-Modified-Since
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = request.headers.get("if-modified-since")
    if not since or last_modified is None:
        return False
    try:
        client_copy = parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False  # an invalid date is ignored (RFC 9110 13.1.3)
    return int(last_modified) <= client_copy  # HTTP dates have whole seconds


def error(request: Request, status: int, message: str, offers: list[str] | None = None) -> Response:
    """An error in the negotiated representation: JSON for JSON clients, a Turtle comment for RDF clients,
    HTML for browsers, plain text otherwise."""
    offers = offers or ["text/plain"]
    choice = negotiate(request.headers.get("accept"), [*offers, "text/plain", "text/html", "application/json"])
    media = choice or "text/plain"
    if media in ("application/json", "application/ld+json", "application/sparql-results+json"):
        body = json.dumps({"error": {"status": status, "message": message}}, ensure_ascii=False)
    elif media in ("text/turtle", "application/n-triples"):
        body = "".join(f"# {line}\n" for line in [f"{status} error", *message.splitlines()])
    elif media == "application/rdf+xml":  # an empty RDF/XML document whose comment carries the message
        comment = f"{status} error: {message}"
        while "--" in comment:  # "--" may not occur inside an XML comment
            comment = comment.replace("--", "- -")
        body = (
            f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {comment} -->\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        )
    elif media == "text/html":
        from html import escape

        body = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{status}</title></head>"
            f"<body><h1>{status}</h1><p>{escape(message)}</p><p><a href='/'>Home</a></p></body></html>"
        )
    else:
        media, body = "text/plain", f"{status} error: {message}\n"
    return Response(
        body.encode("utf-8"),
        status_code=status,
        media_type=content_type(media),
        headers={"Vary": "Accept", "Cache-Control": "no-store"},
    )
