"""View models for the HTML pages: small, fixed SPARQL lookups on the backend, turned into plain dicts.
Nothing here renders HTML; nothing here runs user queries."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from server.web.backend import Backend, Row

P = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sssom: <https://w3id.org/sssom/> PREFIX ccdsx: <{base}ontology#>
"""


def _v(row: Row, key: str, default: str = "") -> str:
    term = row.get(key)
    return term.value if term is not None else default


def _iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ '):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def labels_of(backend: Backend, base: str, uri: str) -> dict[str, str]:
    rows = backend.select(P.format(base=base) + f"SELECT ?l WHERE {{ {_iri(uri)} skos:prefLabel|rdfs:label ?l }}")
    out: dict[str, str] = {}
    for row in rows:
        out.setdefault(row["l"].lang or "", row["l"].value)
    return out


def frameworks(backend: Backend, base: str) -> list[dict[str, Any]]:
    rows = backend.select(P.format(base=base) + """
        SELECT ?scheme ?notation ?ja ?en ?chapter ?relation ?publisherJa ?publisherEn
               (COUNT(DISTINCT ?item) AS ?items) (COUNT(DISTINCT ?record) AS ?records) (COUNT(DISTINCT ?none) AS ?nones)
        WHERE { ?scheme a ccdsx:Framework ; skos:notation ?notation ; skos:prefLabel ?ja , ?en .
                FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
                OPTIONAL { ?scheme ccdsx:appendixChapter ?chapter } OPTIONAL { ?scheme ccdsx:relationToCCDS ?relation }
                OPTIONAL { ?scheme dcterms:publisher ?p . ?p rdfs:label ?publisherJa , ?publisherEn .
                           FILTER (LANG(?publisherJa) = "ja" && LANG(?publisherEn) = "en") }
                OPTIONAL { ?item skos:inScheme ?scheme }
                OPTIONAL { ?record sssom:subject_source ?scheme .
                           OPTIONAL { ?record owl:annotatedTarget sssom:NoTermFound BIND (?record AS ?none) } } }
        GROUP BY ?scheme ?notation ?ja ?en ?chapter ?relation ?publisherJa ?publisherEn
        ORDER BY ?chapter""")
    return [{"uri": _v(r, "scheme"), "notation": _v(r, "notation"), "label": {"ja": _v(r, "ja"), "en": _v(r, "en")},
             "chapter": _v(r, "chapter"), "relation": _v(r, "relation").rsplit("#", 1)[-1],
             "publisher": {"ja": _v(r, "publisherJa"), "en": _v(r, "publisherEn")},
             "items": int(_v(r, "items", "0")), "records": int(_v(r, "records", "0")), "nones": int(_v(r, "nones", "0"))}
            for r in rows]


def scheme_tree(backend: Backend, base: str, scheme: str) -> list[dict[str, Any]]:
    """The scheme's items as a forest, in source order."""
    rows = backend.select(P.format(base=base) + f"""
        SELECT ?item ?notation ?ja ?en ?parent ?line ?kind ?records ?nones WHERE {{
          ?item skos:inScheme {_iri(scheme)} ; skos:prefLabel ?ja , ?en ; a ?kind .
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en" && STRSTARTS(STR(?kind), "{base}ontology#"))
          OPTIONAL {{ ?item skos:notation ?notation }} OPTIONAL {{ ?item skos:broader ?parent }}
          OPTIONAL {{ ?item ccdsx:sourceLine ?line }}
          {{ SELECT ?item (COUNT(?r) AS ?records) (COUNT(?n) AS ?nones) WHERE {{
              ?item skos:inScheme {_iri(scheme)} .
              OPTIONAL {{ ?r owl:annotatedSource ?item OPTIONAL {{ ?r owl:annotatedTarget sssom:NoTermFound BIND(?r AS ?n) }} }}
          }} GROUP BY ?item }}
        }}""")
    nodes: dict[str, dict[str, Any]] = {}
    for r in rows:
        uri = _v(r, "item")
        nodes[uri] = {"uri": uri, "notation": _v(r, "notation"), "label": {"ja": _v(r, "ja"), "en": _v(r, "en")},
                      "parent": _v(r, "parent"), "line": int(_v(r, "line", "0")), "kind": _v(r, "kind").rsplit("#", 1)[-1],
                      "records": int(_v(r, "records", "0")), "nones": int(_v(r, "nones", "0")), "children": []}
    roots = []
    for node in sorted(nodes.values(), key=_order):
        (nodes[node["parent"]]["children"] if node["parent"] in nodes else roots).append(node)
    return roots


def _order(node: dict[str, Any]) -> tuple:
    return (node["line"], [int(p) if p.isdigit() else p for p in node["notation"].replace("-", ".").split(".")])


