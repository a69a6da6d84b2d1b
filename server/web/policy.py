"""What the public endpoint refuses before a query reaches the engine: federated SERVICE calls (the
endpoint never makes a network request a query names) and over-long queries. The check reads the query's
tokens with comments, strings and IRIs blanked out, so 'SERVICE' inside a literal or an IRI is harmless."""

from __future__ import annotations

import re

_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|' r"'''(?:[^'\\]|\\.|'(?!''))*'''|"
    r'"(?:[^"\\\n]|\\.)*"|' r"'(?:[^'\\\n]|\\.)*'|"
    r"<[^<>\"{}|^`\\\s]*>|#[^\n]*",
)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)
_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)
_FROM = re.compile(r"(?<![\w:?$.-])FROM(?![\w:.-])(\s+NAMED(?![\w:.-]))?", re.IGNORECASE)


def code_only(query: str) -> str:
    return _NOT_CODE.sub(" ", query)


def refusal(query: str, max_chars: int) -> str | None:
    """Why this query is refused, or None."""
    if len(query) > max_chars:
        return f"the query is {len(query)} characters long; the limit is {max_chars}"
    if _SERVICE.search(code_only(query)):
        return ("SERVICE is not supported: this endpoint answers from its own data only and never "
                "makes a network request a query names")
    return None


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside comments, strings and IRIs."""
    match = _FORM.search(code_only(query))
    return match.group(1).upper() if match else None


def dataset_clauses(query: str) -> tuple[bool, bool]:
    """(has FROM, has FROM NAMED): whether the query names its own RDF dataset (SPARQL 1.1 Query 13.2)."""
    found = [bool(match.group(1)) for match in _FROM.finditer(code_only(query))]
    return (False in found), (True in found)
