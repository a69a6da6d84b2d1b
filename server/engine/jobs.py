"""What passes between the web process and a query worker: a query to answer, its answer, or the error that
explains why there is none (4xx: the client's to fix; 5xx: the service's)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["QueryAnswer", "QueryError", "QueryRequest"]


@dataclass(frozen=True)
class QueryRequest:
    query: str
    media_type: str  # the negotiated result media type
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 100_000
    max_bytes: int = 50_000_000
    prefixes: dict[str, str] = field(default_factory=dict)
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint's URL)


@dataclass(frozen=True)
class QueryAnswer:
    status: int
    media_type: str
    body: bytes
    form: str = ""  # SELECT, ASK, CONSTRUCT (CONSTRUCT and DESCRIBE)
    where: str = ""  # who evaluated it: "web process" (a cheap query) or "query worker"


class QueryError(Exception):
    """A query the client must change (4xx) or that the service could not answer (5xx)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message

    def __reduce__(self) -> tuple[type[QueryError], tuple[int, str]]:  # crosses the process boundary intact
        return QueryError, (self.status, self.message)
