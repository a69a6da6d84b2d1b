"""The flow diagrams of the coverage and compare pages, drawn from the very numbers their tables show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from ccds_crosswalk.analysis.compare import Comparison, item_of
from ccds_crosswalk.analysis.model import Item, Model, source_order
from ccds_crosswalk.analysis.sankey import Diagram, Flow, Node

GROUP_ABOVE = 16  # a side with more items than this is drawn by its top-level categories


def _pick(labels: dict[str, str], lang: str) -> str:
    return labels.get(lang) or labels.get("ja") or labels.get("en") or ""


def coverage_sankey(chart: dict[str, Any], lang: str, link: Callable[[str], str]) -> Diagram:
    """Frameworks → CCDS sections, one flow per non-empty cell of the coverage matrix."""
    frameworks = [
        Node(f"fw:{r['notation']}", r["notation"], f"{r['notation']} {_pick(r['label'], lang)}", link(r["uri"]))
        for r in chart["rows"]
    ]
    sections = [
        Node(f"sec:{s['notation']}", s["notation"], f"{s['notation']} {_pick(s['label'], lang)}", link(s["uri"]))
        for s in chart["sections"]
    ]
    flows = [
        Flow(f"fw:{f}", f"sec:{s}", n, f"{f} → {s}: {n}")
        for f in chart["frameworks"]
        for s in (sec["notation"] for sec in chart["sections"])
        if (n := chart["cells"].get(f"{f}|{s}", 0))
    ]
    total = sum(f.value for f in flows)
    if lang == "ja":
        title = "対応レコードの流れ:フレームワーク → 本書の章節"
        desc = (
            f"{len(frameworks)} のフレームワークから {len(sections)} の章節への対応レコード計 {total} 件。"
            "数値はカバレッジ行列の表(/coverage)と同じです。"
        )
    else:
        title = "Mapping records flowing from each framework to the CCDS sections"
        desc = (
            f"{total} mapping records from {len(frameworks)} frameworks into {len(sections)} CCDS sections; "
            "the coverage matrix table (/coverage) gives the same numbers."
        )
    return Diagram("coverage-sankey", title, desc, [frameworks, sections], flows)


def _root(model: Model, item: Item) -> Item:
    while item.parent and item.parent in model.items:
        item = model.items[item.parent]
    return item


def comparison_sankey(model: Model, comparison: Comparison, lang: str, link: Callable[[str], str]) -> Diagram:
    """A's items (or categories) → CCDS sections → B's items (or categories); one unit per pair."""
    sides = {}
    for side in ("left", "right"):
        items = {item_of(model, p, side).uri for p in comparison.pairs}
        grouped = len(items) > GROUP_ABOVE and (comparison.a if side == "left" else comparison.b) != "ccds"
        sides[side] = grouped
    keys: dict[str, Counter] = {"ab": Counter(), "bc": Counter()}
    nodes: dict[str, dict[str, Item]] = {"left": {}, "mid": {}, "right": {}}
    for pair in comparison.pairs:
        ends = []
        for side in ("left", "right"):
            item = item_of(model, pair, side)
            item = _root(model, item) if sides[side] else item
            nodes[side][item.uri] = item
            ends.append(item.uri)
        section = model.items[model.section_of(pair.ccds)]
        nodes["mid"][section.uri] = section
        keys["ab"][(ends[0], section.uri)] += 1
        keys["bc"][(section.uri, ends[1])] += 1
    ccds_side = "right" if comparison.b == "ccds" else "left" if comparison.a == "ccds" else ""

    def column(side: str) -> list[Node]:
        prefix = {"left": "a", "mid": "s", "right": "b"}[side]
        return [
            Node(f"{prefix}:{i.uri}", i.notation, f"{i.notation} {i.label(lang)}", link(i.uri))
            for i in sorted(nodes[side].values(), key=source_order)
        ]

    flows = [Flow(f"a:{a}", f"s:{s}", n, _flow_title(model, a, s, n)) for (a, s), n in keys["ab"].items()]
    flows += [Flow(f"s:{s}", f"b:{b}", n, _flow_title(model, s, b, n)) for (s, b), n in keys["bc"].items()]
    columns = [column("left"), column("mid"), column("right")]
    if ccds_side:  # compared with CCDS: the external items flow straight into the sections
        columns = [column("left" if ccds_side == "right" else "right"), column("mid")]
        if ccds_side == "right":
            flows = [f for f in flows if f.source.startswith("a:")]
        else:
            flows = [Flow(f.target, f.source, f.value, f.title) for f in flows if f.target.startswith("b:")]
    a, b = (model.scheme_labels[s]["notation"] for s in (comparison.a, comparison.b))
    n = len(comparison.pairs)
    if lang == "ja":
        title = f"{a} と {b} の対応の流れ(本書の章節経由)"
        desc = f"{n} 件の対応が、{len(nodes['mid'])} の章節を通ってつながります。すべての対応は下の表にあります。"
    else:
        title = f"How {a} and {b} meet in the CCDS sections"
        desc = f"{n} pairs through {len(nodes['mid'])} CCDS sections; the table below lists every pair."
    return Diagram("compare-sankey", title, desc, columns, flows)


def _flow_title(model: Model, source: str, target: str, n: int) -> str:
    return f"{model.items[source].notation} → {model.items[target].notation}: {n}"
