"""/compare and /gap: the compliance questions as pages (ja/en) and downloads (CSV, XLSX, TSV, JSON, OSCAL).

The answers come from ccds_crosswalk.analysis, the same code as `ccds-crosswalk compare` and `gap`, on a model
read once per backend from the release's graph. The representation is chosen by ?format= (for links) or else
by Accept; a bad parameter gets a 400 page that keeps the form and says what to send.
"""

from __future__ import annotations

import email.parser
import email.policy
import weakref
from email.utils import collapse_rfc2231_value
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ccds_crosswalk.analysis import compare as comparing
from ccds_crosswalk.analysis import gap as gaps
from ccds_crosswalk.analysis import oscal, tabular
from ccds_crosswalk.analysis.diagrams import comparison_sankey
from ccds_crosswalk.analysis.model import CCDS, SCHEMES, Model, load_model
from ccds_crosswalk.engine.backend import Backend
from ccds_crosswalk.release.exports.diff import release_info
from ccds_crosswalk.settings import Settings
from ccds_crosswalk.web.http import error, representation
from ccds_crosswalk.web.negotiation import negotiate
from ccds_crosswalk.web.render import language, page

_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
DOWNLOADS = ("csv", "xlsx", "tsv", "json")  # the links on the pages
TABLES = (*DOWNLOADS, "table")  # what Accept may choose besides HTML (text/plain: the aligned table)
OFFERS = ["text/html", *(tabular.FORMATS[name].media_type for name in TABLES)]
NOT_ACCEPTABLE = "choose text/html, text/csv, XLSX, text/tab-separated-values, application/json or text/plain"
MAX_HAVE_CHARS = 200_000


class BadRequest(ValueError):
    pass


def model_of(backend: Backend, base: str) -> Model:
    """The release never changes while it is served: read the model once per backend."""
    cached = _MODELS.get(backend)
    if cached is None or cached.base != base:
        cached = _MODELS[backend] = load_model(backend.select, base)
    return cached


def _asked(request: Request, allowed: tuple[str, ...]) -> str | None:
    """The format named by ?format= (links and scripts), checked; None when it is not given."""
    asked = request.query_params.get("format")
    if asked and asked not in ("html", *allowed):
        raise BadRequest(f"format={asked!r}: choose html, {', '.join(allowed)}")
    return asked or None


def _media(name: str) -> str:
    return oscal.MEDIA_TYPE if name == "oscal" else tabular.FORMATS[name].media_type


def _negotiated(request: Request, allowed: tuple[str, ...]) -> str | None:
    """'html' or a format by Accept (text/plain gets the aligned text table); None means 406."""
    offers = ["text/html", *(_media(name) for name in allowed)]
    chosen = negotiate(request.headers.get("accept"), offers)
    if chosen is None:
        return None
    return "html" if chosen == "text/html" else allowed[offers.index(chosen) - 1]


def _download(request: Request, body: bytes, fmt: str, stem: str) -> Response:
    media = _media(fmt)
    extension = "json" if fmt == "oscal" else tabular.FORMATS[fmt].extension
    disposition = "attachment" if fmt in ("csv", "tsv", "xlsx", "oscal") else "inline"
    headers = {"Content-Disposition": f'{disposition}; filename="{stem}.{extension}"'}
    return representation(request, body, media, headers=headers)


