"""HTTP helpers shared by the routes: representations with ETag / Last-Modified / conditional GET,
and errors written in the representation the client asked for (never a stack trace)."""

from __future__ import annotations

import hashlib
import json
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import URL
from starlette.types import Scope

from ccds_crosswalk.formats import HTML, JSON, N_TRIPLES, RDF_XML, TEXT, TURTLE, by_media_type, content_type
from ccds_crosswalk.web.negotiation import negotiate

__all__ = ["error", "etag_matches", "http_date", "raw_header", "representation", "url_without_query", "weak_etag"]


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def weak_etag(content: bytes) -> str:
    """Weak: the same content may go out gzip-encoded, and a strong ETag would claim identical bytes."""
    return 'W/"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def raw_header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header (`name` in lower case), read from the ASGI scope as it came."""
    return next((value for key, value in scope.get("headers") or () if key == name), None)


def url_without_query(scope: Scope) -> str:
    """The request's URL without its query string, as Starlette spells it (the Host header, else the server's
    address); remembered per host and path, since taking the URL apart anew cost ~20 µs of every SPARQL request."""
    host = raw_header(scope, b"host")
    server = scope.get("server")
    return _url_without_query(
        scope.get("scheme", "http"), host, tuple(server) if server else None, scope.get("root_path", ""), scope["path"]
    )


@lru_cache(maxsize=64)
def _url_without_query(
    scheme: str, host: bytes | None, server: tuple[str, int] | None, root_path: str, path: str
) -> str:
    headers = [(b"host", host)] if host is not None else []
    scope = {
        "type": "http",
        "scheme": scheme,
        "server": server,
        "root_path": root_path,
        "path": path,
        "headers": headers,
    }
    return str(URL(scope=scope).replace(query="", fragment=""))


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


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """An If-None-Match header against an ETag: weak comparison (RFC 9110 13.1.2), `*` matching any."""
    if if_none_match is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def _not_modified(request: Request, etag: str, last_modified: float | None) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:  # it overrides If-Modified-Since
        return etag_matches(if_none_match, etag)
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
    plain = TEXT.media_type
    offers = offers or [plain]
    choice = negotiate(request.headers.get("accept"), [*offers, plain, HTML.media_type, JSON.media_type])
    media = choice or plain
    chosen = by_media_type(media)
    if media.endswith("json"):  # JSON, JSON-LD, SPARQL results JSON: a JSON object
        body = json.dumps({"error": {"status": status, "message": message}}, ensure_ascii=False)
    elif chosen in (TURTLE, N_TRIPLES):
        body = "".join(f"# {line}\n" for line in [f"{status} error", *message.splitlines()])
    elif chosen is RDF_XML:  # an empty RDF/XML document whose comment carries the message
        comment = f"{status} error: {message}"
        while "--" in comment:  # "--" may not occur inside an XML comment
            comment = comment.replace("--", "- -")
        body = (
            f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {comment} -->\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        )
    elif chosen is HTML:
        from html import escape

        body = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{status}</title></head>"
            f"<body><h1>{status}</h1><p>{escape(message)}</p><p><a href='/'>Home</a></p></body></html>"
        )
    else:
        media, body = plain, f"{status} error: {message}\n"
    return Response(
        body.encode("utf-8"),
        status_code=status,
        media_type=content_type(media),
        headers={"Vary": "Accept", "Cache-Control": "no-store"},
    )
