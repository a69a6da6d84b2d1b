"""A bounded result cache for one release. A release never changes, so the same request (query text, result
format, dataset parameters, base IRI) always gets the same bytes: an answer can be kept and handed out again, and
its HTTP validator (ETag) follows from the release and the request alone, before anything is evaluated.

Bounded three ways: entries, total bytes, and the size of one answer (a larger one is never stored, so a few big
answers cannot push out many small ones). Least recently used answers go first."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ccds_crosswalk.engine.jobs import QueryAnswer, QueryRequest

__all__ = ["CacheLimits", "ResultCache", "request_key"]


@dataclass(frozen=True)
class CacheLimits:
    entries: int = 512
    bytes: int = 16_000_000
    entry_bytes: int = 1_000_000  # answers above this size are not kept


def request_key(request: QueryRequest) -> bytes:
    """Everything about a request that can change its answer's bytes, unambiguously joined."""
    parts = [
        request.query,
        request.media_type,
        "\x1f".join(request.default_graphs) if request.default_graphs is not None else "\x1e",
        "\x1f".join(request.named_graphs) if request.named_graphs is not None else "\x1e",
        request.base_iri or "",
        str(request.max_rows),
        str(request.max_bytes),
    ]
    return "\x00".join(parts).encode("utf-8", "surrogatepass")


class ResultCache:
    """Answers of one release, keyed by request; thread-safe (the web process may fill it from several threads)."""

    def __init__(self, release_id: str, limits: CacheLimits) -> None:
        self.release_id, self.limits = release_id, limits
        self._entries: OrderedDict[bytes, QueryAnswer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def etag(self, key: bytes) -> str:
        """The ETag of the answer to this request in this release (weak: the gzip middleware may re-encode it)."""
        digest = hashlib.sha256(self.release_id.encode() + b"\x00" + key).hexdigest()[:32]
        return f'W/"{digest}"'

    def get(self, key: bytes) -> QueryAnswer | None:
        with self._lock:
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
            return answer

    def put(self, key: bytes, answer: QueryAnswer) -> bool:
        """Keep a successful answer if it is small enough; evict the least recently used beyond the bounds.
        Whether it was stored."""
        size = len(answer.body) + len(key)
        if answer.status != 200 or size > self.limits.entry_bytes or self.limits.entries <= 0:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body) + len(key)
            self._entries[key] = answer
            self._bytes += size
            while len(self._entries) > self.limits.entries or self._bytes > self.limits.bytes:
                evicted_key, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body) + len(evicted_key)
            return key in self._entries

    def stats(self) -> tuple[int, int]:
        """(entries, bytes) held now."""
        with self._lock:
            return len(self._entries), self._bytes
