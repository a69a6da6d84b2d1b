"""Every canned query (queries/*.rq) run on the built release (server.queries.run_local, pyoxigraph), its answer
compared with what the source says.

Expected values come from the curated tables read here with the csv module (data/, itself checked against the
source text by tests/data/test_source.py), from the source text itself where that is simple (the 該当なし rows),
and from literal values read off the source (seed line numbers in the comments) — never from the query engine.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest
from rdflib import URIRef
from rdflib.namespace import OWL, SKOS

from ccds_crosswalk import iris
from ccds_crosswalk.queries import canned_queries, run_local
from ccds_crosswalk.release.pipeline import Built
from ccds_crosswalk.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
QUERIES = ROOT / "queries"
SEED = DATA / "source" / "appendix.txt"
CHAPTERS = {"iotsg": "2", "cpsf": "3", "uk-cop": "4", "sb327": "5"}  # Appendix chapters, tables 2-1 … 5-1
NOTATION = {"iotsg": "IoT-SG", "cpsf": "CPSF", "uk-cop": "UK-CoP", "sb327": "SB-327", "ccds": "CCDS"}
ROWS = {"IoT-SG": 130, "CPSF": 292, "UK-CoP": 62, "SB-327": 10}  # printed rows of tables 2-1, 3-1, 4-1, 5-1
# seed lines 4536-4568: UK1 デフォルトパスワードを使用しない → four SR*-1「共通要件への対応」※共通要件 No.6
UK1_TARGETS = [("6.2.1", "SR2-SP-1"), ("6.2.2", "SR2-PP-1"), ("6.2.3", "SR2-H-1"), ("6.2.4", "SR2-D-1")]
CROSSWALK_COLUMNS = [
    "framework",
    "externalId",
    "statement",
    "externalTitle",
    "section",
    "item",
    "targetTitle",
    "noCorrespondence",
    "qualifier",
    "relation",
    "target",
    "erratum",
    "record",
]


# ------------------------------------------------------------------ the tables, read directly


@cache
def table(relative: str) -> tuple[dict[str, str], ...]:
    with (DATA / relative).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@cache
def items(scheme: str) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in table(f"items/{scheme}.csv")}


def subject_of(scheme: str, row: dict[str, str]) -> str:
    """The item a row maps: the bullet statement where the requirement is split, else the printed subject."""
    statement = f"{row['subject']}/{row['statement']}"
    return statement if statement in items(scheme) else row["subject"]


def external_id(scheme: str, local: str) -> str:
    item = items(scheme)[local]
    return item["notation"] or items(scheme)[item["parent"]]["notation"]


@cache
def records() -> tuple[dict[str, str], ...]:
    """Every printed row in the Appendix's order, with its scheme and derived subject."""
    out = []
    for scheme in CHAPTERS:
        for row in table(f"mappings/{scheme}.csv"):
            out.append({**row, "scheme": scheme, "local": subject_of(scheme, row)})
    return tuple(out)


def section_of(target: str) -> str:
    """The CCDS section a target is or belongs to."""
    item = items("ccds")[target]
    return target if item["kind"] in ("section", "chapter") else item["parent"]


# ------------------------------------------------------------------ running the canned queries


def select(settings: Settings, name: str, values: tuple[str, str] | None = None) -> list[dict[str, str]]:
    """Run queries/<name>.rq (optionally with one VALUES binding replaced) and return rows of plain values."""
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    if values:
        old, new = values
        assert text.count(old) == 1, f"{name}.rq has no single {old!r} to replace"
        text = text.replace(old, new)
    results = json.loads(run_local(text, settings, "json"))
    return [{var: binding["value"] for var, binding in row.items()} for row in results["results"]["bindings"]]


@pytest.fixture(scope="module")
def crosswalk(settings: Settings, release_dir: Path) -> list[dict[str, str]]:
    return select(settings, "crosswalk")


def test_every_canned_query_is_tested() -> None:
    tested = {
        "crosswalk",
        "no-correspondence",
        "coverage-matrix",
        "requirements-by-component",
        "errata",
        "cross-framework",
        "item-mappings",
        "corrected-crosswalk",
        "frameworks",
    }
    assert {q.name for q in canned_queries(QUERIES)} == tested


# ------------------------------------------------------------------ crosswalk.rq


