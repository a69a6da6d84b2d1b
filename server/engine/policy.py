"""What the public endpoint refuses before a query reaches the engine: federated SERVICE calls (the
endpoint never makes a network request a query names) and over-long queries. The check reads the query's
tokens with comments, strings and IRIs blanked out, so 'SERVICE' inside a literal or an IRI is harmless."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["dataset_clauses", "names_graphs", "query_form", "refusal"]

_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|'
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|"
    r'"(?:[^"\\\n]|\\.)*"|'
    r"'(?:[^'\\\n]|\\.)*'|"
    r"<[^<>\"{}|^`\\\s]*>|#[^\n]*",
)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)
_UPDATE = re.compile(  # an update operation where a query form should start (after BASE / PREFIX declarations)
    r"^\s*(?:(?:BASE|PREFIX\s*[^\s:]*:)\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])",
    re.IGNORECASE,
)
_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)
_GRAPH = re.compile(r"(?<![\w:?$.-])GRAPH(?![\w:.-])", re.IGNORECASE)
_FROM = re.compile(r"(?<![\w:?$.-])FROM(?![\w:.-])(\s+NAMED(?![\w:.-]))?", re.IGNORECASE)


_MAX_NESTING = 256  # the parser recurses per level and overflows its stack (kills the worker) at about 2,000


def nesting(code: str) -> int:
    """How deep the query nests: brackets ( [ { plus runs of the unary operators ! and ^ (path inverse); 0 when
    it has too few of them to nest deeper than the limit."""
    if sum(code.count(c) for c in "([{!^") <= _MAX_NESTING:  # cannot nest deeper than that: skip the walk
        return 0
    depth = deepest = run = 0
    for index, char in enumerate(code):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        if char in "!^" and code[index + 1 : index + 2] != "=":
            run += 1
        elif not char.isspace():
            run = 0
        deepest = max(deepest, depth + run)
    return deepest


@lru_cache(maxsize=64)  # one request asks for it several times (refusal, query_form, dataset_clauses)
def code_only(query: str) -> str:
    return _NOT_CODE.sub(" ", query)


def refusal(query: str, max_chars: int) -> str | None:
    """Why this query is refused, or None."""
    if len(query) > max_chars:
        return f"the query is {len(query)} characters long; the limit is {max_chars}"
    if _SERVICE.search(code_only(query)):
        return (
            "SERVICE is not supported: this endpoint answers from its own data only and never "
            "makes a network request a query names"
        )
    if (depth := nesting(code_only(query))) > _MAX_NESTING:
        return (
            f"the query nests brackets or operators {depth} levels deep; the limit is {_MAX_NESTING}: "
            "flatten it (a UNION or an IN list instead of nested groups)"
        )
    if update := _UPDATE.match(code_only(query)):
        return (
            f"{update.group(1).upper()} is SPARQL Update and this endpoint is read-only; "
            "send a query (SELECT, ASK, CONSTRUCT or DESCRIBE)"
        )
    return None


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside comments, strings and IRIs."""
    match = _FORM.search(code_only(query))
    return match.group(1).upper() if match else None


def dataset_clauses(query: str) -> tuple[int, int]:
    """(number of FROM, number of FROM NAMED clauses): whether the query names its own RDF dataset."""
    named = [bool(match.group(1)) for match in _FROM.finditer(code_only(query))]
    return named.count(False), named.count(True)


def names_graphs(query: str) -> bool:
    """Whether the query may see a graph by its name (GRAPH, FROM, FROM NAMED): a keyword outside comments, strings
    and IRIs; a variable ?graph or a prefixed name ex:graph is not one. When it does not, the union is all it sees."""
    code = code_only(query)
    return bool(_GRAPH.search(code) or _FROM.search(code))
