"""Where a SPARQL query's code is: the spans of its string literals, IRIs and comments, found in one pass, for
the checks that read its keywords (policy.py) and for its shape (cheap.py). Both ask on every request, so the
spans are remembered for the last few query texts.

Why not one `re.sub` over the query: its pattern is tried at every character, ~20 ns each, and a 1 KB query paid
that three times a request (~60 µs). A token can only start at one of four characters, so the scan jumps from one
of those to the next and tries the pattern there alone: the same tokens, left to right, as `re.sub` finds them."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["blanked", "code_only", "spans"]

_TOKEN = re.compile(
    r'(?P<str>"""(?:[^"\\]|\\.|"(?!""))*"""|'
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|"
    r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'
    r"'[^'\\\n]*(?:\\.[^'\\\n]*)*')|"
    r"(?P<iri><[^<>\"{}|^`\\\s]*>)|"
    r"(?P<comment>#[^\n]*)"
)
_START = re.compile(r"[\"'<#]")

Span = tuple[int, int, str]  # start, end, kind: "str", "iri" or "comment"


@lru_cache(maxsize=64)  # one request asks several times (refusal, form, shape; a worker: the dataset)
def spans(query: str) -> tuple[Span, ...]:
    """The string literals, IRIs and comments of the query, in order. A character that starts none (a '<' that
    is a comparison, a quote never closed) is code."""
    found: list[Span] = []
    search, match = _START.search, _TOKEN.match
    at = 0
    while (start := search(query, at)) is not None:
        token = match(query, start.start())
        if token is None:
            at = start.start() + 1
            continue
        found.append((token.start(), token.end(), token.lastgroup or "comment"))
        at = token.end()
    return tuple(found)


def blanked(query: str, start: int, end: int, replace: dict[str, str]) -> str:
    """query[start:end] with each token in it replaced by `replace[kind]` (a kind missing from it is kept)."""
    parts: list[str] = []
    at = start
    for first, last, kind in spans(query):
        if last <= start or first >= end:
            continue
        if kind in replace:
            parts.append(query[at:first])
            parts.append(replace[kind])
            at = last
    parts.append(query[at:end])
    return "".join(parts)


_SPACE = {"str": " ", "iri": " ", "comment": " "}


@lru_cache(maxsize=64)
def code_only(query: str) -> str:
    """The query with its strings, IRIs and comments each replaced by one space: its keywords, variables and
    punctuation only."""
    return blanked(query, 0, len(query), _SPACE)
