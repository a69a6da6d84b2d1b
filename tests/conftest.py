"""Shared fixtures: one build of the release into a temporary folder per test session, and a real server
process (`ccds-crosswalk serve`) on a free loopback port, talked to over HTTP."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jena_cli
import pytest

from ccds_crosswalk.processes import free_port, stop
from ccds_crosswalk.release.pipeline import Built, compile_and_check, write_release
from ccds_crosswalk.settings import Limits, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/ccds-crosswalk/"


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("artefacts")


@pytest.fixture(scope="session")
def settings(artefacts: Path) -> Settings:
    return load_settings(artefacts_dir=artefacts, base_uri=BASE)


@pytest.fixture(scope="session")
def built(settings: Settings) -> Built:
    result = compile_and_check(settings, out=io.StringIO())
    write_release(settings, result, out=io.StringIO())
    return result


@pytest.fixture(scope="session")
def release_dir(settings: Settings, built: Built) -> Path:
    return settings.release_dir


def cli(artefacts: Path) -> list[str]:
    """The `ccds-crosswalk` command line on a given artefacts folder and the test base URI."""
    return [sys.executable, "-m", "ccds_crosswalk.cli", "--artefacts", str(artefacts), "--base-uri", BASE]


def start_server(
    artefacts: Path, *extra: str, timeout: float = 2.0, env: dict | None = None
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [
        *cli(artefacts),
        "serve",
        "--no-build",
        "--port",
        str(port),
        "--timeout",
        str(timeout),
        *extra,
    ]
    log = artefacts / f"server-{port}.log"  # a file, not a pipe: an unread pipe would block the server
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("wb"), env={**os.environ, **(env or {})}
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/sparql", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not become ready in 60 s")


def stop_server(process: subprocess.Popen) -> None:
    stop(process)


@pytest.fixture(scope="session")
def server(release_dir: Path, artefacts: Path) -> Iterator[str]:
    process, url = start_server(artefacts)
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def limits() -> Limits:
    return Limits()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """On CI every part the tests need is installed (scripts/install.sh --test), so a skip there means a
    missing install step hiding behind a green run: fail the run instead."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped — something the tests need is not installed")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def jena(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The classpath of Debian's Apache Jena command-line tools (tests/jena_cli.py)."""
    reason = jena_cli.missing()
    if reason:
        pytest.skip(reason)
    return jena_cli.classpath(tmp_path_factory.mktemp("jena"))
