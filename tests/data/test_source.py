"""The curated tables of data/ checked against the source text itself.

The only ground truth is the PDF-to-text extraction of the Appendix (the "seed"): table cells one per line,
wrapped cells broken over several lines, now and then several cells of one printed row run together on one line.
These tests read the seed on their own (regular expressions and a small token walk over each chapter's table) and
compare what they find with data/, so a transcription slip in data/ cannot hide behind the same slip in a test
fixture. Expected values that are written out literally were read off the seed; the comments give the seed lines.

Only the standard library, pytest and ccds_crosswalk.release are used. The seed is data/source/appendix.txt.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

import pytest

from ccds_crosswalk.release.load import Item, Mapping, load_data
from ccds_crosswalk.release.text import normalise, squeeze

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SEED = DATA_DIR / "source" / "appendix.txt"  # the Appendix text, kept in the repository (data/source/README.md)

LINES: list[str] = SEED.read_text(encoding="utf-8").splitlines()  # LINES[n - 1] is seed line n
DATA = load_data(DATA_DIR)
ITEMS: dict[tuple[str, str], Item] = {(item.scheme, item.id): item for item in DATA.items}
ERRATA = {erratum.id: erratum for erratum in DATA.errata}
SCHEMES = ("iotsg", "cpsf", "uk-cop", "sb327")  # chapters 2, 3, 4 and 5 of the Appendix, in order

# Read off the seed: the chapter headings "2 「IoT セキュリティガイドライン」との関係" (line 28),
# "3 「サイバー・フィジカル…」との関係" (1165), "4 「Code of Practice…」との関係" (4517) and
# "5 米国カリフォルニア州…との関係" (4976). A chapter ends at its last non-blank line: the page number "12" (1162),
# "デント対応」" (4516), "た攻撃対策」" (4974) and "※共通要件 No.6" (5117, the end of the seed).
EXPECTED_CHAPTERS = {
    "iotsg": (2, 28, 1162),
    "cpsf": (3, 1165, 4516),
    "uk-cop": (4, 4517, 4974),
    "sb327": (5, 4976, 5117),
}


# --------------------------------------------------------------------------------------------- reading the seed


@dataclass(frozen=True)
class Chapter:
    scheme: str
    number: int
    first: int  # the heading line
    last: int
    table: int  # first line after the table's column header (the line naming 章番号 and 概要)

    def lines(self, first: int | None = None, last: int | None = None) -> list[str]:
        return LINES[(first or self.first) - 1 : (last or self.last)]

    def text(self) -> str:
        return "\n".join(self.lines())

    def squeezed(self) -> str:
        return squeeze(self.text())


@cache
def chapters() -> dict[str, Chapter]:
    heads = [n for n, line in enumerate(LINES, start=1) if re.match(r"^\s*[2-5]\s.*との関係\s*$", line)]
    assert len(heads) == len(SCHEMES), f"expected one heading per chapter 2-5, found lines {heads}"
    found = {}
    for index, scheme in enumerate(SCHEMES):
        first = heads[index]
        last = heads[index + 1] - 1 if index + 1 < len(heads) else len(LINES)
        while not LINES[last - 1].strip():
            last -= 1
        header = next(n for n in range(first, last + 1) if "章番号" in LINES[n - 1] and "概要" in LINES[n - 1])
        found[scheme] = Chapter(scheme, int(LINES[first - 1].split()[0]), first, last, header + 1)
    return found


def chapter_of_line(line: int) -> str | None:
    return next((c.scheme for c in chapters().values() if c.first <= line <= c.last), None)


# CCDS IDs as printed: service requirements R2-n/R3-n and component requirements SR2-XX-n/SR3-XX-n, including the
# ones printed without their level digit (SR-H-4).
CCDS_ID = r"(?<![A-Za-z0-9])(?:SR\d?-(?:SP|PP|H|D|A)-\d+|R\d-\d+)"
# The ※共通要件 No.n qualifier of a cited item, also when printed 共通要 and when wrapped inside ("※共\n通要件").
QUALIFIER = r"※\s*共\s*通\s*要\s*件?\s*No\.\s*\d+(?:\s*,\s*\d+)*(?:\s*対\s*応\s*事\s*項)?"
TOKEN = re.compile(
    rf"""
     (?P<qualifier>{QUALIFIER})
    |(?P<cps>(?P<cps_number>\d+\.\d+)\.\s+(?P<cps_id>CPS\.[A-Z]{{2}}(?:-\d+)?))   # 3.1. CPS.AM-1
    |(?P<external>(?:方針|要点|ルール)\s?\d+|UK\d+)
    |(?P<number_row>^[ \t]*[0-9][ \t]*$)                                          # SB-327 "1", "2"
    |(?P<id>{CCDS_ID})
    |(?P<activity>No\.\d+)
    |(?P<section>(?<![0-9A-Za-z.,\-])[3-6](?:\.[0-9]+){{0,2}}(?![0-9.])(?=\s))    # 章番号: 3, 3.2, 5.2.1, 6.2.5
    |(?P<none>該当なし)
    |(?P<bullet>^[ \t]*・)
    """,
    re.X | re.M,
)


@dataclass(frozen=True)
class Token:
    line: int
    kind: str
    value: str


@cache
def tokens(scheme: str) -> tuple[Token, ...]:
    """The IDs, section numbers, qualifiers, 該当なし and statement bullets of a chapter's table, in reading order."""
    chapter = chapters()[scheme]
    lines = chapter.lines(chapter.table)
    text = "\n".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    found = []
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group(0).strip()
        if kind in ("cps_number", "cps_id"):
            kind = "cps"
        if kind == "cps":
            value = match.group("cps_id")
        elif kind == "number_row" and scheme != "sb327":
            kind = "section"  # a chapter number printed alone in the 章番号 column: "3", "5"
        elif kind == "external":
            value = re.sub(r"^(方針|要点|ルール)\s?", r"\1 ", value)
        elif kind == "qualifier":
            value = squeeze(value).removeprefix("※")
        found.append(Token(chapter.table + bisect_right(starts, match.start()) - 1, kind, value))
    return tuple(found)


