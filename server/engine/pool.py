"""The query engine: a small pool of worker processes, each holding the release in an in-memory pyoxigraph
store and answering a few queries at once on threads. A query that overruns its time limit is stopped for
real: its process is killed and replaced, and the queries it held besides the culprit are re-sent to another
worker. (pyoxigraph cannot interrupt a running query, and a thread cannot be killed.)

    web process ──(job id, request)──▶ least busy worker ──(job id, bytes or error)──▶ web process
                └─ a job past its deadline: answer it 503, kill its worker, re-send the worker's other jobs,
                   fork a fresh worker from the fork server (it loads its own store)
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing as mp
import threading
import time
from collections import deque
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ccds_crosswalk import iris
from ccds_crosswalk.engine import worker as query_worker
from ccds_crosswalk.engine.jobs import QueryAnswer, QueryError, QueryRequest

__all__ = ["QueryPool"]

log = logging.getLogger("ccds_crosswalk.engine")

_FORKSERVER_LOCK = threading.Lock()
LONG_RUNNING_S = 0.25  # a query running longer than this is a heavy one: keep cheap ones away from its worker


def _context() -> Any:
    """A fork server that has imported the worker's code (pyoxigraph, the evaluator and the writers), so a worker
    starts in milliseconds and only loads its store (~0.1 s); 'spawn' where fork servers are unavailable.

    The fork server does not hold the store itself: a worker reading a store it inherited copies most of it
    anyway (pyoxigraph writes reference counts into the pages it reads), so each worker loading its own holds
    ~20 MB less in all. The fork server is single-threaded, which is what makes forking it safe."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    with _FORKSERVER_LOCK:
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(["ccds_crosswalk.engine.worker"])
        forkserver.ensure_running()
    return context


@dataclass(eq=False)
class _Job:
    id: int
    request: QueryRequest
    deadline: float  # monotonic; fixed at submission, kept when the job is re-sent to another worker
    future: Future[QueryAnswer]
    crashes: int = 0  # workers that died unexpectedly while holding it
    sent: float = 0.0  # monotonic; when it was last given to a worker


@dataclass(eq=False)
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection
    jobs: dict[int, _Job] = field(default_factory=dict)  # in flight
    sending: threading.Lock = field(default_factory=threading.Lock)
    stopping: bool = False  # killed by the pool for an overrun: its other jobs are innocent and go elsewhere


def _settle(future: Future[QueryAnswer], outcome: QueryAnswer | QueryError) -> None:
    """Complete a job's future once; a caller that gave up (cancelled) is simply not answered."""
    try:
        if isinstance(outcome, QueryError):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
    except InvalidStateError:
        pass


def _overrun(timeout: float) -> QueryError:
    return QueryError(
        503, f"the query was stopped after the {timeout:g} s time limit; make it more selective or add LIMIT"
    )


