"""What compare and gap work on, read from the release's graph by SPARQL (any backend with `select`).

A *leg* is one mapping record seen from its external item: the record's URI, the item it belongs to (a CPSF
bullet statement counts for its requirement, with its number kept), the CCDS target it resolves to after the
errata, the target as printed, the 共通要件 qualifiers, the errata that affect it, and whether it cites a section
as a whole (the row prints a section and no item). A row that prints an item which an erratum can only resolve
to its section (E22: the item cannot be identified) targets the section without citing all of it.
ETSI EN 303 645 provision groups have no records of their own: each gets the legs of the UK guideline it derives
from, with the derivation node named in `via`.

The CCDS hierarchy is read with `skos:broader+` (not the reasoner's materialised closure), so any structural node
added to data/items/ccds.csv (a chapter, a section grouping sections) takes part in the roll-ups at once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ccds_crosswalk.engine.backend import Row

Select = Callable[[str], list[Row]]

CCDS = "ccds"
ETSI = "etsi-en-303-645"
EXTERNAL = ("iotsg", "cpsf", "uk-cop", "sb327")
SCHEMES = (*EXTERNAL, ETSI, CCDS)
# the CCDS items a product can meet: phase activities and R/SR requirements (sections group them; the 共通要件
# are never printed on their own, only as qualifiers of SRx-y-1)
REQUIREMENT_KINDS = ("PhaseActivity", "ServiceRequirement", "ComponentRequirement")

PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sssom: <https://w3id.org/sssom/> PREFIX ccdsx: <{base}ontology#>
"""


@dataclass(frozen=True)
class Item:
    uri: str
    scheme: str
    id: str  # the local id, last part of the URI (CPSF statements: requirement/n)
    notation: str  # as printed, qualified for phase activities (5.2.1 No.1)
    ja: str
    en: str
    kind: str  # the ontology class's local name
    line: int
    level: int | None = None
    component: str = ""
    parent: str = ""

    def label(self, lang: str) -> str:
        return (self.en if lang == "en" else self.ja) or self.ja or self.en


@dataclass(frozen=True)
class Leg:
    record: str
    scheme: str  # the framework the leg is read from (etsi-en-303-645 for derived legs)
    item: str  # URI of the external item (a requirement, never a bullet statement)
    statement: int | None  # the bullet statement of a CPSF requirement, when it has several
    target: str  # the CCDS item after the errata
    printed_target: str  # the CCDS item as printed ("" when the printed ID names no item)
    qualifiers: tuple[str, ...]  # 共通要件 numbers, e.g. ("6",)
    errata: tuple[str, ...]
    line: int
    whole: bool = False  # the row cites a section as a whole (prints no item): it counts for all under it
    via: str = ""  # for an ETSI leg: the prov:Derivation from the UK guideline


@dataclass
class Model:
    base: str
    items: dict[str, Item]
    legs: list[Leg]  # records with a target, in table and print order
    none: dict[str, list[str]]  # external item URI → its 該当なし record URIs
    ancestors: dict[str, tuple[str, ...]]  # CCDS item → all broader items, nearest first
    scheme_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def legs_of(self, scheme: str) -> list[Leg]:
        return [leg for leg in self.legs if leg.scheme == scheme]

    def items_of(self, scheme: str) -> list[Item]:
        return sorted((i for i in self.items.values() if i.scheme == scheme), key=source_order)

    def descendants(self, uri: str) -> list[str]:
        return [x for x, up in self.ancestors.items() if uri in up]

    def section_of(self, uri: str) -> str:
        """The CCDS section a target belongs to: itself when it is a section, else its nearest section."""
        if self.items[uri].kind == "Section":
            return uri
        return next((a for a in self.ancestors.get(uri, ()) if self.items[a].kind == "Section"), uri)


def natural_key(text: str) -> list[tuple[int, int | str]]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p]


