"""A query worker process: holds the release in in-memory pyoxigraph stores and answers up to `threads`
queries at once, each on its own thread (pyoxigraph releases the GIL while it evaluates, so a cheap query does
not wait for a heavy one). The pool in server/engine/pool.py starts, feeds and, at a time limit, kills it.
It never imports rdflib (~18 MB): the pool hands it the metadata graph's IRI."""

from __future__ import annotations

import ctypes
import os
import queue
import sys
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from ccds_crosswalk.engine import policy, results  # noqa: F401  (results: imported in the fork server, not by a worker's first query)
from ccds_crosswalk.engine.evaluate import evaluate, prepare
from ccds_crosswalk.engine.jobs import QueryAnswer, QueryError, QueryRequest
from ccds_crosswalk.engine.store import load_store, load_union_store

__all__ = ["DEMOTED_NICE", "limit_arenas", "main", "trim_heap"]

# Shortest-job-first, roughly: the more CPU a query has used, the less it may take from the others.
HEAVY_AFTER_CPU_S = 0.01  # no longer a cheap query (a lookup uses ~0.1 ms): nice 10, ~1/10 of a normal share
RUNAWAY_AFTER_CPU_S = 1.0  # longer than any query of a sane mix: SCHED_IDLE, runs only on CPU nobody else wants
DEMOTED_NICE = 10
WATCH_EVERY_S = 0.01
# Queries on one in-memory pyoxigraph store at once slow each other down, whatever the GIL does (queries/
# cross-framework.rq, two threads: 28-31 queries/s on one store, 78/s on a store each, 40/s on one thread). So a
# worker holds a second copy of what most queries see, the union graph alone (~6 MB; the full store ~12 MB): a query
# that names no graph takes a copy no other query is using; one that names a graph, or finds every copy in use,
# runs on the full store.


@dataclass(eq=False)
class _Running:
    native_id: int  # the kernel's id of the thread running the query
    clock: int  # that thread's CPU-time clock
    cpu_at_start: float
    level: int = 0  # 0 normal, 1 niced, 2 idle-class

    @property
    def demoted(self) -> bool:
        return self.level > 0


def _demote(entry: _Running, level: int) -> None:
    with suppress(OSError):  # where the kernel refuses, only the time limit applies
        if level == 1:
            os.setpriority(os.PRIO_PROCESS, entry.native_id, DEMOTED_NICE)
        else:
            os.sched_setscheduler(entry.native_id, os.SCHED_IDLE, os.sched_param(0))


def _demote_heavy_queries(running: dict[int, _Running], lock: threading.Lock) -> None:
    """Lower the scheduling priority of the thread of a query that has used more than HEAVY_AFTER_CPU_S of CPU,
    and again past RUNAWAY_AFTER_CPU_S, so a slow or runaway query cannot take the CPU that cheap queries (and
    the web process) need. A heavy query still runs at full speed on a CPU nobody else wants. Linux sets
    priorities per thread (a kernel task)."""
    while True:
        time.sleep(WATCH_EVERY_S)
        changes = []
        with lock:
            for entry in running.values():
                used = time.clock_gettime(entry.clock) - entry.cpu_at_start
                level = 2 if used > RUNAWAY_AFTER_CPU_S else 1 if used > HEAVY_AFTER_CPU_S else 0
                if level > entry.level:
                    entry.level = level
                    changes.append((entry, level))
        for entry, level in changes:
            _demote(entry, level)


M_ARENA_MAX = -8  # mallopt's parameter number (glibc malloc.h)


def limit_arenas(arenas: int = 2) -> None:
    """glibc gives each new thread an arena of its own (up to 8 per core), and what a thread frees stays in its
    arena: a process of a few busy threads then holds tens of MB it does not use. Called before threads start."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas)


def trim_heap() -> None:
    """glibc keeps what a thread's arena freed for later; after a heavy query that is megabytes per thread."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _union_is_enough(request: QueryRequest) -> bool:
    """The request's dataset is the service's default one, and the query names no graph of it."""
    return request.default_graphs is None and request.named_graphs is None and not policy.names_graphs(request.query)


def main(conn: Connection, release_dir: str, metadata_graph: str, threads: int) -> None:
    """Answer up to `threads` queries at once, on the full store or the union's copy. Answers go back tagged
    with their job id."""
    limit_arenas()
    full = load_store(Path(release_dir), "", metadata_graph)
    prepare(full)
    unused: queue.SimpleQueue[ox.Store] = queue.SimpleQueue()  # the union's copy, while no query uses it
    sys.setswitchinterval(0.001)  # a cheap query waits at most ~1 ms for a thread busy writing a large answer
    receiving, sending, watching = threading.Lock(), threading.Lock(), threading.Lock()
    retired: queue.SimpleQueue[int] = queue.SimpleQueue()  # demoted threads that have stopped serving
    running: dict[int, _Running] = {}
    can_demote = hasattr(os, "setpriority") and hasattr(os, "SCHED_IDLE") and hasattr(time, "pthread_getcpuclockid")

    def serve() -> None:
        """Take the next job from the pipe and answer it, in turn with the other threads: the thread that
        receives a job runs it, so a job is not handed from thread to thread. A thread that was demoted while
        running a heavy query hands its place to a fresh thread (an unprivileged process cannot undo a nice)."""
        ident = threading.get_ident()
        clock = time.pthread_getcpuclockid(ident) if can_demote else 0
        while True:
            try:
                with receiving:
                    job_id, request = conn.recv()
            except (EOFError, OSError, KeyboardInterrupt):
                os._exit(0)  # the pool is gone: do not wait for queries nobody will read
            if can_demote:
                with watching:
                    running[ident] = _Running(threading.get_native_id(), clock, time.clock_gettime(clock))
            store, own = full, False
            if _union_is_enough(request):
                with suppress(queue.Empty):
                    store, own = unused.get_nowait(), True
            try:
                result: QueryAnswer | QueryError = evaluate(store, request, where="query worker")
            except QueryError as error:
                result = error
            except Exception as error:  # report, never crash the worker
                result = QueryError(500, f"internal error while evaluating the query ({type(error).__name__})")
            finally:
                if own:
                    unused.put(store)
            with watching:
                entry = running.pop(ident, None)
            with sending:
                conn.send((job_id, result))
            if entry is not None and entry.demoted:
                trim_heap()  # a heavy query's memory, freed by now, goes back to the system (not kept per thread)
                retired.put(ident)  # the main thread starts the replacement: a thread inherits its creator's nice
                return

    with sending:
        conn.send("ready")
    if threads > 1:  # the copy is loaded once the worker answers: a replacement worker is ready as soon as before
        threading.Thread(
            target=lambda: unused.put(load_union_store(Path(release_dir), "")), name="union copy", daemon=True
        ).start()
    if can_demote:
        threading.Thread(target=_demote_heavy_queries, args=(running, watching), name="demote", daemon=True).start()
    for _ in range(threads):  # the pool never sends more than `threads` jobs at once
        threading.Thread(target=serve, name="query", daemon=True).start()
    while True:  # the threads end the process (os._exit) when the pool closes the pipe
        retired.get()
        threading.Thread(target=serve, name="query", daemon=True).start()
