"""Jinja2 rendering with the request's language: every page gets `t` (interface strings), `label`
(pick the label in the page language), `link` (keeps ?lang= in internal links) and `local` (a dataset URI
as a path on this server, so the pages work on localhost and at the public base URI).

Links from a page to a resource point at its HTML document (/doc/….html?lang=…) rather than at its /id/ URI:
the 303 from /id/ does not carry the query string, and the reader's choice of language must survive a click.
The /id/ URI itself is shown on every resource page as the identifier to cite."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ccds_crosswalk import formats
from ccds_crosswalk.web import i18n
from ccds_crosswalk.web.http import representation

TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True
    )
    env.globals.update(
        relation_sentences=i18n.RELATION_SENTENCES,
        relation_short=i18n.RELATION_SHORT,
        erratum_kinds=i18n.ERRATUM_KINDS,
        query_titles_ja=i18n.QUERY_TITLES_JA,
        graph_formats=formats.GRAPH,
    )
    return env


def language(request: Request) -> str:
    return i18n.choose_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def page(
    env: Environment,
    request: Request,
    base: str,
    template: str,
    status: int = 200,
    last_modified: float | None = None,
    **context: Any,
) -> Response:
    lang = language(request)

    def local(uri: str) -> str:
        return "/" + uri[len(base) :] if uri.startswith(base) else uri

    def link(path: str, **params: str) -> str:
        path = local(path)
        if path.startswith("/id/"):
            path = f"/doc/{path[len('/id/') :]}.html"
        query = urlencode({**params, "lang": lang})
        return f"{quote(path, safe='/:;=,.~!$&()*+@-_')}{'&' if '?' in path else '?'}{query}"

    def label(labels: dict[str, str]) -> str:
        return labels.get(lang) or labels.get("ja") or labels.get("en") or ""

    def other(labels: dict[str, str]) -> str:
        return labels.get("en" if lang == "ja" else "ja", "")

    switch = str(request.url.include_query_params(lang="en" if lang == "ja" else "ja"))
    html = env.get_template(template).render(
        lang=lang,
        t=lambda key, **values: i18n.t(key, lang, **values),
        label=label,
        other=other,
        link=link,
        local=local,
        base=base,
        switch_url=switch[len(str(request.base_url)) - 1 :],
        path=request.url.path,
        status=status,
        **context,
    )
    return representation(
        request,
        html.encode("utf-8"),
        formats.HTML.media_type,
        last_modified=last_modified,
        status=status,
        headers={"Content-Language": lang},
    )
