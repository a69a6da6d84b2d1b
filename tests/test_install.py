"""The distribution as a user gets it: the wheel built from this checkout, installed into a fresh virtual
environment made by the distribution's own Python, and run from a folder that is not the checkout.

One wheel, one venv and one build per module (a few seconds each; pip's cache supplies the dependencies).
The expected numbers are the printed rows of the Appendix's tables (data/source/appendix.txt): table 2-1 130,
3-1 292, 4-1 62, 5-1 10 (tests/data/test_source.py reads them off the text).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BASE_PYTHON = os.environ.get("PYTHON") or "/usr/bin/python3"
ROWS = {"IoT-SG": 130, "CPSF": 292, "UK-CoP": 62, "SB-327": 10}  # printed rows of tables 2-1, 3-1, 4-1, 5-1
# Not copied into the build folder: the build would otherwise see a stale build/ or egg-info of the checkout
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "artefacts", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache"
)


def run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{result.args} exited {result.returncode}:\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the checkout (building in place would write build/ into it)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ok(
        run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(source)],
            cwd=work,
            env=env,
        )
    )
    (found,) = (work / "dist").glob("ccds_crosswalk-*.whl")
    return found


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def env(home: Path) -> dict[str, str]:
    """A user's environment: HOME in a temporary folder, no XDG_DATA_HOME, nothing of the checkout's."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "XDG_DATA_HOME", "CCDS_ARTEFACTS", "CCDS_SOURCES", "CCDS_BASE_URI"}
    return {k: v for k, v in os.environ.items() if k not in drop} | {"HOME": str(home)}


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """A fresh venv from the distribution's Python with the wheel (and its dependencies) installed."""
    folder = tmp_path_factory.mktemp("venv")
    ok(run([BASE_PYTHON, "-m", "venv", str(folder)], cwd=folder, env=env))
    ok(
        run(
            [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=folder, env=env, timeout=900
        )
    )
    return folder


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working directory of every command: a temporary folder, not the checkout."""
    return tmp_path_factory.mktemp("elsewhere")


@pytest.fixture(scope="module")
def tool(venv: Path, elsewhere: Path, env: dict[str, str]):
    def call(*args: str, env_more: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return run([str(venv / "bin" / "ccds-crosswalk"), *args], cwd=elsewhere, env=env | (env_more or {}))

    return call


@pytest.fixture(scope="module")
def out(tool, elsewhere: Path) -> Path:
    """`ccds-crosswalk build --out DIR` from the temporary folder."""
    folder = elsewhere / "release-out"
    ok(tool("build", "--out", str(folder)))
    return folder


def crosswalk_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_wheel_holds_only_ccds_crosswalk(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"ccds_crosswalk", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    for source in ("data/frameworks.csv", "data/source/appendix.txt", "ontology/ccds-crosswalk.ttl"):
        assert f"ccds_crosswalk/sources/{source}" in names
    assert any(name.startswith("ccds_crosswalk/sources/shapes/") and name.endswith(".ttl") for name in names)
    assert "ccds_crosswalk/sources/queries/crosswalk.rq" in names


def test_import_name(venv: Path, elsewhere: Path, env: dict[str, str]) -> None:
    python = str(venv / "bin" / "python")
    found = ok(run([python, "-c", "import ccds_crosswalk; print(ccds_crosswalk.__file__)"], cwd=elsewhere, env=env))
    assert str(venv) in found.stdout
    for generic in ("server", "build", "web"):
        missing = run([python, "-c", f"import {generic}"], cwd=elsewhere, env=env)
        assert missing.returncode != 0
        assert "ModuleNotFoundError" in missing.stderr


def test_build_writes_the_release_where_asked(out: Path) -> None:
    (release,) = (out / "release").iterdir()
    for name in ("manifest.json", "SHA256SUMS", "crosswalk.ttl", "void.ttl", "appendix.txt"):
        assert (release / name).is_file(), name


def test_query_crosswalk_gives_every_printed_row(tool, out: Path) -> None:
    result = ok(tool("query", "crosswalk", "--format", "csv", "--out", str(out)))
    rows = crosswalk_rows(result.stdout)
    assert len(rows) == 494
    assert Counter(row["framework"] for row in rows) == ROWS
    assert "[build]" not in result.stderr  # answered from the release just built, not rebuilt


def test_validate_passes(tool, out: Path) -> None:
    result = ok(tool("validate", "--out", str(out)))
    assert result.stdout.startswith("0 violation(s)")


def test_publish_help(tool) -> None:
    result = ok(tool("publish", "--help"))
    assert "--store" in result.stdout


def test_default_artefacts_of_an_installed_package(tool, out: Path, home: Path, tmp_path: Path) -> None:
    """Installed (no checkout around), artefacts go to $XDG_DATA_HOME/ccds-crosswalk, by default
    ~/.local/share/ccds-crosswalk."""
    default = home / ".local" / "share" / "ccds-crosswalk"
    refused = tool("serve", "--no-build")  # nothing built there yet: the message names the place
    assert refused.returncode != 0
    assert str(default) in refused.stderr
    assert not default.exists()
    xdg = tmp_path / "xdg"
    shutil.copytree(out, xdg / "ccds-crosswalk")
    result = ok(tool("query", "crosswalk", "--format", "csv", env_more={"XDG_DATA_HOME": str(xdg)}))
    assert len(crosswalk_rows(result.stdout)) == 494
    assert "[build]" not in result.stderr


@pytest.fixture(scope="module")
def served(venv: Path, out: Path, elsewhere: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    log = elsewhere / "serve.log"
    command = [str(venv / "bin" / "ccds-crosswalk"), "serve", "--out", str(out), "--port", str(port)]
    process = subprocess.Popen(command, cwd=elsewhere, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the installed server did not answer in 60 s"
            try:
                if httpx.get(f"{url}/sparql", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_serve_answers_sparql(served: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?r a <https://w3id.org/ccds-crosswalk/ontology#MappingRecord> }"
    response = httpx.get(f"{served}/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30)
    assert response.status_code == 200
    assert response.text.split() == ["n", "494"]


def test_serve_dereferences_an_item(served: str) -> None:
    # UK1 (line 4536 of data/source/appendix.txt) "デフォルトパスワードを使 / 用しない" (4537, 4539)
    response = httpx.get(f"{served}/id/uk-cop/UK1", headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 303
    page = httpx.get(f"{served}{response.headers['location']}", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert "デフォルトパスワードを使用しない" in page.text


def test_serve_publishes_the_source_text(served: str) -> None:
    response = httpx.get(f"{served}/source/appendix.txt", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.content == (ROOT / "data" / "source" / "appendix.txt").read_bytes()
