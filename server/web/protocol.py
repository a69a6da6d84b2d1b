"""uvicorn's httptools protocol, answering a request that offers an upgrade we do not speak (`Upgrade: h2c`, sent
by Java's HttpClient and so by Jena and RDF4J, and by `curl --http2`) as the plain HTTP/1.1 request it also is.

Why: llhttp treats everything after the headers of an upgrade request as another protocol. It reports the message
complete with an empty body and stops; uvicorn then runs the app on that empty body and drops the rest, so every
such POST lost its query. RFC 9110 7.8 lets a server ignore an upgrade it does not want. Here the head is
re-parsed without its upgrade headers by a fresh parser, followed by the bytes that came after it, so the body,
`Expect: 100-continue`, chunked bodies and pipelined requests all take uvicorn's ordinary path.
WebSocket upgrades (the app has none) and CONNECT keep uvicorn's own handling.

It also sends a response's head and the start of its body in one write (`HeadWithBody`)."""

from __future__ import annotations

import asyncio
import contextlib

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# hop-by-hop headers that only carry the upgrade offer (RFC 9113 3.2 for HTTP2-Settings)
UPGRADE_HEADERS = (b"upgrade", b"http2-settings")
UPGRADE_TOKENS = (b"upgrade", b"http2-settings")


def head_without_upgrade(method: bytes, url: bytes, version: str, headers: list[tuple[bytes, bytes]]) -> bytes:
    """The request head again, minus the upgrade offer: no Upgrade / HTTP2-Settings header, and those two names
    taken out of Connection (which is dropped when nothing else is left in it)."""
    lines = [method + b" " + url + b" HTTP/" + version.encode("ascii")]
    for name, value in headers:
        if name in UPGRADE_HEADERS:
            continue
        if name == b"connection":
            tokens = [t.strip() for t in value.split(b",") if t.strip().lower() not in UPGRADE_TOKENS]
            if not any(tokens):
                continue
            value = b", ".join(t for t in tokens if t)
        lines.append(name + b": " + value)
    return b"\r\n".join(lines) + b"\r\n\r\n"


class HeadWithBody:
    """A connection's transport that holds a response head back until the first bytes of its body follow it.

    Why: uvicorn writes the head and the body separately, and with TCP_NODELAY that is two segments, two
    system calls here and two wake-ups of the client for every small answer. A head that nothing follows in the
    same turn of the event loop (a HEAD response, an interim 100) goes out at the end of that turn. Whatever is
    held is written before anything after it, so the bytes keep their order."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        if self._held is not None:
            data, self._held = self._held + data, None
        elif data.startswith(b"HTTP/1.1 ") and data.endswith(b"\r\n\r\n") and not data.startswith(b"HTTP/1.1 1"):
            self._held = data
            self._loop.call_soon(self.flush)
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._held is not None:
            data, self._held = self._held, None
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> object:  # everything else is the transport's own
        return getattr(self._transport, name)


class IgnoreUpgradeProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that serves a non-WebSocket upgrade request over HTTP/1.1 with its body intact, and
    writes a response's head with its body."""

    ignoring_upgrade = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(HeadWithBody(transport, asyncio.get_running_loop()))  # type: ignore[arg-type]

    def _new_parser(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        with contextlib.suppress(AttributeError):  # httptools < 0.6.3 has no leniencies
            # as uvicorn does: answer the first of pipelined requests even if a later one closes the connection
            self.parser.set_dangerous_leniencies(lenient_data_after_close=True)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.ignoring_upgrade = False

    def on_headers_complete(self) -> None:
        # an upgrade offer we will not take: run nothing yet, the head is re-parsed once llhttp stops (below)
        if self.parser.should_upgrade() and self._get_upgrade() is not None and not self._should_upgrade():
            self.ignoring_upgrade = True
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self.ignoring_upgrade:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self.ignoring_upgrade:
            super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            message = "Invalid HTTP request received."
            self.logger.warning(message)
            self.send_400_response(message)
        except httptools.HttpParserUpgrade as upgrade:
            if self.ignoring_upgrade:
                head = head_without_upgrade(
                    self.parser.get_method(), self.url, self.parser.get_http_version(), self.headers
                )
                self._new_parser()
                self.data_received(head + data[upgrade.args[0] :])  # the rest: the body, maybe further requests
            elif self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
