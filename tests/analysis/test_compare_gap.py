"""compare and gap (server/analysis) through the real CLI on the session's built release.

Expected answers are derived by hand from the printed rows of the Appendix (data/source/appendix.txt, lines cited),
never from the code's output. Where a whole comparison is checked ("every pair"), the oracle is a second, plain
reading of the curated tables data/mappings/*.csv and data/items/ccds.csv with the csv module (those tables are
themselves checked row by row against the source text by tests/data/test_source.py).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import BASE, ROOT, cli

DATA = ROOT / "data"
MAPPING = f"{BASE}id/mapping/"


def record(scheme: str, subject: str, printed: str) -> str:
    """A mapping record's URI from what its row prints: section[/item][;common=n,…] (README, URI patterns)."""
    return f"{MAPPING}{scheme}/{subject}/to/{printed}"


def run(artefacts: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*cli(artefacts), *args], capture_output=True, cwd=ROOT, timeout=300, check=False)


def csv_rows(artefacts: Path, *args: str) -> list[dict[str, str]]:
    done = run(artefacts, *args, "--format", "csv")
    assert done.returncode == 0, done.stderr.decode()
    return list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"))))


@pytest.fixture(scope="module")
def uk_cpsf(release_dir: Path, artefacts: Path) -> list[dict[str, str]]:
    return csv_rows(artefacts, "compare", "uk-cop", "cpsf")


# ------------------------------------------------------------------ compare, expectations from the print

# Table 4-1, UK1 「デフォルトパスワードを使用しない」: four rows, each ※共通要件 No.6 (lines 4547, 4555, 4560, 4568).
# Table 3-1 rows citing the same SR*-1 「共通要件への対応」 (the requirement each row is printed under, in brackets):
#   CPS.IP-1 (3043): 3069 6.2.1 SR2-SP-1 ※No.6; 3079 6.2.2 SR2-SP-1, 3088 6.2.3 SR2-SP-1, 3098 6.2.4 SR2-SP-1,
#                    misprints resolved by E04/E05/E06 to SR2-PP-1, SR2-H-1, SR2-D-1
#   CPS.IP-6 (3164): 3188 6.2.1, 3198 6.2.2, 3215 6.2.3, 3225 6.2.4, all printed SR2-SP-1 ※No.7 (E04/E05/E06 again)
#   CPS.PT-2 (3542): 3564 SR2-SP-1, 3578 SR2-PP-1, 3592 SR2-H-1, 3604 SR2-D-1, ※No.4
# UK1's 6.2.4 row prints the section title スマートホーム対応機器… (4564-4566): erratum E13.
UK1_CPSF = {
    # (UK1 line, UK1 printed target, CCDS item, CPSF requirement, CPSF line, CPSF printed target, errata)
    (4547, "6.2.1/SR2-SP-1;common=6", "SR2-SP-1", "CPS.IP-1", 3069, "6.2.1/SR2-SP-1;common=6", ""),
    (4547, "6.2.1/SR2-SP-1;common=6", "SR2-SP-1", "CPS.IP-6", 3188, "6.2.1/SR2-SP-1;common=7", ""),
    (4547, "6.2.1/SR2-SP-1;common=6", "SR2-SP-1", "CPS.PT-2", 3564, "6.2.1/SR2-SP-1;common=4", ""),
    (4555, "6.2.2/SR2-PP-1;common=6", "SR2-PP-1", "CPS.IP-1", 3079, "6.2.2/SR2-SP-1;common=6", "E04"),
    (4555, "6.2.2/SR2-PP-1;common=6", "SR2-PP-1", "CPS.IP-6", 3198, "6.2.2/SR2-SP-1;common=7", "E04"),
    (4555, "6.2.2/SR2-PP-1;common=6", "SR2-PP-1", "CPS.PT-2", 3578, "6.2.2/SR2-PP-1;common=4", ""),
    (4560, "6.2.3/SR2-H-1;common=6", "SR2-H-1", "CPS.IP-1", 3088, "6.2.3/SR2-SP-1;common=6", "E05"),
    (4560, "6.2.3/SR2-H-1;common=6", "SR2-H-1", "CPS.IP-6", 3215, "6.2.3/SR2-SP-1;common=7", "E05"),
    (4560, "6.2.3/SR2-H-1;common=6", "SR2-H-1", "CPS.PT-2", 3592, "6.2.3/SR2-H-1;common=4", ""),
    (4568, "6.2.4/SR2-D-1;common=6", "SR2-D-1", "CPS.IP-1", 3098, "6.2.4/SR2-SP-1;common=6", "E06;E13"),
    (4568, "6.2.4/SR2-D-1;common=6", "SR2-D-1", "CPS.IP-6", 3225, "6.2.4/SR2-SP-1;common=7", "E06;E13"),
    (4568, "6.2.4/SR2-D-1;common=6", "SR2-D-1", "CPS.PT-2", 3604, "6.2.4/SR2-D-1;common=4", "E13"),
}

