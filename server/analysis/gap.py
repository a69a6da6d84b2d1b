"""Gap analysis: what a set of items a product meets covers, and what remains.

Against CCDS (`--against ccds`): the held items are external (any framework, ETSI groups included). A CCDS
phase activity or R/SR requirement is
  * covered   when a held item's mapping record cites it, or cites a section (or chapter) above it at any depth
              as a whole (a row printing no item);
  * partial   when every such record carries a 共通要件 qualifier: only those common requirements are met;
  * remaining otherwise; `open_items` then lists the items of the held frameworks whose records would cover it.
The Appendix relates items (skos:relatedMatch); "covered" means "linked by a printed record", never equivalence.

The reverse (`--against iotsg|cpsf|uk-cop|sb327|etsi-en-303-645`): the held items are CCDS items. An external
item is covered when every one of its records cites a held item (or an item under a held section), partial when
some do, remaining when none; an item printed only with 該当なし is `no-correspondence`.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

from ccds_crosswalk.analysis.model import CCDS, REQUIREMENT_KINDS, SCHEMES, Item, Leg, Model, source_order

COVERED, PARTIAL, REMAINING, NONE = "covered", "partial", "remaining", "no-correspondence"
STATUSES = (COVERED, PARTIAL, REMAINING, NONE)
# the groups of the per-component summary: the five components (SR), the service requirements, the phases
GROUPS = ("SP", "PP", "H", "D", "A", "R", "phase")


class GapError(ValueError):
    """Input that names no known item, or an item of the wrong side; the message says what to send."""


@dataclass(frozen=True)
class Held:
    item: str  # an item URI (an external item, an ETSI group, or a CCDS item)
    statement: int | None = None  # a single bullet statement of a CPSF requirement


@dataclass(frozen=True)
class Line:
    """One row of a gap result: a CCDS item (against ccds) or an external item (the reverse)."""

    item: Item
    status: str
    legs: tuple[Leg, ...]  # the records that cover it (held side)
    open_legs: tuple[Leg, ...]  # records that would, from items not held
    whole_section: tuple[str, ...]  # sections whose whole-section citation made the coverage
    common: tuple[str, ...]  # the 共通要件 met, when partial

    @property
    def group(self) -> str:
        return group_of(self.item)


def group_of(item: Item) -> str:
    """The summary group of a CCDS requirement: its component (SR), R (6.1) or phase (chapter 5)."""
    if item.component:
        return item.component
    return "R" if item.kind == "ServiceRequirement" else "phase"


@dataclass(frozen=True)
class Gap:
    against: str
    level: int | None
    held: tuple[Held, ...]
    lines: list[Line]

    def summary(self) -> list[tuple[str, str, dict[str, int]]]:
        """(group, level, counts per status) in component order, then level."""
        counts: dict[tuple[str, str], Counter] = {}
        for line in self.lines:
            level = str(line.item.level or "")
            group = line.group if self.against == CCDS else line.item.scheme
            counts.setdefault((group, level), Counter())[line.status] += 1
        order = {g: i for i, g in enumerate(GROUPS)}
        keys = sorted(counts, key=lambda k: (order.get(k[0], len(order)), k[1]))
        return [(g, lv, {s: counts[(g, lv)][s] for s in STATUSES}) for g, lv in keys]


# ---------------------------------------------------------------- reading the held items


def parse_have(model: Model, text: str, filename: str = "") -> tuple[Held, ...]:
    """IDs separated by commas, spaces or lines; a CSV with an `id` (and optional `scheme`) column; or an SSSOM
    TSV (its subject_id column, CURIEs expanded with its curie_map)."""
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip() and not line.startswith("#")]
    header = lines[0] if lines else ""
    if filename.endswith(".tsv") or "subject_id" in header.split("\t"):
        tokens = _sssom_subjects(text)
    elif filename.endswith(".csv") or "id" in [cell.strip() for cell in header.split(",")]:
        tokens = _csv_ids(text)
    else:
        tokens = [t for t in re.split(r"[\s,;]+", text) if t]
    if not tokens:
        raise GapError(
            "no items given: send IDs such as UK1,UK2 (or uk-cop:UK1), a CSV with an id column, or an SSSOM TSV"
        )
    return tuple(dict.fromkeys(resolve(model, token) for token in tokens))


def _csv_ids(text: str) -> list[str]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if "id" not in (reader.fieldnames or []):
        raise GapError("the CSV needs a header row with an 'id' column (and optionally 'scheme')")
    return [
        f"{r['scheme'].strip()}:{r['id'].strip()}" if (r.get("scheme") or "").strip() else r["id"].strip()
        for r in reader
        if (r.get("id") or "").strip()
    ]


def _sssom_subjects(text: str) -> list[str]:
    prefixes: dict[str, str] = {}
    body = []
    for line in text.splitlines():
        if line.startswith("#"):
            found = re.match(r"#\s+([A-Za-z_][\w.-]*):\s*['\"]?(\S+?)['\"]?\s*$", line)
            if found and found.group(1) != "curie_map":
                prefixes[found.group(1)] = found.group(2)
        elif line.strip():
            body.append(line)
    reader = csv.DictReader(io.StringIO("\n".join(body)), delimiter="\t")
    if "subject_id" not in (reader.fieldnames or []):
        raise GapError("the SSSOM TSV has no subject_id column")
    out = []
    for row in reader:
        curie = (row.get("subject_id") or "").strip()
        prefix, _, rest = curie.partition(":")
        out.append(prefixes[prefix] + rest if prefix in prefixes else curie)
    return list(dict.fromkeys(out))


def resolve(model: Model, token: str) -> Held:
    """An item from a URI, `scheme:id` or a bare ID or notation (refused when it names items of several schemes)."""
    token = token.strip()
    if token in model.items:
        return _held(model, model.items[token])
    scheme, _, local = token.partition(":")
    if local and scheme in SCHEMES:
        found = [i for i in model.items.values() if i.scheme == scheme and _names(i, local)]
    else:
        found = [i for i in model.items.values() if _names(i, token)]
    if not found:
        raise GapError(
            f"{token!r} names no item; use an ID as printed (UK1, CPS.AM-1, point-1, SR2-SP-1, "
            f"5.2.1/No.1) or scheme:id (uk-cop:UK1, etsi-en-303-645:5.1)"
        )
    if len({i.scheme for i in found}) > 1:
        options = ", ".join(sorted(f"{i.scheme}:{i.id}" for i in found))
        raise GapError(f"{token!r} is an ID in several frameworks; write one of {options}")
    return _held(model, found[0])


def _names(item: Item, text: str) -> bool:
    squeeze = re.sub(r"\s+", "", text).lower()
    return squeeze in (item.id.lower(), re.sub(r"\s+", "", item.notation).lower())


def _held(model: Model, item: Item) -> Held:
    if item.kind == "Statement":
        return Held(item.parent, int(item.id.rsplit("/", 1)[-1]))
    return Held(item.uri)


# ---------------------------------------------------------------- the analysis


def gap(model: Model, held: tuple[Held, ...], against: str = CCDS, level: int | None = None) -> Gap:
    if against not in SCHEMES:
        raise GapError(f"against={against!r} is not a framework; choose one of {', '.join(SCHEMES)}")
    if level not in (None, 2, 3):
        raise GapError(f"level={level!r}: choose 2 (★★) or 3 (★★★)")
    sides = {model.items[h.item].scheme == CCDS for h in held}
    if against == CCDS and True in sides:
        raise GapError("against ccds takes items of the external frameworks (UK1, CPS.AM-1, …), not CCDS items")
    if against != CCDS and False in sides:
        raise GapError(
            f"against {against} takes CCDS items (SR2-SP-1, R2-3, 5.2.1/No.1, …); to relate two "
            "external frameworks use compare"
        )
    if against == CCDS:
        return Gap(against, level, held, _against_ccds(model, held, level))
    if level is not None:
        raise GapError("level applies to the CCDS requirements: use it with against=ccds")
    return Gap(against, level, held, _reverse(model, held, against))


def _is_held(leg: Leg, held: tuple[Held, ...]) -> bool:
    return any(h.item == leg.item and (h.statement is None or h.statement == leg.statement) for h in held)


def _against_ccds(model: Model, held: tuple[Held, ...], level: int | None) -> list[Line]:
    schemes = {model.items[h.item].scheme for h in held}
    pool = [leg for leg in model.legs if leg.scheme in schemes]
    universe = [
        i
        for i in model.items.values()
        if i.scheme == CCDS and i.kind in REQUIREMENT_KINDS and (level is None or i.level == level)
    ]
    lines = []
    order = {g: i for i, g in enumerate(GROUPS)}
    universe.sort(key=lambda i: (order[group_of(i)], i.level or 0, source_order(i)))
    for item in universe:
        above = model.ancestors.get(item.uri, ())
        reach = [leg for leg in pool if leg.target == item.uri or (leg.whole and leg.target in above)]
        mine = tuple(leg for leg in reach if _is_held(leg, held))
        others = tuple(leg for leg in reach if not _is_held(leg, held))
        if not mine:
            status = REMAINING
        elif any(not leg.qualifiers for leg in mine):
            status = COVERED
        else:
            status = PARTIAL
        common = tuple(sorted({q for leg in mine for q in leg.qualifiers}, key=int)) if status == PARTIAL else ()
        sections = tuple(dict.fromkeys(model.items[leg.target].notation for leg in mine if leg.target != item.uri))
        lines.append(Line(item, status, mine, others, sections, common))
    return lines


def _reverse(model: Model, held: tuple[Held, ...], against: str) -> list[Line]:
    have = {h.item for h in held}
    lines = []
    units = {leg.item for leg in model.legs_of(against)} | {u for u in model.none if model.items[u].scheme == against}
    for uri in sorted(units, key=lambda u: source_order(model.items[u])):
        legs = [leg for leg in model.legs_of(against) if leg.item == uri]
        met = tuple(leg for leg in legs if leg.target in have or have & set(model.ancestors.get(leg.target, ())))
        open_ = tuple(leg for leg in legs if leg not in met)
        if not legs:
            status = NONE
        elif not open_:
            status = COVERED
        else:
            status = PARTIAL if met else REMAINING
        lines.append(Line(model.items[uri], status, met, open_, (), ()))
    return lines


# ---------------------------------------------------------------- flat rows

CCDS_COLUMNS = (
    "status",
    "group",
    "level",
    "section",
    "ccds_id",
    "kind",
    "title",
    "held_items",
    "records",
    "whole_section",
    "common_met",
    "errata",
    "open_items",
    "open_records",
)
REVERSE_COLUMNS = (
    "status",
    "framework",
    "id",
    "title",
    "records_met",
    "ccds_met",
    "records_open",
    "ccds_open",
    "errata",
    "derivation",
)


def columns(result: Gap) -> tuple[str, ...]:
    return CCDS_COLUMNS if result.against == CCDS else REVERSE_COLUMNS


def rows(model: Model, result: Gap, lang: str) -> list[dict[str, str]]:
    return [
        _ccds_row(model, line, lang) if result.against == CCDS else _reverse_row(model, line, lang)
        for line in result.lines
    ]


def _notations(model: Model, uris: list[str]) -> str:
    return ";".join(dict.fromkeys(model.items[u].notation for u in uris))


def _leg_items(model: Model, legs: tuple[Leg, ...]) -> str:
    return ";".join(
        dict.fromkeys(
            f"{model.items[leg.item].notation}/{leg.statement}" if leg.statement else model.items[leg.item].notation
            for leg in legs
        )
    )


def _ccds_row(model: Model, line: Line, lang: str) -> dict[str, str]:
    item = line.item
    section = model.items.get(item.parent)
    return {
        "status": line.status,
        "group": line.group,
        "level": str(item.level or ""),
        "section": section.notation if section else "",
        "ccds_id": item.notation,
        "kind": item.kind,
        "title": item.label(lang),
        "held_items": _leg_items(model, line.legs),
        "records": " ".join(leg.record for leg in line.legs),
        "whole_section": ";".join(line.whole_section),
        "common_met": ",".join(line.common),
        "errata": ";".join(sorted({e for leg in line.legs for e in leg.errata})),
        "open_items": _leg_items(model, line.open_legs),
        "open_records": " ".join(leg.record for leg in line.open_legs),
    }


def _reverse_row(model: Model, line: Line, lang: str) -> dict[str, str]:
    legs = line.legs + line.open_legs
    return {
        "status": line.status,
        "framework": line.item.scheme,
        "id": line.item.notation,
        "title": line.item.label(lang),
        "records_met": " ".join(leg.record for leg in line.legs),
        "ccds_met": _notations(model, [leg.target for leg in line.legs]),
        "records_open": " ".join(leg.record for leg in line.open_legs),
        "ccds_open": _notations(model, [leg.target for leg in line.open_legs]),
        "errata": ";".join(sorted({e for leg in legs for e in leg.errata})),
        "derivation": " ".join(dict.fromkeys(leg.via for leg in legs if leg.via)),
    }
