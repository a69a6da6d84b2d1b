"""Debian's Apache Jena (libapache-jena-java 4.5.0) as a command-line client for the tests: `riot` and
`arq.rsparql` run with `java -cp` on a class path built from the package's jars in /usr/share/java.

Two repairs the Debian package needs (issue 13):
- exactly one slf4j binding (slf4j-simple); the package pulls in log4j-over-slf4j and slf4j-log4j12 as well,
  which refuse to start together, so neither is on the path;
- jena-core.jar relocates xerces to the package `xerces.*` but keeps its message bundles under
  org/apache/jena/ext/xerces/, where the code does not look for them: without them every run dies in
  XSDDatatype.<clinit> with "internal error". They are copied out to a folder on the path, under xerces/."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
# Jena's own jars and the libraries they use (the unversioned names Debian links to the current version)
JARS = [
    "jena-base",
    "jena-core",
    "jena-arq",
    "jena-iri",
    "jena-cmds",
    "jena-shacl",
    "jena-shex",
    "jena-rdfconnection",
    "jena-dboe-base",
    "jena-dboe-index",
    "jena-dboe-storage",
    "jena-dboe-trans-data",
    "jena-dboe-transaction",
    "jena-tdb",
    "jena-tdb2",
    "commons-cli",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "dexx.collection",
    "gson",
    "guava",
    "httpclient",
    "httpclient-cache",  # jsonld-java, the JSON-LD 1.0 reader
    "httpcore",
    "jackson-annotations",
    "jackson-core",
    "jackson-databind",
    "jakarta.json-api",
    "jsonld-java",
    "titanium-json-ld",
    "thrift",
    "protobuf",
    "jcl-over-slf4j",
    "slf4j-api",
    "slf4j-simple",  # the one binding
]
RELOCATED = "org/apache/jena/ext/xerces/"


def missing() -> str | None:
    """Why Jena cannot run here, or None."""
    if shutil.which("java") is None:
        return "no java (Debian package default-jre-headless)"
    absent = [name for name in JARS if not (JAVA_DIR / f"{name}.jar").exists()]
    if absent:
        return f"missing in {JAVA_DIR}: {', '.join(absent)} (Debian package libapache-jena-java)"
    return None


def classpath(workdir: Path) -> str:
    """The class path, with xerces' message bundles extracted under `workdir`."""
    bundles = workdir / "xerces-bundles"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(RELOCATED) and name.endswith(".properties"):
                target = bundles / "xerces" / name.removeprefix(RELOCATED)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ":".join([*(str(JAVA_DIR / f"{name}.jar") for name in JARS), str(bundles)])


def run(cp: str, main: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`java -cp … main args…`, output captured as text."""
    return subprocess.run(
        ["java", "-cp", cp, main, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