# Table 4-1, UK2 (4580) prints R2-8「サービス提供におけるインシデント対応」: that title is R3-8's (erratum E21, resolved
# to R3-8). Table 3-1 cites R3-8 in CPS.IP-7 (3257), CPS.IP-10 (3350), CPS.AE-2 (3722), CPS.RP-4 (4277), CPS.CO-1
# (4304), CPS.AN-2 (4382), CPS.AN-3 (4427), CPS.MI-1 (4457), CPS.IM-1 (4492), CPS.IM-2 (4514), and R2-8 in CPS.DS-7
# (2857) and CPS.MA-1 (3380). As printed UK2 would meet the last two; with E21 it meets the first ten.
UK2_R3_8 = {
    ("CPS.IP-7", 3257),
    ("CPS.IP-10", 3350),
    ("CPS.AE-2", 3722),
    ("CPS.RP-4", 4277),
    ("CPS.CO-1", 4304),
    ("CPS.AN-2", 4382),
    ("CPS.AN-3", 4427),
    ("CPS.MI-1", 4457),
    ("CPS.IM-1", 4492),
    ("CPS.IM-2", 4514),
}
UK2_AS_PRINTED = {("CPS.DS-7", 2857), ("CPS.MA-1", 3380)}


def test_uk1_meets_the_cpsf_requirements_sharing_its_sr_targets(uk_cpsf: list[dict[str, str]]) -> None:
    found = {
        (
            int(r["left_line"]),
            r["left_record"],
            r["ccds_id"],
            r["right_id"],
            int(r["right_line"]),
            r["right_record"],
            r["errata"],
        )
        for r in uk_cpsf
        if r["left_id"] == "UK1"
    }
    expected = {
        (ul, record("uk-cop", "UK1", ut), ccds, cp, cl, record("cpsf", cp, ct), errata)
        for ul, ut, ccds, cp, cl, ct, errata in UK1_CPSF
    }
    assert found == expected
    assert all(r["basis"] == "same-target" and r["derived"] == "true" for r in uk_cpsf if r["left_id"] == "UK1")


def test_erratum_e21_moves_uk2_from_r2_8_to_r3_8(uk_cpsf: list[dict[str, str]]) -> None:
    uk2 = [r for r in uk_cpsf if r["left_id"] == "UK2"]
    assert {(r["right_id"], int(r["right_line"])) for r in uk2} == UK2_R3_8
    assert not {(r["right_id"], int(r["right_line"])) for r in uk2} & UK2_AS_PRINTED
    for r in uk2:
        assert r["ccds_id"] == "R3-8" and r["left_target"] == "R3-8"
        assert r["left_record"] == record("uk-cop", "UK2", "6.1/R2-8")  # the record keeps what was printed
        assert "E21" in r["errata"].split(";")


def test_erratum_e04_pairs_the_misprinted_row_with_its_resolved_target(uk_cpsf: list[dict[str, str]]) -> None:
    # CPS.IP-1 line 3079 prints 6.2.2 SR2-SP-1: as printed it would meet UK1's SR2-SP-1 (4547); E04 resolves it to
    # SR2-PP-1, so it meets UK1's SR2-PP-1 row (4555) instead
    ip1 = {
        (int(r["left_line"]), r["ccds_id"])
        for r in uk_cpsf
        if r["right_id"] == "CPS.IP-1" and r["right_line"] == "3079"
    }
    assert (4555, "SR2-PP-1") in ip1
    assert (4547, "SR2-SP-1") not in ip1


@cache
def curated() -> tuple[dict[str, list[str]], set[str], dict[str, list[dict[str, str]]]]:
    """The second reading: CCDS parents and sections, and every printed row with a target, from data/ (csv)."""
    with (DATA / "items" / "ccds.csv").open(encoding="utf-8") as handle:
        items = list(csv.DictReader(handle))
    parent = {row["id"]: row["parent"] for row in items}
    sections = {row["id"] for row in items if row["kind"] in ("chapter", "section")}
    ancestors: dict[str, list[str]] = defaultdict(list)
    for item in parent:
        up = parent[item]
        while up:
            ancestors[item].append(up)
            up = parent.get(up, "")
    rows = {}
    for scheme in ("iotsg", "cpsf", "uk-cop", "sb327"):
        with (DATA / "mappings" / f"{scheme}.csv").open(encoding="utf-8") as handle:
            rows[scheme] = [r for r in csv.DictReader(handle) if r["target"]]
    return dict(ancestors), sections, rows