@dataclass(frozen=True)
class Printed:
    """One correspondence as the seed prints it: the citing subject, the cited section and item, or 該当なし."""

    subject: str  # the external notation: 要点 3, CPS.RA-4, UK1, 1
    statement: int
    section: str
    item: str
    qualifier: str
    no_correspondence: bool
    line: int  # where the item ID / 該当なし is printed; for a section-only citation, where its number is
    section_line: int | None
    cell_end: int  # the line of the next token: a section-only citation's cell ends before it

    def key(self) -> tuple:
        return self.subject, self.statement, self.section, self.item, self.qualifier, self.no_correspondence


@cache
def reading(scheme: str) -> tuple[Printed, ...]:
    """Walk the chapter's tokens: a subject starts a block (CPSF bullets number its statements), a section number
    opens a cell, each item ID in the cell is a citation, a cell without IDs cites the section itself."""
    records: list[dict] = []
    subject, statement, section, cited = "", 0, None, False
    stream = tokens(scheme)

    def close(next_line: int) -> None:
        nonlocal section, cited
        if section is not None and not cited:
            records.append(
                dict(
                    subject=subject,
                    statement=statement,
                    section=section.value,
                    item="",
                    qualifier="",
                    no_correspondence=False,
                    line=section.line,
                    section_line=section.line,
                    cell_end=next_line,
                )
            )
        section, cited = None, False

    for token in stream:
        if token.kind in ("external", "number_row", "cps"):
            close(token.line)
            if token.kind == "cps" and "-" not in token.value:  # a CPSF category row
                subject = ""
                continue
            subject, statement = token.value, 0 if scheme == "cpsf" else 1
        elif token.kind == "bullet":
            if scheme == "cpsf":  # in table 3-1 a bullet opens a statement; in table 2-1 it marks a 概要
                close(token.line)
                statement += 1
        elif token.kind == "section":
            close(token.line)
            section = token
        elif token.kind in ("id", "activity"):
            cited = True
            records.append(
                dict(
                    subject=subject,
                    statement=statement,
                    section=section.value if section else "",
                    item=token.value,
                    qualifier="",
                    no_correspondence=False,
                    line=token.line,
                    section_line=section.line if section else None,
                    cell_end=token.line,
                )
            )
        elif token.kind == "qualifier":
            records[-1]["qualifier"] = token.value
        elif token.kind == "none":
            close(token.line)
            records.append(
                dict(
                    subject=subject,
                    statement=statement,
                    section="",
                    item="",
                    qualifier="",
                    no_correspondence=True,
                    line=token.line,
                    section_line=None,
                    cell_end=token.line,
                )
            )
    close(chapters()[scheme].last + 1)
    return tuple(Printed(**record) for record in records)


def pieces(first: int, last: int) -> list[str]:
    return [piece for line in LINES[first - 1 : last] for piece in line.split()]


def printed_between(text: str, first: int, last: int, whole: bool = False, max_skip: int = 12) -> bool:
    """Is `text` printed on seed lines first..last, white space ignored?

    The extraction breaks a cell into pieces (lines, and words around Latin text) and sometimes interleaves the
    pieces of the cells of one row on one line ("要点 21 脆弱な機能を 5.4.3 アフター ・No.3 …"). So the text is
    accepted when it starts with the end of one piece, continues with whole pieces (skipping up to `max_skip` whole
    pieces of other cells between two of its own) and ends with the start of a piece. With `whole`, it must be a
    complete cell: start at a piece start, after a bullet ・, an opening 「 or an ID (No.4「, 要点 8), and end at a
    piece end or before the closing 」 — the quoting markers that data/ drops."""
    target = squeeze(text)
    parts = pieces(max(first, 1), min(last, len(LINES)))
    if not whole and target in "".join(parts):
        return True

    def starts_cell(part: str, cut: int) -> bool:
        return cut == 0 or part[cut - 1] in "・「" or part[:cut].isascii()

    def ends_cell(rest: str) -> bool:
        return not whole or rest == "" or rest.startswith("」")

    def rest_from(position: int, index: int) -> bool:
        remaining = target[position:]
        for j in range(index, min(len(parts), index + max_skip + 1)):
            part = parts[j]
            if part.startswith(remaining) and ends_cell(part[len(remaining) :]):
                return True
            if remaining.startswith(part) and rest_from(position + len(part), j + 1):
                return True
        return False

    for index, part in enumerate(parts):
        for cut in range(len(part)):
            if whole and not starts_cell(part, cut):
                continue
            head = part[cut:]
            if head.startswith(target) and ends_cell(head[len(target) :]):
                return True
            if target.startswith(head) and rest_from(len(head), index + 1):
                return True
    return False


def rows(scheme: str) -> list[Mapping]:
    return [mapping for mapping in DATA.mappings if mapping.scheme == scheme]


def subject_notation(mapping: Mapping) -> str:
    return ITEMS[(mapping.scheme, mapping.subject)].notation


def errata_of(mapping: Mapping) -> list[str]:
    return [e.strip() for e in mapping.erratum.split(";") if e.strip()]


def erratum_kinds(mapping: Mapping) -> set[str]:
    return {ERRATA[e].kind for e in errata_of(mapping)}


def printed_id(mapping: Mapping) -> str:
    """The CCDS item the row literally names: 5.2.1/No.1, R2-3, SR-H-4, or the section itself."""
    if not mapping.item:
        return mapping.section
    return f"{mapping.section}/{mapping.item}" if mapping.item.startswith("No.") else mapping.item


def external_items(scheme: str, *kinds: str) -> list[Item]:
    return [item for item in DATA.items if item.scheme == scheme and item.kind in kinds]


def window_has(pattern: str, line: int, before: int = 2, after: int = 2) -> bool:
    return re.search(pattern, squeeze("".join(LINES[line - 1 - before : line + after]))) is not None


# --------------------------------------------------------------------------------------------- where things are


