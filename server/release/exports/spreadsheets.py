"""The flat crosswalk for spreadsheet users: crosswalk.csv and crosswalk.xlsx.

One row per printed row of the Appendix (a mapping record), with the target as printed (section, item, title,
qualifier, 該当なし) beside the target this dataset adopts (resolved ID and its Japanese and English titles) and the
errata that explain any difference, plus the table and source line to check against the print.

crosswalk.csv is UTF-8 *with a byte-order mark* (and CRLF line ends) so that Excel, which otherwise assumes the
local ANSI code page, opens the Japanese text correctly; other tools skip the BOM (Python: encoding="utf-8-sig").
crosswalk.xlsx has one sheet per framework, the header row frozen, an autofilter over the table and fixed column
widths. Both files are byte-identical from one build to the next: the workbook's created/modified properties are a
fixed date and the zip entries carry a fixed date, a fixed order and fixed compression.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ccds_crosswalk import iris
from ccds_crosswalk.release.compile import CCDS, subject_id, target_key
from ccds_crosswalk.release.load import Data, Item
from ccds_crosswalk.release.serialise import Artefact, write_with_companions

__all__ = ["COLUMNS", "FIXED_TIME", "export_spreadsheets", "repack"]

if TYPE_CHECKING:  # openpyxl (with numpy, ~25 MB) is imported where a workbook is made, not by the web app
    from openpyxl import Workbook

    from ccds_crosswalk.release.pipeline import Built
    from ccds_crosswalk.settings import Settings

CSV_NAME = "crosswalk.csv"
XLSX_NAME = "crosswalk.xlsx"
FIXED_TIME = datetime.datetime(2000, 1, 1, 0, 0, 0)  # workbook created/modified and zip entry dates
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # English / Japanese, so the sheet reads in either language
    width: int


COLUMNS = (
    Column("framework", "Framework / 関連ガイドライン", 12),
    Column("external_id", "External ID / 項目ID", 14),
    Column("statement", "Statement / 記述番号", 10),
    Column("external_title_ja", "External title (ja) / 項目名", 50),
    Column("external_title_en", "External title (en) / 項目名(英語)", 50),
    Column("relation", "Relation / 関係", 24),
    Column("printed_section", "Printed section / 記載された章節", 12),
    Column("printed_section_title", "Printed section title / 記載された章節名", 40),
    Column("printed_item", "Printed item / 記載された項目", 14),
    Column("printed_item_title", "Printed item title / 記載された概要", 40),
    Column("qualifier", "Qualifier / 注記", 18),
    Column("no_correspondence", "No correspondence / 該当なし", 10),
    Column("target_id", "Resolved target ID / 対応先ID(訂正後)", 16),
    Column("target_title_ja", "Resolved target title (ja) / 対応先名", 40),
    Column("target_title_en", "Resolved target title (en) / 対応先名(英語)", 40),
    Column("errata", "Errata / 正誤", 10),
    Column("table", "Table / 表", 8),
    Column("source_line", "Source line / 出典行", 10),
    Column("record", "Mapping record URI / レコードURI", 60),
)


def rows(base: str, data: Data) -> list[dict[str, str | int | bool]]:
    """The crosswalk, one dict per mapping record, in the order of the source tables."""
    known: dict[tuple[str, str], Item] = {(item.scheme, item.id): item for item in data.items}
    frameworks = {f.scheme: f for f in data.frameworks}
    found: list[dict[str, str | int | bool]] = []
    for mapping in data.mappings:
        framework = frameworks[mapping.scheme]
        subject = subject_id(mapping, known)
        external = known[(mapping.scheme, subject)]
        target = known.get((CCDS, mapping.target)) if not mapping.no_correspondence else None
        found.append(
            {
                "framework": framework.notation,
                "external_id": mapping.subject,
                "statement": int(mapping.statement),
                "external_title_ja": external.title_ja,
                "external_title_en": external.title_en,
                "relation": f"ccdsx:{framework.relation}",
                "printed_section": mapping.section,
                "printed_section_title": mapping.section_title,
                "printed_item": mapping.item,
                "printed_item_title": mapping.item_title,
                "qualifier": mapping.qualifier,
                "no_correspondence": mapping.no_correspondence,
                "target_id": mapping.target if target else "",
                "target_title_ja": target.title_ja if target else "",
                "target_title_en": target.title_en if target else "",
                "errata": ";".join(e.strip() for e in mapping.erratum.split(";") if e.strip()),
                "table": framework.table,
                "source_line": int(mapping.line) if mapping.line else "",
                "record": str(iris.mapping(base, mapping.scheme, subject, target_key(mapping))),
            }
        )
    return found


def _csv_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_text(base: str, data: Data) -> str:
    """UTF-8 with BOM (for Excel), CRLF line ends, every field quoted only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    for row in rows(base, data):
        writer.writerow([_csv_value(row[c.key]) for c in COLUMNS])
    return "\ufeff" + buffer.getvalue()


def workbook(base: str, data: Data) -> Workbook:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    book.properties.creator = "ccds-crosswalk"
    book.properties.title = "CCDS smart-home guideline crosswalk / スマートホーム編 関連ガイドライン対応表"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    all_rows = rows(base, data)
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for framework in data.frameworks:
        selected = [r for r in all_rows if r["framework"] == framework.notation]
        if not selected:
            continue
        sheet = book.create_sheet(framework.notation)
        sheet.append([c.header for c in COLUMNS])
        for cell in sheet[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in selected:
            sheet.append([row[c.key] for c in COLUMNS])
        for index, column in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(selected) + 1}"
    return book


def xlsx_bytes(base: str, data: Data) -> bytes:
    """The workbook with fixed properties, re-packed with fixed zip entry dates so the bytes are reproducible."""
    return repack(workbook(base, data))


def repack(book: Workbook) -> bytes:
    """A workbook's bytes with fixed zip entry dates, order and compression (set its properties' dates first)."""
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).save()  # openpyxl's save_workbook would stamp properties.modified with now
    packed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(packed, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            target.writestr(info, source.read(entry.filename), compresslevel=9)
    return packed.getvalue()


def export_spreadsheets(settings: Settings, built: Built, directory: Path) -> list[Artefact]:
    base = settings.base_uri
    artefacts = write_with_companions(
        directory / CSV_NAME,
        csv_text(base, built.data),
        "The flat crosswalk, as printed and corrected (CSV, UTF-8 BOM)",
    )
    artefacts += write_with_companions(
        directory / XLSX_NAME, xlsx_bytes(base, built.data), "The flat crosswalk, one sheet per framework (Excel)"
    )
    return artefacts