def meet(left: dict[str, str], right: dict[str, str]) -> bool:
    """The rule, read plainly: a row printing a section and no item covers the section and all under it; a row
    naming an item meets the same item; a row whose item resolved only to its section (E22) names no item."""
    ancestors, sections, _ = curated()
    lt, rt = left["target"], right["target"]
    if not left["item"] and (lt == rt or lt in ancestors.get(rt, [])):
        return True
    if not right["item"] and (rt == lt or rt in ancestors.get(lt, [])):
        return True
    return lt == rt and lt not in sections


def oracle_pairs(a: str, b: str) -> set[tuple[str, str, str, str, str, str]]:
    _, _, rows = curated()
    return {
        (left["subject"], left["line"], left["target"], right["subject"], right["line"], right["target"])
        for left in rows[a]
        for right in rows[b]
        if meet(left, right)
    }


@pytest.mark.parametrize(("a", "b"), [("uk-cop", "cpsf"), ("uk-cop", "sb327"), ("iotsg", "cpsf"), ("sb327", "cpsf")])
def test_compare_lists_every_pair_with_both_legs(artefacts: Path, release_dir: Path, a: str, b: str) -> None:
    rows = csv_rows(artefacts, "compare", a, b)
    found = set()
    for r in rows:
        assert r["left_record"].startswith(f"{MAPPING}{a}/") and r["right_record"].startswith(f"{MAPPING}{b}/")
        assert r["derived"] == "true"
        assert bool(r["whole_section"]) == (r["basis"] != "same-target"), r
        found.add(
            (
                r["left_uri"].rsplit(f"/{a}/", 1)[1],
                r["left_line"],
                local(r["left_target"]),
                r["right_uri"].rsplit(f"/{b}/", 1)[1],
                r["right_line"],
                local(r["right_target"]),
            )
        )
    assert len(found) == len(rows)
    assert found == oracle_pairs(a, b)


def local(notation: str) -> str:
    """A CCDS item's id from its notation: a phase activity is printed 'No.n' under its section (5.2.1 No.1)."""
    return notation.replace(" ", "/")


def test_uk1_and_sb327_meet_through_whole_sections(artefacts: Path, release_dir: Path) -> None:
    # table 5-1: requirement 1 cites 6.1 and 6.2.1-6.2.5 as whole sections (5031-5056; 6.2.4 with the title
    # variant of E13), requirement 2 cites SR2-SP-1 (5093), SR2-PP-1 (5101), SR2-H-1 (5109), SR2-D-1 (5117) ※No.6
    rows = [r for r in csv_rows(artefacts, "compare", "uk-cop", "sb327") if r["left_id"] == "UK1"]
    found = {(int(r["left_line"]), r["right_id"], int(r["right_line"]), r["basis"], r["whole_section"]) for r in rows}
    assert found == {
        (4547, "1", 5036, "right-whole-section", "6.2.1"),
        (4547, "2", 5093, "same-target", ""),
        (4555, "1", 5041, "right-whole-section", "6.2.2"),
        (4555, "2", 5101, "same-target", ""),
        (4560, "1", 5046, "right-whole-section", "6.2.3"),
        (4560, "2", 5109, "same-target", ""),
        (4568, "1", 5051, "right-whole-section", "6.2.4"),
        (4568, "2", 5117, "same-target", ""),
    }


def test_compare_with_ccds_marks_printed_and_whole_section_rows(artefacts: Path, release_dir: Path) -> None:
    rows = csv_rows(artefacts, "compare", "sb327", "ccds")
    printed = [r for r in rows if r["basis"] == "printed"]
    assert len(printed) == 10 and all(r["derived"] == "false" and not r["right_record"] for r in printed)
    # requirement 1's whole 6.2.5 (5056) counts for the smartphone-app requirements under it
    under = {r["ccds_id"] for r in rows if r["basis"] == "whole-section" and r["whole_section"] == "6.2.5"}
    assert {"SR2-A-1", "SR2-A-2", "SR2-A-3"} <= under
    assert all(r["derived"] == "true" for r in rows if r["basis"] == "whole-section")