def test_crosswalk_has_one_row_per_printed_row(crosswalk: list[dict[str, str]]) -> None:
    assert len(crosswalk) == 494
    assert Counter(r["framework"] for r in crosswalk) == ROWS
    assert len({r["record"] for r in crosswalk}) == 494


def test_crosswalk_rows_are_the_tables_in_source_order(crosswalk: list[dict[str, str]], settings: Settings) -> None:
    base = settings.base_uri
    expected = []
    for row in records():
        scheme = row["scheme"]
        none = row["no_correspondence"] == "true"
        expected.append(
            {
                "framework": NOTATION[scheme],
                "externalId": external_id(scheme, row["local"]),
                "statement": row["statement"],
                "externalTitle": items(scheme)[row["local"]]["title_ja"],
                "section": row["section"],
                "item": row["item"],
                "targetTitle": row["item_title"],
                "noCorrespondence": "true" if none else "false",
                "qualifier": row["qualifier"],
                "relation": next(f["relation"] for f in table("frameworks.csv") if f["scheme"] == scheme),
                "target": "" if none else str(iris.item(base, "ccds", row["target"])),
                "erratum": sorted(e for e in row["erratum"].split(";") if e),
            }
        )
    got = [
        {
            **{k: r.get(k, "") for k in expected[0]},
            "relation": r["relation"].rsplit("#", 1)[-1],
            "erratum": sorted(r.get("erratum", "").split()),
        }
        for r in crosswalk
    ]
    assert len(got) == len(expected)
    for index, (have, want) in enumerate(zip(got, expected, strict=True)):
        assert have == want, index


def test_crosswalk_columns_and_uk1(crosswalk: list[dict[str, str]], settings: Settings) -> None:
    results = json.loads(run_local((QUERIES / "crosswalk.rq").read_text(encoding="utf-8"), settings, "json"))
    assert results["head"]["vars"] == CROSSWALK_COLUMNS
    uk1 = [r for r in crosswalk if r["externalId"] == "UK1"]
    assert [(r["section"], r["item"]) for r in uk1] == UK1_TARGETS
    for row in uk1:
        assert row["framework"] == "UK-CoP" and row["statement"] == "1" and row["noCorrespondence"] == "false"
        assert row["externalTitle"] == "デフォルトパスワードを使用しない"
        assert row["targetTitle"] == "共通要件への対応"
        assert re.sub(r"[\s※]", "", row["qualifier"]) == "共通要件No.6"
    first = uk1[0]
    assert first["target"] == str(iris.item(settings.base_uri, "ccds", "SR2-SP-1"))
    assert first["relation"] == str(iris.ontology_ns(settings.base_uri).complianceConfirmedBy)


def test_crosswalk_keeps_rows_with_two_errata_once(crosswalk: list[dict[str, str]]) -> None:
    # UK6 6.2.3 SR2-D-1 carries E09 and E13; UK3 6.1 R2-7 carries E07 and E20 (data/mappings/uk-cop.csv)
    uk6 = [r for r in crosswalk if r["externalId"] == "UK6" and r.get("item") == "SR2-D-1"]
    assert len(uk6) == 1 and sorted(uk6[0]["erratum"].split()) == ["E09", "E13"]
    uk3 = [r for r in crosswalk if r["externalId"] == "UK3" and r.get("item") == "R2-7"]
    assert len(uk3) == 1 and sorted(uk3[0]["erratum"].split()) == ["E07", "E20"]


# ------------------------------------------------------------------ no-correspondence.rq


@cache
def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def seed_chapters() -> dict[str, range]:
    """Chapter n of the Appendix runs from its heading ('n 「…」との関係', seed lines 28, 1165, 4517, 4976)
    to the next heading."""
    lines = seed_lines()
    starts = [i + 1 for i, line in enumerate(lines) if re.match(r"^\s*[2-5] .*との関係\s*$", line)]
    assert len(starts) == 4
    ends = [*[s - 1 for s in starts[1:]], len(lines)]
    return {scheme: range(start, end + 1) for scheme, start, end in zip(CHAPTERS, starts, ends, strict=True)}


