"""Two frameworks compared through CCDS.

Two external items are related when a mapping record of each (a *leg*) resolves to the same CCDS item, or when
one leg cites a whole section (or chapter: the row prints no item) and the other the section or an item under it,
at any depth: the section then counts for everything under it, and the row says so (`basis`, `whole_section`).
Every such row is *derived*: the Appendix never prints it; it names both legs so it can be traced to two printed
rows, and the errata of both.

Compared with CCDS itself, each leg is printed (its own target, `derived` false), and a whole-section target adds
a derived row for each CCDS item under the section. ETSI EN 303 645 groups are always derived (through the UK
guideline each comes from; the derivation is named).
"""

from __future__ import annotations

from dataclasses import dataclass

from ccds_crosswalk.analysis.model import CCDS, SCHEMES, Item, Leg, Model, source_order

SAME = "same-target"
LEFT_SECTION = "left-whole-section"  # the left leg cites a section; the right one an item under it
RIGHT_SECTION = "right-whole-section"
PRINTED = "printed"  # compared with CCDS: the leg's own target
UNDER_SECTION = "whole-section"  # compared with CCDS: an item under the section the leg cites


class CompareError(ValueError):
    """A request that names no framework or the same one twice; the message says what to send."""


@dataclass(frozen=True)
class Pair:
    left: Leg | None  # None when the left side is CCDS
    right: Leg | None
    ccds: str  # the shared CCDS item (the more specific of the two targets)
    basis: str
    section: str  # the whole section that made the pair, when basis is a *-section

    @property
    def derived(self) -> bool:
        return not (self.basis == PRINTED and not any(leg and leg.via for leg in (self.left, self.right)))


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    pairs: list[Pair]


def check_schemes(a: str, b: str) -> None:
    for name, value in (("a", a), ("b", b)):
        if value not in SCHEMES:
            raise CompareError(f"{name}={value!r} is not a framework; choose one of {', '.join(SCHEMES)}")
    if a == b:
        raise CompareError(f"a and b are both {a!r}; choose two different frameworks ({', '.join(SCHEMES)})")


def compare(model: Model, a: str, b: str) -> Comparison:
    check_schemes(a, b)
    if CCDS in (a, b):
        external = b if a == CCDS else a
        pairs = [_flip(p) if a == CCDS else p for p in _with_ccds(model, external)]
    else:
        pairs = _through_ccds(model, a, b)
    return Comparison(a, b, sorted(pairs, key=lambda p: _key(model, p)))


def relation(model: Model, left: Leg, right: Leg) -> tuple[str, str] | None:
    """How two legs meet in CCDS: (basis, whole section) or None. A whole-section citation counts for the section
    and everything under it; a leg naming one item meets the same item; a leg whose item could not be identified
    (its target is a section it does not cite whole) meets only a whole-section citation around it."""
    lt, rt = left.target, right.target
    if left.whole and right.whole and lt == rt:
        return SAME, ""
    if left.whole and (lt == rt or lt in model.ancestors.get(rt, ())):
        return LEFT_SECTION, lt
    if right.whole and (lt == rt or rt in model.ancestors.get(lt, ())):
        return RIGHT_SECTION, rt
    if lt == rt and model.items[lt].kind != "Section":
        return SAME, ""
    return None


def _through_ccds(model: Model, a: str, b: str) -> list[Pair]:
    rights = model.legs_of(b)
    pairs = []
    for left in model.legs_of(a):
        for right in rights:
            found = relation(model, left, right)
            if found:
                basis, section = found
                specific = right.target if basis == LEFT_SECTION else left.target
                pairs.append(Pair(left, right, specific, basis, section))
    return pairs


def _with_ccds(model: Model, external: str) -> list[Pair]:
    pairs = []
    for leg in model.legs_of(external):
        pairs.append(Pair(leg, None, leg.target, PRINTED, ""))
        for below in model.descendants(leg.target) if leg.whole else ():
            pairs.append(Pair(leg, None, below, UNDER_SECTION, leg.target))
    return pairs


def _flip(pair: Pair) -> Pair:
    return Pair(pair.right, pair.left, pair.ccds, pair.basis, pair.section)


def _key(model: Model, pair: Pair) -> tuple:
    def side(leg: Leg | None) -> tuple:
        if leg is None:
            return (source_order(model.items[pair.ccds]),)
        return (source_order(model.items[leg.item]), leg.statement or 0, leg.line)

    return (side(pair.left), side(pair.right), source_order(model.items[pair.ccds]))


def item_of(model: Model, pair: Pair, side: str) -> Item:
    leg = pair.left if side == "left" else pair.right
    return model.items[leg.item] if leg else model.items[pair.ccds]


COLUMNS = (
    "left_framework",
    "left_id",
    "left_uri",
    "left_statement",
    "left_title",
    "right_framework",
    "right_id",
    "right_uri",
    "right_statement",
    "right_title",
    "ccds_id",
    "ccds_uri",
    "ccds_title",
    "basis",
    "whole_section",
    "derived",
    "left_record",
    "right_record",
    "left_target",
    "right_target",
    "left_qualifier",
    "right_qualifier",
    "errata",
    "left_derivation",
    "right_derivation",
    "left_line",
    "right_line",
)


def rows(model: Model, comparison: Comparison, lang: str) -> list[dict[str, str]]:
    """One flat row per pair, in the columns above; titles in `lang`."""
    out = []
    for pair in comparison.pairs:
        row: dict[str, str] = {}
        for side, leg in (("left", pair.left), ("right", pair.right)):
            item = item_of(model, pair, side)
            row[f"{side}_framework"] = item.scheme
            row[f"{side}_id"] = item.notation
            row[f"{side}_uri"] = item.uri
            row[f"{side}_statement"] = str(leg.statement) if leg and leg.statement else ""
            row[f"{side}_title"] = item.label(lang)
            row[f"{side}_record"] = leg.record if leg else ""
            row[f"{side}_target"] = model.items[leg.target].notation if leg else ""
            row[f"{side}_qualifier"] = ",".join(leg.qualifiers) if leg else ""
            row[f"{side}_derivation"] = leg.via if leg else ""
            row[f"{side}_line"] = str(leg.line) if leg else ""
        errata = sorted({e for leg in (pair.left, pair.right) if leg for e in leg.errata})
        ccds = model.items[pair.ccds]
        row.update(
            ccds_id=ccds.notation,
            ccds_uri=ccds.uri,
            ccds_title=ccds.label(lang),
            basis=pair.basis,
            whole_section=model.items[pair.section].notation if pair.section else "",
            derived="true" if pair.derived else "false",
            errata=";".join(errata),
        )
        out.append({c: row[c] for c in COLUMNS})
    return out
