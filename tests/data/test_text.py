"""Text conventions of data/: one white-space rule for every Japanese field (no two Japanese characters separated
by a space anywhere in the tables), and the English of the project translations — one rendering per glossary term
(the glossary table of data/README.md is read here, so the documented term and the checked term are the same),
one spelling convention and one capitalisation convention per kind of title."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from ccds_crosswalk.release.load import ITEM_KINDS, load_data
from ccds_crosswalk.release.text import normalise

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DATA = load_data(DATA_DIR)
JAPANESE = "※★☆\u3000-\u30ff\u3400-\u9fff\uff00-\uffef"  # kana, kanji, CJK and full-width punctuation and forms, ※★
SPACED = re.compile(f"[{JAPANESE}]\\s+[{JAPANESE}]")


def tables() -> list[Path]:
    return sorted(DATA_DIR.rglob("*.csv"))


def test_no_space_between_japanese_characters_anywhere_in_the_tables() -> None:
    found = []
    for path in tables():
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                found += [(path.name, number, m.group(0)) for cell in row for m in SPACED.finditer(cell)]
    assert len(tables()) >= 12
    assert found == []


def test_normalise_drops_every_space_next_to_japanese() -> None:
    assert normalise("ものとする。 １．デバイス") == "ものとする。１．デバイス"  # SB-327, a list break
    assert normalise("経営者が IoT セキュリティ") == "経営者がIoTセキュリティ"
    assert normalise("Code of  Practice") == "Code of Practice"


# ------------------------------------------------------------------ the glossary


def glossary() -> list[tuple[str, str]]:
    """(Japanese term, pattern) from the glossary table of data/README.md, longest term first."""
    text = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    section = text[text.index("| Japanese | English | pattern | note |") :]
    rows = []
    for line in section.splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows.append((cells[0], cells[2].strip("`").replace("\\|", "|")))
    return sorted(rows, key=lambda row: -len(row[0]))


def project_labels() -> list[tuple[str, str, str]]:
    """(where, Japanese, English) of every project translation of an item, component or table caption. A framework's
    name is a name, not a run of terms (サイバー・フィジカル・セキュリティ対策フレームワーク is the Cyber/Physical
    Security Framework): names are left out, also where a caption quotes one."""
    names = [re.sub(r"[（(].*|[「」]", "", f.title_ja) for f in DATA.frameworks]
    labels = [
        (f"{i.scheme}/{i.id}", i.title_ja, i.title_en)
        for i in DATA.items
        if i.title_en_source == "project" and not i.title_not_in_source
    ]
    labels += [(f"component {c.code}", c.title_ja, c.title_en) for c in DATA.components]
    with (DATA_DIR / "sources.csv").open(encoding="utf-8", newline="") as handle:
        labels += [(f"table {r['table']}", r["title_ja"], r["title_en"]) for r in csv.DictReader(handle)]
    for name in filter(None, names):
        labels = [(where, japanese.replace(name, "〓"), english) for where, japanese, english in labels]
    return labels


def test_glossary_is_documented() -> None:
    terms = dict(glossary())
    for term in ("要件", "要求事項", "共通要件", "施工", "方針", "要点", "アフターフェーズ", "生産・施工フェーズ"):
        assert term in terms, term
    assert len(terms) >= 30


@pytest.mark.parametrize(("term", "pattern"), glossary())
def test_each_glossary_term_has_its_one_rendering(term: str, pattern: str) -> None:
    longer = [other for other, _ in glossary() if len(other) > len(term) and term in other]
    wrong = []
    uses = 0
    for where, japanese, english in project_labels():
        for other in longer:
            japanese = japanese.replace(other, "〓")
        if term in japanese:
            uses += 1
            if not re.search(pattern, english, re.IGNORECASE):
                wrong.append((where, english))
    assert wrong == []
    assert uses > 0 or term == "要点", f"{term} is in no label: drop it from the glossary"


# ------------------------------------------------------------------ spelling and capitalisation

US_SPELLING = re.compile(
    r"\b\w*[^s\W]iz(e|es|ed|ing|ation|ations)\b|\w*yz(e|es|ed|ing)\b|\blicense\b|\blifecycle\b|e\.g\.,"
)
NAMES = {
    "IoT",
    "API",
    "DoS",
    "LAN",
    "USB",
    "OS",
    "SOC",
    "CSIRT",
    "I/F",
    "Act",
    "Protection",
    "Personal",
    "Information",
    "Unfair",
    "Competition",
    "Prevention",
}  # acronyms, and the two acts CPS.GV-2 names
TITLE_KINDS = ITEM_KINDS - {"requirement", "statement", "common-requirement"}  # those are sentences (below)


def test_one_spelling_convention() -> None:
    found = [(where, m.group(0)) for where, _, english in project_labels() for m in US_SPELLING.finditer(english)]
    assert found == []


def test_titles_are_in_sentence_case() -> None:
    titles = [
        (f"{i.scheme}/{i.id}", i.title_en)
        for i in DATA.items
        if i.title_en_source == "project" and i.kind in TITLE_KINDS and not i.title_not_in_source
    ]
    titles += [(f"component {c.code}", c.title_en) for c in DATA.components]
    assert len(titles) > 150
    wrong = []
    for where, title in titles:
        words = re.findall(r"[A-Za-z][\w/-]*", title)
        capitals = [w for w in words[1:] if w[0].isupper() and w not in NAMES]
        if not title[0].isupper() or capitals or title.endswith("."):
            wrong.append((where, title))
    assert wrong == []


def test_requirement_texts_are_sentences() -> None:
    texts = [(i.id, i.title_en) for i in DATA.items if i.scheme == "cpsf" and i.kind in ("requirement", "statement")]
    assert len(texts) == 112
    assert [t for t in texts if not (t[1][0].isupper() and t[1].endswith("."))] == []