def test_chapters_and_tables_are_where_the_data_says():
    found = {s: (c.number, c.first, c.last) for s, c in chapters().items()}
    assert found == EXPECTED_CHAPTERS
    frameworks = {f.scheme: f for f in DATA.frameworks}
    for scheme, chapter in chapters().items():
        assert frameworks[scheme].chapter == str(chapter.number)
        assert frameworks[scheme].table == f"{chapter.number}-1"
    with (DATA_DIR / "sources.csv").open(encoding="utf-8", newline="") as handle:
        sources = {row["table"]: row for row in csv.DictReader(handle)}
    # Table captions: 表 1-1 (line 9), 表 2-1 (38), 表 3-1 (1175), 表 4-1 (4527), 表 5-1 (4986).
    lines = {table: int(row["line"]) for table, row in sources.items()}
    assert lines == {"1-1": 9, "2-1": 38, "3-1": 1175, "4-1": 4527, "5-1": 4986}
    for table, row in sources.items():
        assert squeeze(row["title_ja"]) == squeeze(LINES[int(row["line"]) - 1]), table
        if table != "1-1":
            assert chapter_of_line(int(row["line"])) == next(f.scheme for f in DATA.frameworks if f.table == table)
    # Each framework's row of table 1-1 (lines 13-27) and the CCDS guideline's name (line 3).
    for framework in DATA.frameworks:
        line = int(framework.line)
        assert printed_between(framework.title_ja, line, line + 4), framework.scheme
        if framework.scheme != "ccds":
            assert printed_between(framework.publisher_ja, line, line + 6), framework.scheme
            assert LINES[line - 1].split()[0] == framework.chapter


def test_page_numbers_where_the_extraction_kept_them():
    """A page of the extraction starts with a line indented by a space; its printed number survives only for pages
    12 (lines 1031-1162) and 19 (1861-1975). A row carries a page number exactly when it lies on one of them."""
    numbers = [(n, line.strip()) for n, line in enumerate(LINES, start=1) if re.fullmatch(r"\s*\d{2,3}\s*", line)]
    assert numbers == [(1162, "12"), (1975, "19")]
    page_starts = [n for n, line in enumerate(LINES, start=1) if line.startswith(" ") and line.strip()]
    pages = {page: (max(s for s in page_starts if s < n), n) for n, page in numbers}
    assert pages == {"12": (1031, 1162), "19": (1861, 1975)}
    for mapping in DATA.mappings:
        on = [page for page, (first, last) in pages.items() if first <= int(mapping.line) <= last]
        assert mapping.page == (on[0] if on else ""), (mapping.scheme, mapping.line, mapping.page)


# --------------------------------------------------------------------------------------------- external IDs


EXTERNAL_ID_PATTERNS = {
    "iotsg": (r"方針 ?\d+", r"要点 ?\d+", r"ルール ?\d+"),
    "cpsf": (r"CPS\.[A-Z]{2}-\d+",),
    "uk-cop": (r"UK\d+",),
}


def seed_external_ids(scheme: str) -> set[str]:
    chapter = chapters()[scheme]
    if scheme == "sb327":  # the requirement numbers stand alone in the No. column (lines 4991 and 5061)
        return {line.strip() for line in chapter.lines(chapter.table) if re.fullmatch(r"\s*\d+\s*", line)}
    found = set()
    for pattern in EXTERNAL_ID_PATTERNS[scheme]:
        found |= {
            re.sub(r"^(\D+?) ?(\d+)$", r"\1 \2", m) if scheme == "iotsg" else m
            for m in re.findall(pattern, chapter.text())
        }
    return found


@pytest.mark.parametrize("scheme", SCHEMES)
def test_external_ids_in_the_seed_are_the_items_of_the_data(scheme):
    kinds = ("policy", "key-point", "rule", "requirement", "guideline")
    assert seed_external_ids(scheme) == {item.notation for item in external_items(scheme, *kinds)}


def test_cpsf_categories_and_section_numbers():
    printed = set(re.findall(r"(\d+\.\d+)\.\s+(CPS\.[A-Z]{2}(?:-\d+)?)", chapters()["cpsf"].text()))
    data = {(item.number, item.notation) for item in external_items("cpsf", "category", "requirement")}
    assert printed == data
    for item in external_items("cpsf", "requirement"):
        assert item.parent == item.notation.rsplit("-", 1)[0]


def test_iotsg_hierarchy_follows_the_print():
    """A key point belongs to the last 方針 printed before it; the rules to the last category (一般利用者向け)."""
    policy = ""
    parents = {}
    for token in tokens("iotsg"):
        if token.kind == "external" and token.value.startswith("方針"):
            policy = token.value
        elif token.kind == "external":
            parents[token.value] = policy
    items = {item.id: item for item in DATA.items if item.scheme == "iotsg"}
    for item in items.values():
        if item.kind == "key-point":
            assert items[item.parent].notation == parents[item.notation], item.id
        if item.kind == "policy":
            assert items[item.parent].kind == "category"
        if item.kind == "rule":
            assert item.parent == "category-6"


