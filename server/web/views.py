"""View models for the HTML pages: small, fixed SPARQL lookups on the backend, turned into plain dicts.
Nothing here renders HTML; nothing here runs user queries."""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from typing import Any

from ccds_crosswalk import iris
from ccds_crosswalk.analysis.coverage import coverage_chart
from ccds_crosswalk.engine.backend import Backend, Row, Term

__all__ = [
    "coverage",
    "errata",
    "framework",
    "frameworks",
    "item_view",
    "labels_of",
    "ontology_terms",
    "record_view",
    "records",
    "scheme_tree",
    "search",
]

P = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sssom: <https://w3id.org/sssom/> PREFIX ccdsx: <{base}ontology#>
"""


def _v(row: Row, key: str, default: str = "") -> str:
    term = row.get(key)
    return term.value if term is not None else default


def _true(row: Row, key: str) -> bool:
    """A boolean binding; Virtuoso writes xsd:boolean as 1/0."""
    return _v(row, key) in ("true", "1")


_iri = iris.sparql_iri


def labels_of(backend: Backend, base: str, uri: str) -> dict[str, str]:
    rows = backend.select(P.format(base=base) + f"SELECT ?l WHERE {{ {_iri(uri)} skos:prefLabel|rdfs:label ?l }}")
    out: dict[str, str] = {}
    for row in rows:
        out.setdefault(row["l"].lang or "", row["l"].value)
    return out


_FRAMEWORKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def frameworks(backend: Backend, base: str) -> list[dict[str, Any]]:
    """The frameworks with whole-dataset counts. A release never changes while it is served, so this runs once
    per backend (it used to run on every item page: ~2/3 of the page's time)."""
    cached = _FRAMEWORKS.get(backend)
    if cached is None or cached[0] != base:
        cached = _FRAMEWORKS[backend] = (base, _count_frameworks(backend, base))
    return cached[1]


def _count_frameworks(backend: Backend, base: str) -> list[dict[str, Any]]:
    """The frameworks in Appendix order: CCDS (the guideline every mapping points into) first, then chapters 2–5."""
    rows = backend.select(
        P.format(base=base)
        + """
        SELECT ?scheme ?notation ?ja ?en ?chapter ?relation ?publisherJa ?publisherEn ?table ?comment
               (COUNT(DISTINCT ?item) AS ?items) (COUNT(DISTINCT ?record) AS ?records) (COUNT(DISTINCT ?none) AS ?nones)
        WHERE { ?scheme a ccdsx:Framework ; skos:notation ?notation ; skos:prefLabel ?ja , ?en .
                FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
                OPTIONAL { ?scheme ccdsx:appendixChapter ?chapter } OPTIONAL { ?scheme ccdsx:relationToCCDS ?relation }
                OPTIONAL { ?scheme dcterms:source/dcterms:identifier ?table }
                OPTIONAL { ?scheme rdfs:comment ?comment FILTER (LANG(?comment) = "ja") }
                OPTIONAL { ?scheme dcterms:publisher ?p . ?p rdfs:label ?publisherJa , ?publisherEn .
                           FILTER (LANG(?publisherJa) = "ja" && LANG(?publisherEn) = "en") }
                OPTIONAL { ?item skos:inScheme ?scheme }
                OPTIONAL { ?record sssom:subject_source ?scheme .
                           OPTIONAL { ?record owl:annotatedTarget sssom:NoTermFound BIND (?record AS ?none) } } }
        GROUP BY ?scheme ?notation ?ja ?en ?chapter ?relation ?publisherJa ?publisherEn ?table ?comment
        ORDER BY ?chapter"""
    )
    found = [
        {
            "uri": _v(r, "scheme"),
            "notation": _v(r, "notation"),
            "label": {"ja": _v(r, "ja"), "en": _v(r, "en")},
            "chapter": _v(r, "chapter"),
            "relation": _v(r, "relation").rsplit("#", 1)[-1],
            "table": _v(r, "table"),
            "comment": _v(r, "comment"),
            "publisher": {"ja": _v(r, "publisherJa"), "en": _v(r, "publisherEn")},
            "items": int(_v(r, "items", "0")),
            "records": int(_v(r, "records", "0")),
            "nones": int(_v(r, "nones", "0")),
        }
        for r in rows
    ]
    return sorted(found, key=lambda f: (f["chapter"] != "", f["chapter"]))


def framework(backend: Backend, base: str, uri: str) -> dict[str, Any] | None:
    return next((f for f in frameworks(backend, base) if f["uri"] == uri), None)


def scheme_tree(backend: Backend, base: str, scheme: str) -> list[dict[str, Any]]:
    """The scheme's items as a forest, in source order."""
    rows = backend.select(
        P.format(base=base)
        + f"""
        SELECT ?item ?notation ?ja ?en ?parent ?line ?kind ?records ?nones ?incoming WHERE {{
          ?item skos:inScheme {_iri(scheme)} ; skos:prefLabel ?ja , ?en ; a ?kind .
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en" && STRSTARTS(STR(?kind), "{base}ontology#"))
          FILTER NOT EXISTS {{ ?item a ?sub . ?sub rdfs:subClassOf ?kind FILTER (?sub != ?kind) }}
          OPTIONAL {{ ?item skos:notation ?notation }} OPTIONAL {{ ?item skos:broader ?parent }}
          OPTIONAL {{ ?item ccdsx:sourceLine ?line }}
          {{ SELECT ?item (COUNT(DISTINCT ?r) AS ?records) (COUNT(DISTINCT ?n) AS ?nones)
                    (COUNT(DISTINCT ?in) AS ?incoming) WHERE {{
              ?item skos:inScheme {_iri(scheme)} .
              OPTIONAL {{ ?r owl:annotatedSource ?item
                          OPTIONAL {{ ?r owl:annotatedTarget sssom:NoTermFound BIND (?r AS ?n) }} }}
              OPTIONAL {{ ?in owl:annotatedTarget ?item }}
          }} GROUP BY ?item }}
        }}"""
    )
    nodes: dict[str, dict[str, Any]] = {}
    for r in rows:
        uri = _v(r, "item")
        kind = _v(r, "kind").rsplit("#", 1)[-1]
        nodes[uri] = {
            "uri": uri,
            "notation": _v(r, "notation"),
            "label": {"ja": _v(r, "ja"), "en": _v(r, "en")},
            "parent": _v(r, "parent"),
            "line": int(_v(r, "line", "0")),
            "kind": kind,
            "statement": int(uri.rsplit("/", 1)[-1]) if kind == "Statement" else None,
            "records": int(_v(r, "records", "0")),
            "nones": int(_v(r, "nones", "0")),
            "incoming": int(_v(r, "incoming", "0")),
            "children": [],
        }
    ccds = not (framework(backend, base, scheme) or {}).get("relation")
    for node in nodes.values():
        node["ccds"] = ccds
    roots: list[dict[str, Any]] = []
    for node in sorted(nodes.values(), key=_order):
        (nodes[node["parent"]]["children"] if node["parent"] in nodes else roots).append(node)
    return roots


def _order(node: dict[str, Any]) -> tuple:
    """External frameworks in source order (the order of their own documents); CCDS by section and ID, since its
    items appear in the Appendix only where they are cited."""
    if node["ccds"]:
        return (natural_key(node["notation"]), node["line"])
    return (node["line"], natural_key(node["notation"]))


def natural_key(notation: str) -> list[tuple[int, int | str]]:
    """Sort key that puts SR2-SP-2 before SR2-SP-10 and 5.2.1 before 5.10."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", notation) if part]


def full_notation(notation: str, parent_notation: str) -> str:
    """'No.1' alone is ambiguous (every phase of chapter 5 has one); qualify it with its section."""
    if notation.startswith("No.") and parent_notation:
        return f"{parent_notation} {notation}"
    return notation


def item_view(backend: Backend, base: str, uri: str) -> dict[str, Any] | None:
    head = backend.select(
        P.format(base=base)
        + f"""
        SELECT ?scheme ?schemeJa ?schemeEn ?schemeNotation ?notation ?ja ?en ?kind ?kindJa ?kindEn ?source ?note ?legal
               ?line ?levelJa ?levelEn ?component ?componentJa ?componentEn ?parentNotation WHERE {{
          {_iri(uri)} skos:inScheme ?scheme ; skos:prefLabel ?ja , ?en ; a ?kind .
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en" && STRSTARTS(STR(?kind), "{base}ontology#"))
          FILTER NOT EXISTS {{ {_iri(uri)} a ?sub . ?sub rdfs:subClassOf ?kind FILTER (?sub != ?kind) }}
          ?scheme skos:prefLabel ?schemeJa , ?schemeEn . FILTER (LANG(?schemeJa) = "ja" && LANG(?schemeEn) = "en")
          OPTIONAL {{ ?scheme skos:notation ?schemeNotation }}
          OPTIONAL {{ ?kind rdfs:label ?kindJa , ?kindEn FILTER (LANG(?kindJa) = "ja" && LANG(?kindEn) = "en") }}
          OPTIONAL {{ {_iri(uri)} skos:notation ?notation }} OPTIONAL {{ {_iri(uri)} ccdsx:englishLabelSource ?source }}
          OPTIONAL {{ {_iri(uri)} skos:scopeNote ?note }} OPTIONAL {{ {_iri(uri)} ccdsx:legalSource ?legal }}
          OPTIONAL {{ {_iri(uri)} ccdsx:sourceLine ?line }}
          OPTIONAL {{ {_iri(uri)} ccdsx:serviceLevel ?lv . ?lv skos:prefLabel ?levelJa , ?levelEn
                      FILTER (LANG(?levelJa) = "ja" && LANG(?levelEn) = "en") }}
          OPTIONAL {{ {_iri(uri)} ccdsx:component ?component
                      OPTIONAL {{ ?component skos:prefLabel ?componentJa , ?componentEn
                                  FILTER (LANG(?componentJa) = "ja" && LANG(?componentEn) = "en") }} }}
          OPTIONAL {{ {_iri(uri)} skos:broader/skos:notation ?parentNotation }}
        }} LIMIT 1"""
    )
    if not head:
        return None
    h = head[0]
    kind = {"ja": _v(h, "kindJa"), "en": _v(h, "kindEn")}
    is_statement = _v(h, "kind").endswith("#Statement")
    view: dict[str, Any] = {
        "uri": uri,
        "notation": full_notation(_v(h, "notation"), _v(h, "parentNotation")),
        "label": {"ja": _v(h, "ja"), "en": _v(h, "en")},
        "kind": kind,
        "scheme": {
            "uri": _v(h, "scheme"),
            "notation": _v(h, "schemeNotation"),
            "label": {"ja": _v(h, "schemeJa"), "en": _v(h, "schemeEn")},
        },
        "official_english": _v(h, "source").endswith("OfficialEnglish"),
        "note": _v(h, "note"),
        "legal_source": _v(h, "legal"),
        "line": _v(h, "line"),
        "level": {"ja": _v(h, "levelJa"), "en": _v(h, "levelEn")} if _v(h, "levelEn") else None,
        "component": {
            "uri": _v(h, "component"),
            "notation": _v(h, "component").rsplit("/", 1)[-1],
            "label": {"ja": _v(h, "componentJa"), "en": _v(h, "componentEn")},
        }
        if _v(h, "component")
        else None,
        "statement": {"number": int(uri.rsplit("/", 1)[-1]), "of": _v(h, "parentNotation")} if is_statement else None,
        "framework": framework(backend, base, _v(h, "scheme")),
    }
    view["ancestors"] = _linked(backend, base, "", order="", depth=True, uri=uri)
    children = _linked(backend, base, f"?x skos:broader {_iri(uri)} .")
    if children and all(c["notation"] for c in children):
        children.sort(key=lambda c: natural_key(c["notation"]))
    view["children"] = children
    view["statements"] = any(c["statement"] for c in children)
    every = all_records(backend, base)
    view["outgoing"] = [r for r in every if uri in (r["subject"]["uri"], (r["of"] or {}).get("uri"))]
    view["incoming"] = [r for r in every if r["target"] and r["target"]["uri"] == uri]
    view["qualifying"] = [r for r in every if any(q["uri"] == uri for q in r["qualifiers"])]
    return view


_RECORDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def all_records(backend: Backend, base: str) -> list[dict[str, Any]]:
    """Every mapping record, in table order; once per backend, like `frameworks` (a release never changes while
    it is served). Item, record and erratum pages filter this list instead of querying per page."""
    cached = _RECORDS.get(backend)
    if cached is None or cached[0] != base:
        cached = _RECORDS[backend] = (base, records(backend, base, "?r a ccdsx:MappingRecord ."))
    return cached[1]


def _linked(
    backend: Backend, base: str, pattern: str, order: str = "?line ?notation", depth: bool = False, uri: str = ""
) -> list[dict[str, Any]]:
    if depth:  # ancestors, outermost first (skos:broaderTransitive is materialised by the build's reasoner)
        query = f"""SELECT ?x ?notation ?ja ?en ?parentNotation (COUNT(DISTINCT ?up) AS ?depth) WHERE {{
            {_iri(uri)} skos:broaderTransitive ?x . ?x skos:prefLabel ?ja , ?en .
            FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
            OPTIONAL {{ ?x skos:notation ?notation }} OPTIONAL {{ ?x skos:broaderTransitive ?up }}
            OPTIONAL {{ ?x skos:broader/skos:notation ?parentNotation }} }}
            GROUP BY ?x ?notation ?ja ?en ?parentNotation ORDER BY ?depth"""
    else:
        query = f"""SELECT ?x ?notation ?ja ?en ?line ?parentNotation ?statement WHERE {{ {pattern}
            ?x skos:prefLabel ?ja , ?en . FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
            OPTIONAL {{ ?x skos:notation ?notation }} OPTIONAL {{ ?x ccdsx:sourceLine ?line }}
            OPTIONAL {{ ?x skos:broader/skos:notation ?parentNotation }}
            OPTIONAL {{ ?x a ccdsx:Statement BIND (true AS ?statement) }} }} ORDER BY {order}"""
    out = []
    for r in backend.select(P.format(base=base) + query):
        uri_ = _v(r, "x")
        statement = int(uri_.rsplit("/", 1)[-1]) if _true(r, "statement") else None
        out.append(
            {
                "uri": uri_,
                "notation": full_notation(_v(r, "notation"), _v(r, "parentNotation")),
                "label": {"ja": _v(r, "ja"), "en": _v(r, "en")},
                "statement": statement,
            }
        )
    return out


# the single-valued variables of the records query
GROUPED = """?r ?relation ?relJa ?relEn ?subject ?subjectNotation ?subjectJa ?subjectEn ?parent ?parentNotation
    ?parentJa ?parentEn ?framework ?frameworkNotation ?target ?targetNotation ?targetJa ?targetEn ?targetKind ?ts
    ?targetSection ?tsJa ?tsEn ?targetParentNotation ?section ?sectionTitle ?item ?itemTitle ?qualifier ?none
    ?statement ?line ?seq ?table ?printedTarget"""


def records(backend: Backend, base: str, pattern: str) -> list[dict[str, Any]]:
    """Mapping records matching `pattern` (which binds ?r), each with its external item (or bullet statement),
    the CCDS section and item it resolves to, what the Appendix printed, and where."""
    # No GROUP BY over these 35 variables (Virtuoso allows at most 20 keys): the multi-valued errata and
    # qualifiers come from a second query and are joined here.
    found = backend.select(
        P.format(base=base)
        + f"""
        SELECT {GROUPED} WHERE {{
          {pattern}
          ?r owl:annotatedSource ?subject ; owl:annotatedProperty ?relation ; owl:annotatedTarget ?target ;
             ccdsx:noCorrespondence ?none ; ccdsx:statementNumber ?statement ; ccdsx:sequence ?seq ;
             dcterms:source ?tableNode .
          ?tableNode dcterms:identifier ?table .
          ?relation rdfs:label ?relJa , ?relEn . FILTER (LANG(?relJa) = "ja" && LANG(?relEn) = "en")
          ?subject skos:prefLabel ?subjectJa , ?subjectEn . FILTER (LANG(?subjectJa) = "ja" && LANG(?subjectEn) = "en")
          OPTIONAL {{ ?r sssom:subject_source ?framework OPTIONAL {{ ?framework skos:notation ?frameworkNotation }} }}
          OPTIONAL {{ ?subject skos:notation ?subjectNotation }}
          OPTIONAL {{ ?subject a ccdsx:Statement ; skos:broader ?parent . ?parent skos:notation ?parentNotation ;
                               skos:prefLabel ?parentJa , ?parentEn .
                      FILTER (LANG(?parentJa) = "ja" && LANG(?parentEn) = "en") }}
          OPTIONAL {{ ?target skos:notation ?targetNotation ; skos:prefLabel ?targetJa , ?targetEn .
                      FILTER (LANG(?targetJa) = "ja" && LANG(?targetEn) = "en")
                      OPTIONAL {{ ?target a ccdsx:Section BIND ("section" AS ?targetKind) }}
                      OPTIONAL {{ ?target skos:broader/skos:notation ?targetParentNotation }}
                      OPTIONAL {{ ?target skos:broader ?ts . ?ts a ccdsx:Section ; skos:notation ?targetSection ;
                                  skos:prefLabel ?tsJa , ?tsEn . FILTER (LANG(?tsJa) = "ja" && LANG(?tsEn) = "en") }} }}
          OPTIONAL {{ ?r ccdsx:printedSection ?section }} OPTIONAL {{ ?r ccdsx:printedSectionTitle ?sectionTitle }}
          OPTIONAL {{ ?r ccdsx:printedItem ?item }} OPTIONAL {{ ?r ccdsx:printedItemTitle ?itemTitle }}
          OPTIONAL {{ ?r ccdsx:printedQualifier ?qualifier }} OPTIONAL {{ ?r ccdsx:sourceLine ?line }}
          OPTIONAL {{ ?r ccdsx:printedTarget ?printedTarget }}
        }} ORDER BY ?table ?seq"""
    )
    extras = backend.select(
        P.format(base=base)
        + f"""
        SELECT ?r ?erratumId ?q WHERE {{ {pattern}
          {{ ?r ccdsx:erratum/dcterms:identifier ?erratumId }} UNION {{ ?r ccdsx:qualifier ?q }} }}"""
    )
    errata_of: dict[str, set[str]] = defaultdict(set)
    qualifiers_of: dict[str, set[str]] = defaultdict(set)
    for extra in extras:
        if "erratumId" in extra:
            errata_of[_v(extra, "r")].add(_v(extra, "erratumId"))
        if "q" in extra:
            qualifiers_of[_v(extra, "r")].add(_v(extra, "q"))
    rows, seen = [], set()
    for row in found:
        uri = _v(row, "r")
        if uri in seen:
            continue
        seen.add(uri)
        rows.append(
            {
                **row,
                "errata": Term(" ".join(sorted(errata_of[uri])), "literal"),
                "qualifiers": Term(" ".join(sorted(qualifiers_of[uri])), "literal"),
            }
        )
    qualifier_uris = sorted({q for r in rows for q in _v(r, "qualifiers").split(" ") if q})
    qualifier_labels = _labels(backend, base, qualifier_uris)
    out = []
    for r in rows:
        target = _v(r, "target")
        none = _true(r, "none")
        is_statement = bool(_v(r, "parent"))
        is_section = _v(r, "targetKind") == "section"
        out.append(
            {
                "uri": _v(r, "r"),
                "relation": {"uri": _v(r, "relation"), "ja": _v(r, "relJa"), "en": _v(r, "relEn")},
                "framework": {"uri": _v(r, "framework"), "notation": _v(r, "frameworkNotation")},
                "subject": {
                    "uri": _v(r, "subject"),
                    "notation": _v(r, "subjectNotation") or _v(r, "parentNotation"),
                    "label": {"ja": _v(r, "subjectJa"), "en": _v(r, "subjectEn")},
                },
                # a bullet statement of a CPSF requirement: the requirement it belongs to, and its number there
                "of": {
                    "uri": _v(r, "parent"),
                    "notation": _v(r, "parentNotation"),
                    "label": {"ja": _v(r, "parentJa"), "en": _v(r, "parentEn")},
                }
                if is_statement
                else None,
                "statement": int(_v(r, "statement", "1")),
                "none": none,
                "target": None
                if none
                else {
                    "uri": target,
                    "notation": full_notation(_v(r, "targetNotation"), _v(r, "targetParentNotation")),
                    "label": {"ja": _v(r, "targetJa"), "en": _v(r, "targetEn")},
                    "is_section": is_section,
                    "section": (
                        {
                            "uri": target,
                            "notation": _v(r, "targetNotation"),
                            "label": {"ja": _v(r, "targetJa"), "en": _v(r, "targetEn")},
                        }
                        if is_section
                        else {
                            "uri": _v(r, "ts"),
                            "notation": _v(r, "targetSection"),
                            "label": {"ja": _v(r, "tsJa"), "en": _v(r, "tsEn")},
                        }
                        if _v(r, "ts")
                        else None
                    ),
                },
                "qualifiers": [
                    qualifier_labels.get(q, {"uri": q, "notation": q.rsplit("/", 1)[-1], "label": {}})
                    for q in sorted(q for q in _v(r, "qualifiers").split(" ") if q)
                ],
                "printed": {
                    "section": _v(r, "section"),
                    "section_title": _v(r, "sectionTitle"),
                    "item": _v(r, "item"),
                    "item_title": _v(r, "itemTitle"),
                    "qualifier": _v(r, "qualifier"),
                },
                "corrected": bool(target) and not none and _v(r, "printedTarget") != target,
                "errata": [e for e in _v(r, "errata").split(" ") if e],
                "line": _v(r, "line"),
                "table": _v(r, "table"),
            }
        )
    return out


def _labels(backend: Backend, base: str, uris: list[str]) -> dict[str, dict[str, Any]]:
    if not uris:
        return {}
    values = " ".join(_iri(u) for u in uris)
    rows = backend.select(
        P.format(base=base)
        + f"""
        SELECT ?x ?notation ?ja ?en WHERE {{ VALUES ?x {{ {values} }}
          ?x skos:prefLabel ?ja , ?en . FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
          OPTIONAL {{ ?x skos:notation ?notation }} }}"""
    )
    return {
        _v(r, "x"): {"uri": _v(r, "x"), "notation": _v(r, "notation"), "label": {"ja": _v(r, "ja"), "en": _v(r, "en")}}
        for r in rows
    }


def record_view(backend: Backend, base: str, uri: str) -> dict[str, Any] | None:
    return next((r for r in all_records(backend, base) if r["uri"] == uri), None)


def erratum_records(backend: Backend, base: str, erratum_id: str) -> list[dict[str, Any]]:
    return [r for r in all_records(backend, base) if erratum_id in r["errata"]]


def errata(backend: Backend, base: str, uri: str | None = None) -> list[dict[str, Any]]:
    restrict = f"BIND ({_iri(uri)} AS ?e)" if uri else ""
    rows = backend.select(
        P.format(base=base)
        + f"""
        SELECT ?e ?id ?kind ?printed ?status ?resolution ?reason ?resolved ?line (COUNT(DISTINCT ?r) AS ?records)
        WHERE {{
          {restrict} ?e a ccdsx:Erratum ; dcterms:identifier ?id ; ccdsx:erratumKind ?kind ;
             ccdsx:printedText ?printed ;
             ccdsx:resolutionStatus ?status ; rdfs:comment ?reason .
          OPTIONAL {{ ?e ccdsx:resolution ?resolution }} OPTIONAL {{ ?e ccdsx:resolvedTarget ?resolved }}
          OPTIONAL {{ ?e ccdsx:sourceLine ?line }} OPTIONAL {{ ?r ccdsx:erratum ?e }}
        }} GROUP BY ?e ?id ?kind ?printed ?status ?resolution ?reason ?resolved ?line ORDER BY ?id"""
    )
    return [
        {
            "uri": _v(r, "e"),
            "id": _v(r, "id"),
            "kind": _v(r, "kind"),
            "printed": _v(r, "printed"),
            "resolved": _v(r, "status").endswith("#Resolved"),
            "resolution": _v(r, "resolution"),
            "reason": _v(r, "reason"),
            "target": _v(r, "resolved"),
            "line": _v(r, "line"),
            "records": int(_v(r, "records", "0")),
        }
        for r in rows
    ]


def coverage(backend: Backend, base: str) -> dict[str, Any]:
    """Records per (framework, CCDS section) for the coverage chart and its Sankey (analysis/coverage.py)."""
    return coverage_chart(backend.select, base, frameworks(backend, base))


def search(backend: Backend, base: str, text: str, limit: int = 100) -> list[dict[str, Any]]:
    """Items whose ID or Japanese or English title contains the text (case-insensitive); an exact ID first,
    then by framework in Appendix order and by ID."""
    needle = text.strip().lower()
    if not needle:
        return []
    literal = '"' + needle.replace("\\", "\\\\").replace('"', '\\"') + '"'
    contains = f"""FILTER (CONTAINS(LCASE(COALESCE(?notation, "")), {literal}) || CONTAINS(LCASE(?ja), {literal})
                  || CONTAINS(LCASE(?en), {literal}))"""
    hits = _searchable(backend, base, contains, f"LIMIT {int(limit)}")
    hits.sort(key=lambda h: (h["bare"].lower() != needle, h["key"]))
    for hit in hits:
        del hit["key"], hit["bare"]
    return hits


def search_index(backend: Backend, base: str) -> list[dict[str, Any]]:
    """Every searchable item in the order `search` lists them (bar the exact ID first): the static site's index."""
    hits = sorted(_searchable(backend, base, "", ""), key=lambda h: h["key"])
    for hit in hits:
        del hit["key"]
    return hits


def _searchable(backend: Backend, base: str, restrict: str, limit: str) -> list[dict[str, Any]]:
    rows = backend.select(
        P.format(base=base)
        + f"""
        SELECT DISTINCT ?x ?notation ?ja ?en ?s ?schemeNotation ?chapter ?parentNotation ?statement ?line WHERE {{
          ?x a skos:Concept ; skos:inScheme ?s ; skos:prefLabel ?ja , ?en . ?s skos:notation ?schemeNotation .
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
          OPTIONAL {{ ?s ccdsx:appendixChapter ?chapter }}
          OPTIONAL {{ ?x skos:notation ?notation }} OPTIONAL {{ ?x ccdsx:sourceLine ?line }}
          OPTIONAL {{ ?x skos:broader/skos:notation ?parentNotation }}
          OPTIONAL {{ ?x a ccdsx:Statement BIND (true AS ?statement) }}
          {restrict}
        }} ORDER BY ?schemeNotation ?notation ?x {limit}"""
    )
    hits = []
    for r in rows:
        uri = _v(r, "x")
        statement = int(uri.rsplit("/", 1)[-1]) if _true(r, "statement") else None
        notation = full_notation(_v(r, "notation"), _v(r, "parentNotation"))
        hits.append(
            {
                "uri": uri,
                "notation": notation,
                "bare": _v(r, "notation"),
                "scheme": _v(r, "schemeNotation"),
                "scheme_uri": _v(r, "s"),
                "statement": statement,
                "of": _v(r, "parentNotation") if statement else "",
                "label": {"ja": _v(r, "ja"), "en": _v(r, "en")},
                "key": (
                    _v(r, "chapter") != "",
                    _v(r, "chapter"),
                    natural_key(notation or _v(r, "parentNotation")),
                    statement or 0,
                    uri,
                ),
            }
        )
    return hits


def ontology_terms(backend: Backend, base: str) -> dict[str, list[dict[str, Any]]]:
    rows = backend.select(
        P.format(base=base)
        + f"""
        SELECT ?term ?type ?ja ?en ?defJa ?defEn WHERE {{
          ?term a ?type ; rdfs:label ?ja , ?en . FILTER (STRSTARTS(STR(?term), "{base}ontology#"))
          VALUES ?type {{ owl:Class owl:ObjectProperty owl:DatatypeProperty }}
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
          OPTIONAL {{ ?term skos:definition ?defJa FILTER (LANG(?defJa) = "ja") }}
          OPTIONAL {{ ?term skos:definition ?defEn FILTER (LANG(?defEn) = "en") }}
        }} ORDER BY ?type ?term"""
    )
    out: dict[str, list[dict[str, Any]]] = {"classes": [], "properties": []}
    seen = set()
    for r in rows:
        term = _v(r, "term")
        if term in seen:
            continue
        seen.add(term)
        entry = {
            "uri": term,
            "name": term.rsplit("#", 1)[-1],
            "label": {"ja": _v(r, "ja"), "en": _v(r, "en")},
            "definition": {"ja": _v(r, "defJa"), "en": _v(r, "defEn")},
        }
        out["classes" if _v(r, "type").endswith("Class") else "properties"].append(entry)
    return out