def source_order(item: Item) -> tuple:
    """External items in print order; CCDS items by their IDs (they are printed only where cited)."""
    if item.scheme == CCDS:
        return (natural_key(item.id), item.line)
    return (item.line, natural_key(item.id))


def _v(row: Row, key: str, default: str = "") -> str:
    term = row.get(key)
    return term.value if term is not None else default


def scheme_of(base: str, uri: str) -> str:
    return uri[len(f"{base}id/") :].split("/", 1)[0]


def local_id(base: str, uri: str) -> str:
    return uri[len(f"{base}id/") :].split("/", 1)[1]


def load_model(select: Select, base: str) -> Model:
    p = PREFIXES.format(base=base)
    items = _items(select, p, base)
    ancestors: dict[str, list[str]] = defaultdict(list)
    rows = select(p + f"SELECT ?x ?up WHERE {{ ?x skos:inScheme <{base}id/{CCDS}> ; skos:broader+ ?up }}")
    for row in rows:
        ancestors[_v(row, "x")].append(_v(row, "up"))
    depth = {uri: len(up) for uri, up in ancestors.items()}
    # nearest first; only items the model knows (every CCDS item has labels, so this drops nothing today)
    ordered = {
        x: tuple(sorted((a for a in up if a in items), key=lambda a: -depth.get(a, 0))) for x, up in ancestors.items()
    }
    legs, none = _legs(select, p, base, items)
    legs += _etsi(select, p, base, items, legs)
    labels = {
        scheme_of(base, _v(r, "s")): {"ja": _v(r, "ja"), "en": _v(r, "en"), "notation": _v(r, "n")}
        for r in select(
            p + "SELECT ?s ?n ?ja ?en WHERE { ?s a ccdsx:Framework ; skos:notation ?n ; skos:prefLabel ?ja , ?en "
            'FILTER (LANG(?ja) = "ja" && LANG(?en) = "en") }'
        )
    }
    labels[ETSI] = {"ja": "ETSI EN 303 645", "en": "ETSI EN 303 645", "notation": "EN 303 645"}
    return Model(base, items, legs, none, ordered, labels)


def _items(select: Select, p: str, base: str) -> dict[str, Item]:
    rows = select(
        p
        + f"""SELECT ?x ?notation ?ja ?en ?kind ?line ?level ?component ?parent ?parentNotation WHERE {{
          ?x a skos:Concept ; skos:inScheme ?s ; skos:prefLabel ?ja , ?en ; a ?kind . ?s a ccdsx:Framework .
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en" && STRSTARTS(STR(?kind), "{base}ontology#"))
          FILTER NOT EXISTS {{ ?x a ?sub . ?sub rdfs:subClassOf ?kind FILTER (?sub != ?kind) }}
          OPTIONAL {{ ?x skos:notation ?notation }} OPTIONAL {{ ?x ccdsx:sourceLine ?line }}
          OPTIONAL {{ ?x ccdsx:serviceLevel/skos:notation ?level }}
          OPTIONAL {{ ?x ccdsx:component/skos:notation ?component }}
          OPTIONAL {{ ?x skos:broader ?parent OPTIONAL {{ ?parent skos:notation ?parentNotation }} }}
        }}"""
    )
    items = {}
    for r in rows:
        uri, notation = _v(r, "x"), _v(r, "notation")
        if notation.startswith("No.") and _v(r, "parentNotation"):
            notation = f"{_v(r, 'parentNotation')} {notation}"  # No.1 alone is ambiguous across phases
        items[uri] = Item(
            uri,
            scheme_of(base, uri),
            local_id(base, uri),
            notation or local_id(base, uri),
            _v(r, "ja"),
            _v(r, "en"),
            _v(r, "kind").rsplit("#", 1)[-1],
            int(_v(r, "line", "0")),
            int(_v(r, "level")) if _v(r, "level") else None,
            _v(r, "component"),
            _v(r, "parent"),
        )
    return items


