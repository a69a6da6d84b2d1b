"""The one table of output formats for compare and gap results, used by the CLI and the web alike.

csv and tsv are UTF-8 without a byte-order mark (they are read by programs and by `csv` in tests; the XLSX is
the spreadsheet form). The XLSX has the header row frozen and an autofilter, and is byte-identical for the same
rows (fixed workbook dates and zip entry dates, as the release's crosswalk.xlsx).
"""

from __future__ import annotations

import csv
import io
import json

from ccds_crosswalk import formats
from ccds_crosswalk.release.exports.spreadsheets import FIXED_TIME, repack

# the names the CLI and ?format= take, and their rows of the one format table (server/formats.py)
FORMATS: dict[str, formats.Format] = {
    name: formats.of_extension(extension)
    for name, extension in (("table", "txt"), ("csv", "csv"), ("tsv", "tsv"), ("json", "json"), ("xlsx", "xlsx"))
}


class FormatError(ValueError):
    pass


def render(rows: list[dict[str, str]], columns: tuple[str, ...], name: str, sheet: str = "result") -> bytes:
    if name not in FORMATS:
        raise FormatError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    if name in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if name == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([row[c] for c in columns] for row in rows)
        return out.getvalue().encode("utf-8")
    if name == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if name == "xlsx":
        return _xlsx(rows, columns, sheet)
    return _table(rows, columns).encode("utf-8")


def _table(rows: list[dict[str, str]], columns: tuple[str, ...]) -> str:
    widths = {c: max([len(c), *(len(r[c]) for r in rows)]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in columns).rstrip() for r in rows]
    return "\n".join(lines) + f"\n({len(rows)} rows)\n"


def _xlsx(rows: list[dict[str, str]], columns: tuple[str, ...], sheet_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.properties.created = book.properties.modified = FIXED_TIME
    sheet = book.active
    sheet.title = sheet_name[:31]
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[c] for c in columns])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    return repack(book)
