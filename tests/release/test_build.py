"""The release build: reproducible to the byte, every artefact reads back as the graph it was written from,
companions (gzip, checksums, manifest, VoID/DCAT) describe the files truthfully, the JSON-LD uses the published
context, and data that violates a shape fails the build with a readable report and leaves the artefacts alone."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from ccds_crosswalk import iris
from ccds_crosswalk.release.pipeline import Built, input_fingerprint, run_build
from ccds_crosswalk.release.validate import ValidationFailed, load_shapes, report_graph
from ccds_crosswalk.settings import Settings, load_settings
from conftest import cli

ROOT = Path(__file__).resolve().parents[2]
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
GRAPH_FORMATS = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}
# files that describe the release rather than being its distributions
RELEASE_METADATA = {"manifest.json", "SHA256SUMS", "void.ttl", "void.ttl.gz", "site", "site.json"}
Completed = subprocess.CompletedProcess


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def manifest(release_dir: Path) -> dict:
    return json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))


def assert_same_graph(parsed: Graph, expected: Graph, what: str) -> None:
    """Equal triple sets where there are no blank nodes (with a readable difference), isomorphic otherwise."""
    if any(isinstance(term, BNode) for graph in (parsed, expected) for triple in graph for term in triple):
        assert len(parsed) == len(expected), what
        assert isomorphic(parsed, expected), what
        return
    extra, missing = set(parsed) - set(expected), set(expected) - set(parsed)
    assert (sorted(extra)[:5], sorted(missing)[:5]) == ([], []), what


# ------------------------------------------------------------------ reproducible


@pytest.fixture(scope="module")
def second_release(tmp_path_factory: pytest.TempPathFactory, settings: Settings, release_dir: Path) -> Path:
    """The same release built again by the command line, in another folder, with another hash seed."""
    artefacts = tmp_path_factory.mktemp("second-build")
    seed = "4242" if os.environ.get("PYTHONHASHSEED") != "4242" else "2424"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("CCDS_ARTEFACTS", None)
    command = [*cli(artefacts), "build"]  # the test base URI, settings.base_uri
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"release {settings.release} written to" in done.stderr
    return artefacts / "release" / settings.release


@pytest.mark.slow
def test_second_build_is_byte_identical(release_dir: Path, second_release: Path) -> None:
    first, second = files(release_dir), files(second_release)
    assert sorted(first) == sorted(second)
    assert len(first) > 60
    different = [name for name in first if first[name] != second[name]]
    assert different == []


# ------------------------------------------------------------------ every artefact reads back


@pytest.mark.parametrize("extension", sorted(GRAPH_FORMATS))
@pytest.mark.parametrize(
    ("stem", "graph"), [("crosswalk", "asserted"), ("crosswalk-inferred", "inferred"), ("ontology", "ontology")]
)
def test_graph_dump_reads_back(stem: str, graph: str, extension: str, built: Built, release_dir: Path) -> None:
    parsed = Graph().parse(release_dir / f"{stem}.{extension}", format=GRAPH_FORMATS[extension])
    expected = getattr(built, graph)
    assert len(expected) > 100
    assert_same_graph(parsed, expected, f"{stem}.{extension}")


@pytest.mark.parametrize(("extension", "rdf_format"), [("trig", "trig"), ("nq", "nquads")])
def test_dataset_dump_keeps_the_graphs_apart(
    extension: str, rdf_format: str, built: Built, release_dir: Path, settings: Settings
) -> None:
    dataset = Dataset()
    dataset.parse(release_dir / f"crosswalk-graphs.{extension}", format=rdf_format)
    base = settings.base_uri
    expected = {
        iris.graph(base, "data"): built.asserted,
        iris.graph(base, "inferred"): built.inferred,
        iris.graph(base, "ontology"): built.ontology,
    }
    named = {g.identifier: g for g in dataset.graphs() if len(g)}
    assert set(named) == set(expected)
    assert len(dataset.default_context) == 0
    for name, graph in expected.items():
        assert_same_graph(named[name], graph, f"crosswalk-graphs.{extension} {name}")


def test_shapes_and_report_read_back(built: Built, release_dir: Path, settings: Settings) -> None:
    base = settings.base_uri
    assert_same_graph(Graph().parse(release_dir / "shapes.ttl"), load_shapes(settings.shapes_dir, base), "shapes")
    report = Graph().parse(release_dir / "validation-report.ttl")
    assert_same_graph(report, report_graph(built.report, base), "validation report")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    assert (URIRef(f"{base}validation-report"), sh.conforms, Literal(True)) in report
    assert len(set(report.subjects(RDF.type, sh.ValidationResult))) == 12  # the resolved contradictions


# ------------------------------------------------------------------ companions


def test_gzip_decompresses_to_the_file(release_dir: Path) -> None:
    packed = sorted(release_dir.glob("*.gz"))
    plain = {p.name for p in release_dir.iterdir() if p.is_file() and not p.name.endswith((".gz", ".sha256"))}
    assert {p.name.removesuffix(".gz") for p in packed} == plain - {"manifest.json", "SHA256SUMS", "site.json"}
    for path in packed:
        data = path.read_bytes()
        assert data[4:8] == b"\0\0\0\0", f"{path.name}: gzip mtime must be 0"
        assert gzip.decompress(data) == path.with_suffix("").read_bytes(), path.name


def test_sha256_companions_match(release_dir: Path) -> None:
    companions = sorted(release_dir.glob("*.sha256"))
    described = {p.name.removesuffix(".sha256") for p in companions}
    distributions = {f["name"] for f in manifest(release_dir)["files"]}
    assert described == distributions | {"void.ttl", "void.ttl.gz"}
    for path in companions:
        target = release_dir / path.name.removesuffix(".sha256")
        assert path.read_text(encoding="utf-8") == f"{sha256(target)}  {target.name}\n"


def test_sha256sums_match(release_dir: Path) -> None:
    lines = (release_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    entries = [re.fullmatch(r"([0-9a-f]{64})  (\S+)", line) for line in lines]
    assert all(entries), lines
    listed = {m.group(2): m.group(1) for m in entries if m}
    assert len(listed) == len(lines)
    assert set(listed) == {f["name"] for f in manifest(release_dir)["files"]}
    for name, digest in listed.items():
        assert sha256(release_dir / name) == digest, name


def test_manifest_lists_every_file(built: Built, release_dir: Path, settings: Settings) -> None:
    content = manifest(release_dir)
    entries = content["files"]
    names = [f["name"] for f in entries]
    assert names == sorted(names) and len(names) == len(set(names))
    on_disk = {p.name for p in release_dir.iterdir()}
    companions = {n for n in on_disk if n.endswith(".sha256")}
    assert set(names) == on_disk - companions - RELEASE_METADATA
    for entry in entries:
        path = release_dir / entry["name"]
        assert entry["size"] == path.stat().st_size, entry["name"]
        assert entry["sha256"] == sha256(path), entry["name"]
        assert entry["media_type"] and entry["description"], entry
    assert content["release"] == settings.release and content["base_uri"] == settings.base_uri
    assert content["triples"] == {
        "data": len(built.asserted),
        "inferred": len(built.inferred),
        "ontology": len(built.ontology),
    }
    assert content["fingerprint"] == input_fingerprint(settings)
    for stem in ("crosswalk", "crosswalk-inferred", "ontology"):
        for extension in (*GRAPH_FORMATS, *(f"{e}.gz" for e in GRAPH_FORMATS)):
            assert f"{stem}.{extension}" in names


def test_void_describes_each_distribution(built: Built, release_dir: Path, settings: Settings) -> None:
    base = settings.base_uri
    void = Graph().parse(release_dir / "void.ttl")
    release = iris.release(base, settings.release)
    entries = {f["name"]: f for f in manifest(release_dir)["files"]}
    distributions = set(void.objects(release, DCAT.distribution))
    assert {str(d).rsplit("/", 1)[1] for d in distributions} == set(entries)
    for node in distributions:
        name = str(node).rsplit("/", 1)[1]
        path = release_dir / name
        assert node == iris.distribution(base, settings.release, name)
        assert (node, RDF.type, DCAT.Distribution) in void
        assert (node, DCAT.downloadURL, node) in void
        size = void.value(node, DCAT.byteSize)
        assert size == Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger), name
        checksum = void.value(node, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert void.value(checksum, SPDX.checksumValue) == Literal(sha256(path), datatype=XSD.hexBinary), name
        assert void.value(node, DCAT.mediaType) == URIRef(
            "https://www.iana.org/assignments/media-types/" + entries[name]["media_type"]
        )
        assert void.value(node, DCTERMS.format) == Literal(entries[name]["media_type"])
    assert void.value(release, VOID.triples) == Literal(len(built.asserted), datatype=XSD.integer)
    dumps = {str(d).rsplit("/", 1)[1] for d in void.objects(release, VOID.dataDump)}
    assert {"crosswalk.nt", "crosswalk.ttl"} <= dumps <= set(entries)


# ------------------------------------------------------------------ JSON-LD


@pytest.mark.parametrize("name", ["crosswalk.jsonld", "crosswalk-inferred.jsonld", "ontology.jsonld"])
def test_jsonld_uses_the_published_context_and_compact_keys(name: str, release_dir: Path) -> None:
    published = json.loads((release_dir / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    document = json.loads((release_dir / name).read_text(encoding="utf-8"))
    assert set(document) == {"@context", "@graph"}
    assert document["@context"] == published
    prefixes = {k: v for k, v in published.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    terms = {
        k: (v["@id"] if isinstance(v, dict) else v)
        for k, v in published.items()
        if not k.startswith("@") and k not in prefixes
    }
    term_iris = {
        prefixes[t.split(":")[0]] + t.split(":", 1)[1] if ":" in t and t.split(":")[0] in prefixes else t
        for t in terms.values()
    }
    for node in document["@graph"]:
        assert "id" in node and not any(key.startswith(("@", "http")) for key in node), node
        for key in node:
            if key in terms:
                continue
            prefix, _, local = key.partition(":")
            assert prefix in prefixes and local, f"{name}: key {key!r} is neither a term nor a compact IRI"
            assert prefixes[prefix] + local not in term_iris, f"{name}: {key!r} should use its term"


def test_jsonld_reads_as_a_user_expects(release_dir: Path, settings: Settings) -> None:
    document = json.loads((release_dir / "crosswalk.jsonld").read_text(encoding="utf-8"))
    nodes = {node["id"]: node for node in document["@graph"]}
    uk1 = nodes["ukcop:UK1"]
    assert uk1["prefLabel"] == {"en": "No default passwords", "ja": "デフォルトパスワードを使用しない"}
    assert uk1["notation"] == "UK1"
    # seed lines 4536-4568: UK1 → SR2-SP-1, SR2-PP-1, SR2-H-1, SR2-D-1
    assert sorted(uk1["complianceConfirmedBy"]) == ["ccds:SR2-D-1", "ccds:SR2-H-1", "ccds:SR2-PP-1", "ccds:SR2-SP-1"]
    record = nodes["mapping:uk-cop/UK1/to/6.2.1/SR2-SP-1;common=6"]
    assert record["subject"] == "ukcop:UK1" and record["object"] == "ccds:SR2-SP-1"
    assert record["printedSection"] == "6.2.1" and record["noCorrespondence"] is False
    assert record["sourceLine"] == 4547


# ------------------------------------------------------------------ a violating change fails the build


def copy_inputs(root: Path, *extra: str) -> None:
    for name in ("data", "ontology", "shapes", *extra):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))


def edit_row(path: Path, match: dict[str, str], change: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    hits = [row for row in rows if all(row[k] == v for k, v in match.items())]
    assert len(hits) == 1, hits
    hits[0].update(change)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


UK1_SP = {"subject": "UK1", "section": "6.2.1", "item": "SR2-SP-1"}
BREAKS = {
    # SR2-SP-1 (platform, 6.2.1) printed under 6.2.2 with no erratum to explain it
    "cited-section": (
        UK1_SP,
        {"section": "6.2.2"},
        "uk-cop/UK1/to/6.2.2/SR2-SP-1;common=6",
        "SR2-SP-1 is cited under section 6.2.2, which is not its component's section (or the ID has no "
        "valid level/component), and no resolved erratum explains it: add one to data/errata.csv.",
    ),
    # the resolved target changed by hand (SR2-SP-1 is printed, SR2-PP-1 claimed) with no erratum to explain it
    "unexplained-target": (
        UK1_SP,
        {"target": "SR2-PP-1"},
        "uk-cop/UK1/to/6.2.1/SR2-SP-1;common=6",
        "6.2.1 SR2-SP-1 is printed but the record's target is SR2-PP-1, and no resolved erratum of the record "
        "resolves it to that: restore the printed target in the 'target' column, or add a resolved erratum to "
        "data/errata.csv whose 'resolved' is SR2-PP-1 and list it in the row's 'erratum'.",
    ),
    # the row no longer says where it is printed
    "no-line": (
        UK1_SP,
        {"line": ""},
        "uk-cop/UK1/to/6.2.1/SR2-SP-1;common=6",
        "A mapping record must say where it is printed: fill the 'line' column with the line of the source text.",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BREAKS))
def test_violating_change_fails_the_build_and_writes_nothing(
    case: str, tmp_path: Path, release_dir: Path, settings: Settings
) -> None:
    match, change, record, message = BREAKS[case]
    root = tmp_path / "checkout"
    copy_inputs(root)
    edit_row(root / "data" / "mappings" / "uk-cop.csv", match, change)
    broken = load_settings(base_uri=settings.base_uri, artefacts_dir=tmp_path / "artefacts", root=root)
    # a previous release is in place: a failed build must leave it as it was
    previous = broken.release_dir
    shutil.copytree(release_dir, previous)
    before = files(broken.artefacts_dir)
    log = io.StringIO()
    with pytest.raises(ValidationFailed) as failure:
        run_build(broken, out=log)
    report = str(failure.value).splitlines()
    assert report[0] == "1 violation(s), 12 warning(s)"
    assert report[1] == f"  Violation: <{settings.base_uri}id/mapping/{record}>: {message}"
    assert all(line.startswith("  Warning: ") for line in report[2:])
    assert "[build] validate …" in log.getvalue() and "1 violation(s), 12 warning(s)" in log.getvalue()
    assert "serialise" not in log.getvalue()
    assert files(broken.artefacts_dir) == before
    assert sorted(p.name for p in (broken.artefacts_dir / "release").iterdir()) == [settings.release]


@pytest.fixture(scope="module")
def failed_cli_build(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> tuple[Path, Completed]:
    """`ccds-crosswalk build` in a copy of the checkout whose uk-cop table cites SR2-SP-1 under 6.2.2."""
    root = tmp_path_factory.mktemp("cli-checkout")
    copy_inputs(root, "queries")
    match, change, _, _ = BREAKS["cited-section"]
    edit_row(root / "data" / "mappings" / "uk-cop.csv", match, change)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCDS_")}
    done = subprocess.run(
        [*cli(root / "artefacts"), "--sources", str(root), "build"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return root, done


@pytest.mark.slow
def test_cli_build_fails_with_the_report(failed_cli_build: tuple[Path, Completed], settings: Settings) -> None:
    root, done = failed_cli_build
    assert done.returncode != 0
    _, _, record, message = BREAKS["cited-section"]
    assert f"Violation: <{settings.base_uri}id/mapping/{record}>: {message}" in done.stderr
    assert "1 violation(s), 12 warning(s)" in done.stderr
    assert not (root / "artefacts").exists()


@pytest.mark.slow
def test_cli_build_failure_is_a_report_not_a_traceback(failed_cli_build: tuple[Path, Completed]) -> None:
    _, done = failed_cli_build
    assert "Traceback" not in done.stderr