def test_no_correspondence_lists_exactly_the_gaitou_nashi_rows(settings: Settings, release_dir: Path) -> None:
    printed = [n for n, line in enumerate(seed_lines(), start=1) if "該当なし" in line]
    assert all(line.count("該当なし") == 1 for line in seed_lines() if "該当なし" in line)
    per_chapter = {scheme: [n for n in printed if n in lines] for scheme, lines in seed_chapters().items()}
    assert {scheme: len(found) for scheme, found in per_chapter.items()} == {
        "iotsg": 0,
        "cpsf": 32,
        "uk-cop": 0,
        "sb327": 0,
    }
    rows = select(settings, "no-correspondence")
    assert len(rows) == 32
    assert [int(r["line"]) for r in rows] == printed  # ordered by framework, then line
    assert {r["framework"] for r in rows} == {"CPSF"}
    expected = [
        (external_id("cpsf", r["local"]), r["statement"], str(iris.item(settings.base_uri, "cpsf", r["local"])))
        for r in records()
        if r["no_correspondence"] == "true"
    ]
    assert [(r["externalId"], r["statement"], r["item"]) for r in rows] == expected
    for row in rows:
        item = row["item"].rsplit("/cpsf/", 1)[1]
        assert row["titleJa"] == items("cpsf")[item]["title_ja"] and row["titleEn"] == items("cpsf")[item]["title_en"]


# ------------------------------------------------------------------ frameworks.rq


def test_frameworks_counts(settings: Settings, release_dir: Path) -> None:
    rows = {r["framework"]: r for r in select(settings, "frameworks")}
    assert set(rows) == set(NOTATION.values())
    for scheme, notation in NOTATION.items():
        row = rows[notation]
        assert int(row["items"]) == len(items(scheme))
        assert int(row["records"]) == ROWS.get(notation, 0)
        assert int(row["noCorrespondence"]) == (32 if scheme == "cpsf" else 0)
    assert rows["UK-CoP"]["relation"].endswith("#complianceConfirmedBy")
    assert rows["CPSF"]["relation"].endswith("#referencedBy")
    assert rows["IoT-SG"]["relation"].endswith("#detailedBy")
    assert "relation" not in rows["CCDS"]


# ------------------------------------------------------------------ coverage-matrix.rq


def test_coverage_matrix(settings: Settings, release_dir: Path) -> None:
    cells: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in records():
        if row["no_correspondence"] != "true":
            section = section_of(row["target"])
            cells.setdefault((NOTATION[row["scheme"]], section), []).append((row["scheme"], row["local"]))
    expected = sorted(
        (
            framework,
            items("ccds")[section]["notation"],
            items("ccds")[section]["title_ja"],
            len(subjects),
            len(set(subjects)),
        )
        for (framework, section), subjects in cells.items()
    )
    rows = select(settings, "coverage-matrix")
    got = [(r["framework"], r["section"], r["sectionTitle"], int(r["records"]), int(r["items"])) for r in rows]
    assert got == sorted(got, key=lambda r: (r[0], r[1]))  # ordered by framework, then section
    assert sorted(got) == expected
    assert sum(r[3] for r in got) == 494 - 32  # every record with a target counts once


# ------------------------------------------------------------------ requirements-by-component.rq


def test_requirements_by_component(settings: Settings, release_dir: Path) -> None:
    covering: dict[str, set[tuple[str, str]]] = {}
    for row in records():
        if row["no_correspondence"] != "true":
            covering.setdefault(row["target"], set()).add((row["scheme"], row["local"]))
    expected = []
    for local, item in items("ccds").items():
        if item["kind"] == "component-requirement":
            externals = covering.get(local, set())
            expected.append(
                (
                    item["component"],
                    item["level"],
                    item["notation"],
                    item["title_ja"],
                    len(externals),
                    sorted({external_id(s, e) for s, e in externals}),
                )
            )
    rows = select(settings, "requirements-by-component")
    got = [
        (
            r["component"],
            r["level"],
            r["requirement"],
            r["title"],
            int(r["externalItems"]),
            sorted(r["covers"].split(", ")) if r.get("covers") else [],
        )
        for r in rows
    ]
    assert sorted(got) == sorted(expected)
    assert not any("," in i for *_, ids in expected for i in ids)  # so splitting at ", " is exact
    sr2_sp_1 = next(r for r in got if r[2] == "SR2-SP-1")
    assert "UK1" in sr2_sp_1[5] and sr2_sp_1[:2] == ("SP", "2")