def test_etsi_groups_compare_through_their_uk_guideline(artefacts: Path, release_dir: Path) -> None:
    rows = csv_rows(artefacts, "compare", "etsi-en-303-645", "cpsf")
    group = [r for r in rows if r["left_id"] == "5.1"]
    assert {(int(r["left_line"]), r["right_id"], int(r["right_line"])) for r in group} == {
        (ul, cp, cl) for ul, _, _, cp, cl, _, _ in UK1_CPSF
    }
    assert {r["left_derivation"] for r in group} == {f"{BASE}id/etsi-en-303-645/5.1/derived-from/UK1"}


def test_compare_formats(artefacts: Path, release_dir: Path, uk_cpsf: list[dict[str, str]], tmp_path: Path) -> None:
    done = run(artefacts, "compare", "uk-cop", "cpsf", "--format", "json")
    assert json.loads(done.stdout) == uk_cpsf
    done = run(artefacts, "compare", "uk-cop", "cpsf", "--format", "xlsx")
    (tmp_path / "c.xlsx").write_bytes(done.stdout)
    sheet = load_workbook(tmp_path / "c.xlsx").active
    values = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[1:] == [list(r.values()) for r in uk_cpsf]
    tsv = run(artefacts, "compare", "uk-cop", "cpsf", "--format", "tsv").stdout.decode()
    assert list(csv.DictReader(io.StringIO(tsv), delimiter="\t")) == uk_cpsf


def test_compare_refuses_the_same_framework_twice(artefacts: Path, release_dir: Path) -> None:
    done = run(artefacts, "compare", "cpsf", "cpsf")
    assert done.returncode == 1 and b"two different frameworks" in done.stderr and b"Traceback" not in done.stderr


# ------------------------------------------------------------------ gap

# UK1 (4547-4568): SR2-SP-1, SR2-PP-1, SR2-H-1, SR2-D-1 ※共通要件 No.6; UK2 (4580): R2-8 printed, R3-8 by E21;
# UK3: R2-7 (4593, title misprint E20; section title of 6.2.1 on a 6.1 row, E07), R2-8 (4597), R2-9 (4601),
# SR2-SP-1 ※No.11 (4611), SR2-SP-7 (4612), SR2-PP-1 ※No.11 (4620), SR2-PP-7 (4622), SR2-H-1 ※No.11 (4628),
# SR2-H-6 (4630), SR2-D-1 ※No.11 (4640), SR2-D-5 (4642), SR2-A-3 (4649).
COVERED = {"R3-8", "R2-7", "R2-8", "R2-9", "SR2-SP-7", "SR2-PP-7", "SR2-H-6", "SR2-D-5", "SR2-A-3"}
PARTIAL = {"SR2-SP-1", "SR2-PP-1", "SR2-H-1", "SR2-D-1"}  # only common requirements No.6 and No.11 are met


def test_gap_uk1_uk2_uk3_against_ccds(artefacts: Path, release_dir: Path) -> None:
    rows = csv_rows(artefacts, "gap", "--have", "UK1,UK2,UK3", "--against", "ccds")
    status = {r["ccds_id"]: r["status"] for r in rows}
    assert {i for i, s in status.items() if s == "covered"} == COVERED
    assert {i for i, s in status.items() if s == "partial"} == PARTIAL
    assert set(status.values()) == {"covered", "partial", "remaining"}
    by_id = {r["ccds_id"]: r for r in rows}
    assert by_id["R3-8"]["records"] == record("uk-cop", "UK2", "6.1/R2-8") and by_id["R3-8"]["errata"] == "E21"
    assert by_id["SR2-SP-1"]["records"].split(" ") == [
        record("uk-cop", "UK1", "6.2.1/SR2-SP-1;common=6"),
        record("uk-cop", "UK3", "6.2.1/SR2-SP-1;common=11"),
    ]
    assert by_id["SR2-SP-1"]["common_met"] == "6,11"
    # what remains names the records that would cover it: UK4's SR3-SP-10 (4665)
    assert record("uk-cop", "UK4", "6.2.1/SR3-SP-10") in by_id["SR3-SP-10"]["open_records"].split(" ")
    # every CCDS phase activity and R/SR requirement of data/items/ccds.csv is listed once
    with (DATA / "items" / "ccds.csv").open(encoding="utf-8") as handle:
        kinds = ("activity", "service-requirement", "component-requirement")
        expected = [r for r in csv.DictReader(handle) if r["kind"] in kinds]
    assert len(rows) == len(expected)
    components = {r["id"]: r["component"] for r in expected}
    assert all(r["group"] == (components[r["ccds_id"].replace(" ", "/")] or r["group"]) for r in rows)


