"""Stage 1, load: read the curated tables of data/ into typed records (see data/README.md).

Raises `DataError` naming the file, line and column for anything malformed; it never guesses.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

__all__ = [
    "ITEM_KINDS",
    "Component",
    "Data",
    "DataError",
    "Erratum",
    "Framework",
    "Item",
    "Mapping",
    "load_data",
    "parse_turtle",
    "require_utf8",
]


class DataError(ValueError):
    """A curated table is malformed; the message names file, line and column."""


@dataclass(frozen=True)
class Framework:
    scheme: str
    notation: str
    title_ja: str
    title_en: str
    title_en_source: str
    publisher_ja: str
    publisher_en: str
    chapter: str
    table: str
    relation: str
    relation_ja: str
    version: str
    issued: str
    line: str


@dataclass(frozen=True)
class Item:
    scheme: str
    id: str
    kind: str
    parent: str
    notation: str
    number: str
    title_ja: str
    title_en: str
    title_en_source: str
    title_not_in_source: str  # "true" for a structural CCDS node the Appendix never prints a title for
    level: str
    component: str
    legal_source: str
    note_ja: str
    line: str


@dataclass(frozen=True)
class Mapping:
    scheme: str
    seq: int
    subject: str
    statement: str
    section: str
    section_title: str
    item: str
    item_title: str
    qualifier: str
    no_correspondence: bool
    target: str
    erratum: str
    line: str
    page: str


@dataclass(frozen=True)
class Erratum:
    id: str
    scheme: str
    kind: str
    printed: str
    resolved: str
    status: str
    reason: str
    line: str


@dataclass(frozen=True)
class Component:
    code: str
    section: str
    title_ja: str
    title_en: str


@dataclass(frozen=True)
class Data:
    frameworks: tuple[Framework, ...]
    items: tuple[Item, ...]
    mappings: tuple[Mapping, ...]
    errata: tuple[Erratum, ...]
    components: tuple[Component, ...]


ITEM_KINDS = {
    "category",
    "policy",
    "key-point",
    "rule",
    "requirement",
    "statement",
    "guideline",
    "chapter",
    "section",
    "activity",
    "service-requirement",
    "component-requirement",
    "common-requirement",
}
ERRATUM_STATUSES = {"resolved", "unresolved"}


TEXT_SUFFIXES = (".csv", ".ttl", ".txt", ".rq", ".md")


def require_utf8(paths: Iterable[Path]) -> None:
    """Every text file of the sources is UTF-8. Checked before anything parses them, so that a table saved in
    another encoding (Shift_JIS, as a spreadsheet may write it) is named instead of failing deep in a parser."""
    for path in sorted(p for p in paths if p.suffix in TEXT_SUFFIXES and p.is_file()):
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as problem:
            raise DataError(
                f"{path} is not UTF-8 text (byte {problem.start}): save it as UTF-8, or restore it from the repository"
            ) from None


def parse_turtle(graph: Graph, path: Path, text: str, base: str) -> None:
    """Parse a Turtle source into `graph`; a syntax error is reported with the file and line, no traceback."""
    try:
        graph.parse(data=text, format="turtle", publicID=base)
    except BadSyntax as problem:
        where = re.search(r"at line (\d+)", str(problem))
        why = re.search(r"Bad syntax \((.*?)\) at", str(problem))
        raise DataError(
            f"{path}:{where[1] if where else '?'}: not valid Turtle ({why[1] if why else 'syntax error'}); "
            "fix it, or restore it from the repository"
        ) from None


def _rows(path: Path, columns: tuple[str, ...], required: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        unknown = set(header) - set(columns)
        missing = set(columns) - set(header)
        if unknown or missing:
            raise DataError(
                f"{path}: header must be {','.join(columns)} (unknown: {sorted(unknown)}, missing: {sorted(missing)})"
            )
        rows = []
        for row in reader:
            for column in required:
                if not row[column].strip():
                    raise DataError(f"{path}:{reader.line_num}: column {column!r} is empty")
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
        return rows


def _columns(cls: type, skip: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in skip)


def load_frameworks(path: Path) -> tuple[Framework, ...]:
    return tuple(Framework(**row) for _, row in _rows(path, _columns(Framework), ("scheme", "title_ja")))


def load_items(path: Path, scheme: str) -> tuple[Item, ...]:
    items = []
    for line, row in _rows(path, _columns(Item, ("scheme",)), ("id", "kind", "title_ja")):
        if row["kind"] not in ITEM_KINDS:
            raise DataError(f"{path}:{line}: unknown kind {row['kind']!r}; known: {sorted(ITEM_KINDS)}")
        if row["title_not_in_source"] not in ("", "true"):
            raise DataError(
                f"{path}:{line}: title_not_in_source must be 'true' or empty, not {row['title_not_in_source']!r}"
            )
        items.append(Item(scheme=scheme, **row))
    return tuple(items)


def load_mappings(path: Path, scheme: str) -> tuple[Mapping, ...]:
    mappings = []
    columns = _columns(Mapping, ("scheme", "seq"))
    for seq, (line, row) in enumerate(_rows(path, columns, ("subject", "statement")), start=1):
        flag = row.pop("no_correspondence")
        if flag not in ("", "true"):
            raise DataError(f"{path}:{line}: no_correspondence must be 'true' or empty, not {flag!r}")
        mappings.append(Mapping(scheme=scheme, seq=seq, no_correspondence=flag == "true", **row))
    return tuple(mappings)


def load_errata(path: Path) -> tuple[Erratum, ...]:
    errata = []
    for line, row in _rows(path, _columns(Erratum), ("id", "kind", "printed", "status", "reason")):
        if row["status"] not in ERRATUM_STATUSES:
            raise DataError(f"{path}:{line}: status must be one of {sorted(ERRATUM_STATUSES)}")
        errata.append(Erratum(**row))
    return tuple(errata)


def load_components(path: Path) -> tuple[Component, ...]:
    return tuple(Component(**row) for _, row in _rows(path, _columns(Component), ("code", "section")))


def load_data(data_dir: Path) -> Data:
    frameworks = load_frameworks(data_dir / "frameworks.csv")
    items: list[Item] = []
    mappings: list[Mapping] = []
    for framework in frameworks:
        items += load_items(data_dir / "items" / f"{framework.scheme}.csv", framework.scheme)
        mapping_file = data_dir / "mappings" / f"{framework.scheme}.csv"
        if mapping_file.exists():
            mappings += load_mappings(mapping_file, framework.scheme)
    return Data(
        frameworks=frameworks,
        items=tuple(items),
        mappings=tuple(mappings),
        errata=load_errata(data_dir / "errata.csv"),
        components=load_components(data_dir / "components.csv"),
    )
