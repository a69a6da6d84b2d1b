"""Dereferencing: every URI the dataset mints answers, per W3C "Cool URIs for the Semantic Web" (303 variant).

    GET {base}id/…            303 See Other → /doc/….{html|ttl|jsonld|nt|rdf}, chosen by Accept (Vary: Accept)
    GET /doc/….ext            200, that representation (a document about the resource)
    GET /doc/…                200, negotiated, with Content-Location naming the variant
    GET {base}ontology        200, negotiated (a hash namespace: the document *is* the ontology), + /ontology.ext
    unknown URI               404 in the representation asked for

Item URIs name concepts, not documents, hence 303 to a document URL rather than 200 at the URI itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ccds_crosswalk import iris
from ccds_crosswalk.engine.backend import Backend
from ccds_crosswalk.formats import GRAPH, HTML, JSON_LD, by_extension, of_media_type
from ccds_crosswalk.settings import Settings
from ccds_crosswalk.web import documents
from ccds_crosswalk.web.http import error, representation
from ccds_crosswalk.web.negotiation import negotiate
from ccds_crosswalk.web.render import page
from ccds_crosswalk.web.site import Site

__all__ = ["DOCUMENT_FORMATS", "OFFERS", "make_router"]

SAFE_PATH = "/:;=,.~!$&'()*+@-_"
DOCUMENT_FORMATS = (HTML, *GRAPH)  # what a resource is offered as, in the server's order
OFFERS = [f.media_type for f in DOCUMENT_FORMATS]
T = TypeVar("T")


def extension_of(media_type: str) -> str:
    return of_media_type(media_type).extension


def split_extension(path: str) -> tuple[str, str | None]:
    """(stem, media type) of /doc/stem.ext for the extensions of a document format, else (path, None)."""
    stem, dot, ext = path.rpartition(".")
    found = by_extension(ext) if dot else None
    if found is not None and found in DOCUMENT_FORMATS:
        return stem, found.media_type
    return path, None


def make_router(
    settings: Settings, backend: Backend, env: Any, prefixes: dict[str, str], built_at: float, site: Site
) -> APIRouter:
    router = APIRouter()
    base = settings.base_uri

    async def ask(method: Callable[[str], T], uri: str, nothing: T) -> T:
        """A backend lookup: inline when it is in memory (a fraction of a millisecond), else on a thread;
        `nothing` when the path does not even make an IRI (a space, '"', '<', NUL…)."""
        try:
            return method(uri) if backend.in_memory else await run_in_threadpool(method, uri)
        except ValueError:
            return nothing

    async def identifier(request: Request, path: str) -> Response:
        uri = str(iris.resource(base, path))
        chosen = negotiate(request.headers.get("accept"), OFFERS)
        if not await ask(backend.exists, uri, False):
            return not_found(request, uri, chosen)
        if chosen is None:
            return error(request, 406, "this resource is offered as " + ", ".join(OFFERS))
        target = f"/doc/{quote(path, safe=SAFE_PATH)}.{extension_of(chosen)}"
        if request.url.query:  # keeps ?lang= for people following a link
            target += f"?{request.url.query}"
        return RedirectResponse(
            target, status_code=303, headers={"Vary": "Accept", "Cache-Control": "public, max-age=300"}
        )

    def prerendered(request: Request, path: str) -> Response | None:
        """The build's file for this document, when there is one (else the document is rendered here)."""
        if site.has(f"doc/{path}"):  # a fixed representation: /doc/uk-cop/UK1.ttl, /doc/uk-cop/UK1.en.html
            return site.send(request, f"doc/{path}", ("Accept-Language",) if path.endswith(".html") else ())
        stem, fixed = split_extension(path)
        chosen = fixed or negotiate(request.headers.get("accept"), OFFERS)
        if chosen is None:
            return None
        varies = () if fixed else ("Accept",)
        if chosen == HTML.media_type:
            name, _ = site.html_path(request, f"doc/{stem}")
            varies = (*varies, "Accept-Language")
        else:
            name = f"doc/{stem}.{extension_of(chosen)}"
        if not site.has(name):
            return None
        headers = {} if fixed else {"Content-Location": f"/doc/{quote(stem, safe=SAFE_PATH)}.{extension_of(chosen)}"}
        return site.send(request, name, varies, headers)

    async def document(request: Request, path: str) -> Response:
        if (served := prerendered(request, path)) is not None:
            return served
        stem, fixed = split_extension(path)
        uri = str(iris.resource(base, stem))
        chosen = fixed or negotiate(request.headers.get("accept"), OFFERS)
        nothing: list[ox.Triple] = []
        triples = await ask(backend.triples, uri, nothing)
        if not triples or triples[0].subject != ox.NamedNode(uri):  # its own triples come first
            return not_found(request, uri, chosen)
        if chosen is None:
            return error(request, 406, "this document is offered as " + ", ".join(OFFERS))
        headers = {} if fixed else {"Content-Location": f"/doc/{stem}.{extension_of(chosen)}"}
        if chosen == HTML.media_type:
            response = await run_in_threadpool(html_for, request, uri, stem, triples)
            response.headers.update(headers)
            return response
        return representation(
            request,
            documents.rdf_document(triples, chosen, base, prefixes),
            chosen,
            built_at,
            vary=fixed is None,
            headers=headers,
        )

    def html_for(request: Request, uri: str, stem: str, rdf: list[ox.Triple]) -> Response:
        jsonld = documents.rdf_document(rdf, JSON_LD.media_type, base, prefixes)
        template, context = documents.resource_page(backend, base, uri, stem, rdf, jsonld)
        return page(env, request, base, template, last_modified=built_at, **context)

    def not_found(request: Request, uri: str, chosen: str | None) -> Response:
        message = (
            f"{uri} is not a resource of this dataset. Search for items at /search, "
            "or list them by framework at /frameworks."
        )
        if chosen == HTML.media_type:
            return page(env, request, base, "error.html", status=404, message=message)
        return error(request, 404, message, [chosen] if chosen else None)

    async def ontology(request: Request, ext: str = "") -> Response:
        _, fixed = split_extension(f"ontology{ext}") if ext else ("", None)
        if ext and fixed is None:
            known = ", ".join(f".{f.extension}" for f in DOCUMENT_FORMATS)
            return error(request, 404, f"no ontology document /ontology{ext}; try one of {known}")
        chosen = fixed or negotiate(request.headers.get("accept"), OFFERS)
        if chosen is None:
            return error(request, 406, "the ontology is offered as " + ", ".join(OFFERS))
        if chosen == HTML.media_type:
            name, _ = site.html_path(request, "ontology")
            if site.has(name):
                return site.send(request, name, ("Accept", "Accept-Language") if not fixed else ("Accept-Language",))
            template, context = await run_in_threadpool(documents.ontology, backend, base)
            return page(env, request, base, template, last_modified=built_at, **context)
        headers = {} if fixed else {"Content-Location": f"/ontology.{extension_of(chosen)}"}
        if site.has(name := f"ontology.{extension_of(chosen)}"):
            return site.send(request, name, () if fixed else ("Accept",), headers)
        body = (settings.release_dir / name).read_bytes()
        return representation(request, body, chosen, built_at, vary=fixed is None, headers=headers)

    async def ontology_ext(request: Request, ext: str) -> Response:
        return await ontology(request, "." + ext)

    router.add_api_route("/id/{path:path}", identifier, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/doc/{path:path}", document, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/ontology", ontology, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/ontology.{ext}", ontology_ext, methods=["GET", "HEAD"], include_in_schema=False)
    return router


def json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
