"""Jinja2 rendering with the request's language: every page gets `t` (interface strings), `label`
(pick the label in the page language), `link` (keeps ?lang= in internal links) and `local` (a dataset URI
as a path on this server, so the pages work on localhost and at the public base URI).

Links from a page to a resource point at its HTML document (/doc/….html?lang=…) rather than at its /id/ URI:
the 303 from /id/ does not carry the query string, and the reader's choice of language must survive a click.
The /id/ URI itself is shown on every resource page as the identifier to cite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ccds_crosswalk import formats
from ccds_crosswalk.web import i18n
from ccds_crosswalk.web.http import representation

__all__ = ["PerLanguage", "environment", "language", "page", "render_html"]

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


class PerLanguage:
    """A context value that depends on the page's language, resolved by `render_html` for each language."""

    def __init__(self, make: Callable[[str], Any]) -> None:
        self.make = make


def render_html(
    env: Environment, base: str, template: str, lang: str, path: str, switch_url: str, status: int = 200, **context: Any
) -> bytes:
    """One page in one language, as bytes: the same function renders it live (`page`) and at build time
    (`release/render.py`), so a pre-rendered file and a live answer cannot differ."""

    def local(uri: str) -> str:
        return "/" + uri[len(base) :] if uri.startswith(base) else uri

    def link(target: str, **params: str) -> str:
        target = local(target)
        if target.startswith("/id/"):
            target = f"/doc/{target[len('/id/') :]}.html"
        query = urlencode({**params, "lang": lang})
        return f"{quote(target, safe='/:;=,.~!$&()*+@-_')}{'&' if '?' in target else '?'}{query}"

    def label(labels: dict[str, str]) -> str:
        return labels.get(lang) or labels.get("ja") or labels.get("en") or ""

    def other(labels: dict[str, str]) -> str:
        return labels.get("en" if lang == "ja" else "ja", "")

    context = {k: v.make(lang) if isinstance(v, PerLanguage) else v for k, v in context.items()}
    html = env.get_template(template).render(
        lang=lang,
        t=lambda key, **values: i18n.t(key, lang, **values),
        label=label,
        other=other,
        link=link,
        local=local,
        base=base,
        switch_url=switch_url,
        path=path,
        status=status,
        **context,
    )
    return html.encode("utf-8")


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
    switch = str(request.url.include_query_params(lang="en" if lang == "ja" else "ja"))
    body = render_html(
        env, base, template, lang, request.url.path, switch[len(str(request.base_url)) - 1 :], status, **context
    )
    return representation(
        request,
        body,
        formats.HTML.media_type,
        last_modified=last_modified,
        status=status,
        headers={"Content-Language": lang},
    )
