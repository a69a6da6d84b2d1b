"""One typed settings object: paths, the public base URI, release and limits.

Built from arguments and the environment by `load_settings`, then passed to whoever needs it; nothing reads it
at import time. It crosses process boundaries whole, as JSON (`to_json` / `from_json`): uvicorn's worker
processes and the query engine's fork server get exactly the settings of the process that started them.

Where things are:
- the sources of a release (data/, ontology/, shapes/, queries/) are in `--sources` / $CCDS_SOURCES, else the
  checkout's folders when the package runs from a checkout, else the copy installed with the package
  (`ccds_crosswalk/sources/`);
- artefacts go to `--artefacts` / $CCDS_ARTEFACTS, else the checkout's `artefacts/`, else
  `$XDG_DATA_HOME/ccds-crosswalk` (by default `~/.local/share/ccds-crosswalk`) for an installed package;
- the release number and date are the last row of data/releases.csv, never written in code.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

__all__ = [
    "DEFAULT_BASE",
    "Limits",
    "Settings",
    "SettingsError",
    "current_release",
    "default_artefacts",
    "from_json",
    "load_settings",
    "source_root",
    "to_json",
]

PACKAGE = Path(__file__).resolve().parent
DEFAULT_BASE = "https://w3id.org/ccds-crosswalk/"
SOURCE_FOLDERS = ("data", "ontology", "shapes", "queries")


class SettingsError(ValueError):
    """A setting that cannot work, said in one sentence a person can act on."""


def _checkout() -> Path | None:
    root = PACKAGE.parent
    if (root / "pyproject.toml").is_file() and (root / "data" / "frameworks.csv").is_file():
        return root
    return None


def source_root() -> Path:
    """The folder holding data/, ontology/, shapes/ and queries/."""
    return _checkout() or PACKAGE / "sources"


def default_artefacts() -> Path:
    if checkout := _checkout():
        return checkout / "artefacts"
    home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(home) / "ccds-crosswalk"


def current_release(root: Path) -> str:
    """The newest release of data/releases.csv (its last row)."""
    path = root / "data" / "releases.csv"
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            versions = [row["version"].strip() for row in csv.DictReader(handle) if (row.get("version") or "").strip()]
    except OSError as problem:
        raise SettingsError(
            f"cannot read {path} ({problem.strerror}): it lists the releases; "
            "restore it from the repository or reinstall the package"
        ) from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path} is not UTF-8 text: save it as UTF-8, or restore it from the repository") from None
    except KeyError:
        raise SettingsError(f"{path} has no 'version' column; see data/README.md for its header") from None
    if not versions:
        raise SettingsError(f"{path} lists no release; add a row (version,issued,previous,previous_dump)")
    return versions[-1]


@dataclass(frozen=True)
class Limits:
    query_timeout_s: float = 10.0
    max_query_chars: int = 20_000
    max_request_bytes: int = 64_000
    max_result_rows: int = 10_000
    max_response_bytes: int = 20_000_000
    query_workers: int = 1  # cheap queries are answered in the web process; one worker holds the heavy ones
    query_threads: int = 4  # queries one worker answers at once
    cache_entries: int = 512  # the per-release SPARQL result cache: answers kept,
    cache_bytes: int = 4_000_000  # their total size (the broad benchmark mix needs 1.2 MB),
    cache_entry_bytes: int = 1_000_000  # and the largest answer it keeps


@dataclass(frozen=True)
class Settings:
    base_uri: str = DEFAULT_BASE
    release: str = ""  # filled from data/releases.csv by load_settings
    root: Path = field(default_factory=source_root)
    artefacts_dir: Path = field(default_factory=default_artefacts)
    limits: Limits = field(default_factory=Limits)
    sparql_backend: str | None = None  # answer from a remote SPARQL endpoint instead of memory

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
    if sources := os.environ.get("CCDS_SOURCES"):
        env["root"] = Path(sources)
    env.update({k: v for k, v in overrides.items() if v is not None})
    settings = replace(Settings(), **env)  # type: ignore[arg-type]
    if not settings.base_uri.endswith("/"):
        raise SettingsError(f"the base URI must end with '/': {settings.base_uri!r}")
    if not settings.release:
        settings = replace(settings, release=current_release(settings.root))
    return settings


def to_json(settings: Settings) -> str:
    raw = asdict(settings)
    raw["root"], raw["artefacts_dir"] = str(settings.root), str(settings.artefacts_dir)
    return json.dumps(raw, sort_keys=True)


def from_json(text: str) -> Settings:
    raw = json.loads(text)
    return Settings(
        base_uri=raw["base_uri"],
        release=raw["release"],
        root=Path(raw["root"]),
        artefacts_dir=Path(raw["artefacts_dir"]),
        limits=Limits(**raw["limits"]),
        sparql_backend=raw.get("sparql_backend"),
    )
