"""The SPARQL 1.1 Protocol endpoint (/sparql): query via GET, POST form and POST direct; the protocol's
errors as 400; updates refused (read-only); a Service Description when there is no query."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple
from urllib.parse import unquote_to_bytes

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ccds_crosswalk import formats
from ccds_crosswalk.engine.backend import Backend
from ccds_crosswalk.engine.cache import CacheLimits, ResultCache, request_key
from ccds_crosswalk.engine.jobs import QueryError, QueryRequest
from ccds_crosswalk.engine.policy import query_form, refusal
from ccds_crosswalk.settings import Settings
from ccds_crosswalk.web.http import error, etag_matches, url_without_query
from ccds_crosswalk.web.negotiation import negotiate
from ccds_crosswalk.web.service_description import service_description

__all__ = ["GRAPH_OFFERS", "SELECT_OFFERS", "Answer", "make_cache", "make_endpoint", "make_router"]

SELECT_OFFERS = formats.offers(formats.RESULTS)
GRAPH_OFFERS = formats.offers(formats.GRAPH)
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


class ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {what} is not valid UTF-8") from None


def _unquote(raw: bytes) -> str:
    """A form field's value: '+' is a space, %XX a byte (an escape that is not one stays as it is), the whole
    UTF-8 (strict). What urllib.parse.unquote_plus does, on bytes: a query sent in a URL is mostly escapes (every
    byte of Japanese text is one), and parse_qsl's way cost ~0.1 ms a request. Each %XX becomes a \\xXX escape
    of the unicode_escape codec, which decodes them all in C; a '%' that starts no escape fails that codec, and
    such a value goes to urllib's unquote_to_bytes, escape by escape."""
    spaced = raw.replace(b"+", b" ")
    try:
        as_latin1 = spaced.replace(b"\\", b"\\\\").replace(b"%", b"\\x").decode("unicode_escape")
    except UnicodeDecodeError:
        return unquote_to_bytes(spaced).decode("utf-8")
    return as_latin1.encode("latin-1").decode("utf-8")


def _pairs(raw: bytes, what: str) -> list[tuple[str, str]]:
    """application/x-www-form-urlencoded name/value pairs, as urllib.parse.parse_qsl(keep_blank_values=True)
    reads them, with bytes that are not UTF-8 refused (400) rather than replaced."""
    _decode(raw, what)
    try:
        return [
            (_unquote(name), _unquote(value))
            for name, _, value in (field.partition(b"=") for field in raw.split(b"&") if field)
        ]
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {what} has percent-encoded bytes that are not UTF-8") from None


def _check_charset(media_params: str) -> None:
    """A direct POST's body is UTF-8 (SPARQL 1.1 Protocol 2.1.3): a charset naming anything else is refused, not
    guessed at. (A form body is percent-encoded UTF-8 whatever its label says; its bytes are checked as decoded.)"""
    for param in media_params.split(";"):
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8", "us-ascii"):
            raise ProtocolError(400, f"the request body must be UTF-8, not {charset!r} (SPARQL 1.1 Protocol)")


def parse_protocol(method: str, media: str, url_query: bytes, body: bytes) -> tuple[str | None, list[tuple[str, str]]]:
    """(query text or None, all parameters): the operation as the SPARQL 1.1 Protocol defines it."""
    params = _pairs(url_query, "URL query string")
    direct_query = None
    if method == "POST":
        if media == FORM:
            params += _pairs(body, "form body")
        elif media == DIRECT:
            direct_query = _decode(body, "request body")
        elif media == UPDATE:
            raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
        elif media:
            raise ProtocolError(
                400, f"unsupported Content-Type {media!r}: POST a query as {FORM} (query=...) or as {DIRECT}"
            )
        else:
            raise ProtocolError(400, f"a POST needs a Content-Type: {FORM} or {DIRECT}")
    names = [name for name, _ in params]
    if "update" in names or "using-graph-uri" in names or "using-named-graph-uri" in names:
        raise ProtocolError(
            400 if "query" in names or direct_query else 403,
            "this endpoint is read-only: SPARQL Update is not accepted"
            + (" (and a request cannot carry both a query and an update)" if "query" in names else ""),
        )
    queries = [value for name, value in params if name == "query"]
    if direct_query is not None:
        if queries:
            raise ProtocolError(400, "a direct POST carries its query in the body; do not also pass query=")
        return direct_query, params
    if len(queries) > 1:
        raise ProtocolError(400, "the request carries more than one query parameter; send exactly one")
    if method == "GET" and queries == [] and any(n in names for n in ("default-graph-uri", "named-graph-uri")):
        raise ProtocolError(400, "default-graph-uri/named-graph-uri were given without a query")
    if method == "POST" and not queries:
        raise ProtocolError(400, "the POST carries no query: send query=... (form) or the query as the body")
    return (queries[0] if queries else None), params


