"""Orchestrates the build stages (see server/release/__init__.py) and reports per-stage timings."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rdflib import Graph, URIRef

from ccds_crosswalk import iris
from ccds_crosswalk.release import serialise
from ccds_crosswalk.release.compile import CompileError, compile_graph
from ccds_crosswalk.release.exports import exporters
from ccds_crosswalk.release.exports.etsi import etsi_graph, load_etsi
from ccds_crosswalk.release.load import Data, DataError, load_data, parse_turtle, require_utf8
from ccds_crosswalk.release.metadata import metadata_graph
from ccds_crosswalk.release.reason import ReasoningError, infer
from ccds_crosswalk.release.render import render_site
from ccds_crosswalk.release.validate import (
    Report,
    ValidationFailed,
    load_shapes,
    report_graph,
    require_valid,
    run_shapes,
)
from ccds_crosswalk.release.vocab import bind_all
from ccds_crosswalk.settings import Settings

__all__ = [
    "BuildError",
    "Built",
    "check",
    "compile_and_check",
    "input_fingerprint",
    "is_stale",
    "load_ontology",
    "run_build",
    "write_release",
]

INPUT_DIRS = ("data", "ontology", "shapes")
BuildError = (DataError, CompileError, ReasoningError, ValidationFailed)  # what a maintainer's data can cause


@dataclass(frozen=True)
class Built:
    data: Data
    asserted: Graph
    ontology: Graph
    inferred: Graph
    report: Report
    timings: dict[str, float]


@contextmanager
def _stage(name: str, timings: dict[str, float], out: TextIO) -> Iterator[None]:
    out.write(f"[build] {name} …\n")
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start
    out.write(f"[build] {name} done in {timings[name]:.2f} s\n")


def input_fingerprint(settings: Settings) -> str:
    """SHA-256 over every input file and the build code (with iris.py and formats.py): a change to any of them
    makes artefacts stale."""
    digest = hashlib.sha256()
    code = Path(__file__).resolve().parent
    paths = [p for d in INPUT_DIRS for p in (settings.root / d).rglob("*") if p.is_file()]
    paths += [*code.rglob("*.py"), code.parent / "iris.py", code.parent / "formats.py"]  # and what it imports
    paths += [p for p in (code.parent / "web").rglob("*") if p.is_file() and "__pycache__" not in p.parts]  # render
    for path in sorted(paths):
        digest.update(
            str(path.relative_to(settings.root) if path.is_relative_to(settings.root) else path.name).encode()
        )
        digest.update(path.read_bytes())
    digest.update(settings.base_uri.encode())
    digest.update(settings.release.encode())
    return digest.hexdigest()


def load_ontology(settings: Settings) -> Graph:
    graph = bind_all(Graph(), settings.base_uri)
    for path in sorted(settings.ontology_dir.glob("*.ttl")):
        parse_turtle(graph, path, path.read_text(encoding="utf-8"), settings.base_uri)
    return graph


def _compile(settings: Settings, timings: dict[str, float], out: TextIO) -> tuple[Data, Graph, Graph]:
    """Stages 1 and 2: the records of data/, the asserted graph and the ontology."""
    base = settings.base_uri
    with _stage("load", timings, out):
        require_utf8(p for d in INPUT_DIRS for p in (settings.root / d).rglob("*"))
        data = load_data(settings.data_dir)
        ontology = load_ontology(settings)
    with _stage("compile", timings, out):
        asserted = compile_graph(base, data)
        # typed, sourced links from ETSI EN 303 645 provision groups to the UK guidelines they derive from
        asserted += etsi_graph(base, load_etsi(settings.data_dir / "etsi.csv"), data.items)
    return data, asserted, ontology


def _validate(settings: Settings, asserted: Graph, ontology: Graph, timings: dict[str, float], out: TextIO) -> Report:
    with _stage("validate", timings, out):
        report = run_shapes(asserted + ontology, load_shapes(settings.shapes_dir, settings.base_uri), settings.base_uri)
        out.write(report.text().splitlines()[0] + "\n")
    return report


def check(settings: Settings, out: TextIO = sys.stderr) -> Report:
    """`ccds-crosswalk validate`: the build's own load, compile and validate stages, without reasoning or writing."""
    timings: dict[str, float] = {}
    _, asserted, ontology = _compile(settings, timings, out)
    return _validate(settings, asserted, ontology, timings, out)


