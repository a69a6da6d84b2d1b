"""Imported once by the query pool's fork server (multiprocessing 'forkserver' preload): loads the release
into a pyoxigraph store *before* the workers are forked from it, so every query worker shares that memory
copy-on-write instead of loading its own copy (~65 MB each), and a replacement for a killed worker starts
in milliseconds. The fork server is single-threaded, which is what makes forking it safe."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path
from typing import Any

TARGET = "CCDS_ENGINE_PRELOAD"  # [release_dir, base] as JSON, in the fork server's start-up environment only

STORE: Any = None
LOADED_FROM: tuple[str, str] | None = None

if os.environ.get(TARGET):
    from ccds_crosswalk.engine.cheap import stats_of
    from ccds_crosswalk.engine.evaluate import prepare
    from ccds_crosswalk.engine.store import load_store

    release_dir, base = json.loads(os.environ[TARGET])
    STORE = load_store(Path(release_dir), base)
    prepare(STORE)
    stats_of(STORE)  # what the workers judge shapes by (server/engine/cheap.py), computed before they fork
    LOADED_FROM = (release_dir, base)
    gc.collect()
    gc.freeze()  # the collector never touches (so never copies) what every worker inherits