CACHE_NAME = "ccds-crosswalk"  # in Cache-Status (RFC 9211)
GET_CACHE_CONTROL = b"public, max-age=300"  # the ETag changes with the release: revalidate after five minutes


def make_cache(settings: Settings, backend: Backend, release_id: str) -> ResultCache | None:
    """The release's result cache; none for a remote backend (its store may change under us)."""
    limits = settings.limits
    if not backend.in_memory or limits.cache_entries <= 0:
        return None
    return ResultCache(release_id, CacheLimits(limits.cache_entries, limits.cache_bytes, limits.cache_entry_bytes))


class Answer(NamedTuple):
    """An answer as it goes out (200, or 304 to a conditional GET): status, ASGI headers, body; no framework
    Response on this path."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


Endpoint = Callable[[Scope, Receive, bytes], Awaitable[Response | Answer]]


def make_endpoint(
    settings: Settings, backend: Backend, prefixes: dict[str, str], cache: ResultCache | None = None
) -> Endpoint:
    """The endpoint, from an ASGI scope and the request's body: a query's answer (or 304) as an `Answer`, or a
    framework Response (an error, the service description). A lookup is a few hundred µs, so the success path builds
    no Request or Response objects and reads each header once."""
    limits = settings.limits

    async def endpoint(scope: Scope, receive: Receive, body: bytes) -> Response | Answer:
        method = scope["method"]
        headers = dict(reversed(scope["headers"]))  # the first of each name, as Starlette's Headers.get

        def refuse(status: int, message: str, offers: list[str] | None = None) -> Response:
            return error(Request(scope, receive), status, message, offers)

        media, _, media_params = headers.get(b"content-type", b"").decode("latin-1").partition(";")
        media = media.strip().lower()
        try:
            if method == "POST" and media == DIRECT:
                _check_charset(media_params)
            query, params = parse_protocol(method, media, scope.get("query_string", b""), body)
        except ProtocolError as problem:
            return refuse(problem.status, problem.message, SELECT_OFFERS)
        if query is None:
            return service_description(Request(scope, receive), settings)
        if reason := refusal(query, limits.max_query_chars):
            too_long = len(query) > limits.max_query_chars
            status = (414 if method == "GET" else 413) if too_long else 400
            return refuse(status, reason, SELECT_OFFERS)
        form = query_form(query)
        offers = GRAPH_OFFERS if form in ("CONSTRUCT", "DESCRIBE") else SELECT_OFFERS
        accept = headers.get(b"accept")
        chosen = negotiate(accept.decode("latin-1") if accept is not None else None, offers)
        if chosen is None:
            return refuse(406, f"{form or 'this'} results are offered as: {', '.join(offers)}")
        default_graphs, named_graphs = _dataset(params)
        job = QueryRequest(
            query=query,
            media_type=chosen,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            max_rows=limits.max_result_rows,
            max_bytes=limits.max_response_bytes,
            prefixes=prefixes,
            base_iri=url_without_query(scope),  # the service-defined BASE IRI: the endpoint
        )
        key = request_key(job) if cache is not None else b""
        out = [(b"vary", b"Accept"), (b"cache-control", b"no-store")]
        raw_if_none_match = headers.get(b"if-none-match") if method == "GET" else None
        if_none_match = raw_if_none_match.decode("latin-1") if raw_if_none_match is not None else None
        etag = ""
        if cache is not None and method == "GET":
            etag = cache.etag(key)
            out = [(b"vary", b"Accept"), (b"cache-control", GET_CACHE_CONTROL), (b"etag", etag.encode())]
            if if_none_match and if_none_match.strip() != "*" and etag_matches(if_none_match, etag):
                # the ETag follows from the release and the request alone: nothing to evaluate
                return _not_modified(out, HIT)
        answer = cache.get(key) if cache is not None else None
        cache_status = HIT
        began = time.perf_counter()
        if answer is None:
            try:
                answer = await backend.sparql(job)
            except QueryError as problem:
                return refuse(problem.status, problem.message, offers)
            stored = cache is not None and cache.put(key, answer)
            cache_status = STORED if stored else MISS
        # who answered, and how long it took (W3C Server Timing): the web process, a query worker or the cache
        where = "cache" if cache_status is HIT else answer.where or "backend"
        timing = f'sparql;dur={(time.perf_counter() - began) * 1000:.2f};desc="{where}"'
        out.append((b"server-timing", timing.encode()))
        if cache is not None:
            if etag and etag_matches(if_none_match, etag):  # If-None-Match: *
                return _not_modified(out, cache_status)
            out.append((b"cache-status", cache_status))
        content_type = formats.content_type(answer.media_type).encode("latin-1")
        out += [(b"content-type", content_type), (b"content-length", str(len(answer.body)).encode())]
        return Answer(200, out, answer.body)

    return endpoint


HIT = f"{CACHE_NAME}; hit".encode()
MISS = f"{CACHE_NAME}; fwd=miss".encode()
STORED = f"{CACHE_NAME}; fwd=miss; stored".encode()


def _dataset(params: list[tuple[str, str]]) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """default-graph-uri and named-graph-uri (SPARQL 1.1 Protocol 2.1.4): none given, the service's dataset
    (None, None); either given, exactly that dataset, the other part empty."""
    default = tuple(value for name, value in params if name == "default-graph-uri")
    named = tuple(value for name, value in params if name == "named-graph-uri")
    if not default and not named:
        return None, None
    return default, named


def _not_modified(headers: list[tuple[bytes, bytes]], cache_status: bytes) -> Answer:
    return Answer(304, [*headers, (b"cache-status", cache_status)], b"")


def make_router(endpoint: Endpoint) -> APIRouter:
    """The route as FastAPI knows it. Guard sends GET and POST to `lean` instead, so the route gives the framework
    what it answers itself: 405 to other methods (HEAD included) and CORS preflights (OPTIONS); its handler serves
    the endpoint only to an app run without Guard."""

    async def route(request: Request) -> Response:
        body = await request.body() if request.method == "POST" else b""
        outcome = await endpoint(request.scope, request.receive, body)
        if isinstance(outcome, Response):
            return outcome
        response = Response(outcome.body, status_code=outcome.status)
        response.raw_headers = outcome.headers
        return response

    router = APIRouter()
    router.add_api_route("/sparql", route, methods=["GET", "POST"], include_in_schema=False)
    return router


def lean(endpoint: Endpoint) -> ASGIApp:
    """The endpoint as a bare ASGI app: what FastAPI's routing, dependency solving and middleware stack add to
    every request (a few hundred µs, more than a cheap query) is skipped; Guard (middleware.py) dispatches GET and
    POST /sparql here and still applies its size limits, headers, log and last-resort handler."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # a GET's body means nothing (2.1.1)
        body = await Request(scope, receive).body() if scope["method"] == "POST" else b""
        outcome = await endpoint(scope, receive, body)
        if isinstance(outcome, Response):
            await outcome(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": outcome.status, "headers": outcome.headers})
        await send({"type": "http.response.body", "body": outcome.body})

    return app
