"""ASGI middleware: one structured log line per request, a cap on request size, the page hardening headers
(headers.py) on HTML, and a last-resort handler that turns any unexpected exception into a plain 500
without a stack trace."""

from __future__ import annotations

import logging
import sys
import time
from collections import deque

import orjson
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ccds_crosswalk.web.headers import add_page_headers
from ccds_crosswalk.web.http import raw_header
from ccds_crosswalk.web.negotiation import accepts_gzip

__all__ = ["Compress", "Guard", "SimpleCors", "configure_logging"]

log = logging.getLogger("ccds_crosswalk.access")
_OWN: list[logging.StreamHandler] = []  # the handler configure_logging gave the access log, if it did


def configure_logging() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
        _OWN[:] = [handler]


def _log_access(line: str) -> None:
    """One line of the access log. While the logger is as configure_logging left it (its one handler writes the
    bare message, no filters), the line goes to that handler's stream as its emit would write it: a LogRecord and
    the search for the caller's frame cost ~7 µs, a tenth of a lookup's own Python. Otherwise it is logged."""
    if _OWN and log.handlers == _OWN and not log.filters and not _OWN[0].filters:
        handler = _OWN[0]
        with handler.lock:  # type: ignore[union-attr]  # (a StreamHandler always has its lock)
            handler.stream.write(line + handler.terminator)
            handler.flush()
    else:
        log.info(line)


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Request-size limit (413 before the app reads an oversized body), page hardening headers, access log, no
    stack traces."""

    def __init__(self, app: ASGIApp, max_body: int, max_url: int, lean: dict[str, ASGIApp] | None = None) -> None:
        self.app, self.max_body, self.max_url = app, max_body, max_url
        self.lean = lean or {}  # path -> a bare ASGI app for GET and POST, past the framework (sparql.lean)
        self.served = 0  # requests so far (the app's idle-time memory trim watches it)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        self.served += 1
        status = sent = 0  # the response's status (0: not started yet) and body bytes, for the log

        async def logged_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = add_page_headers(_tidy_headers(message.get("headers") or []))
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        headers = dict(scope.get("headers") or [])
        try:
            length = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            length = -1
        if len(scope.get("query_string", b"")) + len(scope.get("raw_path", b"")) > self.max_url:
            await _plain(logged_send, 414, f"the URL is longer than {self.max_url} bytes; POST the query instead\n")
        elif length < 0:
            await _plain(logged_send, 400, "invalid Content-Length\n")
        elif length > self.max_body:
            await _plain(logged_send, 413, f"the request body is larger than {self.max_body} bytes\n")
        else:
            # a body is read here, up to the cap, before the app sees it: a chunked body has no Content-Length
            # to check up front, and a cap enforced inside the app would surface as a 500
            body = await self._read_body(receive) if length > 0 or b"transfer-encoding" in headers else []
            if body is None:
                await _plain(logged_send, 413, f"the request body is larger than {self.max_body} bytes\n")
            else:
                app = self.lean.get(scope.get("path", "")) if scope.get("method") in ("GET", "POST") else None
                try:
                    await (app or self.app)(scope, _replay(body, receive), logged_send)
                except Exception:  # the last resort: never a stack trace to the client
                    logging.getLogger("ccds_crosswalk").exception("unhandled error")
                    if not status:
                        await _plain(logged_send, 500, "internal error; the request was not completed\n")
        if log.isEnabledFor(logging.INFO):
            entry = {
                "t": round(time.time(), 3),
                "method": scope.get("method"),
                "path": scope.get("path"),
                "query": len(scope.get("query_string", b"")),
                "status": status,
                "bytes": sent,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "client": (scope.get("client") or ["-"])[0],
                "accept": headers.get(b"accept", b"").decode("latin-1")[:100],
            }
            _log_access(orjson.dumps(entry).decode())  # (json.dumps took ~10 µs of a ~0.3 ms lookup)

    async def _read_body(self, receive: Receive) -> list[Message] | None:
        """The request's body messages, or None once they add up to more than the cap."""
        messages: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":  # the client went away: the app hears it in turn
                return messages
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                return None
            if not message.get("more_body", False):
                return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands out the messages already read, then carries on with the real one."""
    pending = deque(messages)

    async def replayed() -> Message:
        return pending.popleft() if pending else await receive()

    return replayed


class Compress(GZipMiddleware):
    """Starlette's gzip middleware, asked only when the client really accepts gzip: Starlette looks for the
    substring "gzip", so "gzip;q=0" (a refusal, RFC 9110 12.5.3) would get gzip."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        encodings = raw_header(scope, b"accept-encoding") or b""
        if scope["type"] == "http" and not accepts_gzip(encodings.decode("latin-1") or None):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _tidy_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """One Vary header without repeated names (the routes and the gzip middleware both add Accept-Encoding)."""
    varies = [value for name, value in headers if name.lower() == b"vary"]
    if len(varies) < 2 and b"," not in (varies[0] if varies else b""):  # nothing to tidy: most responses
        return headers
    vary: list[str] = []
    out: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name.lower() == b"vary":
            for token in value.decode("latin-1").split(","):
                if token.strip() and token.strip().lower() not in (v.lower() for v in vary):
                    vary.append(token.strip())
            continue
        out.append((name, value))
    if vary:
        out.append((b"vary", ", ".join(vary).encode("latin-1")))
    return out


class SimpleCors:
    """What CORSMiddleware adds to a simple (non-preflight) cross-origin request, for an app served past the
    framework (a lean route); preflights (OPTIONS) still go to the framework's CORSMiddleware."""

    def __init__(self, app: ASGIApp, expose: list[str]) -> None:
        self.app = app
        self.headers = [(b"access-control-allow-origin", b"*")]
        if expose:
            self.headers.append((b"access-control-expose-headers", ", ".join(expose).encode("latin-1")))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if raw_header(scope, b"origin") is None:
            await self.app(scope, receive, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*(message.get("headers") or []), *self.headers]
            await send(message)

        await self.app(scope, receive, with_cors)