def test_expected_counts_read_from_the_seed():
    def count(scheme, kind):
        return sum(1 for item in DATA.items if item.scheme == scheme and item.kind == kind)

    # Table 2-1: six 大項目 (方針・管理 l.44, 分析 149, 設計 290, 構築 564, 運用・保守 757, 一般利用者向け 1055),
    # 方針 1-5 (48, 149, 290, 564, 761), 要点 1-21 (60 … 1030) and ルール 1-4 (1059, 1073, 1097, 1121).
    assert [item.title_ja for item in external_items("iotsg", "category")] == [
        "方針・管理",
        "分析",
        "設計",
        "構築",
        "運用・保守",
        "一般利用者向け",
    ]
    assert seed_external_ids("iotsg") == (
        {f"方針 {n}" for n in range(1, 6)} | {f"要点 {n}" for n in range(1, 22)} | {f"ルール {n}" for n in range(1, 5)}
    )
    assert [count("iotsg", kind) for kind in ("category", "policy", "key-point", "rule")] == [6, 5, 21, 4]
    # Table 3-1: 20 categories 3.1 CPS.AM (l.1184) … 3.20 CPS.IM (4466) and 104 requirements.
    categories = [
        "AM",
        "BE",
        "GV",
        "RA",
        "RM",
        "SC",
        "AC",
        "AT",
        "DS",
        "IP",
        "MA",
        "PT",
        "AE",
        "CM",
        "DP",
        "RP",
        "CO",
        "AN",
        "MI",
        "IM",
    ]
    assert [item.notation for item in external_items("cpsf", "category")] == [f"CPS.{c}" for c in categories]
    assert [item.number for item in external_items("cpsf", "category")] == [f"3.{n}" for n in range(1, 21)]
    assert len(seed_external_ids("cpsf")) == 104
    assert [count("cpsf", kind) for kind in ("category", "requirement", "statement")] == [20, 104, 8]
    per_category = Counter(item.parent for item in external_items("cpsf", "requirement"))
    assert [per_category[f"CPS.{c}"] for c in categories] == [
        7,
        3,
        4,
        6,
        2,
        11,
        9,
        3,
        15,
        10,
        2,
        3,
        5,
        7,
        4,
        4,
        3,
        3,
        1,
        2,
    ]
    # Table 4-1: UK1 (l.4536) … UK13 (4940). Table 5-1: requirements 1 (4991) and 2 (5061).
    assert seed_external_ids("uk-cop") == {f"UK{n}" for n in range(1, 14)}
    assert [item.id for item in external_items("uk-cop", "guideline")] == [f"UK{n}" for n in range(1, 14)]
    assert seed_external_ids("sb327") == {"1", "2"}
    assert count("sb327", "requirement") == 2
    # Mapping rows per table.
    assert Counter(m.scheme for m in DATA.mappings) == {"iotsg": 130, "cpsf": 292, "uk-cop": 62, "sb327": 10}


def test_requirements_with_several_statements():
    """In table 3-1 each statement of a requirement is a bullet (・) with its own 対応箇所; four requirements have
    two: CPS.RA-4 (bullets at l.1564 and 1578), CPS.RA-6 (1617, 1637), CPS.MA-1 (3358, 3440), CPS.CM-3 (3879, 3913)."""
    bullets: Counter[str] = Counter()
    subject = ""
    for token in tokens("cpsf"):
        if token.kind == "cps":
            subject = token.value
        elif token.kind == "bullet":
            bullets[subject] += 1
    requirements = {item.notation for item in external_items("cpsf", "requirement")}
    assert all(bullets[r] >= 1 for r in requirements)
    several = {subject for subject, n in bullets.items() if n > 1}
    expected = {"CPS.RA-4", "CPS.RA-6", "CPS.MA-1", "CPS.CM-3"}
    assert several == expected
    assert all(bullets[s] == 2 for s in expected)
    statements = external_items("cpsf", "statement")
    assert {item.parent for item in statements} == expected
    for parent in expected:
        own = [item for item in statements if item.parent == parent]
        assert [item.id for item in own] == [f"{parent}/1", f"{parent}/2"]
        assert ITEMS[("cpsf", parent)].title_ja == "".join(item.title_ja for item in own)
    cited = Counter((m.subject, m.statement) for m in rows("cpsf"))
    assert {(s, st) for s, st in cited if st != "1"} == {(s, "2") for s in expected}


# --------------------------------------------------------------------------------------------- CCDS IDs


@pytest.mark.parametrize("scheme", SCHEMES)
def test_ccds_ids_printed_are_the_ids_of_the_rows(scheme):
    printed = Counter(re.findall(CCDS_ID, chapters()[scheme].text()))
    data = Counter(m.item for m in rows(scheme) if re.fullmatch(CCDS_ID, m.item))
    assert set(printed) == set(data)
    assert printed == data  # and as often: one row per printed ID ("R2-1、R3-2" is two rows)
    sections = {token.value for token in tokens(scheme) if token.kind == "section"}
    assert sections == {m.section for m in rows(scheme) if m.section}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_phase_activity_citations(scheme):
    """No.n activities are qualified by the section printed before them in the 章番号 column."""
    chapter = chapters()[scheme]
    cited = [m for m in rows(scheme) if m.item.startswith("No.")]
    for mapping in cited:
        line = int(mapping.line)
        assert window_has(re.escape(mapping.item) + r"(?!\d)", line), (mapping.subject, mapping.item, line)
        before = [t for t in tokens(scheme) if t.kind == "section" and t.line <= line]
        assert before and before[-1].value == mapping.section, (mapping.subject, mapping.item, line)
    assert {(p.section, p.item) for p in reading(scheme) if p.item.startswith("No.")} == {
        (m.section, m.item) for m in cited
    }
    outside_qualifiers = re.sub(r"※共通要件?No\.\d+(?:,\d+)*", "", chapter.squeezed())
    assert len(re.findall(r"No\.\d+", outside_qualifiers)) == len(cited)
    # Table 2-1 cites 44 activities, table 3-1 64, tables 4-1 and 5-1 none.
    assert len(cited) == {"iotsg": 44, "cpsf": 64, "uk-cop": 0, "sb327": 0}[scheme]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_an_independent_reading_of_the_seed_gives_the_rows(scheme):
    """Subject, statement, section, item, qualifier and 該当なし of every row, in order, as the token walk reads
    them; the recorded line is the line of the printed ID (or 該当なし), or lies in a section-only citation's cell."""
    printed = reading(scheme)
    data = rows(scheme)
    keys = [(subject_notation(m), int(m.statement), m.section, m.item, m.qualifier, m.no_correspondence) for m in data]
    assert [p.key() for p in printed] == keys
    for record, mapping in zip(printed, data, strict=True):
        line = int(mapping.line)
        if record.item or record.no_correspondence:
            assert line == record.line, record
        else:
            assert record.section_line <= line < record.cell_end, record


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_correspondence(scheme):
    chapter = chapters()[scheme]
    marks = [n for n, line in enumerate(chapter.lines(), start=chapter.first) if "該当なし" in line]
    empty = [m for m in rows(scheme) if m.no_correspondence]
    assert len(marks) == sum(line.count("該当なし") for line in chapter.lines()) == len(empty)
    for mark in marks:
        assert any(0 <= mark - int(m.line) <= 3 for m in empty), mark
    for mapping in empty:
        assert any(0 <= mark - int(mapping.line) <= 3 for mark in marks), mapping
        assert not (mapping.section or mapping.item or mapping.target or mapping.section_title or mapping.item_title)
    # Every 該当なし is printed under a "－" in the 章番号 column.
    for mark in marks:
        assert "－" in "".join(LINES[mark - 5 : mark - 1]), mark


