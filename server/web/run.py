"""Runs the app under uvicorn: one process, or N worker processes (`--workers`) sharing the port.
Each worker builds its own app (its own store and query pool) through the factory below."""

from __future__ import annotations

import os
from dataclasses import asdict

import uvicorn

from server.settings import Limits, Settings, load_settings

ENV = "CCDS_SERVE_SETTINGS"


def app_from_environment():
    import json
    from pathlib import Path

    from server.web.app import create_app

    raw = json.loads(os.environ[ENV])
    settings = load_settings(
        base_uri=raw["base_uri"], artefacts_dir=Path(raw["artefacts_dir"]), limits=Limits(**raw["limits"])
    )
    backend = None
    if raw.get("sparql_backend"):
        from server.web.remote import Remote

        backend = Remote(raw["sparql_backend"], settings)
    return create_app(settings, backend)


def serve(settings: Settings, host: str, port: int, workers: int = 1, sparql_backend: str | None = None) -> None:
    import json

    os.environ[ENV] = json.dumps(
        {
            "base_uri": settings.base_uri,
            "artefacts_dir": str(settings.artefacts_dir),
            "limits": asdict(settings.limits),
            "sparql_backend": sparql_backend,
        }
    )
    uvicorn.run(
        "server.web.run:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=5,
        limit_concurrency=512,
    )