def item_view(backend: Backend, base: str, uri: str) -> dict[str, Any] | None:
    head = backend.select(P.format(base=base) + f"""
        SELECT ?scheme ?schemeJa ?schemeEn ?notation ?ja ?en ?kind ?kindJa ?kindEn ?source ?note ?legal ?line ?level ?component WHERE {{
          {_iri(uri)} skos:inScheme ?scheme ; skos:prefLabel ?ja , ?en ; a ?kind .
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en" && STRSTARTS(STR(?kind), "{base}ontology#"))
          FILTER NOT EXISTS {{ {_iri(uri)} a ?sub . ?sub rdfs:subClassOf ?kind FILTER (?sub != ?kind) }}
          ?scheme skos:prefLabel ?schemeJa , ?schemeEn . FILTER (LANG(?schemeJa) = "ja" && LANG(?schemeEn) = "en")
          OPTIONAL {{ ?kind rdfs:label ?kindJa , ?kindEn FILTER (LANG(?kindJa) = "ja" && LANG(?kindEn) = "en") }}
          OPTIONAL {{ {_iri(uri)} skos:notation ?notation }} OPTIONAL {{ {_iri(uri)} ccdsx:englishLabelSource ?source }}
          OPTIONAL {{ {_iri(uri)} skos:scopeNote ?note }} OPTIONAL {{ {_iri(uri)} ccdsx:legalSource ?legal }}
          OPTIONAL {{ {_iri(uri)} ccdsx:sourceLine ?line }}
          OPTIONAL {{ {_iri(uri)} ccdsx:serviceLevel/skos:prefLabel ?level FILTER (LANG(?level) = "en") }}
          OPTIONAL {{ {_iri(uri)} ccdsx:component ?component }}
        }} LIMIT 1""")
    if not head:
        return None
    h = head[0]
    view: dict[str, Any] = {
        "uri": uri, "notation": _v(h, "notation"), "label": {"ja": _v(h, "ja"), "en": _v(h, "en")},
        "kind": {"ja": _v(h, "kindJa"), "en": _v(h, "kindEn")},
        "scheme": {"uri": _v(h, "scheme"), "label": {"ja": _v(h, "schemeJa"), "en": _v(h, "schemeEn")}},
        "official_english": _v(h, "source").endswith("OfficialEnglish"), "note": _v(h, "note"),
        "legal_source": _v(h, "legal"), "line": _v(h, "line"), "level": _v(h, "level"),
        "component": _v(h, "component"),
    }
    view["ancestors"] = _linked(backend, base, f"{_iri(uri)} skos:broader+ ?x . ?x skos:broaderTransitive* ?top .",
                                order="DESC(?depth)", depth=True, uri=uri)
    view["children"] = _linked(backend, base, f"?x skos:broader {_iri(uri)} .")
    view["outgoing"] = records(backend, base, f"{{ ?r owl:annotatedSource {_iri(uri)} }} UNION "
                                              f"{{ ?st skos:broader {_iri(uri)} ; a ccdsx:Statement . ?r owl:annotatedSource ?st }}")
    view["incoming"] = records(backend, base, f"?r owl:annotatedTarget {_iri(uri)} .")
    view["qualifying"] = records(backend, base, f"?r ccdsx:qualifier {_iri(uri)} .")
    return view


def _linked(backend: Backend, base: str, pattern: str, order: str = "?line ?notation", depth: bool = False,
            uri: str = "") -> list[dict[str, Any]]:
    if depth:  # ancestors, outermost first
        query = f"""SELECT ?x ?notation ?ja ?en (COUNT(DISTINCT ?up) AS ?depth) WHERE {{
            {_iri(uri)} skos:broader+ ?x . ?x skos:prefLabel ?ja , ?en . FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
            OPTIONAL {{ ?x skos:notation ?notation }} OPTIONAL {{ ?x skos:broader+ ?up }} }}
            GROUP BY ?x ?notation ?ja ?en ORDER BY ?depth"""
    else:
        query = f"""SELECT ?x ?notation ?ja ?en ?line WHERE {{ {pattern}
            ?x skos:prefLabel ?ja , ?en . FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
            OPTIONAL {{ ?x skos:notation ?notation }} OPTIONAL {{ ?x ccdsx:sourceLine ?line }} }} ORDER BY {order}"""
    return [{"uri": _v(r, "x"), "notation": _v(r, "notation"), "label": {"ja": _v(r, "ja"), "en": _v(r, "en")}}
            for r in backend.select(P.format(base=base) + query)]