def make_router(settings: Settings, backend: Backend, env: Any, built_at: float) -> APIRouter:
    router = APIRouter()
    base = settings.base_uri

    def frameworks(model: Model) -> list[dict[str, str]]:
        return [{"code": s, **model.scheme_labels.get(s, {"ja": s, "en": s, "notation": s})} for s in SCHEMES]

    async def compare_page(request: Request) -> Response:
        model = await run_in_threadpool(model_of, backend, base)
        lang = language(request)
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        context: dict[str, Any] = {"frameworks": frameworks(model), "a": a, "b": b, "result": None}
        try:
            asked = _asked(request, TABLES)
            if not a and not b and asked in (None, "html"):
                return page(env, request, base, "compare.html", last_modified=built_at, **context)
            result = comparing.compare(model, a, b)
        except (BadRequest, comparing.CompareError) as problem:
            return _problem(request, str(problem), "compare.html", context)
        fmt = asked or _negotiated(request, TABLES)
        if fmt is None:
            return error(request, 406, NOT_ACCEPTABLE, OFFERS)
        rows = comparing.rows(model, result, lang)
        if fmt != "html":
            body = tabular.render(rows, comparing.COLUMNS, fmt, f"{a} - {b}")
            return _download(request, body, fmt, f"compare-{a}-{b}")
        context.update(
            result=result,
            rows=rows,
            sankey=lambda link: comparison_sankey(model, result, lang, link),  # drawn with the page's own links
            downloads=[(n, f"/compare?{urlencode({'a': a, 'b': b, 'format': n, 'lang': lang})}") for n in DOWNLOADS],
        )
        return page(env, request, base, "compare.html", last_modified=built_at, **context)

    async def gap_page(request: Request) -> Response:
        model = await run_in_threadpool(model_of, backend, base)
        lang = language(request)
        context: dict[str, Any] = {"frameworks": frameworks(model), "fields": {}, "result": None}
        try:
            context["fields"] = fields = await _fields(request)
            asked = _asked(request, (*TABLES, "oscal"))
            have = fields.get("have", "") or fields.get("file", "")
            if not have.strip() and request.method != "POST" and asked in (None, "html"):
                return page(env, request, base, "gap.html", last_modified=built_at, **context)
            if not have.strip():
                raise BadRequest("give the items the product meets: have=UK1,UK2 (or a CSV or SSSOM file)")
            if len(have) > MAX_HAVE_CHARS:
                raise BadRequest(f"the list of items is longer than {MAX_HAVE_CHARS} characters")
            level = _level(fields.get("level", ""))
            against = fields.get("against") or CCDS
            held = gaps.parse_have(model, have, fields.get("filename", ""))
            result = gaps.gap(model, held, against, level)
            fmt = asked or _negotiated(request, (*TABLES, "oscal"))
            if fmt == "oscal":
                body = oscal.profile_bytes(model, result, settings.release, release_info(settings).issued)
                return _download(request, body, fmt, f"gap-{against}-profile")
        except (BadRequest, gaps.GapError) as problem:
            return _problem(request, str(problem), "gap.html", context)
        if fmt is None:
            return error(request, 406, NOT_ACCEPTABLE, OFFERS)
        rows = gaps.rows(model, result, lang)
        if fmt != "html":
            return _download(request, tabular.render(rows, gaps.columns(result), fmt, "gap"), fmt, f"gap-{against}")
        canonical = ",".join(
            f"{model.items[h.item].scheme}:{model.items[h.item].id}" + (f"/{h.statement}" if h.statement else "")
            for h in held
        )
        query = {"have": canonical, "against": against, "level": str(level or ""), "lang": lang}
        context.update(
            result=result,
            rows=rows,
            summary=result.summary(),
            held=[model.items[h.item] for h in held],
            downloads=[(n, f"/gap?{urlencode({**query, 'format': n})}") for n in (*DOWNLOADS, "oscal")],
            permalink=f"/gap?{urlencode(query)}",
            notation=lambda uri: model.items[uri].notation,
        )
        return page(env, request, base, "gap.html", **context)

    def _problem(request: Request, message: str, template: str, context: dict[str, Any]) -> Response:
        if negotiate(request.headers.get("accept"), ["text/html"]) and request.query_params.get("format") in (
            None,
            "html",
        ):
            return page(env, request, base, template, status=400, **{**context, "error": message})
        return error(request, 400, message)

    router.add_api_route("/compare", compare_page, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_api_route("/gap", gap_page, methods=["GET", "HEAD", "POST"], include_in_schema=False)
    return router


def _level(text: str) -> int | None:
    if text in ("", "all"):
        return None
    if text not in ("2", "3"):
        raise BadRequest(f"level={text!r}: choose 2 (★★) or 3 (★★★), or leave it empty for all")
    return int(text)


async def _fields(request: Request) -> dict[str, str]:
    """The query string, and for POST the form: urlencoded, or multipart with a file (parsed with the standard
    library's MIME parser; the Guard middleware has already capped the body's size)."""
    fields = dict(request.query_params)
    if request.method != "POST":
        return fields
    kind = request.headers.get("content-type", "")
    body = await request.body()
    if kind.startswith("application/x-www-form-urlencoded"):
        try:
            fields.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise BadRequest("the form is not UTF-8") from None
        return fields
    if kind.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {kind}\r\n\r\n".encode("latin-1") + body
        )
        for part in message.iter_parts():
            param = part.get_param("name", header="content-disposition")
            if not param:
                continue
            name = collapse_rfc2231_value(param)
            payload = part.get_payload(decode=True)
            raw = payload if isinstance(payload, bytes) else b""
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise BadRequest(f"the field {name!r} is not UTF-8 text") from None
            fields[name] = text
            if name == "file" and (filename := part.get_filename()):
                fields["filename"] = filename
        return fields
    raise BadRequest("send the form as application/x-www-form-urlencoded or multipart/form-data")
