"""One typed settings object: paths, the public base URI, release and limits.

Built from arguments and the environment by `load_settings`, then passed to whoever needs it;
nothing reads it at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE = "https://w3id.org/ccds-crosswalk/"


@dataclass(frozen=True)
class Limits:
    query_timeout_s: float = 10.0
    max_query_chars: int = 20_000
    max_request_bytes: int = 64_000
    max_result_rows: int = 10_000
    max_response_bytes: int = 20_000_000
    query_workers: int = 2
    query_threads: int = 4  # queries one worker answers at once


@dataclass(frozen=True)
class Settings:
    base_uri: str = DEFAULT_BASE
    release: str = "1.0.0"
    root: Path = ROOT
    artefacts_dir: Path = ROOT / "artefacts"
    limits: Limits = field(default_factory=Limits)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def release_dir(self) -> Path:
        return self.artefacts_dir / "release" / self.release


def load_settings(**overrides: object) -> Settings:
    """Settings from CCDS_* environment variables, then explicit overrides (None means 'not given')."""
    env: dict[str, object] = {}
    if base := os.environ.get("CCDS_BASE_URI"):
        env["base_uri"] = base
    if artefacts := os.environ.get("CCDS_ARTEFACTS"):
        env["artefacts_dir"] = Path(artefacts)
    env.update({k: v for k, v in overrides.items() if v is not None})
    settings = replace(Settings(), **env)  # type: ignore[arg-type]
    if not settings.base_uri.endswith("/"):
        raise ValueError(f"the base URI must end with '/': {settings.base_uri!r}")
    return settings