class QueryPool:
    """`size` worker processes, each answering up to `threads` queries at once. `submit` never blocks.

    A query past its time limit is stopped by killing its worker; the other queries that worker held did nothing
    wrong, so they are re-sent to another worker (read-only queries are safe to repeat) and keep their own
    deadlines. A worker that dies on its own takes nobody's blame: its queries are re-sent once, so a query that
    crashes workers can crash at most two. A killed worker is replaced by forking the fork server (the new worker
    then loads the store, ~0.1 s on a quiet machine)."""

    def __init__(
        self,
        release_dir: Path,
        base: str,
        size: int,
        timeout_s: float,
        threads: int = 4,
    ) -> None:
        self._release_dir, self._base, self._timeout = str(release_dir), base, timeout_s
        self._metadata_graph = str(iris.graph(base, "metadata"))  # the worker then needs no rdflib
        self._threads = max(threads, 1)
        self._context = _context()
        self._lock = threading.Condition()
        self._workers: list[_Worker] = []
        self._waiting: deque[_Job] = deque()
        self._ids = itertools.count()
        self._closed = False
        self._watch_wakes = 0.0  # (monotonic) when the watchdog wakes next; inf while nothing has a deadline
        self.counters = {"overruns": 0, "resent": 0, "workers lost": 0}  # for the log and the tests
        with ThreadPoolExecutor(size) as starting:
            list(starting.map(lambda _: self._add_worker(), range(size)))
        threading.Thread(target=self._watch, name="query-deadlines", daemon=True).start()

    # -- workers

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=query_worker.main, daemon=True, args=(child, self._release_dir, self._metadata_graph, self._threads)
        )
        process.start()
        child.close()
        try:
            ready = parent.poll(60) and parent.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            process.kill()
            raise RuntimeError("a query worker failed to start")
        return _Worker(process, parent)

    def _add_worker(self) -> None:
        worker = self._spawn()
        with self._lock:
            if self._closed:
                worker.process.kill()
                return
            self._workers.append(worker)
            sends = self._dispatch()
        threading.Thread(target=self._read, args=(worker,), name="query-answers", daemon=True).start()
        self._send(sends)

    def _replace(self) -> None:
        while not self._closed:
            try:
                return self._add_worker()
            except (RuntimeError, OSError) as problem:
                log.error("could not start a query worker (%s); trying again in 1 s", problem)
                time.sleep(1)

    def _read(self, worker: _Worker) -> None:
        """One thread per worker: hand each answer to its caller and give the freed thread to a waiting job."""
        while True:
            try:
                job_id, outcome = worker.conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                job = worker.jobs.pop(job_id, None)
                sends = self._dispatch()
            self._send(sends)
            if job is not None:
                _settle(job.future, outcome)
        self._lost(worker)

    def _lost(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        failed: list[_Job] = []
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
            if not worker.stopping:
                self.counters["workers lost"] += 1
            for job in sorted(worker.jobs.values(), key=lambda j: j.id, reverse=True):
                if not worker.stopping:
                    job.crashes += 1
                if job.crashes > 1:
                    failed.append(job)
                else:
                    self._waiting.appendleft(job)  # they were sent first: they go first again
                    self.counters["resent"] += 1
            worker.jobs.clear()
            sends = self._dispatch()
            self._lock.notify_all()
        self._send(sends)
        for job in failed:
            _settle(
                job.future,
                QueryError(
                    500,
                    "the query worker stopped unexpectedly (twice while holding this "
                    "query); the query was not answered",
                ),
            )
        if not self._closed:
            threading.Thread(target=self._replace, name="query-worker-start", daemon=True).start()

    # -- jobs

    def _dispatch(self) -> list[tuple[_Worker, _Job]]:
        """(Under the lock.) Give waiting jobs to workers with a free thread: first to those holding no long-running
        query (a worker with a runaway may be killed at its deadline, and its other queries then start again
        elsewhere), then to the least busy."""
        sends = []
        now = time.monotonic()

        def load(w: _Worker) -> tuple[int, int]:
            return sum(now - j.sent > LONG_RUNNING_S for j in w.jobs.values()), len(w.jobs)

        while self._waiting:
            free = [w for w in self._workers if not w.stopping and len(w.jobs) < self._threads]
            if not free:
                break
            job = self._waiting.popleft()
            if job.future.done():  # its caller gave up
                continue
            worker = min(free, key=load)
            job.sent = now
            worker.jobs[job.id] = job
            sends.append((worker, job))
        return sends

    def _send(self, sends: list[tuple[_Worker, _Job]]) -> None:
        for worker, job in sends:
            try:
                with worker.sending:
                    worker.conn.send((job.id, job.request))
            except (OSError, ValueError):
                pass  # the worker is gone: its reader re-sends the job elsewhere

    def _watch(self) -> None:
        """Stop what overruns: a job still waiting at its deadline is refused; a running one kills its worker."""
        while True:
            overdue: list[tuple[_Job, QueryError]] = []
            with self._lock:
                if self._closed:
                    return
                now = time.monotonic()
                for job in [j for j in self._waiting if j.deadline <= now]:
                    self._waiting.remove(job)
                    overdue.append((job, QueryError(503, "all query workers are busy; try again shortly")))
                for worker in self._workers:
                    late = [j for j in worker.jobs.values() if j.deadline <= now]
                    for job in late:
                        del worker.jobs[job.id]
                        overdue.append((job, _overrun(self._timeout)))
                    if late and not worker.stopping:
                        worker.stopping = True
                        self.counters["overruns"] += 1
                        worker.process.kill()  # its reader sees the pipe close and re-sends the others
                deadlines = [j.deadline for j in self._waiting]
                deadlines += [j.deadline for w in self._workers for j in w.jobs.values()]
                if not overdue:
                    self._watch_wakes = min(deadlines, default=math.inf)
                    self._lock.wait(self._watch_wakes - now if deadlines else None)
                    self._watch_wakes = 0.0  # awake: a new job needs no notify until it sleeps again
            for job, error in overdue:
                _settle(job.future, error)

    def submit(self, request: QueryRequest) -> Future[QueryAnswer]:
        """A future for the answer (QueryAnswer) or the QueryError that explains why there is none."""
        job = _Job(next(self._ids), request, time.monotonic() + self._timeout, Future[QueryAnswer]())
        with self._lock:
            if self._closed:
                raise QueryError(503, "the query service is shutting down")
            self._waiting.append(job)
            sends = self._dispatch()
            # every job's deadline is its submission plus the one time limit, so a new job is due after all the
            # others: the watchdog needs waking (a GIL hand-off to it and back, on every query) only when it
            # sleeps with no deadline at all
            if job.deadline < self._watch_wakes:
                self._lock.notify_all()
        self._send(sends)
        return job.future

    def idle_threads(self) -> int:
        """Threads free now in workers that hold no long-running query (where a new query starts at once)."""
        now = time.monotonic()
        with self._lock:
            if self._waiting:
                return 0
            return sum(
                self._threads - len(w.jobs)
                for w in self._workers
                if not w.stopping and all(now - j.sent <= LONG_RUNNING_S for j in w.jobs.values())
            )

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers if w.process.pid is not None]

    def run(self, request: QueryRequest) -> QueryAnswer:
        return self.submit(request).result()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, []
            pending = list(self._waiting) + [j for w in workers for j in w.jobs.values()]
            self._waiting.clear()
            self._lock.notify_all()
        for worker in workers:
            worker.stopping = True
            worker.process.kill()
        for job in pending:
            _settle(job.future, QueryError(503, "the query service is shutting down"))
