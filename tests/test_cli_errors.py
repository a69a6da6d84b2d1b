"""What a user sees when the sources or the artefacts folder are not as they should be, through the real command
(`python -m ccds_crosswalk.cli` in a subprocess, run from a temporary folder): one `error:` sentence that names
the file and says what to do, a non-zero exit, no traceback, and nothing written.

The tests run as root, for whom permission bits stop nothing; an unreadable file is a folder in its place, and an
artefacts folder that cannot be written is a path under a regular file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("data", "ontology", "shapes", "queries")


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A private copy of the sources, to break."""
    folder = tmp_path / "sources"
    for name in SOURCES:
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def ccds(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "ccds_crosswalk.cli", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def refusal(result: subprocess.CompletedProcess) -> str:
    """The one error sentence of a failed command (progress lines of the build may precede it)."""
    assert result.returncode != 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert all(line.startswith(("error:", "[build] ")) for line in result.stderr.splitlines()), result.stderr
    return errors[0]


def remove(path: Path) -> None:
    path.unlink()


def folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()  # reading it fails with EISDIR, as root as for anyone


def shift_jis(path: Path) -> None:
    path.write_bytes(path.read_text(encoding="utf-8").encode("shift_jis"))  # as a spreadsheet may save it


def utf16(path: Path) -> None:
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))  # a spreadsheet's "Unicode text"


def broken_turtle(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\nccdsx:Broken a .\n", encoding="utf-8")


BREAKS: list[tuple[str, Callable[[Path], None], str]] = [
    ("data/frameworks.csv", remove, "restore the file"),
    ("data/frameworks.csv", folder_instead, "restore the file"),
    ("data/errata.csv", shift_jis, "save it as UTF-8"),
    ("data/releases.csv", utf16, "save it as UTF-8"),
    ("ontology/ccds-crosswalk.ttl", broken_turtle, "not valid Turtle"),
]


@pytest.mark.parametrize("command", ["build", "validate", "query"])
@pytest.mark.parametrize(("name", "breaking", "advice"), BREAKS, ids=[f"{n}-{b.__name__}" for n, b, _ in BREAKS])
def test_a_broken_source_is_named(
    sources: Path, tmp_path: Path, command: str, name: str, breaking: Callable[[Path], None], advice: str
) -> None:
    breaking(sources / name)
    out = tmp_path / "out"
    args = ["query", "crosswalk"] if command == "query" else [command]
    message = refusal(ccds(tmp_path, *args, "--sources", str(sources), "--out", str(out)))
    assert str(sources / name) in message
    assert advice in message or "restore it from the repository" in message
    assert not out.exists()


def test_a_query_file_that_is_not_utf8(tmp_path: Path) -> None:
    mine = tmp_path / "mine.rq"
    mine.write_bytes("# 自分の問い\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n".encode("shift_jis"))
    message = refusal(ccds(tmp_path, "query", str(mine), "--endpoint", "http://127.0.0.1:1/sparql"))
    assert str(mine) in message and "save it as UTF-8" in message


def test_a_have_file_that_is_not_utf8(tmp_path: Path) -> None:
    mine = tmp_path / "have.csv"
    mine.write_bytes("id\nUK1\n".encode("utf-16"))
    message = refusal(ccds(tmp_path, "gap", "--have", str(mine), "--against", "ccds"))
    assert str(mine) in message and "UTF-8" in message


def test_missing_sources_after_the_command(sources: Path, tmp_path: Path) -> None:
    """The common options work before the command, too."""
    (sources / "data" / "frameworks.csv").unlink()
    out = tmp_path / "out"
    message = refusal(ccds(tmp_path, "--sources", str(sources), "--out", str(out), "build"))
    assert str(sources / "data" / "frameworks.csv") in message
    assert not out.exists()


@pytest.mark.parametrize("below", ["", "release-folder"])
def test_an_artefacts_folder_that_cannot_be_written(sources: Path, tmp_path: Path, below: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    out = blocker / below if below else blocker
    for command in ("build", "serve"):
        message = refusal(ccds(tmp_path, command, "--sources", str(sources), "--out", str(out)))
        assert f"{blocker} is a file, not a folder" in message
        assert "--out DIR" in message
    assert blocker.read_text(encoding="utf-8") == "not a folder\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "sources"]


def test_serve_no_build_on_an_empty_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    message = refusal(ccds(tmp_path, "serve", "--no-build", "--out", str(empty), "--port", "1"))
    assert str(empty) in message
    assert "ccds-crosswalk build" in message
    assert list(empty.iterdir()) == []