def compile_and_check(settings: Settings, out: TextIO = sys.stderr) -> Built:
    timings: dict[str, float] = {}
    data, asserted, ontology = _compile(settings, timings, out)
    with _stage("reason", timings, out):
        inferred = infer(settings.base_uri, asserted + ontology)
    report = _validate(settings, asserted, ontology, timings, out)
    require_valid(report)
    return Built(data, asserted, ontology, inferred, report, timings)


def write_release(settings: Settings, built: Built, out: TextIO = sys.stderr) -> Path:
    base, directory = settings.base_uri, settings.release_dir
    staging = directory.with_name(directory.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with _stage("serialise", built.timings, out):
        graphs: dict[URIRef, Graph] = {
            iris.graph(base, "data"): built.asserted,
            iris.graph(base, "inferred"): built.inferred,
            iris.graph(base, "ontology"): built.ontology,
        }
        artefacts = serialise.write_graph_dumps(staging, "crosswalk", built.asserted, base, "The crosswalk (asserted)")
        artefacts += serialise.write_graph_dumps(
            staging, "crosswalk-inferred", built.inferred, base, "Entailments of the crosswalk (OWL 2 RL)"
        )
        artefacts += serialise.write_graph_dumps(staging, "ontology", built.ontology, base, "The ccdsx ontology")
        artefacts += serialise.write_dataset_dumps(
            staging, "crosswalk-graphs", graphs, base, "Asserted, inferred and ontology named graphs"
        )
        shapes = load_shapes(settings.shapes_dir, base)
        artefacts += serialise.write_with_companions(
            staging / "shapes.ttl", serialise.graph_text(bind_all(shapes, base), "ttl", base), "SHACL shapes"
        )
        artefacts += serialise.write_with_companions(
            staging / "validation-report.ttl", _report_text(built.report, base), "SHACL validation report"
        )
        artefacts += serialise.write_context(staging, base)
        artefacts += serialise.write_source_text(staging, settings.data_dir / serialise.SOURCE_TEXT)
        for exporter in exporters():
            artefacts += exporter(settings, built, staging)
        void = metadata_graph(base, settings.release, settings.data_dir / "sources.csv", built.asserted, artefacts)
        serialise.write_with_companions(
            staging / "void.ttl", serialise.graph_text(void, "ttl", base), "VoID and DCAT description"
        )
        serialise.write_checksums(staging, artefacts)
        serialise.write_manifest(
            staging,
            artefacts,
            {
                "release": settings.release,
                "base_uri": base,
                "fingerprint": input_fingerprint(settings),
                "triples": {
                    "data": len(built.asserted),
                    "inferred": len(built.inferred),
                    "ontology": len(built.ontology),
                },
            },
        )
    with _stage("render", built.timings, out):
        manifest = json.loads((staging / "manifest.json").read_text(encoding="utf-8"))
        sums = render_site(settings, staging, manifest)
        out.write(f"[build] {len(sums)} files in {staging.name}/site\n")
    shutil.rmtree(directory, ignore_errors=True)
    staging.rename(directory)
    return directory


def _report_text(report: Report, base: str) -> str:
    return serialise.graph_text(report_graph(report, base), "ttl", base)


def run_build(settings: Settings, out: TextIO = sys.stderr) -> Path:
    started = time.perf_counter()
    built = compile_and_check(settings, out)
    directory = write_release(settings, built, out)
    total = time.perf_counter() - started
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in built.timings.items())
    out.write(f"[build] release {settings.release} written to {directory} in {total:.2f} s ({stages})\n")
    return directory


def is_stale(settings: Settings) -> bool:
    manifest = settings.release_dir / "manifest.json"
    if not manifest.exists():
        return True
    return json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint") != input_fingerprint(settings)