def test_gap_level_3_keeps_the_star_star_star_requirements(artefacts: Path, release_dir: Path) -> None:
    rows = csv_rows(artefacts, "gap", "--have", "UK1,UK2,UK3", "--level", "3")
    assert {r["level"] for r in rows} == {"3"}
    assert {r["ccds_id"] for r in rows if r["status"] == "covered"} == {"R3-8"}  # only through E21


def test_gap_reads_a_csv_and_an_sssom_file(artefacts: Path, release_dir: Path, tmp_path: Path) -> None:
    expected = csv_rows(artefacts, "gap", "--have", "UK1,UK2,UK3")
    (tmp_path / "have.csv").write_text("scheme,id\nuk-cop,UK1\nuk-cop,UK2\nuk-cop,UK3\n", encoding="utf-8")
    assert csv_rows(artefacts, "gap", "--have", str(tmp_path / "have.csv")) == expected
    sssom = (release_dir / "crosswalk.sssom.tsv").read_text(encoding="utf-8").splitlines()
    header = [line for line in sssom if line.startswith("#")]
    body = [line for line in sssom if not line.startswith("#")]
    subject = body[0].split("\t").index("subject_id")
    keep = [line for line in body[1:] if line.split("\t")[subject].split(":")[-1] in ("UK1", "UK2", "UK3")]
    assert keep
    (tmp_path / "have.sssom.tsv").write_text("\n".join([*header, body[0], *keep]) + "\n", encoding="utf-8")
    assert csv_rows(artefacts, "gap", "--have", str(tmp_path / "have.sssom.tsv")) == expected


def test_gap_reverse_ccds_to_the_uk_code(artefacts: Path, release_dir: Path) -> None:
    rows = csv_rows(artefacts, "gap", "--have", "SR2-SP-1,SR2-PP-1,SR2-H-1,SR2-D-1", "--against", "uk-cop")
    status = {r["id"]: r["status"] for r in rows}
    assert status["UK1"] == "covered"  # its four rows (4547-4568) cite exactly these
    assert status["UK3"] == "partial"  # 4611/4620/4628/4640 met, R2-7 … SR2-A-3 open
    assert status["UK4"] == "remaining"  # only ★★★ SR3 items (4665-4693)
    assert len(rows) == 13


def test_gap_refuses_what_it_cannot_read(artefacts: Path, release_dir: Path) -> None:
    done = run(artefacts, "gap", "--have", "UK99")
    assert done.returncode == 1 and b"'UK99' names no item" in done.stderr
    done = run(artefacts, "gap", "--have", "SR2-SP-1", "--against", "ccds")
    assert done.returncode == 1 and b"not CCDS items" in done.stderr
    assert b"Traceback" not in done.stderr