# ------------------------------------------------------------------ errata.rq


def test_errata(settings: Settings, release_dir: Path) -> None:
    base = settings.base_uri
    rows = select(settings, "errata")
    assert len(rows) == 29  # data/README.md: 29 errata (E29, the 発効 misprint of CPS.AC-1, added in 1.1.0)
    assert [r["id"] for r in rows] == [f"E{n:02d}" for n in range(1, 30)]
    affected = Counter(e for row in records() for e in row["erratum"].split(";") if e)
    for row, erratum in zip(rows, table("errata.csv"), strict=True):
        assert row["id"] == erratum["id"]
        assert (row["kind"], row["printed"], row["reason"]) == (erratum["kind"], erratum["printed"], erratum["reason"])
        status = "Resolved" if erratum["status"] == "resolved" else "Unresolved"
        assert row["status"] == str(iris.ontology_ns(base)[status])
        assert row.get("resolution", "") == erratum["resolved"]
        if erratum["resolved"] in items("ccds"):
            assert row["resolvedTarget"] == str(iris.item(base, "ccds", erratum["resolved"]))
        else:
            assert "resolvedTarget" not in row
        assert int(row["records"]) == affected[erratum["id"]], erratum["id"]
        assert row["erratum"] == str(iris.erratum(base, erratum["id"]))
    e21 = rows[20]
    assert (e21["printed"], e21["resolution"], int(e21["records"])) == (
        "R2-8「サービス提供におけるインシデント対応」",
        "R3-8",
        1,
    )


# ------------------------------------------------------------------ cross-framework.rq


def test_cross_framework_pairs_only_via_shared_targets(settings: Settings, built: Built) -> None:
    base = settings.base_uri
    uk = [r for r in records() if r["scheme"] == "uk-cop" and r["no_correspondence"] != "true"]
    cpsf = [r for r in records() if r["scheme"] == "cpsf" and r["no_correspondence"] != "true"]
    expected = Counter(
        (external_id("uk-cop", a["local"]), external_id("cpsf", b["local"]), items("ccds")[a["target"]]["notation"])
        for a in uk
        for b in cpsf
        if a["target"] == b["target"]
    )
    rows = select(settings, "cross-framework")
    assert Counter((r["leftId"], r["rightId"], r["viaId"]) for r in rows) == expected
    assert len(rows) == sum(expected.values()) > 100
    graph = built.asserted
    subject_source = URIRef("https://w3id.org/sssom/subject_source")
    for row in rows:  # traceable: two printed records, one per framework, with the same target
        assert row["derivation"] == "derived via shared CCDS target"
        via = URIRef(row["via"])
        for side, scheme in (("left", "uk-cop"), ("right", "cpsf")):
            record = URIRef(row[f"{side}Record"])
            assert graph.value(record, subject_source) == iris.scheme(base, scheme)
            assert graph.value(record, OWL.annotatedTarget) == via
            subject = graph.value(record, OWL.annotatedSource)
            own = graph.value(subject, SKOS.notation) or graph.value(graph.value(subject, SKOS.broader), SKOS.notation)
            assert str(own) == row[f"{side}Id"]
    assert len({(r["leftRecord"], r["rightRecord"]) for r in rows}) == len(rows)


# ------------------------------------------------------------------ item-mappings.rq


def test_item_mappings_for_uk1(settings: Settings, release_dir: Path) -> None:
    base = settings.base_uri
    rows = select(settings, "item-mappings")
    assert sorted(r["otherId"] for r in rows) == sorted(item for _, item in UK1_TARGETS)
    assert {r["item"] for r in rows} == {str(iris.item(base, "uk-cop", "UK1"))}
    assert {r["direction"] for r in rows} == {"to CCDS"}
    assert {r["relation"] for r in rows} == {str(iris.ontology_ns(base).complianceConfirmedBy)}
    assert {r["otherScheme"] for r in rows} == {str(iris.scheme(base, "ccds"))}
    assert {r["otherTitle"] for r in rows} == {"共通要件への対応"}
    assert len({r["record"] for r in rows}) == 4


