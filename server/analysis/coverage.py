"""The coverage matrix: mapping records per (framework, CCDS section), the numbers of the /coverage page's chart,
table and Sankey, and of the release's coverage-flows.{ja,en}.svg (one function, so they cannot differ)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ccds_crosswalk.analysis.model import PREFIXES, Select


def _v(row: dict, key: str, default: str = "") -> str:
    term = row.get(key)
    return term.value if term is not None else default


def coverage_chart(select: Select, base: str, frameworks: list[dict[str, Any]]) -> dict[str, Any]:
    """Records per (framework, CCDS section): the cited section, or the section of the cited activity or
    requirement. `frameworks` (uri, notation, label) gives the order of the rows (Appendix chapter order)."""
    rows = select(
        PREFIXES.format(base=base)
        + """
        SELECT ?framework ?sec ?section ?ja ?en (COUNT(?r) AS ?n) WHERE {
          ?r a ccdsx:MappingRecord ; owl:annotatedTarget ?t ; sssom:subject_source ?s . ?s skos:notation ?framework .
          ?t a ?kind .
          VALUES ?kind { ccdsx:Section ccdsx:PhaseActivity ccdsx:ServiceRequirement ccdsx:ComponentRequirement }
          OPTIONAL { ?t skos:broader ?parent }
          BIND (IF(?kind = ccdsx:Section, ?t, ?parent) AS ?sec)
          ?sec skos:notation ?section ; skos:prefLabel ?ja , ?en .
          FILTER (LANG(?ja) = "ja" && LANG(?en) = "en")
        } GROUP BY ?framework ?sec ?section ?ja ?en"""
    )
    cells: dict[tuple[str, str], int] = defaultdict(int)
    sections: dict[str, dict[str, str]] = {}
    uris: dict[str, str] = {}
    for r in rows:
        cells[(_v(r, "framework"), _v(r, "section"))] += int(_v(r, "n"))
        sections[_v(r, "section")] = {"ja": _v(r, "ja"), "en": _v(r, "en")}
        uris[_v(r, "section")] = _v(r, "sec")
    order = sorted(sections, key=lambda s: [int(p) for p in s.split(".")])
    present = {f for f, _ in cells}
    known = [f for f in frameworks if f["notation"] in present]  # Appendix chapter order
    frameworks_ = [f["notation"] for f in known] + sorted(present - {f["notation"] for f in known})
    info = {f["notation"]: f for f in known}
    return {
        "sections": [
            {
                "notation": s,
                "label": sections[s],
                "uri": uris[s],
                "total": sum(n for (_, sec), n in cells.items() if sec == s),
            }
            for s in order
        ],
        "frameworks": frameworks_,
        "rows": [
            {
                "notation": f,
                "uri": info.get(f, {}).get("uri", ""),
                "label": info.get(f, {}).get("label", {}),
                "total": sum(n for (fw, _), n in cells.items() if fw == f),
            }
            for f in frameworks_
        ],
        "cells": {f"{f}|{s}": n for (f, s), n in cells.items()},
        "max": max(cells.values(), default=1),
    }
