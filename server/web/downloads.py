"""Downloads: the pre-built files of a release, served as they are. Only names listed in the release's
manifest can be served, so no path, however encoded, reaches a file outside the artefacts."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ccds_crosswalk.settings import Settings
from ccds_crosswalk.web.http import EXTENSION_OF, RDF_TYPES, accepts_gzip, error, representation, weak_etag
from ccds_crosswalk.web.negotiation import negotiate

COMPANIONS = {"SHA256SUMS": "text/plain", "manifest.json": "application/json"}


def make_router(settings: Settings, manifest: dict, built_at: float) -> APIRouter:
    router = APIRouter()
    release = settings.release
    media: dict[str, str] = {f["name"]: f["media_type"] for f in manifest["files"]}
    media.update({f"{name}.sha256": "text/plain" for name in list(media)})
    media.update(COMPANIONS)
    media["void.ttl"] = "text/turtle"
    media["void.ttl.gz"] = "application/gzip"
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
        chosen = negotiate(request.headers.get("accept"), ["text/turtle", "text/plain"])
        if chosen is None:
            return error(request, 406, "the VoID description is offered as text/turtle")
        return representation(request, body("void.ttl"), "text/turtle", built_at)

    async def context(request: Request) -> Response:
        return representation(
            request,
            body("context.jsonld"),
            "application/ld+json",
            built_at,
            vary=False,
            headers={"Access-Control-Allow-Origin": "*"},
        )

    def void_as(media_type: str) -> bytes:
        """The VoID/DCAT description (void.ttl) in any of the RDF types the resources are offered in."""
        if media_type == "text/turtle":
            return body("void.ttl")
        name = f"void.{EXTENSION_OF[media_type]}"
        if name not in cache:
            triples = ox.parse(body("void.ttl"), format=ox.RdfFormat.TURTLE, base_iri=settings.base_uri)
            cache[name] = ox.serialize(triples, format=ox.RdfFormat.from_media_type(media_type))
        return cache[name]

    dataset_offers = ["text/html", *RDF_TYPES]

    async def dataset(request: Request) -> Response:
        chosen = negotiate(request.headers.get("accept"), dataset_offers)
        if chosen == "text/html":
            lang = request.query_params.get("lang")
            target = "/downloads" + (f"?lang={lang}" if lang in ("ja", "en") else "")
            return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})
        if chosen is None:
            return error(request, 406, "the dataset description is offered as " + ", ".join(dataset_offers))
        return representation(request, void_as(chosen), chosen, built_at)

    crosswalk_offers = {
        "text/turtle": "crosswalk.ttl",
        "application/ld+json": "crosswalk.jsonld",
        "application/n-triples": "crosswalk.nt",
        "application/rdf+xml": "crosswalk.rdf",
        "text/csv": "crosswalk.csv",
        "text/tab-separated-values": "crosswalk.sssom.tsv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "crosswalk.xlsx",
        "application/oscal+json": "oscal-mapping.json",
        "application/json": "oscal-mapping.json",
    }

    async def crosswalk(request: Request) -> Response:
        """The whole crosswalk, negotiated: RDF, the spreadsheet CSV/XLSX, SSSOM TSV or the OSCAL mapping."""
        offers = ["text/html", *(m for m in crosswalk_offers if crosswalk_offers[m] in media)]
        chosen = negotiate(request.headers.get("accept"), offers)
        if chosen is None:
            return error(request, 406, "the crosswalk is offered as " + ", ".join(offers))
        if chosen == "text/html":
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
