"""Imported once by the query pool's fork server (multiprocessing 'forkserver' preload): loads the release
into a pyoxigraph store *before* the workers are forked from it, so every query worker shares that memory
copy-on-write instead of loading its own copy (~65 MB each), and a replacement for a killed worker starts
in milliseconds. The fork server is single-threaded, which is what makes forking it safe."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

RELEASE = "CCDS_PRELOAD_RELEASE"
BASE = "CCDS_PRELOAD_BASE"

STORE: Any = None
LOADED_FROM: tuple[str, str] | None = None

if os.environ.get(RELEASE) and os.environ.get(BASE):
    from server.store import load_store
    from server.web.evaluate import prepare

    STORE = load_store(Path(os.environ[RELEASE]), os.environ[BASE])
    prepare(STORE)
    LOADED_FROM = (os.environ[RELEASE], os.environ[BASE])
    gc.collect()
    gc.freeze()  # the collector never touches (so never copies) what every worker inherits
