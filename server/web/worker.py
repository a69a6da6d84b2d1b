"""A query worker process: holds the release in an in-memory pyoxigraph store and answers up to `threads`
queries at once, each on its own thread (pyoxigraph releases the GIL while it evaluates, so a cheap query does
not wait for a heavy one). The pool in server/web/engine.py starts, feeds and, at a time limit, kills it."""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from server.web.evaluate import evaluate, prepare
from server.web.jobs import QueryAnswer, QueryError

DEMOTE_AFTER_CPU_S = 0.01  # a query that has used this much CPU is no longer a cheap one (a lookup: ~0.1 ms)
DEMOTED_NICE = 10  # CFS weight ~1/10 of a normal thread's: it runs on what cheap queries leave over
WATCH_EVERY_S = 0.01


@dataclass(eq=False)
class _Running:
    native_id: int  # the kernel's id of the thread running the query
    clock: int  # that thread's CPU-time clock
    cpu_at_start: float
    demoted: bool = False


def _demote_heavy_queries(running: dict[int, _Running], lock: threading.Lock) -> None:
    """Shortest-job-first, roughly: a query that has used more than DEMOTE_AFTER_CPU_S of CPU gets a lower
    scheduling priority for the rest of its run, so a slow or runaway query cannot take the CPU that cheap
    queries (and the web process) need. Linux applies a nice value per thread; where that fails, nothing
    happens but the time limit."""
    while True:
        time.sleep(WATCH_EVERY_S)
        with lock:
            heavy = [r for r in running.values()
                     if not r.demoted and time.clock_gettime(r.clock) - r.cpu_at_start > DEMOTE_AFTER_CPU_S]
            for entry in heavy:
                entry.demoted = True
        for entry in heavy:
            with suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, entry.native_id, DEMOTED_NICE)


def main(conn: Connection, release_dir: str, base: str, threads: int) -> None:
    """Answer up to `threads` queries at once on one store. Answers go back tagged with their job id."""
    from server.web import preload

    if (release_dir, base) == preload.LOADED_FROM:  # forked from the fork server: the store is already here
        store = preload.STORE
    else:
        from server.store import load_store

        store = load_store(Path(release_dir), base)
        prepare(store)
    sys.setswitchinterval(0.001)  # a cheap query waits at most ~1 ms for a thread busy writing a large answer
    receiving, sending, watching = threading.Lock(), threading.Lock(), threading.Lock()
    retired: queue.SimpleQueue[int] = queue.SimpleQueue()  # demoted threads that have stopped serving
    running: dict[int, _Running] = {}
    can_demote = hasattr(os, "setpriority") and hasattr(time, "pthread_getcpuclockid")

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
            try:
                result: QueryAnswer | QueryError = evaluate(store, request)
            except QueryError as error:
                result = error
            except Exception as error:  # report, never crash the worker
                result = QueryError(500, f"internal error while evaluating the query ({type(error).__name__})")
            with watching:
                entry = running.pop(ident, None)
            with sending:
                conn.send((job_id, result))
            if entry is not None and entry.demoted:
                retired.put(ident)  # the main thread starts the replacement: a thread inherits its creator's nice
                return

    with sending:
        conn.send("ready")
    if can_demote:
        threading.Thread(target=_demote_heavy_queries, args=(running, watching), name="demote", daemon=True).start()
    for _ in range(threads):  # the pool never sends more than `threads` jobs at once
        threading.Thread(target=serve, name="query", daemon=True).start()
    while True:  # the threads end the process (os._exit) when the pool closes the pipe
        retired.get()
        threading.Thread(target=serve, name="query", daemon=True).start()
