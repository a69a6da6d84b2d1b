"""Canned queries (queries/*.rq) and the `query` command: run one locally on the built release
(pyoxigraph) or against a remote endpoint (SPARQLWrapper), and print it as a table, CSV, TSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ccds_crosswalk.settings import Settings

__all__ = ["CannedQuery", "QueryError", "canned_queries", "resolve_query", "run_local", "run_remote"]

NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class QueryError(ValueError):
    """The query cannot be found or run; the message says what to do."""


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    question: str
    text: str


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QueryError(f"{path} is not UTF-8 text: save it as UTF-8 (SPARQL is read as UTF-8)") from None


def describe(path: Path) -> CannedQuery:
    """Title from the first comment line, the question from the following comment lines."""
    text = _read(path)
    comments = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    if not comments:
        raise QueryError(f"{path.name}: a canned query must open with a '# title' comment")
    question = " ".join(c for c in comments[1:] if c and not c.lower().startswith(("variables", "note")))
    return CannedQuery(path.stem, comments[0], question, text)


def canned_queries(queries_dir: Path) -> list[CannedQuery]:
    return [describe(p) for p in sorted(queries_dir.glob("*.rq")) if not p.stem.startswith("violation-")]


def resolve_query(name_or_path: str, queries_dir: Path) -> str:
    if NAME.match(name_or_path) and (queries_dir / f"{name_or_path}.rq").exists():
        return _read(queries_dir / f"{name_or_path}.rq")
    path = Path(name_or_path)
    if path.suffix == ".rq" and path.is_file():
        return _read(path)
    known = ", ".join(q.name for q in canned_queries(queries_dir))
    raise QueryError(f"no canned query or .rq file {name_or_path!r}; canned queries: {known}")


BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def _cell(binding: dict[str, str] | None) -> str:
    """The value as text; xsd:boolean in canonical form (Virtuoso answers 0/1, others true/false)."""
    if binding is None:
        return ""
    if binding.get("datatype") == BOOLEAN:
        return {"1": "true", "0": "false"}.get(binding["value"], binding["value"])
    return binding["value"]


def format_results(results: dict, output: str) -> str:
    """SPARQL JSON results → the requested output format."""
    if output == "json":
        return json.dumps(results, ensure_ascii=False, indent=1) + "\n"
    if "boolean" in results:
        return ("true" if results["boolean"] else "false") + "\n"
    names = results["head"]["vars"]
    rows = [[_cell(b.get(n)) for n in names] for b in results["results"]["bindings"]]
    if output in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if output == "csv" else "\t", lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        return buffer.getvalue()
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    body = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, "-+-".join("-" * w for w in widths), *body, f"({len(rows)} rows)"]) + "\n"


def run_local(text: str, settings: Settings, output: str) -> str:
    """Evaluate on the built release exactly as the endpoint does (same dataset rules, same limits)."""
    from ccds_crosswalk.engine.evaluate import evaluate, prepare
    from ccds_crosswalk.engine.jobs import QueryError as EngineError
    from ccds_crosswalk.engine.jobs import QueryRequest
    from ccds_crosswalk.engine.store import load_store
    from ccds_crosswalk.formats import SPARQL_JSON

    store = load_store(settings.release_dir, settings.base_uri)
    prepare(store)
    request = QueryRequest(
        query=text,
        media_type=SPARQL_JSON.media_type,
        max_rows=settings.limits.max_result_rows,
        max_bytes=settings.limits.max_response_bytes,
    )
    try:
        answer = evaluate(store, request)
    except EngineError as error:
        if error.status == 406:
            raise QueryError(
                "the query command prints SELECT and ASK results; run CONSTRUCT/DESCRIBE on /sparql"
            ) from None
        raise QueryError(error.message) from None
    return format_results(json.loads(answer.body), output)


def run_remote(text: str, endpoint: str, output: str) -> str:
    from SPARQLWrapper import JSON, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    client = SPARQLWrapper(endpoint)
    client.setQuery(text)
    client.setReturnFormat(JSON)
    client.setMethod("POST")
    try:
        results = client.queryAndConvert()
    except (SPARQLWrapperException, OSError) as error:
        raise QueryError(f"{endpoint}: {error}") from None
    if not isinstance(results, dict):
        raise QueryError(f"{endpoint} did not return SPARQL JSON results")
    return format_results(results, output)