def _legs(select: Select, p: str, base: str, items: dict[str, Item]) -> tuple[list[Leg], dict[str, list[str]]]:
    rows = select(
        p
        + """SELECT ?r ?subject ?parent ?target ?printed ?printedItem ?line ?table ?seq WHERE {
          ?r a ccdsx:MappingRecord ; owl:annotatedSource ?subject ; owl:annotatedTarget ?target ;
             ccdsx:sequence ?seq ; dcterms:source/dcterms:identifier ?table .
          OPTIONAL { ?subject a ccdsx:Statement ; skos:broader ?parent }
          OPTIONAL { ?r ccdsx:printedTarget ?printed } OPTIONAL { ?r ccdsx:sourceLine ?line }
          OPTIONAL { ?r ccdsx:printedItem ?printedItem } }"""
    )
    extras: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"errata": set(), "qualifiers": set()})
    for r in select(
        p
        + """SELECT ?r ?e ?q WHERE { ?r a ccdsx:MappingRecord .
          { ?r ccdsx:erratum/dcterms:identifier ?e } UNION { ?r ccdsx:qualifier/skos:notation ?q } }"""
    ):
        if _v(r, "e"):
            extras[_v(r, "r")]["errata"].add(_v(r, "e"))
        if _v(r, "q"):
            extras[_v(r, "r")]["qualifiers"].add(_v(r, "q").rsplit(".", 1)[-1])
    rows.sort(key=lambda r: (natural_key(_v(r, "table")), int(_v(r, "seq", "0"))))
    legs, none = [], defaultdict(list)
    for r in rows:
        uri, subject, target = _v(r, "r"), _v(r, "subject"), _v(r, "target")
        item = _v(r, "parent") or subject
        if target not in items:  # sssom:NoTermFound: the 該当なし rows
            none[item].append(uri)
            continue
        statement = int(subject.rsplit("/", 1)[-1]) if _v(r, "parent") else None
        legs.append(
            Leg(
                uri,
                scheme_of(base, item),
                item,
                statement,
                target,
                _v(r, "printed"),
                tuple(sorted(extras[uri]["qualifiers"], key=int)),
                tuple(sorted(extras[uri]["errata"])),
                int(_v(r, "line", "0")),
                # a section resolved from an item that cannot be identified (E22) is no whole-section citation
                whole=items[target].kind == "Section" and not _v(r, "printedItem"),
            )
        )
    return legs, dict(none)


def _etsi(select: Select, p: str, base: str, items: dict[str, Item], legs: list[Leg]) -> list[Leg]:
    """ETSI provision groups as items, each with the legs of the UK guideline it derives from."""
    rows = select(
        p
        + """SELECT ?g ?notation ?title ?uk ?d WHERE { ?g a ccdsx:ExternalProvisionGroup ; skos:notation ?notation ;
          dcterms:title ?title ; prov:qualifiedDerivation ?d . ?d prov:entity ?uk }"""
    )
    by_item: dict[str, list[Leg]] = defaultdict(list)
    for leg in legs:
        by_item[leg.item].append(leg)
    derived = []
    for r in sorted(rows, key=lambda r: natural_key(_v(r, "notation"))):
        group, uk = _v(r, "g"), _v(r, "uk")
        order = items[uk].line if uk in items else 0
        items[group] = Item(
            group, ETSI, _v(r, "notation"), _v(r, "notation"), "", _v(r, "title"), "ProvisionGroup", order
        )
        derived += [
            Leg(
                leg.record,
                ETSI,
                group,
                leg.statement,
                leg.target,
                leg.printed_target,
                leg.qualifiers,
                leg.errata,
                leg.line,
                leg.whole,
                via=_v(r, "d"),
            )
            for leg in by_item[uk]
        ]
    return derived


def release_model(release_dir: Path, base: str) -> Model:
    """The model of a built release on disk (the CLI's way in; the web app reads its own backend)."""
    from ccds_crosswalk.engine.backend import select_on
    from ccds_crosswalk.engine.store import load_store

    store = load_store(release_dir, base)
    return load_model(lambda query: select_on(store, query), base)