def records(backend: Backend, base: str, pattern: str) -> list[dict[str, Any]]:
    rows = backend.select(P.format(base=base) + f"""
        SELECT ?r ?relation ?relJa ?relEn ?subject ?subjectNotation ?subjectJa ?subjectEn ?parentNotation ?target ?targetNotation
               ?targetJa ?targetEn ?targetSection ?section ?sectionTitle ?item ?itemTitle ?qualifier ?none ?statement ?line ?seq
               ?table ?printedTarget (GROUP_CONCAT(DISTINCT ?erratumId; separator=" ") AS ?errata) WHERE {{
          {pattern}
          ?r owl:annotatedSource ?subject ; owl:annotatedProperty ?relation ; owl:annotatedTarget ?target ;
             ccdsx:noCorrespondence ?none ; ccdsx:statementNumber ?statement ; ccdsx:sequence ?seq ; dcterms:source ?tableNode .
          ?tableNode dcterms:identifier ?table .
          ?relation rdfs:label ?relJa , ?relEn . FILTER (LANG(?relJa) = "ja" && LANG(?relEn) = "en")
          ?subject skos:prefLabel ?subjectJa , ?subjectEn . FILTER (LANG(?subjectJa) = "ja" && LANG(?subjectEn) = "en")
          OPTIONAL {{ ?subject skos:notation ?subjectNotation }}
          OPTIONAL {{ ?subject a ccdsx:Statement ; skos:broader/skos:notation ?parentNotation }}
          OPTIONAL {{ ?target skos:notation ?targetNotation ; skos:prefLabel ?targetJa , ?targetEn .
                      FILTER (LANG(?targetJa) = "ja" && LANG(?targetEn) = "en")
                      OPTIONAL {{ ?target skos:broader ?ts . ?ts a ccdsx:Section ; skos:notation ?targetSection }} }}
          OPTIONAL {{ ?r ccdsx:printedSection ?section }} OPTIONAL {{ ?r ccdsx:printedSectionTitle ?sectionTitle }}
          OPTIONAL {{ ?r ccdsx:printedItem ?item }} OPTIONAL {{ ?r ccdsx:printedItemTitle ?itemTitle }}
          OPTIONAL {{ ?r ccdsx:printedQualifier ?qualifier }} OPTIONAL {{ ?r ccdsx:sourceLine ?line }}
          OPTIONAL {{ ?r ccdsx:printedTarget ?printedTarget }}
          OPTIONAL {{ ?r ccdsx:erratum/dcterms:identifier ?erratumId }}
        }} GROUP BY ?r ?relation ?relJa ?relEn ?subject ?subjectNotation ?subjectJa ?subjectEn ?parentNotation ?target
                    ?targetNotation ?targetJa ?targetEn ?targetSection ?section ?sectionTitle ?item ?itemTitle ?qualifier
                    ?none ?statement ?line ?seq ?table ?printedTarget
        ORDER BY ?table ?seq""")
    out = []
    for r in rows:
        target = _v(r, "target")
        out.append({
            "uri": _v(r, "r"), "relation": {"uri": _v(r, "relation"), "ja": _v(r, "relJa"), "en": _v(r, "relEn")},
            "subject": {"uri": _v(r, "subject"), "notation": _v(r, "subjectNotation") or _v(r, "parentNotation"),
                        "label": {"ja": _v(r, "subjectJa"), "en": _v(r, "subjectEn")}},
            "statement": int(_v(r, "statement", "1")), "none": _v(r, "none") == "true",
            "target": None if _v(r, "none") == "true" else {
                "uri": target, "notation": _v(r, "targetNotation"), "section": _v(r, "targetSection"),
                "label": {"ja": _v(r, "targetJa"), "en": _v(r, "targetEn")}},
            "printed": {"section": _v(r, "section"), "section_title": _v(r, "sectionTitle"), "item": _v(r, "item"),
                        "item_title": _v(r, "itemTitle"), "qualifier": _v(r, "qualifier")},
            "corrected": bool(target) and _v(r, "none") != "true" and _v(r, "printedTarget") != target,
            "errata": [e for e in _v(r, "errata").split(" ") if e], "line": _v(r, "line"), "table": _v(r, "table"),
        })
    return out


def record_view(backend: Backend, base: str, uri: str) -> dict[str, Any] | None:
    found = records(backend, base, f"BIND ({_iri(uri)} AS ?r)")
    return found[0] if found else None