def test_gap_oscal_profile_validates_with_trestle(artefacts: Path, release_dir: Path, tmp_path: Path) -> None:
    from trestle.oscal.profile import Profile

    done = run(artefacts, "gap", "--have", "UK1,UK2,UK3", "--format", "oscal")
    assert done.returncode == 0, done.stderr.decode()
    (tmp_path / "profile.json").write_bytes(done.stdout)
    profile = Profile.oscal_read(tmp_path / "profile.json")
    ids = [i for include in profile.imports[0].include_controls for i in include.with_ids]
    assert "ccds-SR2-SP-1" in ids  # partial: common requirements other than No.6 and No.11 remain
    assert not {f"ccds-{c}" for c in COVERED} & {str(i) for i in ids}
    catalog = json.loads((release_dir / "oscal-catalog-ccds.json").read_text(encoding="utf-8"))
    known = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "id" in node and "title" in node:
                known.add(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(catalog)
    assert {str(i) for i in ids} <= known


def test_compare_agrees_with_the_canned_cross_framework_query(artefacts: Path, uk_cpsf: list[dict[str, str]]) -> None:
    # queries/cross-framework.rq pairs records with the same target (no whole-section roll-up; none occurs
    # between tables 4-1 and 3-1, whose records cite no section as a whole)
    done = run(artefacts, "query", "cross-framework", "--format", "csv")
    assert done.returncode == 0, done.stderr.decode()
    canned = {(r["leftRecord"], r["rightRecord"]) for r in csv.DictReader(io.StringIO(done.stdout.decode()))}
    assert canned == {(r["left_record"], r["right_record"]) for r in uk_cpsf}
    assert {r["basis"] for r in uk_cpsf} == {"same-target"}


def test_a_whole_chapter_covers_every_phase_activity_under_it(artefacts: Path, release_dir: Path) -> None:
    # table 3-1, CPS.GV-4 (1495) cites chapter 5 スマートホームサービスの開発フェーズとセキュリティへの取り組み as a
    # whole, and nothing else: every phase activity of chapter 5 (5.2.x No.n, 5.4.x No.n, two levels below the
    # chapter through 5.2 and 5.4) is covered through that one record; no R/SR requirement is
    rows = csv_rows(artefacts, "gap", "--have", "CPS.GV-4")
    with (DATA / "items" / "ccds.csv").open(encoding="utf-8") as handle:
        activities = {r["id"] for r in csv.DictReader(handle) if r["kind"] == "activity"}
    covered = [r for r in rows if r["status"] == "covered"]
    assert {local(r["ccds_id"]) for r in covered} == activities
    assert {(r["records"], r["whole_section"], r["group"]) for r in covered} == {
        (record("cpsf", "CPS.GV-4", "5"), "5", "phase")
    }


def test_a_bullet_statement_holds_only_its_own_rows(artefacts: Path, release_dir: Path) -> None:
    # table 3-1, CPS.RA-4 has two bullet statements: the first is 該当なし (1576), the second cites 6.2.5
    # SR2-A-2「セキュア設計・コーディング」 (1598, printed under the variant title スマートフォンアプリに対する…: E14)
    second = {r["ccds_id"]: r for r in csv_rows(artefacts, "gap", "--have", "cpsf:CPS.RA-4/2")}
    assert {i for i, r in second.items() if r["status"] != "remaining"} == {"SR2-A-2"}
    assert second["SR2-A-2"]["held_items"] == "CPS.RA-4/2" and second["SR2-A-2"]["errata"] == "E14"
    first = csv_rows(artefacts, "gap", "--have", "CPS.RA-4/1")
    assert {r["status"] for r in first} == {"remaining"}


def test_erratum_e22_leaves_an_unidentified_item_to_whole_section_citations(artefacts: Path, release_dir: Path) -> None:
    # table 3-1, CPS.PT-2 (3542) prints under 6.2.4 "SR2-D-5「USB 接続端子の対策」" (3608): SR2-D-5 is elsewhere
    # 報告された脆弱性に対する更新ソフトウェアの提供 and USB接続端子の対策 is SR2-H-5's title, so the device item meant
    # cannot be identified (E22): the row resolves to section 6.2.4 without citing all of it. As printed it would
    # meet UK3's SR2-D-5 (4642); resolved, it meets no UK row, and only SB-327 requirement 1, which cites the whole
    # of 6.2.4 (5051, printed with the variant title of E13).
    uk = csv_rows(artefacts, "compare", "uk-cop", "cpsf")
    assert not [r for r in uk if r["right_id"] == "CPS.PT-2" and r["right_line"] == "3608"]
    assert not [r for r in uk if r["left_line"] == "4642" and r["right_id"] == "CPS.PT-2"]
    sb = [r for r in csv_rows(artefacts, "compare", "sb327", "cpsf") if r["right_line"] == "3608"]
    assert [(r["left_id"], r["left_line"], r["basis"], r["whole_section"], r["errata"]) for r in sb] == [
        ("1", "5051", "left-whole-section", "6.2.4", "E13;E22")
    ]
    assert sb[0]["right_record"] == record("cpsf", "CPS.PT-2", "6.2.4/SR2-D-5")
    # and in a gap analysis it covers nothing, the item not being known; CPS.PT-2's other rows: SR2-SP-1 (3564),
    # SR3-SP-8 (3568), SR2-PP-1 (3578), SR3-PP-8 (3582), SR2-H-1 (3592), SR2-H-5 (3596), SR2-D-1 (3604), the SR*-1
    # rows ※共通要件 No.4 only
    rows = {r["ccds_id"]: r["status"] for r in csv_rows(artefacts, "gap", "--have", "CPS.PT-2")}
    assert {i for i, s in rows.items() if s == "covered"} == {"SR3-SP-8", "SR3-PP-8", "SR2-H-5"}
    assert {i for i, s in rows.items() if s == "partial"} == {"SR2-SP-1", "SR2-PP-1", "SR2-H-1", "SR2-D-1"}
