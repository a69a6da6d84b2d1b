"""Downloads: the pre-built files of a release, served as they are. Only names listed in the release's
manifest can be served, so no path, however encoded, reaches a file outside the artefacts."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ccds_crosswalk.formats import GRAPH, HTML, JSON, JSON_LD, TEXT, TURTLE, media_type_of_file, of_media_type
from ccds_crosswalk.rdfwriter import write
from ccds_crosswalk.settings import Settings
from ccds_crosswalk.web.http import error, representation, weak_etag
from ccds_crosswalk.web.negotiation import accepts_gzip, negotiate

__all__ = ["make_router"]


def make_router(settings: Settings, manifest: dict, built_at: float) -> APIRouter:
    router = APIRouter()
    release = settings.release
    media: dict[str, str] = {f["name"]: f["media_type"] for f in manifest["files"]}
    media.update({f"{name}.sha256": TEXT.media_type for name in list(media)})
    media.update({name: media_type_of_file(name) for name in ("manifest.json", "void.ttl", "void.ttl.gz")})
    media["SHA256SUMS"] = TEXT.media_type
    cache: dict[str, bytes] = {}
    etags: dict[str, str] = {}

    def body(name: str) -> bytes:
        if name not in cache:
            cache[name] = (settings.release_dir / name).read_bytes()
        return cache[name]

    def etag(name: str) -> str:
        if name not in etags:
            etags[name] = weak_etag(body(name))
        return etags[name]

    def send(request: Request, name: str) -> Response:
        """The file as built. A client that accepts gzip gets the release's own .gz of it with Content-Encoding:
        gzip (the same content, so the same weak ETag), instead of compressing the file again per request."""
        if name not in media:
            return error(request, 404, f"release {release} has no file {name!r}; the list is at /downloads")
        headers = {"Content-Disposition": f'inline; filename="{name}"'}
        sent = name
        if f"{name}.gz" in media:
            headers["Vary"] = "Accept-Encoding"
            if accepts_gzip(request.headers.get("accept-encoding")):
                headers["Content-Encoding"] = "gzip"  # the gzip middleware passes such a response through as it is
                sent = f"{name}.gz"
        return representation(request, body(sent), media[name], built_at, vary=False, headers=headers, etag=etag(name))

    async def release_file(request: Request, version: str, name: str) -> Response:
        if version != release:
            return error(request, 404, f"release {version!r} is not served here; the current release is {release}")
        return send(request, name)

    async def latest(request: Request, name: str) -> Response:
        if name not in media:
            return error(request, 404, f"no download {name!r}; the list is at /downloads")
        return RedirectResponse(f"/release/{release}/{name}", status_code=302)

    async def void(request: Request) -> Response:
        chosen = negotiate(request.headers.get("accept"), [TURTLE.media_type, TEXT.media_type])
        if chosen is None:
            return error(request, 406, f"the VoID description is offered as {TURTLE.media_type}")
        return representation(request, body("void.ttl"), TURTLE.media_type, built_at)

    async def context(request: Request) -> Response:
        return representation(
            request,
            body("context.jsonld"),
            JSON_LD.media_type,
            built_at,
            vary=False,
            headers={"Access-Control-Allow-Origin": "*"},
        )

    def void_as(media_type: str) -> bytes:
        """The VoID/DCAT description (void.ttl) in any of the RDF types the resources are offered in."""
        found = of_media_type(media_type)
        if found is TURTLE:
            return body("void.ttl")
        name = f"void.{found.extension}"
        if name not in cache:
            triples = list(ox.parse(body("void.ttl"), format=ox.RdfFormat.TURTLE, base_iri=settings.base_uri))
            cache[name] = write(triples, found, None)
        return cache[name]

    dataset_offers = [HTML.media_type, *(f.media_type for f in GRAPH)]

    async def dataset(request: Request) -> Response:
        chosen = negotiate(request.headers.get("accept"), dataset_offers)
        if chosen == HTML.media_type:
            lang = request.query_params.get("lang")
            target = "/downloads" + (f"?lang={lang}" if lang in ("ja", "en") else "")
            return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})
        if chosen is None:
            return error(request, 406, "the dataset description is offered as " + ", ".join(dataset_offers))
        return representation(request, void_as(chosen), chosen, built_at)

    crosswalk_offers = {
        **{f.media_type: f"crosswalk.{f.extension}" for f in GRAPH},
        media_type_of_file("crosswalk.csv"): "crosswalk.csv",
        media_type_of_file("crosswalk.sssom.tsv"): "crosswalk.sssom.tsv",
        media_type_of_file("crosswalk.xlsx"): "crosswalk.xlsx",
        "application/oscal+json": "oscal-mapping.json",
        JSON.media_type: "oscal-mapping.json",
    }

    async def crosswalk(request: Request) -> Response:
        """The whole crosswalk, negotiated: RDF, the spreadsheet CSV/XLSX, SSSOM TSV or the OSCAL mapping."""
        offers = [HTML.media_type, *(m for m in crosswalk_offers if crosswalk_offers[m] in media)]
        chosen = negotiate(request.headers.get("accept"), offers)
        if chosen is None:
            return error(request, 406, "the crosswalk is offered as " + ", ".join(offers))
        if chosen == HTML.media_type:
            return RedirectResponse("/downloads", status_code=303, headers={"Vary": "Accept"})
        name = crosswalk_offers[chosen]
        headers = {
            "Content-Location": f"/release/{release}/{name}",
            "Content-Disposition": f'inline; filename="{name}"',
        }
        return representation(request, body(name), chosen, built_at, headers=headers)

    router.add_api_route("/crosswalk", crosswalk, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/release/{version}/{name}", release_file, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/download/{name}", latest, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/.well-known/void", void, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/context.jsonld", context, methods=["GET", "HEAD"], include_in_schema=False)
    for path in ("/dataset", f"/release/{release}"):
        router.add_api_route(path, dataset, methods=["GET", "HEAD"], include_in_schema=False)
    return router