def test_cpsf_requirements_without_correspondence():
    """The 32 該当なし of table 3-1 (seed lines in the comments); none in the other tables."""
    expected = {
        ("CPS.AM-2", "1"): 1224,
        ("CPS.AM-3", "1"): 1242,
        ("CPS.RA-4", "1"): 1576,
        ("CPS.SC-7", "1"): 1910,
        ("CPS.SC-8", "1"): 1930,
        ("CPS.SC-10", "1"): 1968,
        ("CPS.SC-11", "1"): 1990,
        ("CPS.AC-4", "1"): 2198,
        ("CPS.AT-3", "1"): 2635,
        ("CPS.DS-4", "1"): 2758,
        ("CPS.DS-8", "1"): 2938,
        ("CPS.DS-9", "1"): 2952,
        ("CPS.DS-10", "1"): 2968,
        ("CPS.DS-11", "1"): 2979,
        ("CPS.DS-12", "1"): 2991,
        ("CPS.DS-13", "1"): 3003,
        ("CPS.DS-14", "1"): 3017,
        ("CPS.DS-15", "1"): 3033,
        ("CPS.IP-2", "1"): 3112,
        ("CPS.IP-4", "1"): 3142,
        ("CPS.IP-5", "1"): 3162,
        ("CPS.MA-1", "2"): 3456,
        ("CPS.CM-4", "1"): 3961,
        ("CPS.CM-6", "1"): 4020,
        ("CPS.DP-2", "1"): 4141,
        ("CPS.DP-3", "1"): 4157,
        ("CPS.DP-4", "1"): 4174,
        ("CPS.RP-1", "1"): 4197,
        ("CPS.RP-3", "1"): 4245,
        ("CPS.CO-2", "1"): 4322,
        ("CPS.CO-3", "1"): 4338,
        ("CPS.AN-1", "1"): 4356,
    }
    found = {(m.subject, m.statement): int(m.line) for m in DATA.mappings if m.no_correspondence}
    assert found == expected
    # A requirement (statement) marked 該当なし has no other row.
    for subject, statement in expected:
        assert [m for m in rows("cpsf") if (m.subject, m.statement) == (subject, statement)] == [
            m for m in rows("cpsf") if (m.subject, m.statement) == (subject, statement) and m.no_correspondence
        ]


def test_specific_mappings_read_from_the_seed():
    def targets(scheme, subject, statement="1"):
        return [
            (m.section, m.item, m.qualifier, m.target)
            for m in rows(scheme)
            if m.subject == subject and m.statement == statement
        ]

    # UK1 (l.4536-4568): SR2-SP-1 / SR2-PP-1 / SR2-H-1 / SR2-D-1 「共通要件への対応」※共通要件 No.6.
    assert targets("uk-cop", "UK1") == [
        ("6.2.1", "SR2-SP-1", "共通要件No.6", "SR2-SP-1"),
        ("6.2.2", "SR2-PP-1", "共通要件No.6", "SR2-PP-1"),
        ("6.2.3", "SR2-H-1", "共通要件No.6", "SR2-H-1"),
        ("6.2.4", "SR2-D-1", "共通要件No.6", "SR2-D-1"),
    ]
    # UK2 (l.4580) prints R2-8 with the title of R3-8 (erratum E21): the target is R3-8.
    assert targets("uk-cop", "UK2") == [("6.1", "R2-8", "", "R3-8")]
    # UK13 (l.4948, 4960, 4970): two qualifiers printed 共通要 No.1,2,3, the third 共通要件 No.1,2,3.
    assert [q for _, _, q, _ in targets("uk-cop", "UK13") if q] == [
        "共通要No.1,2,3",
        "共通要No.1,2,3",
        "共通要件No.1,2,3",
    ]
    # SB-327 requirement 1 (l.5031-5056) cites the six sections 6.1, 6.2.1-6.2.5 without items;
    # requirement 2 (l.5093-5117) the four 共通要件 No.6 component requirements.
    assert targets("sb327", "1") == [(s, "", "", s) for s in ("6.1", "6.2.1", "6.2.2", "6.2.3", "6.2.4", "6.2.5")]
    assert [t for _, _, _, t in targets("sb327", "2")] == ["SR2-SP-1", "SR2-PP-1", "SR2-H-1", "SR2-D-1"]
    # 要点 1 (l.60-70): 5.2.1 No.1 only. ルール 4 (l.1121-1151): 5.4.4 No.2, 5.4.5 No.2, 5.4.6 No.1, R2-5.
    assert [t for *_, t in targets("iotsg", "point-1")] == ["5.2.1/No.1"]
    assert [t for *_, t in targets("iotsg", "rule-4")] == ["5.4.4/No.2", "5.4.5/No.2", "5.4.6/No.1", "R2-5"]
    # 要点 3 (l.161-175): section 3.2 with its 概要, then R2-1、R3-2 printed together on one line (175).
    assert targets("iotsg", "point-3") == [
        ("3.2", "", "", "3.2"),
        ("6.1", "R2-1", "", "R2-1"),
        ("6.1", "R3-2", "", "R3-2"),
    ]
    # CPS.GV-3 (l.1472-1483): chapters 3 and 5 without items. CPS.DS-1 (l.2649-2666): 5.5, 5.6, then R2-1、R3-2.
    assert [t for *_, t in targets("cpsf", "CPS.GV-3")] == ["3", "5"]
    assert [t for *_, t in targets("cpsf", "CPS.DS-1")] == ["5.5", "5.6", "R2-1", "R3-2"]
    # CPS.DS-3 (l.2730-2744): SR-H-4, SR-H-5, SR-D-2 printed without the level digit.
    assert [(i, t) for _, i, _, t in targets("cpsf", "CPS.DS-3")][2:] == [
        ("SR-H-4", "SR3-H-4"),
        ("SR-H-5", "SR3-H-5"),
        ("SR-D-2", "SR3-D-2"),
    ]
    # CPS.IP-1 (l.3069-3098): SR2-SP-1 printed under 6.2.1-6.2.4; resolved to each section's own requirement.
    assert [(s, i, t) for s, i, _, t in targets("cpsf", "CPS.IP-1")][1:] == [
        ("6.2.1", "SR2-SP-1", "SR2-SP-1"),
        ("6.2.2", "SR2-SP-1", "SR2-PP-1"),
        ("6.2.3", "SR2-SP-1", "SR2-H-1"),
        ("6.2.4", "SR2-SP-1", "SR2-D-1"),
    ]
    # CPS.IP-3 (l.3122-3126): 5.2.3 printed with the title and No.2 of 5.2.2.
    assert targets("cpsf", "CPS.IP-3") == [("5.2.3", "No.2", "", "5.2.2/No.2")]
    # CPS.RA-4 (l.1562-1598): statement 1 該当なし, statement 2 SR2-A-2.
    assert targets("cpsf", "CPS.RA-4") == [("", "", "", "")]
    assert targets("cpsf", "CPS.RA-4", "2") == [("6.2.5", "SR2-A-2", "", "SR2-A-2")]


