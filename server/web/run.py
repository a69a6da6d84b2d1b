"""Runs the app under uvicorn: one process, or N worker processes (`--workers`) sharing the port.
Each worker builds its own app (its own store and query pool) through the factory below."""

from __future__ import annotations

import os
import socket
import sys

import uvicorn

from ccds_crosswalk.engine.worker import limit_arenas
from ccds_crosswalk.settings import Settings, from_json, to_json
from ccds_crosswalk.web.headers import server_headers
from ccds_crosswalk.web.protocol import IgnoreUpgradeProtocol

__all__ = ["serve"]

ENV = "CCDS_SERVE_SETTINGS"  # the whole Settings as JSON (settings.to_json): how uvicorn's workers get them


def app_from_environment():  # uvicorn's factory: each worker process builds its own app
    from ccds_crosswalk.web.app import create_app

    settings = from_json(os.environ[ENV])
    sys.setswitchinterval(0.001)  # a pool thread holding a worker's answer gets the GIL from the loop in ~1 ms, not 5
    limit_arenas()
    backend = None
    if settings.sparql_backend:
        from ccds_crosswalk.engine.remote import Remote

        backend = Remote(settings.sparql_backend, settings)
    return create_app(settings, backend)


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    os.environ[ENV] = to_json(settings)
    config = uvicorn.Config(
        "ccds_crosswalk.web.run:app_from_environment",
        factory=True,
        http=IgnoreUpgradeProtocol,  # a POST offering `Upgrade: h2c` (Java clients, curl --http2) keeps its body
        headers=server_headers(),  # nosniff on every response, uvicorn's own 400 and 503 included
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=5,
        limit_concurrency=512,
    )
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    # uvicorn binds the shared socket with proto 0, so asyncio never sets TCP_NODELAY on accepted connections
    # and every small response waits for Nagle (measured: 22 → 754 req/s at c=1 with 2 workers once set).
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()