def errata(backend: Backend, base: str, uri: str | None = None) -> list[dict[str, Any]]:
    restrict = f"BIND ({_iri(uri)} AS ?e)" if uri else ""
    rows = backend.select(P.format(base=base) + f"""
        SELECT ?e ?id ?kind ?printed ?status ?resolution ?reason ?resolved ?line (COUNT(DISTINCT ?r) AS ?records) WHERE {{
          {restrict} ?e a ccdsx:Erratum ; dcterms:identifier ?id ; ccdsx:erratumKind ?kind ; ccdsx:printedText ?printed ;
             ccdsx:resolutionStatus ?status ; rdfs:comment ?reason .
          OPTIONAL {{ ?e ccdsx:resolution ?resolution }} OPTIONAL {{ ?e ccdsx:resolvedTarget ?resolved }}
          OPTIONAL {{ ?e ccdsx:sourceLine ?line }} OPTIONAL {{ ?r ccdsx:erratum ?e }}
        }} GROUP BY ?e ?id ?kind ?printed ?status ?resolution ?reason ?resolved ?line ORDER BY ?id""")
    return [{"uri": _v(r, "e"), "id": _v(r, "id"), "kind": _v(r, "kind"), "printed": _v(r, "printed"),
             "resolved": _v(r, "status").endswith("#Resolved"), "resolution": _v(r, "resolution"),
             "reason": _v(r, "reason"), "target": _v(r, "resolved"), "line": _v(r, "line"),
             "records": int(_v(r, "records", "0"))} for r in rows]


def coverage(backend: Backend, base: str) -> dict[str, Any]:
    """Records per (framework, top-level CCDS section group) for the coverage chart."""
    rows = backend.select(P.format(base=base) + """
        SELECT ?framework ?section ?ja ?en (COUNT(?r) AS ?n) WHERE {
          ?r a ccdsx:MappingRecord ; owl:annotatedTarget ?t ; sssom:subject_source ?s . ?s skos:notation ?framework .
          ?t skos:broader* ?sec . ?sec a ccdsx:Section ; skos:notation ?section ; skos:prefLabel ?ja , ?en .
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
          FILTER NOT EXISTS { ?t skos:broader* ?deeper . ?deeper a ccdsx:Section ; skos:broader+ ?sec }
        } GROUP BY ?framework ?section ?ja ?en""")
    cells: dict[tuple[str, str], int] = defaultdict(int)
    sections: dict[str, dict[str, str]] = {}
    for r in rows:
        cells[(_v(r, "framework"), _v(r, "section"))] += int(_v(r, "n"))
        sections[_v(r, "section")] = {"ja": _v(r, "ja"), "en": _v(r, "en")}
    order = sorted(sections, key=lambda s: [int(p) for p in s.split(".")])
    frameworks_ = sorted({f for f, _ in cells})
    return {"sections": [{"notation": s, "label": sections[s]} for s in order], "frameworks": frameworks_,
            "cells": {f"{f}|{s}": n for (f, s), n in cells.items()},
            "max": max(cells.values(), default=1)}


def search(backend: Backend, base: str, text: str, limit: int = 100) -> list[dict[str, Any]]:
    needle = text.strip().lower()
    if not needle:
        return []
    literal = '"' + needle.replace("\\", "\\\\").replace('"', '\\"') + '"'
    rows = backend.select(P.format(base=base) + f"""
        SELECT DISTINCT ?x ?notation ?ja ?en ?schemeNotation WHERE {{
          ?x a skos:Concept ; skos:inScheme ?s ; skos:prefLabel ?ja , ?en . ?s skos:notation ?schemeNotation .
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
          OPTIONAL {{ ?x skos:notation ?notation }}
          FILTER (CONTAINS(LCASE(COALESCE(?notation, "")), {literal}) || CONTAINS(LCASE(?ja), {literal})
                  || CONTAINS(LCASE(?en), {literal}))
        }} ORDER BY ?schemeNotation ?notation LIMIT {int(limit)}""")
    return [{"uri": _v(r, "x"), "notation": _v(r, "notation"), "scheme": _v(r, "schemeNotation"),
             "label": {"ja": _v(r, "ja"), "en": _v(r, "en")}} for r in rows]


def ontology_terms(backend: Backend, base: str) -> dict[str, list[dict[str, Any]]]:
    rows = backend.select(P.format(base=base) + f"""
        SELECT ?term ?type ?ja ?en ?defJa ?defEn WHERE {{
          ?term a ?type ; rdfs:label ?ja , ?en . FILTER (STRSTARTS(STR(?term), "{base}ontology#"))
          VALUES ?type {{ owl:Class owl:ObjectProperty owl:DatatypeProperty }}
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
          OPTIONAL {{ ?term skos:definition ?defJa FILTER (LANG(?defJa) = "ja") }}
          OPTIONAL {{ ?term skos:definition ?defEn FILTER (LANG(?defEn) = "en") }}
        }} ORDER BY ?type ?term""")
    out: dict[str, list[dict[str, Any]]] = {"classes": [], "properties": []}
    seen = set()
    for r in rows:
        term = _v(r, "term")
        if term in seen:
            continue
        seen.add(term)
        entry = {"uri": term, "name": term.rsplit("#", 1)[-1], "label": {"ja": _v(r, "ja"), "en": _v(r, "en")},
                 "definition": {"ja": _v(r, "defJa"), "en": _v(r, "defEn")}}
        out["classes" if _v(r, "type").endswith("Class") else "properties"].append(entry)
    return out