def test_item_mappings_for_sr2_sp_1(settings: Settings, release_dir: Path) -> None:
    base = settings.base_uri
    rows = select(settings, "item-mappings", ('VALUES ?notation { "UK1" }', 'VALUES ?notation { "SR2-SP-1" }'))
    expected = Counter(
        (str(iris.item(base, r["scheme"], r["local"])), str(iris.scheme(base, r["scheme"])))
        for r in records()
        if r["target"] == "SR2-SP-1"
    )
    assert Counter((r["other"], r["otherScheme"]) for r in rows) == expected
    for row in rows:  # a bullet statement has no notation of its own
        scheme = row["otherScheme"].rsplit("/", 1)[1]
        local = unquote(row["other"].removeprefix(f"{base}id/{scheme}/"))
        assert row.get("otherId") == (items(scheme)[local]["notation"] or None)
    assert {r["direction"] for r in rows} == {"from external framework"}
    assert {r["item"] for r in rows} == {str(iris.item(base, "ccds", "SR2-SP-1"))}
    ids = {r.get("otherId") for r in rows}
    assert {"UK1", "UK13"} <= ids  # seed lines 4547, 4948
    # the CPSF rows printed as SR2-SP-1 under 6.2.2-6.2.4 resolve elsewhere (E04-E06): only CPS.IP-1's 6.2.1 row stays
    assert Counter(r.get("otherId") for r in rows)["CPS.IP-1"] == 1


# ------------------------------------------------------------------ corrected-crosswalk.rq


def printed_target(row: dict[str, str]) -> str:
    if not row["item"]:
        return row["section"]
    return f"{row['section']}/{row['item']}" if row["item"].startswith("No.") else row["item"]


def test_corrected_crosswalk(settings: Settings, release_dir: Path) -> None:
    base = settings.base_uri
    rows = select(settings, "corrected-crosswalk")
    expected = [
        (
            NOTATION[r["scheme"]],
            external_id(r["scheme"], r["local"]),
            r["statement"],
            str(iris.item(base, "ccds", r["target"])),
            items("ccds")[r["target"]]["notation"],
            "true" if printed_target(r) != r["target"] else "false",
            sorted(e for e in r["erratum"].split(";") if e),
        )
        for r in records()
        if r["no_correspondence"] != "true"
    ]
    got = [
        (
            r["framework"],
            r["externalId"],
            r["statement"],
            r["target"],
            r["targetId"],
            r["corrected"],
            sorted(r.get("erratum", "").split()),
        )
        for r in rows
    ]
    assert len(got) == 494 - 32
    assert got == expected
    # table 4-1 prints R2-8「サービス提供におけるインシデント対応」 for UK2 (seed line 4580): erratum E21 reads R3-8
    uk2 = [r for r in rows if r["externalId"] == "UK2"]
    assert [(r["targetId"], r["corrected"], r["erratum"]) for r in uk2] == [("R3-8", "true", "E21")]
    assert uk2[0]["targetTitleJa"] == "サービス提供におけるインシデント対応"
    assert uk2[0]["target"] == str(iris.item(base, "ccds", "R3-8"))
    assert sum(r["corrected"] == "true" for r in rows) == sum(e[5] == "true" for e in expected) > 10


# ------------------------------------------------------------------ the command line


@pytest.mark.slow
def test_cli_query_crosswalk_as_csv(tmp_path: Path, release_dir: Path, settings: Settings) -> None:
    artefacts = tmp_path / "artefacts"
    shutil.copytree(release_dir, artefacts / "release" / settings.release)
    command = shutil.which("ccds-crosswalk")
    assert command, "the ccds-crosswalk command is not installed (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCDS_")}
    done = subprocess.run(
        [
            command,
            "--artefacts",
            str(artefacts),
            "--base-uri",
            settings.base_uri,
            "query",
            "crosswalk",
            "--format",
            "csv",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 495
    parsed = list(csv.reader(io.StringIO(done.stdout)))
    assert parsed[0] == CROSSWALK_COLUMNS
    assert len(parsed) == 495
    uk1 = [row for row in parsed[1:] if row[1] == "UK1"]
    assert [(row[4], row[5], row[6]) for row in uk1] == [(s, i, "共通要件への対応") for s, i in UK1_TARGETS]
    assert Counter(row[0] for row in parsed[1:]) == ROWS