# --------------------------------------------------------------------------------------------- printed text


def test_external_item_texts_are_printed_where_the_data_says():
    for item in DATA.items:
        if item.scheme == "ccds":
            continue
        line = int(item.line)
        assert chapter_of_line(line) == item.scheme, item.id
        if item.notation and item.kind != "category":
            assert squeeze(item.notation) in squeeze(LINES[line - 1]), (item.id, line)
        if item.kind == "requirement" and any(i.parent == item.id for i in external_items(item.scheme, "statement")):
            continue  # its title is the concatenation of its statements (checked above)
        assert printed_between(item.title_ja, line, line + 40, whole=True), (item.id, line)
        if item.note_ja:
            assert printed_between(item.note_ja, line, line + 60, whole=True), (item.id, "note_ja")


def test_ccds_item_texts_are_printed():
    whole = squeeze("\n".join(LINES))
    qualifier_numbers = {n for q in re.findall(r"共通要件?No\.([\d,]+)", whole) for n in q.split(",")}
    for item in DATA.items:
        if item.scheme != "ccds":
            continue
        if item.kind == "common-requirement":  # a label built from the number, which is printed in qualifiers
            number = item.id.removeprefix("common/")
            assert item.title_ja == item.notation == f"共通要件 No.{number}"
            assert number in qualifier_numbers, item.id
        elif item.title_not_in_source:  # a structural section, labelled with its number
            assert item.title_ja == item.notation == item.id, item.id
        else:
            assert squeeze(item.title_ja) in whole, item.id
    for component in DATA.components:
        assert squeeze(component.title_ja) in whole, component.code


def test_ccds_item_lines_are_first_printings():
    """A CCDS item's line is the first row that prints it (as section, item ID or common-requirement number)."""

    def printed_names(mapping: Mapping) -> set[str]:
        names = {mapping.section, printed_id(mapping)} - {""}
        if mapping.qualifier:
            names |= {f"common/{n}" for n in re.findall(r"\d+", mapping.qualifier.partition("No.")[2])}
        return names

    for item in DATA.items:
        if item.scheme != "ccds":
            continue
        lines = [int(m.line) for m in DATA.mappings if item.id in printed_names(m)]
        if item.title_not_in_source and item.kind != "common-requirement":  # a structural section: never printed
            assert lines == [] and item.line == "", item.id
            continue
        assert lines and int(item.line) == min(lines), (item.id, item.line, min(lines, default=None))


def test_ccds_hierarchy_is_the_numbering():
    """Every CCDS section lies in the section its number implies (6.2.1 in 6.2 in 6); the structural sections the
    numbering needs but the Appendix never prints in a 章番号 column (4, 4.1, 5.2, 5.4, 6, 6.2) are in the data,
    labelled with their number and marked title_not_in_source; chapters are roots."""
    printed = {t.value for scheme in SCHEMES for t in tokens(scheme) if t.kind == "section"}
    needed = {".".join(n.split(".")[:k]) for n in printed for k in range(1, n.count(".") + 1)}
    assert needed - printed == {"4", "4.1", "5.2", "5.4", "6", "6.2"}
    sections = {i.id: i for i in DATA.items if i.scheme == "ccds" and i.kind in ("chapter", "section")}
    assert set(sections) == printed | needed
    for number, item in sections.items():
        assert item.notation == number
        assert item.kind == ("chapter" if "." not in number else "section"), number
        assert item.parent == number.rpartition(".")[0], number
        structural = number not in printed
        assert (item.title_not_in_source == "true") == structural, number
        if structural:
            assert item.title_ja == item.title_en == number, number  # no invented title
    for item in DATA.items:
        if item.scheme != "ccds":
            continue
        if item.kind == "activity":
            assert item.parent == item.id.split("/")[0], item.id
        if item.kind == "service-requirement":
            assert item.parent == "6.1", item.id  # every R ID is printed under 6.1 (checked above)
        if item.kind == "common-requirement":
            assert item.parent == "" and item.title_not_in_source == "true", item.id  # never placed by the Appendix


