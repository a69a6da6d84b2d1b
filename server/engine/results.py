"""SPARQL 1.1 query results writers (JSON, XML, CSV, TSV) over pyoxigraph terms, with a row cap and a byte cap:
an oversized result is refused, never silently truncated. JSON, the usual answer, is written by pyoxigraph itself
(without the GIL, as it evaluates); the others by the Python writers here, which check the cap while rows are
read."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

import pyoxigraph as ox

__all__ = [
    "AnswerTooLarge",
    "TooManyRows",
    "collect",
    "json_rows",
    "too_large",
    "write_boolean",
    "write_json",
    "write_select",
]

T = TypeVar("T")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class TooManyRows(ValueError):
    pass


class AnswerTooLarge(ValueError):
    pass


def _too_many(limit: int) -> TooManyRows:
    return TooManyRows(f"the result has more than {limit} rows; page through it with LIMIT and OFFSET")


def too_large(limit: int) -> AnswerTooLarge:
    return AnswerTooLarge(f"the answer is larger than {limit} bytes; page through it with LIMIT and OFFSET")


def collect(solutions: Iterable[T], limit: int) -> list[T]:
    """The rows (solutions or triples), refused past `limit`."""
    rows: list[T] = []
    for row in solutions:
        rows.append(row)
        if len(rows) > limit:
            raise _too_many(limit)
    return rows


class _Capped(io.BytesIO):
    """What pyoxigraph writes an answer into (8 KiB at a time): refuses to grow past `limit` bytes, so a runaway
    answer stops there rather than filling memory until the time limit."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > self.limit:
            raise too_large(self.limit)
        return super().write(data)


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def json_rows(body: bytes) -> int:
    """The rows of a SPARQL JSON answer as pyoxigraph writes it (compact: `"bindings":[{…},{…}]`): with the
    strings taken out, a row's object is the only '{' that follows '[' or ','."""
    code = _JSON_STRING.sub(b"", body)
    return code.count(b"[{") + code.count(b",{")


def write_json(solutions: ox.QuerySolutions, max_rows: int, max_bytes: int) -> bytes:
    """SELECT solutions as SPARQL 1.1 JSON, written by pyoxigraph within the byte cap, then held to the row cap.
    Every row starts with '[{' or ',{', so when those are no more than the cap, neither are the rows; only an
    answer with more of them is counted exactly."""
    out = _Capped(max_bytes)
    solutions.serialize(out, format=ox.QueryResultsFormat.JSON)
    body = out.getvalue()
    if body.count(b"[{") + body.count(b",{") > max_rows and json_rows(body) > max_rows:
        raise _too_many(max_rows)
    return body


def _xml_text(value: str) -> str:
    """Element content; a carriage return as a character reference, or XML parsers would read it as a newline.
    (As xml.sax.saxutils.escape, which a worker does not import: it pulls in urllib.request and ssl, ~8 MB.)"""
    return value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("\r", "&#13;")


def _quoteattr(value: str) -> str:
    """An attribute value, escaped and quoted, as xml.sax.saxutils.quoteattr writes it."""
    value = _xml_text(value).replace("\n", "&#10;").replace("\t", "&#9;")
    if '"' not in value:
        return f'"{value}"'
    return f"'{value}'" if "'" not in value else '"{}"'.format(value.replace('"', "&quot;"))


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={_quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={_quoteattr(term.datatype.value)}>{_xml_text(term.value)}</literal>"
        return f"<literal>{_xml_text(term.value)}</literal>"
    return f"<literal>{_xml_text(str(term))}</literal>"


def _tsv_term(term: object) -> str:
    """The term in N-Triples syntax, as SPARQL 1.1 TSV asks: IRIs in angle brackets, literals quoted with tab,
    newline, carriage return, quote and backslash escaped, language tags and datatypes kept, blank nodes as _:label."""
    return "" if term is None else str(term)


def _memo(convert: Callable[[object], T]) -> Callable[[object], T]:
    """Result rows repeat the same terms (labels, schemes, relations): convert each distinct term once."""
    seen: dict[object, T] = {}

    def cached(term: object) -> T:
        found = seen.get(term)
        if found is None:
            found = seen[term] = convert(term)
        return found

    return cached


def write_select(variables: list[str], rows: list[ox.QuerySolution], kind: str) -> bytes:
    """XML, CSV or TSV (JSON: write_json)."""
    if kind == "xml":
        as_xml = _memo(_xml_term)
        head = "".join(f"<variable name={_quoteattr(v)}/>" for v in variables)
        names = {v: f"<binding name={_quoteattr(v)}>" for v in variables}
        body = "".join(
            "<result>"
            + "".join(f"{names[v]}{as_xml(x)}</binding>" for v, x in zip(variables, row, strict=True) if x is not None)
            + "</result>"
            for row in rows
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head>{head}</head><results>{body}</results></sparql>\n"
        ).encode()
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if x is None else _csv_value(x) for x in row])
        return buffer.getvalue().encode("utf-8")
    if kind == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        as_tsv = _memo(_tsv_term)
        lines += ["\t".join("" if x is None else as_tsv(x) for x in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unknown results format {kind!r}")


def _csv_value(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)  # a quoted triple: not produced by this dataset


def write_boolean(value: bool, kind: str) -> bytes:
    if kind == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if kind == "xml":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    if kind in ("csv", "tsv"):
        return f"{'_askResult' if kind == 'csv' else '?_askResult'}\n{'true' if value else 'false'}\n".encode()
    raise ValueError(f"unknown results format {kind!r}")
