"""HTML pages that are not a single resource: home, frameworks, coverage chart, query page, search, errata,
downloads. All work without JavaScript; the query page runs canned or typed queries on the worker pool."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ccds_crosswalk.engine.backend import Backend
from ccds_crosswalk.engine.jobs import QueryError, QueryRequest
from ccds_crosswalk.engine.policy import refusal
from ccds_crosswalk.formats import SPARQL_JSON
from ccds_crosswalk.queries import QueryError as CannedError
from ccds_crosswalk.queries import canned_queries, resolve_query
from ccds_crosswalk.settings import DEFAULT_BASE, Settings
from ccds_crosswalk.web import documents, views
from ccds_crosswalk.web.editor import editor_config
from ccds_crosswalk.web.i18n import QUERY_TITLES_JA
from ccds_crosswalk.web.render import language, page
from ccds_crosswalk.web.site import Site

__all__ = ["make_router"]


def localise_query(text: str, base: str) -> str:
    """Canned queries are written against the default base URI; serve them against the configured one."""
    return text.replace(DEFAULT_BASE, base)


def shorten(uri: str, prefixes: dict[str, str]) -> str:
    for prefix, namespace in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if uri.startswith(namespace) and len(uri) > len(namespace):
            return f"{prefix}:{uri[len(namespace) :]}"
    return uri


def make_router(
    settings: Settings,
    backend: Backend,
    env: Any,
    prefixes: dict[str, str],
    manifest: dict,
    built_at: float,
    site: Site,
) -> APIRouter:
    router = APIRouter()
    base = settings.base_uri
    canned = canned_queries(settings.queries_dir)
    canned_texts = {q.name: localise_query(q.text, base) for q in canned}

    documents.bind(env, backend, base, settings.release_dir)
    endpoint = f"{base}sparql"

    def fixed(stem: str, make: Callable[[], documents.Page]) -> Callable[[Request], Awaitable[Response]]:
        """A page that depends on nothing but the release: the build's file, else rendered here."""

        async def handler(request: Request) -> Response:
            name, _ = site.html_path(request, stem)
            if site.has(name):
                return site.send(request, name, ("Accept-Language",))
            template, context = await run_in_threadpool(make)
            return page(env, request, base, template, last_modified=built_at, **context)

        return handler

    home = fixed("index", lambda: documents.home(backend, base, settings.release, endpoint))
    frameworks = fixed("frameworks", lambda: documents.frameworks(backend, base))
    coverage = fixed("coverage", lambda: documents.coverage(backend, base))
    errata = fixed("errata", lambda: documents.errata(backend, base))
    downloads = fixed("downloads", lambda: documents.downloads(manifest, settings.release))
    changes = fixed("changes", lambda: documents.changes(settings.release_dir, settings.release))

    async def search(request: Request) -> Response:
        q = request.query_params.get("q", "")[:200]
        hits = await run_in_threadpool(views.search, backend, base, q) if q.strip() else []
        template, context = documents.search_page(q, hits)
        return page(env, request, base, template, **context)

    async def query_page(request: Request) -> Response:
        name = request.query_params.get("name")
        text = request.query_params.get("query")
        error_message, results, boolean = None, None, None
        if name and not text:
            try:
                text = localise_query(resolve_query(name, settings.queries_dir), base)
            except CannedError as problem:
                error_message = str(problem)
        if text:
            error_message = refusal(text, settings.limits.max_query_chars)
            if error_message is None:
                job = QueryRequest(
                    query=text,
                    media_type=SPARQL_JSON.media_type,
                    max_rows=settings.limits.max_result_rows,
                    max_bytes=settings.limits.max_response_bytes,
                )
                try:
                    answer = await backend.sparql(job)
                    data = json.loads(answer.body)
                    if "boolean" in data:
                        boolean = data["boolean"]
                    else:
                        results = _table(data, prefixes)
                except QueryError as problem:
                    error_message = problem.message
        status = 400 if error_message else 200
        lang = language(request)
        titles = {q.name: QUERY_TITLES_JA.get(q.name, q.title) if lang == "ja" else q.title for q in canned}
        asked = {"title": titles.get(name or "", name or "Query"), "query": text} if text else None
        return page(
            env,
            request,
            base,
            "query.html",
            status=status,
            canned=canned,
            text=text or _example(canned, base),
            error=error_message,
            results=results,
            boolean=boolean,
            selected=name,
            editor=editor_config(canned, canned_texts, titles, prefixes, base, asked),
        )

    for path, handler in (
        ("/", home),
        ("/frameworks", frameworks),
        ("/coverage", coverage),
        ("/errata", errata),
        ("/downloads", downloads),
        ("/changes", changes),
        ("/search", search),
        ("/query", query_page),
    ):
        router.add_api_route(path, handler, methods=["GET", "HEAD"], include_in_schema=False)
    return router


def _example(canned: list, base: str) -> str:
    first = next((q for q in canned if q.name == "item-mappings"), canned[0] if canned else None)
    return localise_query(first.text, base) if first else ""


def _table(data: dict, prefixes: dict[str, str]) -> dict[str, Any]:
    names = data["head"]["vars"]
    rows = []
    for binding in data["results"]["bindings"]:
        row: list[dict[str, Any] | None] = []
        for name in names:
            cell = binding.get(name)
            if cell is None:
                row.append(None)
            else:
                short = shorten(cell["value"], prefixes) if cell["type"] == "uri" else cell["value"]
                row.append(
                    {"type": cell["type"], "value": cell["value"], "short": short, "lang": cell.get("xml:lang", "")}
                )
        rows.append(row)
    return {"vars": names, "rows": rows}
