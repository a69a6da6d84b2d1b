"""crosswalk.sssom.tsv read by sssom-py (the SSSOM reference implementation): it parses and validates without
errors or logged warnings, reads back row by row as written, and its RDF form (sssom-py's own) states the same
subject, predicate, object and justification as the mapping records of our graph.

Warnings: pytest turns warnings into errors. sssom-py itself sets a pandas option that pandas 3 deprecates
(Pandas4Warning, a DeprecationWarning) on import; pyproject already ignores DeprecationWarning, so no extra filter
is needed here, and nothing else is filtered."""

from __future__ import annotations

import csv
import logging
import math
import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ccds_crosswalk import iris
from ccds_crosswalk.release.pipeline import Built
from ccds_crosswalk.settings import Settings

sssom_parsers = pytest.importorskip("sssom.parsers")
sssom_writers = pytest.importorskip("sssom.writers")
sssom_validators = pytest.importorskip("sssom.validators")

SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
ID_COLUMNS = (
    "record_id",
    "subject_id",
    "subject_source",
    "predicate_id",
    "object_id",
    "object_source",
    "mapping_justification",
)


def read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Our own reading of the file: the '#' metadata lines and the table, with the csv module only."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    meta = [line[1:].rstrip("\n") for line in lines if line.startswith("#")]
    table = [line for line in lines if not line.startswith("#")]
    return meta, list(csv.DictReader(table, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def tsv(release_dir: Path) -> Path:
    return release_dir / "crosswalk.sssom.tsv"


@pytest.fixture(scope="module")
def msdf(tsv: Path):
    return sssom_parsers.parse_sssom_table(tsv)


def mapping_records(built: Built, base: str) -> set[URIRef]:
    return set(built.asserted.subjects(RDF.type, iris.ontology_ns(base).MappingRecord))


def test_parses_and_validates_without_errors_or_warnings(tsv: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        parsed = sssom_parsers.parse_sssom_table(tsv)
        reports = sssom_validators.validate(parsed, fail_on_error=False)
    assert reports, "sssom-py ran no validator"
    for kind, report in reports.items():
        assert report.results == [], (kind, report.results[:3])
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == [], [r.getMessage() for r in logged]


def test_metadata(msdf, settings: Settings, tsv: Path) -> None:
    base = settings.base_uri
    meta = msdf.metadata
    assert meta["mapping_set_id"] == f"{base}release/{settings.release}/crosswalk.sssom.tsv"
    assert meta["mapping_set_version"] == settings.release
    assert meta["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["mapping_set_title"]
    assert meta["creator_label"] == ["Connected Consumer Device Security Council (CCDS)"]
    # the curie map covers every prefix the table uses (and each expands to our URIs)
    _, rows = read_tsv(tsv)
    used = {row[c].split(":", 1)[0] for row in rows for c in ID_COLUMNS}
    prefix_map = msdf.converter.prefix_map
    assert used <= set(prefix_map), used - set(prefix_map)
    assert prefix_map["ukcop"] == f"{base}id/uk-cop/" and prefix_map["ccdsx"] == f"{base}ontology#"


def test_one_row_per_record_with_counts_from_the_source(tsv: Path, built: Built, settings: Settings) -> None:
    base = settings.base_uri
    _, rows = read_tsv(tsv)
    records = [URIRef(row["record_id"].replace("mapping:", f"{base}id/mapping/", 1)) for row in rows]
    assert len(records) == len(set(records))
    assert set(records) == mapping_records(built, base)
    per_source: dict[str, int] = {}
    for row in rows:
        per_source[row["subject_source"]] = per_source.get(row["subject_source"], 0) + 1
    # tables 2-1, 3-1, 4-1, 5-1 of the Appendix
    assert per_source == {"cwid:iotsg": 130, "cwid:cpsf": 292, "cwid:uk-cop": 62, "cwid:sb327": 10}
    assert {row["object_source"] for row in rows} == {"cwid:ccds"}
    assert {row["mapping_justification"] for row in rows} == {"semapv:ManualMappingCuration"}


def test_rows_from_the_source(tsv: Path) -> None:
    _, rows = read_tsv(tsv)
    by_record = {row["record_id"]: row for row in rows}
    # seed lines 4536-4547: UK1 デフォルトパスワードを使用しない → 6.2.1 SR2-SP-1 ※共通要件No.6
    uk1 = by_record["mapping:uk-cop/UK1/to/6.2.1/SR2-SP-1;common=6"]
    assert uk1["subject_id"] == "ukcop:UK1" and uk1["subject_label"] == "デフォルトパスワードを使用しない"
    assert uk1["predicate_id"] == "ccdsx:complianceConfirmedBy" and uk1["object_id"] == "ccds:SR2-SP-1"
    assert "SR2-SP-1" in uk1["comment"] and "共通要件No.6" in uk1["comment"]
    # line 4580: UK2 printed R2-8「サービス提供におけるインシデント対応」, which is R3-8 (erratum E21)
    uk2 = by_record["mapping:uk-cop/UK2/to/6.1/R2-8"]
    assert uk2["object_id"] == "ccds:R3-8" and uk2["object_label"] == "サービス提供におけるインシデント対応"
    assert "R2-8" in uk2["comment"] and "E21" in uk2["comment"]
    # line 1210-1225: CPS.AM-2 is printed 該当なし
    none = by_record["mapping:cpsf/CPS.AM-2/to/none"]
    assert none["object_id"] == "sssom:NoTermFound" and none["object_label"] == ""
    assert none["object_source"] == "cwid:ccds" and "該当なし" in none["comment"]


def test_reads_back_as_written(msdf, tsv: Path) -> None:
    _, rows = read_tsv(tsv)
    columns = list(rows[0])
    frame = msdf.df
    assert len(frame) == len(rows)
    read = {}
    for record in frame.to_dict(orient="records"):
        values = {c: record.get(c) for c in columns}
        values = {c: "" if v is None or (isinstance(v, float) and math.isnan(v)) else v for c, v in values.items()}
        read[values["record_id"]] = values
    for row in rows:
        assert read[row["record_id"]] == row, row["record_id"]


def test_rdf_form_agrees_with_our_records(msdf, built: Built, settings: Settings) -> None:
    base = settings.base_uri
    graph = sssom_writers.to_rdf_graph(msdf)
    ours = built.asserted
    records = mapping_records(built, base)
    axioms = set(graph.subjects(RDF.type, OWL.Axiom))
    assert axioms == records
    justification = URIRef(f"{SSSOM}mapping_justification")
    for record in records:
        for prop in (OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget, justification):
            assert set(graph.objects(record, prop)) == set(ours.objects(record, prop)), (record, prop)
        assert graph.value(record, justification) == URIRef(f"{SEMAPV}ManualMappingCuration")
        comment = graph.value(record, RDFS.comment)
        assert isinstance(comment, Literal) and str(comment).startswith("printed: ")
        errata = {str(e).rsplit("/", 1)[1] for e in ours.objects(record, iris.ontology_ns(base).erratum)}
        assert set(re.findall(r"E\d+", str(comment).partition("; erratum: ")[2])) == errata, record
