"""Answering one query on a pyoxigraph store: the RDF dataset the query sees (SPARQL 1.1 Protocol and Query
rules), evaluation, and the answer written in the negotiated format within the row and byte caps. Pure: a store
and a request in, an answer (or a QueryError) out; the worker process calls it on its threads."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from ccds_crosswalk import formats
from ccds_crosswalk.engine.jobs import QueryAnswer, QueryError, QueryRequest
from ccds_crosswalk.engine.results import (
    AnswerTooLarge,
    TooManyRows,
    collect,
    too_large,
    write_boolean,
    write_json,
    write_select,
)
from ccds_crosswalk.rdfwriter import write

__all__ = ["UNION_GRAPH", "evaluate", "prepare"]

UNION_GRAPH = "urn:x-ccds-crosswalk:union-default-graph"  # hidden: the service's default graph, materialised
MERGE_PREFIX = "urn:x-ccds-crosswalk:merged-default-graph:"  # hidden, one per query: a merge of several graphs
_merges = itertools.count()
_UNION = ox.NamedNode(UNION_GRAPH)


Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
DatasetOptions = dict[str, Any]  # keyword arguments of Store.query: default_graph, named_graphs, …


def _hidden(graph: Graph) -> bool:
    value = graph.value if isinstance(graph, ox.NamedNode) else ""
    return value == UNION_GRAPH or value.startswith(MERGE_PREFIX)


def prepare(store: ox.Store) -> None:
    """Materialise the service's default graph once: the RDF merge of the store's default graph and all named
    graphs, as a set. (pyoxigraph 0.5 evaluates a multi-graph default graph as a bag: a triple held by two
    graphs would match twice — oxigraph issue #1919.)"""
    union = ox.NamedNode(UNION_GRAPH)
    store.extend([ox.Quad(q.subject, q.predicate, q.object, union) for q in store.quads_for_pattern(None, None, None)])


def _named(store: ox.Store) -> list[ox.NamedNode | ox.BlankNode]:
    return [g for g in store.named_graphs() if not _hidden(g)]


def _query_dataset(query: str) -> tuple[list[str], list[str]] | None:
    """The FROM and FROM NAMED IRIs of a query, resolved against its prologue; None if rdflib cannot parse it."""
    from rdflib.plugins.sparql.algebra import translatePrologue
    from rdflib.plugins.sparql.parser import parseQuery

    from ccds_crosswalk.engine.cheap import PARSER_LOCK

    try:
        with PARSER_LOCK:  # pyparsing is not thread-safe, and a worker answers on several threads
            parsed = parseQuery(query)
        prologue = translatePrologue(parsed[0], None)
        clauses = parsed[1].get("datasetClause") or []
        defaults = [str(prologue.absolutize(c["default"])) for c in clauses if "default" in c]
        named = [str(prologue.absolutize(c["named"])) for c in clauses if "named" in c]
    except Exception:  # rdflib's grammar lags behind pyoxigraph's: pyoxigraph then reads FROM itself
        return None
    return defaults, named


def _explicit(
    store: ox.Store, defaults: list[str], named: list[str], merged: Callable[[], ox.NamedNode]
) -> DatasetOptions:
    """A dataset given graph by graph; a default graph made of several graphs is merged into a hidden graph of the
    query's own, named by `merged()` (queries run concurrently: each has its own)."""
    defaults, named = list(dict.fromkeys(defaults)), list(dict.fromkeys(named))
    default_graph = [ox.NamedNode(g) for g in defaults]
    if len(defaults) > 1:
        into = merged()
        store.extend(
            [
                ox.Quad(q.subject, q.predicate, q.object, into)
                for graph in default_graph
                for q in store.quads_for_pattern(None, None, None, graph)
            ]
        )
        default_graph = [into]
    return {"default_graph": default_graph, "named_graphs": [ox.NamedNode(g) for g in named]}


def _dataset_options(store: ox.Store, request: QueryRequest, merged: Callable[[], ox.NamedNode]) -> DatasetOptions:
    """The RDF dataset of one query (SPARQL 1.1 Protocol 2.1.4, SPARQL 1.1 Query 13.2):
    - default-graph-uri / named-graph-uri given: exactly that dataset, overriding the query's FROM / FROM NAMED;
      a part left out is empty (named-graph-uri alone → an empty default graph, and vice versa);
    - else the query's own FROM / FROM NAMED (FROM NAMED alone → an empty default graph, FROM alone → no
      named graphs);
    - else the service's default dataset: the union of all graphs as default graph, every graph named.
    A default graph made of several graphs is their RDF merge: a triple held by two of them matches once."""
    from ccds_crosswalk.engine.policy import dataset_clauses

    if request.default_graphs is not None or request.named_graphs is not None:
        return _explicit(store, list(request.default_graphs or ()), list(request.named_graphs or ()), merged)
    has_from, has_from_named = dataset_clauses(request.query)
    if has_from:
        dataset = _query_dataset(request.query) if has_from > 1 else None
        if dataset is not None:
            return _explicit(store, *dataset, merged)
        return {}  # pyoxigraph reads FROM / FROM NAMED itself; the union option would override them
    if has_from_named:
        return {"default_graph": []}
    if store.contains_named_graph(_UNION):
        return {"default_graph": [_UNION], "named_graphs": _named(store)}
    return {"use_default_graph_as_union": True}


def evaluate(store: ox.Store, request: QueryRequest, *, union_only: bool = False, where: str = "") -> QueryAnswer:
    """Run one query on a pyoxigraph store and write the answer; raises QueryError for the client's mistakes.
    `union_only`: the query is of a shape judged cheap (engine/cheap.py), which names no graph and no dataset, so
    the service's default graph is all it can see. `where` tags the answer with who evaluated it."""
    names: list[ox.NamedNode] = []

    def merged() -> ox.NamedNode:  # only a default graph of several graphs needs one (_explicit)
        names.append(ox.NamedNode(f"{MERGE_PREFIX}{os.getpid()}-{next(_merges)}"))
        return names[-1]

    try:
        return _evaluate(store, request, union_only, merged, where)
    except QueryError as raised:
        # raised afresh, without the traceback: its frames hold pyoxigraph's query results, which may only be
        # dropped on the thread that made them, and a traceback can outlive this thread's turn (a reference cycle
        # the collector breaks later, on whichever thread it runs)
        problem = QueryError(raised.status, raised.message)
    finally:
        for name in names:
            store.remove_graph(name)
    raise problem


def _evaluate(
    store: ox.Store, request: QueryRequest, union_only: bool, merged: Callable[[], ox.NamedNode], where: str
) -> QueryAnswer:
    try:
        if union_only and store.contains_named_graph(_UNION):
            dataset: DatasetOptions = {"default_graph": [_UNION]}
        else:
            dataset = _dataset_options(store, request, merged)  # (a dataset IRI that is not one: ValueError)
        result = store.query(request.query, base_iri=request.base_iri, **dataset)
    except SyntaxError as error:
        raise QueryError(400, f"malformed query: {error}") from None
    except (ValueError, OSError) as error:
        raise QueryError(400, f"the query cannot be evaluated: {error}") from None
    try:
        answer_format = formats.by_media_type(request.media_type)
        if isinstance(result, ox.QueryBoolean):
            kind = answer_format.results if answer_format else None
            if kind is None:
                raise QueryError(406, "an ASK result is offered as " + ", ".join(formats.offers(formats.RESULTS)))
            return QueryAnswer(200, request.media_type, write_boolean(bool(result), kind), "ASK", where)
        if isinstance(result, ox.QuerySolutions):
            kind = answer_format.results if answer_format else None
            if kind is None:
                raise QueryError(406, "SELECT results are offered as " + ", ".join(formats.offers(formats.RESULTS)))
            if kind == "json":
                body = write_json(result, request.max_rows, request.max_bytes)
            else:
                variables = [v.value for v in result.variables]
                body = write_select(variables, collect(result, request.max_rows), kind)
            form = "SELECT"
        else:
            if answer_format is None or answer_format.kind != "graph":
                graph_types = formats.offers(formats.GRAPH)
                raise QueryError(406, "CONSTRUCT and DESCRIBE results are offered as " + ", ".join(graph_types))
            triples = collect(result, request.max_rows)
            body = write(triples, answer_format, request.prefixes)
            form = "CONSTRUCT"
    except (TooManyRows, AnswerTooLarge) as error:
        raise QueryError(422, str(error)) from None
    except (ValueError, OSError) as error:
        raise QueryError(400, f"the query failed during evaluation: {error}") from None
    if len(body) > request.max_bytes:
        raise QueryError(422, str(too_large(request.max_bytes)))
    return QueryAnswer(200, request.media_type, body, form, where)
