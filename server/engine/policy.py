"""What the public endpoint refuses before a query reaches the engine: federated SERVICE calls (the
endpoint never makes a network request a query names) and over-long queries. The check reads the query's
tokens with comments, strings and IRIs blanked out, so 'SERVICE' inside a literal or an IRI is harmless."""

from __future__ import annotations

import re
from functools import lru_cache

from ccds_crosswalk.engine.lexis import code_only

__all__ = ["dataset_clauses", "names_graphs", "query_form", "refusal"]

_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)
_UPDATE = re.compile(  # an update operation where a query form should start (after BASE / PREFIX declarations)
    r"^\s*(?:(?:BASE|PREFIX\s*[^\s:]*:)\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])",
    re.IGNORECASE,
)
_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)
_GRAPH = re.compile(r"(?<![\w:?$.-])GRAPH(?![\w:.-])", re.IGNORECASE)
_FROM = re.compile(r"(?<![\w:?$.-])FROM(?![\w:.-])(\s+NAMED(?![\w:.-]))?", re.IGNORECASE)


def _may_hold(code: str, keyword: str) -> bool:
    """Whether the keyword's regex could match: a substring test in C first, as the regex tries every character
    (~10 µs a KB). Code that is not ASCII goes to the regex, whose case folding knows more than lower() (ſ is s)."""
    return not code.isascii() or keyword in code.lower()


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


def refusal(query: str, max_chars: int) -> str | None:
    """Why this query is refused, or None."""
    if len(query) > max_chars:
        return f"the query is {len(query)} characters long; the limit is {max_chars}"
    return _refusal_of(code_only(query))


@lru_cache(maxsize=256)  # the code of queries sent from one template is the same: their strings and IRIs are blanks
def _refusal_of(code: str) -> str | None:
    if _may_hold(code, "service") and _SERVICE.search(code):
        return (
            "SERVICE is not supported: this endpoint answers from its own data only and never "
            "makes a network request a query names"
        )
    if (depth := nesting(code)) > _MAX_NESTING:
        return (
            f"the query nests brackets or operators {depth} levels deep; the limit is {_MAX_NESTING}: "
            "flatten it (a UNION or an IN list instead of nested groups)"
        )
    if update := _UPDATE.match(code):
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
    code = code_only(query)
    if not _may_hold(code, "from"):
        return 0, 0
    named = [bool(match.group(1)) for match in _FROM.finditer(code)]
    return named.count(False), named.count(True)


def names_graphs(query: str) -> bool:
    """Whether the query may see a graph by its name (GRAPH, FROM, FROM NAMED): a keyword outside comments, strings
    and IRIs; a variable ?graph or a prefixed name ex:graph is not one. When it does not, the union is all it sees."""
    code = code_only(query)
    return bool((_may_hold(code, "graph") and _GRAPH.search(code)) or (_may_hold(code, "from") and _FROM.search(code)))
