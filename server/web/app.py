"""The app factory: builds the FastAPI application from settings and a backend, with nothing global.
The embedded backend loads the built release once: an in-process pyoxigraph store for the fixed lookups of
pages and resources, and a pool of killable worker processes for user SPARQL."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ccds_crosswalk.engine.backend import Backend, Embedded
from ccds_crosswalk.engine.cheap import ShapeBook, stats_of
from ccds_crosswalk.engine.jobs import QueryError
from ccds_crosswalk.engine.pool import QueryPool
from ccds_crosswalk.engine.store import load_union_store
from ccds_crosswalk.engine.worker import trim_heap
from ccds_crosswalk.release.vocab import prefixes as all_prefixes
from ccds_crosswalk.settings import Settings
from ccds_crosswalk.web import analysis, downloads, pages, resources, source, sparql
from ccds_crosswalk.web.http import error
from ccds_crosswalk.web.middleware import Compress, Guard, SimpleCors, configure_logging
from ccds_crosswalk.web.render import environment
from ccds_crosswalk.web.site import Site

__all__ = ["create_app"]

STATIC = Path(__file__).resolve().parent / "static"
# Longer URLs get 414 with "POST the query instead"; beyond ~80 KB the HTTP parser itself refuses the request (400).
MAX_URL_BYTES = 32_768
CORS_EXPOSE = ["ETag", "Content-Location", "Link"]


IDLE_TRIM_S = 1.0


class NotBuilt(RuntimeError):
    pass


async def trim_when_idle(served: Callable[[], int]) -> None:
    """Once a burst of requests is over (none for a second), give what it freed back to the system: glibc keeps
    freed memory for later, and a busy minute leaves the web process holding megabytes it no longer uses."""
    seen = trimmed = served()
    while True:
        await asyncio.sleep(IDLE_TRIM_S)
        now = served()
        if now == seen and now != trimmed:
            trim_heap()
            trimmed = now
        seen = now


def embedded_backend(settings: Settings) -> Backend:
    store = load_union_store(settings.release_dir, settings.base_uri)  # the workers hold the named graphs
    stats_of(store)  # what new query shapes are judged by (server/engine/cheap.py), once, before serving
    shapes = ShapeBook()
    pool = QueryPool(
        settings.release_dir,
        settings.base_uri,
        settings.limits.query_workers,
        settings.limits.query_timeout_s,
        settings.limits.query_threads,
    )
    return Embedded(store, pool, shapes)


def create_app(settings: Settings, backend: Backend | None = None) -> FastAPI:
    manifest_path = settings.release_dir / "manifest.json"
    if not manifest_path.exists():
        raise NotBuilt(f"no release at {settings.release_dir}: run 'ccds-crosswalk build' first")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    built_at = manifest_path.stat().st_mtime
    configure_logging()
    backend = backend or embedded_backend(settings)
    prefixes = all_prefixes(settings.base_uri)
    env = environment()
    appendix = source.SourceText.load(settings.release_dir, settings.base_uri)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        gc.collect()
        gc.freeze()  # what start-up built lives as long as the process: full collections need not walk it again
        trimmer = asyncio.create_task(trim_when_idle(lambda: guard.served))
        yield
        trimmer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await trimmer
        backend.close()

    app = FastAPI(title="ccds-crosswalk", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.backend = backend
    release_id = hashlib.sha256(manifest_path.read_bytes()).hexdigest()  # identifies the build's content
    cache = sparql.make_cache(settings, backend, release_id)
    endpoint = sparql.make_endpoint(settings, backend, prefixes, cache)
    app.include_router(sparql.make_router(endpoint))
    site = Site(settings.release_dir, built_at)
    app.include_router(resources.make_router(settings, backend, env, prefixes, built_at, site))
    app.include_router(pages.make_router(settings, backend, env, prefixes, manifest, built_at, site))
    app.include_router(downloads.make_router(settings, manifest, built_at))
    app.include_router(analysis.make_router(settings, backend, env, built_at))
    app.include_router(source.make_router(appendix, settings.release, built_at))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException) -> Response:
        message = {
            404: f"nothing is published at {request.url.path}; start at / or search at /search",
            405: f"{request.method} is not allowed here; this service is read-only",
        }.get(exc.status_code, str(exc.detail))
        return error(request, exc.status_code, message)

    @app.exception_handler(QueryError)
    async def backend_problem(request: Request, exc: QueryError) -> Response:
        # a page's lookup failed on the backend (a remote store down or slow): say so, no stack trace
        return error(request, exc.status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error(request, 400, "the request is malformed")

    app.add_middleware(Compress, minimum_size=800)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "HEAD"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "If-Modified-Since"],
        expose_headers=CORS_EXPOSE,
    )
    limits = settings.limits
    # GET and POST /sparql skip the framework: the same endpoint, with what the middleware above would add
    lean_sparql = Compress(SimpleCors(sparql.lean(endpoint), CORS_EXPOSE), minimum_size=800)
    guard = Guard(app, max_body=limits.max_request_bytes, max_url=MAX_URL_BYTES, lean={"/sparql": lean_sparql})
    return guard  # type: ignore[return-value]