def test_row_titles_are_printed_at_the_row():
    for mapping in DATA.mappings:
        if mapping.no_correspondence:
            continue
        line = int(mapping.line)
        section_line = max(
            t.line
            for t in tokens(mapping.scheme)
            if t.kind == "section" and t.value == mapping.section and t.line <= line
        )
        assert printed_between(mapping.section_title, section_line, section_line + 12, whole=True), (
            mapping.scheme,
            line,
        )
        if mapping.item_title:
            assert printed_between(mapping.item_title, line, line + 10, whole=True), (
                mapping.scheme,
                line,
                mapping.item_title,
            )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_section_only_citations_have_a_summary_only_where_one_is_printed(scheme):
    """Only table 2-1 prints a 概要 (・…) for a section cited without an item; elsewhere item_title stays empty."""
    for record, mapping in zip(reading(scheme), rows(scheme), strict=True):
        if record.item or record.no_correspondence:
            continue
        cell = [line.strip() for line in LINES[record.section_line - 1 : record.cell_end - 1]]
        summary = [line for line in cell if line.startswith("・")]
        if mapping.item_title:
            assert summary, (scheme, mapping.line)
            assert printed_between("・" + mapping.item_title, record.section_line, record.cell_end - 1, whole=True)
        else:
            assert not summary, (scheme, mapping.line)
    if scheme != "iotsg":
        assert all(not m.item_title for m in rows(scheme) if not m.item)


def test_japanese_texts_of_frameworks_are_printed():
    whole = squeeze("\n".join(LINES))
    for framework in DATA.frameworks:
        for text in (framework.title_ja, framework.publisher_ja, framework.relation_ja):
            if text:
                assert squeeze(text) in whole, (framework.scheme, text)
        if framework.relation_ja:
            chapter = chapters()[framework.scheme]
            assert squeeze(framework.relation_ja) in squeeze("".join(chapter.lines(chapter.first, chapter.table)))


def test_errata_printed_texts_are_in_the_seed():
    """A printed text is a quote (found verbatim, white space ignored, near the erratum's line), or, for a citation
    assembled from several cells ("6.2.2 SR2-SP-1「…」", "6.2.2/6.2.3/6.2.4 …"), each of its parts is."""
    whole = squeeze("\n".join(LINES))
    rows_of = {e.id: [int(m.line) for m in DATA.mappings if e.id in errata_of(m)] for e in DATA.errata}
    for erratum in DATA.errata:
        printed = erratum.printed
        if erratum.line:
            line = int(erratum.line)
            # an unresolved variant is on the rows of both wordings: the quote is at one of them
            if any(printed_between(printed, at - 12, at + 12) for at in [line, *rows_of[erratum.id]]):
                continue
            parts = [p for p in re.split(r"[\s/]+", re.sub(r"\(.*?\)", "", printed)) if p]
            assert len(parts) > 1, erratum.id
            for part in parts:
                assert printed_between(part, line - 12, line + 16), (erratum.id, part)
        else:
            parts = [p for p in re.split(r"\s+", re.sub(r"\(.*?\)", "", printed)) if p]
            assert parts and all(squeeze(p) in whole for p in parts), erratum.id


def test_errata_are_referenced_consistently():
    referenced: dict[str, list[Mapping]] = {}
    for mapping in DATA.mappings:
        for erratum in errata_of(mapping):
            assert erratum in ERRATA, (mapping.scheme, mapping.line, erratum)
            referenced.setdefault(erratum, []).append(mapping)
    for erratum in DATA.errata:
        refs = referenced.get(erratum.id, [])
        if not refs:  # E27, E28: misprints in an item's own text, not in a row
            assert erratum.kind == "text-typo", erratum.id
            continue
        assert not erratum.scheme or {m.scheme for m in refs} == {erratum.scheme}, erratum.id
        assert int(erratum.line) == min(int(m.line) for m in refs), erratum.id  # the first affected row


# --------------------------------------------------------------------------------------------- printed vs canonical


TITLE_KINDS = {"title-variant", "wrong-id", "wrong-level", "missing-level", "section-number-mismatch"}
SECTION_KINDS = {"section-title-mismatch", "section-title-variant", "section-number-mismatch"}


def test_printed_item_titles_are_canonical_or_carry_an_erratum():
    for mapping in DATA.mappings:
        if not mapping.item:
            if mapping.item_title:  # a 概要 restating the section (table 2-1)
                assert mapping.item_title == mapping.section_title, mapping.line
            continue
        canonical = ITEMS.get(("ccds", printed_id(mapping)))
        if canonical is None or mapping.item_title != canonical.title_ja:
            assert erratum_kinds(mapping) & TITLE_KINDS, (
                mapping.scheme,
                mapping.line,
                mapping.item,
                mapping.item_title,
            )


def test_printed_section_titles_are_canonical_or_carry_an_erratum():
    for mapping in DATA.mappings:
        if mapping.no_correspondence:
            continue
        canonical = ITEMS[("ccds", mapping.section)].title_ja
        if mapping.section_title != canonical:
            assert erratum_kinds(mapping) & SECTION_KINDS, (mapping.scheme, mapping.line, mapping.section_title)


def test_printed_ids_agree_with_their_sections_or_carry_an_erratum():
    components = {c.code: c.section for c in DATA.components}
    for mapping in DATA.mappings:
        if mapping.no_correspondence:
            continue
        kinds = erratum_kinds(mapping)
        printed = printed_id(mapping)
        if ("ccds", printed) not in ITEMS:
            assert kinds & {"missing-level", "wrong-level", "wrong-id"}, (mapping.line, printed)
        sr = re.fullmatch(r"SR(\d?)-([A-Z]+)-\d+", mapping.item)
        if sr and components[sr.group(2)] != mapping.section:
            assert kinds & {"wrong-component-section", "section-number-mismatch"}, (mapping.line, mapping.item)
        if sr and not sr.group(1):
            assert "missing-level" in kinds, mapping.line
        if re.fullmatch(r"R\d-\d+", mapping.item):
            assert mapping.section == "6.1", mapping.line
        if mapping.target != printed:
            assert mapping.target in {ERRATA[e].resolved for e in errata_of(mapping)}, (mapping.line, mapping.target)


# --------------------------------------------------------------------------------------------- hygiene


def test_no_duplicate_mapping_records():
    keys = Counter((m.scheme, m.subject, m.statement, m.section, m.item, m.qualifier) for m in DATA.mappings)
    assert [key for key, n in keys.items() if n > 1] == []


def _records():
    yield from DATA.frameworks
    yield from DATA.items
    yield from DATA.mappings
    yield from DATA.errata
    yield from DATA.components


