"""`serve --sparql-backend URL`: answer /sparql, resource pages and lookups from a remote SPARQL endpoint
(e.g. Oxigraph or Virtuoso holding a release loaded by `publish`) through SPARQLWrapper instead of memory.

The release's graphs are named {base}release/{version}/graph/{name} there; every query is sent with those
graphs as its default graph (and as its named graphs), which gives the same union-of-graphs dataset the
embedded backend queries. Downloads stay pre-built files either way.
"""

from __future__ import annotations

import json
import urllib.error

import pyoxigraph as ox
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, QueryBadFormed, SPARQLWrapperException
from starlette.concurrency import run_in_threadpool

from ccds_crosswalk import iris
from ccds_crosswalk.engine.backend import LABELS, OWL_SOURCE, OWL_TARGET, Row, Term, in_order, to_ox, to_ox_subject
from ccds_crosswalk.engine.jobs import QueryAnswer, QueryError, QueryRequest
from ccds_crosswalk.formats import SPARQL_JSON
from ccds_crosswalk.settings import Settings

__all__ = ["Remote"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term(binding: dict[str, str]) -> Term:
    """A SPARQL JSON binding as the embedded backend's Term (simple literals typed xsd:string, as pyoxigraph does)."""
    value, kind = binding["value"], binding["type"]
    if kind in ("uri", "bnode"):
        return Term(value, kind)
    if binding.get("xml:lang"):
        return Term(value, "literal", binding["xml:lang"], "")
    return Term(value, "literal", "", binding.get("datatype") or XSD_STRING)


class Remote:
    in_memory = False

    def __init__(self, endpoint: str, settings: Settings) -> None:
        self.endpoint, self.settings = endpoint, settings
        self.graphs = [str(iris.release_graph(settings.base_uri, settings.release, n)) for n in iris.GRAPHS]

    def _client(
        self, query: str, accept: str, default: list[str] | None = None, named: list[str] | None = None
    ) -> SPARQLWrapper:
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setQuery(query)
        client.setTimeout(int(self.settings.limits.query_timeout_s) + 1)
        client.addCustomHttpHeader("Accept", accept)
        client.setOnlyConneg(True)
        for graph in self.graphs if default is None else default:
            client.addParameter("default-graph-uri", graph)
        for graph in self.graphs if named is None else named:
            client.addParameter("named-graph-uri", graph)
        return client

    def _run(self, client: SPARQLWrapper) -> bytes:
        try:
            response = client.query().response
            return response.read()
        except QueryBadFormed as problem:
            raise QueryError(400, f"malformed query: {str(problem).splitlines()[-1][:500]}") from None
        except EndPointInternalError as problem:
            raise QueryError(502, f"the SPARQL backend failed: {str(problem)[:300]}") from None
        except TimeoutError:
            raise QueryError(
                503, f"the SPARQL backend did not answer within {self.settings.limits.query_timeout_s:g} s"
            ) from None
        except (SPARQLWrapperException, urllib.error.URLError, OSError) as problem:
            raise QueryError(502, f"the SPARQL backend is unavailable: {str(problem)[:300]}") from None

    def select(self, query: str) -> list[Row]:
        body = self._run(self._client(query, SPARQL_JSON.media_type))
        data = json.loads(body)
        names = data["head"]["vars"]
        return [{n: term(b[n]) for n in names if n in b} for b in data["results"]["bindings"]]

    def exists(self, uri: str) -> bool:
        if not iris.is_safe_iri(uri):
            return False
        body = self._run(self._client(f"ASK {{ <{uri}> ?p ?o }}", SPARQL_JSON.media_type))
        return json.loads(body).get("boolean") in (True, 1, "true", "1")  # Virtuoso answers 1

    def triples(self, uri: str) -> list[ox.Triple]:
        if not iris.is_safe_iri(uri):
            return []
        labels = " ".join(f"<{p}>" for p in LABELS)
        rows = self.select(f"""SELECT ?s ?p ?o WHERE {{
            {{ BIND (<{uri}> AS ?s) <{uri}> ?p ?o }}
            UNION {{ VALUES ?p {{ <{OWL_SOURCE}> <{OWL_TARGET}> }} ?s ?p <{uri}> BIND (<{uri}> AS ?o) }}
            UNION {{ <{uri}> ?q ?s . FILTER (isIRI(?s) && ?s != <{uri}>)
                     VALUES ?p {{ {labels} }} ?s ?p ?o }}
            UNION {{ VALUES ?x {{ <{OWL_SOURCE}> <{OWL_TARGET}> }} ?s ?x <{uri}> .
                     VALUES ?p {{ {labels} }} ?s ?p ?o }}
        }}""")
        return in_order(
            {ox.Triple(to_ox_subject(r["s"]), ox.NamedNode(r["p"].value), to_ox(r["o"])) for r in rows}, uri
        )

    async def sparql(self, request: QueryRequest) -> QueryAnswer:
        return await run_in_threadpool(self._sparql, request)  # SPARQLWrapper blocks: not on the event loop

    def _sparql(self, request: QueryRequest) -> QueryAnswer:
        default = list(request.default_graphs) if request.default_graphs is not None else None
        named = list(request.named_graphs) if request.named_graphs is not None else None
        body = self._run(self._client(request.query, request.media_type, default, named))
        if len(body) > request.max_bytes:
            raise QueryError(
                422, f"the answer is larger than {request.max_bytes} bytes; page through it with LIMIT and OFFSET"
            )
        return QueryAnswer(200, request.media_type, body)

    def close(self) -> None:
        pass
