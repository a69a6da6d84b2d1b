"""crosswalk.csv and crosswalk.xlsx: the flat crosswalk as printed and corrected, read back with the csv module and
openpyxl; row counts and rows checked against the Appendix (seed lines given), the sheet set up for reading
(frozen header, autofilter, widths), and the bytes reproducible from one build to the next."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ccds_crosswalk.release.exports.spreadsheets import COLUMNS, export_spreadsheets
from ccds_crosswalk.release.pipeline import Built
from ccds_crosswalk.settings import Settings

# rows of tables 2-1, 3-1, 4-1 and 5-1 of the Appendix
COUNTS = {"IoT-SG": 130, "CPSF": 292, "UK-CoP": 62, "SB-327": 10}
HEADERS = [c.header for c in COLUMNS]


def header_index(name: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.key == name)


@pytest.fixture(scope="module")
def csv_rows(release_dir: Path) -> list[list[str]]:
    raw = (release_dir / "crosswalk.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV must start with a UTF-8 BOM so Excel reads it as UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def book(release_dir: Path):
    return load_workbook(release_dir / "crosswalk.xlsx")


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    keys = [c.key for c in COLUMNS]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def test_csv_rows_per_framework(csv_rows: list[list[str]]) -> None:
    assert csv_rows[0] == HEADERS
    counts: dict[str, int] = {}
    for row in csv_rows[1:]:
        counts[row[0]] = counts.get(row[0], 0) + 1
    assert counts == COUNTS


def test_csv_rows_from_the_source(csv_rows: list[list[str]]) -> None:
    rows = as_dicts(csv_rows[1:])
    # seed line 4580: UK2 printed R2-8「サービス提供におけるインシデント対応」 under 6.1; it is R3-8 (erratum E21)
    uk2 = [r for r in rows if r["external_id"] == "UK2" and r["printed_item"] == "R2-8"]
    assert len(uk2) == 1
    row = uk2[0]
    assert row["printed_section"] == "6.1" and row["printed_item_title"] == "サービス提供におけるインシデント対応"
    assert row["target_id"] == "R3-8" and row["target_title_ja"] == "サービス提供におけるインシデント対応"
    assert row["errata"] == "E21" and row["table"] == "4-1" and row["source_line"] == "4580"
    assert row["external_title_ja"] == "脆弱性の情報公開ポリシを策定する"
    assert row["no_correspondence"] == "false" and row["relation"] == "ccdsx:complianceConfirmedBy"
    assert row["target_title_en"] and row["external_title_en"]
    # seed lines 4536-4568: UK1 → SR2-SP-1, SR2-PP-1, SR2-H-1, SR2-D-1, each ※共通要件No.6
    uk1 = [r for r in rows if r["external_id"] == "UK1"]
    assert [r["printed_item"] for r in uk1] == ["SR2-SP-1", "SR2-PP-1", "SR2-H-1", "SR2-D-1"]
    assert {r["qualifier"] for r in uk1} == {"共通要件No.6"}
    # seed lines 1210-1225: CPS.AM-2 is printed 該当なし
    am2 = [r for r in rows if r["external_id"] == "CPS.AM-2"]
    assert len(am2) == 1 and am2[0]["no_correspondence"] == "true" and am2[0]["target_id"] == ""


def test_xlsx_one_sheet_per_framework(book, csv_rows: list[list[str]]) -> None:
    assert book.sheetnames == list(COUNTS)
    expected = as_dicts(csv_rows[1:])
    for name, count in COUNTS.items():
        sheet = book[name]
        values = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
        assert values[0] == HEADERS
        assert len(values) - 1 == count, name
        # the same rows as the CSV (bool/int cells as the CSV writes them)
        as_text = [[("true" if v else "false") if isinstance(v, bool) else str(v) for v in row] for row in values[1:]]
        assert as_dicts(as_text) == [r for r in expected if r["framework"] == name], name


def test_xlsx_header_frozen_filtered_and_readable(book) -> None:
    last = chr(ord("A") + len(COLUMNS) - 1)
    for name, count in COUNTS.items():
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref == f"A1:{last}{count + 1}", name
        assert all(cell.font.bold for cell in sheet[1]), name
        for index, column in enumerate(COLUMNS):
            assert sheet.column_dimensions[chr(ord("A") + index)].width == column.width
            assert column.width >= 8


def test_xlsx_typed_cells(book) -> None:
    sheet = book["UK-CoP"]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "UK2" and r[8] == "R2-8")
    assert row[header_index("statement")] == 1 and row[header_index("source_line")] == 4580
    assert row[header_index("no_correspondence")] is False


def test_reproducible_bytes(release_dir: Path, settings: Settings, built: Built, tmp_path: Path) -> None:
    """A second export (seconds after the session's build) is byte-identical; no date from the clock inside."""
    export_spreadsheets(settings, built, tmp_path)
    for name in ("crosswalk.csv", "crosswalk.xlsx", "crosswalk.csv.gz", "crosswalk.xlsx.gz"):
        assert (tmp_path / name).read_bytes() == (release_dir / name).read_bytes(), name
    with zipfile.ZipFile(release_dir / "crosswalk.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core
    book = load_workbook(release_dir / "crosswalk.xlsx")
    assert book.properties.created == book.properties.modified
    assert book.properties.created.year == 2000