# normalise() is the rule for text as printed (data/README.md). Columns it must not be applied to:
NOT_NORMALISED = {
    ("Item", "notation"): "notations keep one space: 要点 1, 方針 1, ルール 1, 共通要件 No.1 (id patterns in shapes/)",
    ("Item", "legal_source"): "English citation: normalise would glue 'Code § 1798.91.04' together",
    ("Erratum", "printed"): "a citation assembled from cells, parts separated by a space: '6.2.2 SR2-SP-1「…」'",
    ("Erratum", "resolved"): "English (or an ID list) quoting Japanese: '容易に (easily)'",
    ("Erratum", "reason"): "English prose quoting Japanese: 'printed as 企業としての対応方針の策定 (twice)'",
}


def test_text_is_normalised():
    for record in _records():
        kind = type(record).__name__
        for field in fields(record):
            value = getattr(record, field.name)
            if not isinstance(value, str) or (kind, field.name) in NOT_NORMALISED:
                continue
            if isinstance(record, Item) and record.kind == "common-requirement" and field.name == "title_ja":
                assert value == record.notation  # a label built from the notation, not printed text
                continue
            assert normalise(value) == value, (kind, getattr(record, "id", ""), field.name, value)
    with (DATA_DIR / "sources.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            assert all(normalise(value) == value for value in row.values()), row


def test_every_text_field_is_tidy():
    """No field has leading, trailing, doubled or non-space white space. Notations keep their one space
    (要点 1, 共通要件 No.1: the id patterns of shapes/), English text keeps its spaces (Code § 1798.91.04)."""
    for record in _records():
        for field in fields(record):
            value = getattr(record, field.name)
            if isinstance(value, str):
                assert " ".join(value.split()) == value, (type(record).__name__, field.name, value)


# --------------------------------------------------------------------------------------------- errata of issue 16


def test_e22_is_a_wrong_id_resolved_to_the_printed_section():
    """CPS.PT-2 (l.3596, 3608): the 6.2.3 cell prints SR2-H-5「USB接続端子の対策」 and the 6.2.4 cell below repeats that
    title under SR2-D-5, whose title is 報告された脆弱性に対する更新ソフトウェアの提供 wherever else it is printed."""
    assert "SR2-H-5「USB" in squeeze(LINES[3596 - 1]) and "SR2-D-5「USB" in squeeze(LINES[3608 - 1])
    elsewhere = [n for n, line in enumerate(LINES, start=1) if "SR2-D-5" in line and n != 3608]
    assert elsewhere == [837, 2910, 3426, 4642]
    assert all(printed_between("報告された脆弱性に対する", n, n + 3) for n in elsewhere)
    e22 = ERRATA["E22"]
    assert (e22.kind, e22.resolved, e22.status, e22.line) == ("wrong-id", "6.2.4", "resolved", "3608")
    [row] = [m for m in rows("cpsf") if m.subject == "CPS.PT-2" and m.item == "SR2-D-5"]
    assert (row.section, row.target, row.erratum) == ("6.2.4", "6.2.4", "E22")
    assert [m for m in rows("cpsf") if m.subject == "CPS.PT-2" and m.target == "SR2-D-5"] == []


# Each unresolved title variant: the item(s), and how often the seed prints each wording (white space ignored).
VARIANT_COUNTS = {
    "E17": ("5.2.1/No.1", {"企業としての対応方針の策定": 2, "企業組織としての対応方針の策定": 2}),
    "E18": ("5.2.1/No.2", {"企業としてのプライバシポリシーの策定": 1, "企業組織としてのプライバシポリシーの策定": 1}),
    "E19": (
        "SR3-H-9, SR3-D-5",
        {"脆弱性スキャン、ペネトレーションテスト": 6, "脆弱性スキャン・ペネトレーションテストの実施": 2},
    ),
    "E25": (
        "5.2.4/No.16",
        {"サービス提供上のインシデント対応": 8, "サービス対応機器に対するインシデント対応": 3},
    ),
}


@pytest.mark.parametrize("erratum", sorted(VARIANT_COUNTS))
def test_unresolved_title_variants_are_on_every_row_of_both_wordings(erratum):
    items, counts = VARIANT_COUNTS[erratum]
    e = ERRATA[erratum]
    assert (e.kind, e.status, e.resolved) == ("title-variant", "unresolved", items)
    whole = squeeze("\n".join(LINES))
    # E19: 6 = SR3-SP-13 and SR3-PP-13 twice each (l.521, 533, 4046, 4056) + SR3-H-9 and SR3-D-5 in table 3-1
    assert {wording: whole.count(wording) for wording in counts} == counts
    cited = [m for m in DATA.mappings if printed_id(m) in items.split(", ")]
    assert {m.item_title for m in cited} == set(counts)
    assert all(erratum in errata_of(m) for m in cited), [m.line for m in cited if erratum not in errata_of(m)]
    # the label is the wording printed most often, on a tie the one printed first
    labels = {ITEMS[("ccds", i)].title_ja for i in items.split(", ")}
    first = min(cited, key=lambda m: int(m.line)).item_title
    best = max(counts.values())
    expected = first if list(counts.values()).count(best) > 1 else max(counts, key=counts.__getitem__)
    assert labels == {expected}
    assert [w for w in counts if w in e.printed] == [w for w in counts if w != expected]  # quotes the other one


def test_cps_ac_1_misprint_is_an_erratum():
    """CPS.AC-1 (l.2000-2008) prints 認証情報を発効 for 発行 (issue); the compound 発効 occurs nowhere else."""
    assert "認証情報を発効、管理、確認、" in squeeze(LINES[2006 - 1])
    assert squeeze("\n".join(LINES)).count("発効") == 1
    [e] = [e for e in DATA.errata if e.printed == "発効"]
    assert (e.scheme, e.kind, e.status, e.line, e.resolved) == ("cpsf", "text-typo", "resolved", "2006", "発行 (issue)")
    assert "発効" in ITEMS[("cpsf", "CPS.AC-1")].title_ja  # kept as printed
    assert "issu" in ITEMS[("cpsf", "CPS.AC-1")].title_en  # the English follows the evident meaning
