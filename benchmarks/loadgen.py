"""A small closed-loop HTTP/1.1 load generator: N threads, each with its own keep-alive connection over a raw
socket, sending pre-encoded GET requests and reading whole responses (Content-Length or chunked).

Why not httpx or http.client: on a 2-core machine the load generator shares the CPUs with the server under test,
so it must be cheap. A raw-socket keep-alive request costs ~30-60 µs of client CPU here (measured and reported
by run.py as `loadgen CPU`), several times less than httpx. The GIL is released while a thread waits on its
socket, so 8 threads are enough to keep 8 requests in flight.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


class HttpError(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects when the server closed it."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.received = False  # any byte of the current response arrived

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.buffer = sock, b""
        return sock

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock, self.buffer = None, b""

    def _read_more(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(262144)
        if not chunk:
            raise HttpError("connection closed by the server")
        self.received = True
        self.buffer += chunk

    def _read_until(self, marker: bytes) -> bytes:
        while (at := self.buffer.find(marker)) < 0:
            self._read_more()
        out, self.buffer = self.buffer[:at], self.buffer[at + len(marker) :]
        return out

    def _read_exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._read_more()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def request(self, raw: bytes, head: bool = False) -> Response:
        for attempt in (0, 1):
            fresh = self.sock is None
            sock = self.sock or self._connect()
            self.received = False
            try:
                sock.sendall(raw)
                return self._response(head)
            except TimeoutError:
                self.close()
                raise
            except (OSError, HttpError):
                self.close()
                # only a keep-alive connection the server had already closed (nothing of the answer arrived)
                # is retried, once, on a new connection; never a request that may have been half-answered
                if fresh or attempt or self.received:
                    raise
        raise HttpError("unreachable")

    def _response(self, head: bool) -> Response:
        lines = self._read_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if head or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self._read_until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._read_until(b"\r\n")  # no trailers are expected
                    break
                parts.append(self._read_exactly(size))
                self._read_exactly(2)
            body = b"".join(parts)
        elif "content-length" in headers:
            body = self._read_exactly(int(headers["content-length"]))
        else:  # read to close
            while True:
                try:
                    self._read_more()
                except HttpError:
                    break
            body, self.buffer = self.buffer, b""
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status, headers, body)


def encode_get(host: str, port: int, target: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass(frozen=True)
class Job:
    """One kind of request: a label (the query or route name), the encoded request(s) to send in turn
    (several, to rotate parameters), and a check of the response."""

    label: str
    requests: tuple[bytes, ...]
    ok: Callable[[Response], bool] = lambda r: r.status == 200
    follow: bool = False  # follow one 303 (dereferencing /id/ URIs): both legs are timed as one request
    nonce: bytes = b""  # a marker in the requests replaced by a number never sent before (uncached requests)


NONCES = itertools.count(1)  # one sequence for the whole benchmark: a request made distinct is never repeated


@dataclass
class Record:
    label: str
    started: float
    seconds: float
    ok: bool
    nbytes: int
    error: str = ""


@dataclass
class Run:
    records: list[Record] = field(default_factory=list)
    wall: float = 0.0
    client_cpu: float = 0.0  # this process's CPU seconds during the run (the load generator's own cost)


def _one(
    conn: Connection, job: Job, raw: bytes, host: str, port: int, accept_follow: dict[str, str]
) -> tuple[bool, int, str]:
    response = conn.request(raw)
    if job.follow and response.status == 303:
        location = response.headers.get("location", "")
        target = urlsplit(location)
        path = target.path + (f"?{target.query}" if target.query else "")
        response = conn.request(encode_get(host, port, path, accept_follow))
    good = job.ok(response)
    return good, len(response.body), "" if good else f"HTTP {response.status}: {response.body[:120]!r}"


def run_closed_loop(
    url: str,
    jobs: list[Job],
    concurrency: int,
    seconds: float,
    max_requests: int,
    timeout: float = 30.0,
    follow_headers: dict[str, str] | None = None,
    offset: int = 0,
    interval: float = 0.0,
) -> Run:
    """`concurrency` threads each send jobs in turn (thread k starts at job offset + k·len/c, so every job is
    in flight from the start) until `seconds` have passed or `max_requests` were sent in all; requests in flight
    at the deadline are completed and counted. Each job rotates through its own requests. `offset` continues a
    rotation where an earlier run of the same jobs stopped (pass the number of requests sent so far). With
    `interval`, a thread starts a request at most every `interval` seconds (a paced client; latency is measured
    the same way)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lock = threading.Lock()
    state = {"sent": 0}
    counters = [offset // max(len(jobs), 1)] * len(jobs)
    run = Run()
    records: list[list[Record]] = [[] for _ in range(concurrency)]
    start_gate = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker(index: int) -> None:
        conn = Connection(host, port, timeout)
        position = offset + (index * len(jobs)) // max(concurrency, 1)
        mine = records[index]
        start_gate.wait()
        try:
            while True:
                with lock:
                    if state["sent"] >= max_requests or time.perf_counter() >= deadline[0]:
                        return
                    state["sent"] += 1
                    job = jobs[position % len(jobs)]
                    raw = job.requests[counters[position % len(jobs)] % len(job.requests)]
                    counters[position % len(jobs)] += 1
                    if job.nonce:
                        raw = raw.replace(job.nonce, str(next(NONCES)).encode())
                position += 1
                began = time.perf_counter()
                try:
                    good, size, error = _one(conn, job, raw, host, port, follow_headers or {})
                except (OSError, HttpError, ValueError, IndexError) as problem:
                    conn.close()
                    good, size, error = False, 0, f"{type(problem).__name__}: {problem}"
                mine.append(Record(job.label, began, time.perf_counter() - began, good, size, error))
                if interval:
                    time.sleep(max(0.0, began + interval - time.perf_counter()))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    cpu0 = time.process_time()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_gate.wait()
    for t in threads:
        t.join()
    run.wall = time.perf_counter() - began
    run.client_cpu = time.process_time() - cpu0
    run.records = [r for rs in records for r in rs]
    return run


def fetch(url: str, target: str, headers: dict[str, str] | None = None, timeout: float = 30.0) -> Response:
    """One request on a fresh connection (for checks, not for load)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    conn = Connection(host, port, timeout)
    try:
        return conn.request(encode_get(host, port, target, headers))
    finally:
        conn.close()
