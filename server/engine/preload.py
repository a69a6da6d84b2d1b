"""Imported once by the query pool's fork server (multiprocessing 'forkserver' preload): loads the release
into a pyoxigraph store *before* the workers are forked from it, so a replacement for a killed worker starts in
milliseconds (loading takes ~0.3 s; a query queued behind a runaway would wait that long). The memory is shared
copy-on-write only at first: reading a pyoxigraph store writes to its pages (reference counts), so a busy worker
copies much of it (measured: ~20 MB more PSS in all than workers loading their own). The fork server is
single-threaded, which is what makes forking it safe."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path
from typing import Any

__all__ = ["LOADED_FROM", "STORE", "TARGET"]

TARGET = "CCDS_ENGINE_PRELOAD"  # [release_dir, metadata graph IRI] as JSON, in the fork server's start-up environment

STORE: Any = None
LOADED_FROM: tuple[str, str] | None = None

if os.environ.get(TARGET):
    from ccds_crosswalk.engine.evaluate import prepare
    from ccds_crosswalk.engine.store import load_store

    release_dir, metadata_graph = json.loads(os.environ[TARGET])
    STORE = load_store(Path(release_dir), "", metadata_graph)
    prepare(STORE)
    LOADED_FROM = (release_dir, metadata_graph)
    gc.collect()
    gc.freeze()  # the collector never touches (so never copies) what every worker inherits
