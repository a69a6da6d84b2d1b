"""Start the real external triplestores the project is tested and benchmarked against, on loopback only:
the Oxigraph server (the PyPI `oxigraph` package's binary) and Virtuoso 7 (Debian `virtuoso-opensource-7`),
each with its data in a folder of the caller's. Used by tests/web/test_remote.py, benchmarks/ and .ci/run."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from ccds_crosswalk.processes import free_port, stop

__all__ = ["Store", "StoreUnavailable", "start_oxigraph", "start_virtuoso"]

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_VAD = Path("/usr/share/virtuoso-opensource-7/vad")


class StoreUnavailable(RuntimeError):
    """The store's program is not installed or did not start; the message says which and how to install it."""


@dataclass
class Store:
    name: str
    process: subprocess.Popen
    query: str  # SPARQL query endpoint
    graph_store: str  # Graph Store HTTP Protocol endpoint
    folder: Path

    def stop(self) -> None:
        stop(self.process)


def _wait(url: str, process: subprocess.Popen, name: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StoreUnavailable(f"{name} exited with code {process.returncode}")
        try:
            response = httpx.get(url, params={"query": "ASK {}"}, timeout=2)
            if response.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise StoreUnavailable(f"{name} did not answer at {url} within {seconds:g} s")


def start_oxigraph(folder: Path, port: int | None = None, union_default_graph: bool = False) -> Store:
    binary = shutil.which("oxigraph")
    if binary is None:
        raise StoreUnavailable("the Oxigraph server is missing: pip install oxigraph")
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    command = [binary, "serve", "--location", str(folder / "oxigraph"), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        command.append("--union-default-graph")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=(folder / "oxigraph.log").open("wb"))
    base = f"http://127.0.0.1:{port}"
    _wait(f"{base}/query", process, "oxigraph")
    return Store("oxigraph", process, f"{base}/query", f"{base}/store", folder)


def _virtuoso_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    ini = configparser.ConfigParser(strict=False, interpolation=None, inline_comment_prefixes=(";",))
    ini.optionxform = str  # type: ignore[assignment,method-assign]
    ini.read(VIRTUOSO_INI)
    db = folder / "db"
    db.mkdir(parents=True, exist_ok=True)
    for section, key, value in (
        ("Database", "DatabaseFile", db / "virtuoso.db"),
        ("Database", "ErrorLogFile", db / "virtuoso.log"),
        ("Database", "LockFile", db / "virtuoso.lck"),
        ("Database", "TransactionFile", db / "virtuoso.trx"),
        ("Database", "xa_persistent_file", db / "virtuoso.pxa"),
        ("TempDatabase", "DatabaseFile", db / "virtuoso-temp.db"),
        ("TempDatabase", "TransactionFile", db / "virtuoso-temp.trx"),
        ("Parameters", "ServerPort", f"127.0.0.1:{sql_port}"),
        ("Parameters", "DirsAllowed", f"., {VIRTUOSO_VAD}, {folder}"),
        ("Parameters", "NumberOfBuffers", 20000),
        ("Parameters", "MaxDirtyBuffers", 15000),
        ("HTTPServer", "ServerPort", f"127.0.0.1:{http_port}"),
        ("HTTPServer", "ServerRoot", "/var/lib/virtuoso-opensource-7/vsp"),
        ("HTTPServer", "ServerThreads", 20),
        ("HTTPServer", "MaxClientConnections", 20),
    ):
        ini[section][key] = str(value)
    if not ini.has_section("SPARQL"):
        ini.add_section("SPARQL")
    ini["SPARQL"]["ResultSetMaxRows"] = "100000"
    ini["SPARQL"]["MaxQueryExecutionTime"] = "30"
    ini["SPARQL"]["DefaultGraph"] = ""
    path = folder / "virtuoso.ini"
    with path.open("w") as handle:
        ini.write(handle)
    return path


def start_virtuoso(folder: Path, http_port: int | None = None) -> Store:
    """A private Virtuoso 7 bound to 127.0.0.1 (never the packaged service, which may listen on all interfaces).
    Its anonymous SPARQL user is granted update rights so the Graph Store Protocol works without a password
    on this loopback-only test instance."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None:
        raise StoreUnavailable("Virtuoso 7 is missing: apt-get install virtuoso-opensource-7")
    sql_port, http_port = free_port(), http_port or free_port()
    ini = _virtuoso_ini(folder, sql_port, http_port)
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "virtuoso.out").open("wb"),
    )
    base = f"http://127.0.0.1:{http_port}"
    _wait(f"{base}/sparql", process, "virtuoso")
    grants = (
        'GRANT SPARQL_UPDATE TO "SPARQL";\nGRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL";\n'
        "GRANT EXECUTE ON DB.DBA.L_O_LOOK TO \"SPARQL\";\nDB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);\n"
    )
    done = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba"],
        input=grants,
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        process.kill()
        raise StoreUnavailable(f"virtuoso: granting update rights failed: {done.stderr[-500:]}")
    return Store("virtuoso", process, f"{base}/sparql", f"{base}/sparql-graph-crud", folder)
