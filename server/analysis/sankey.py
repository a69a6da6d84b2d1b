"""A Sankey (alluvial) diagram as one self-contained SVG string: no script, no style attribute, no external font.

Columns of nodes, flows between neighbouring columns. A node is as tall as the larger of what flows in and out
(at least one label high); each flow is a band as wide as its value, stacked in order inside its two nodes.
Every node and flow carries a <title> (the tooltip, read by screen readers) and data-* attributes with its
numbers, so a test can check the picture against the table it illustrates; the SVG itself is a labelled group
(role="group", not "img": an image may not hold the links its nodes are) with a title and a description, and the
page puts the same numbers in a table beside it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f77b4", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#e6ab02", "#386cb0")
BAR = 12  # node bar width
SLOT = 16  # the least height a node takes (one label line)
GAP = 6  # between nodes of a column
LABEL = 120  # room for the labels of the first and the last column
WIDTH = 900


@dataclass(frozen=True)
class Node:
    key: str
    label: str  # the short text drawn beside the bar (a notation)
    title: str  # the tooltip: notation and full name
    href: str = ""


@dataclass(frozen=True)
class Flow:
    source: str
    target: str
    value: int
    title: str


@dataclass(frozen=True)
class Diagram:
    """What is drawn, kept so that a page can also print it as a table (the text alternative)."""

    ident: str
    title: str
    description: str
    columns: list[list[Node]]
    flows: list[Flow]

    def svg(self) -> str:
        return sankey_svg(self.columns, self.flows, self.ident, self.title, self.description)

    def table(self) -> list[tuple[Node, Node, int]]:
        """(from, to, count) for every flow, in the order of the columns."""
        nodes = {n.key: n for column in self.columns for n in column}
        order = {key: i for i, key in enumerate(nodes)}
        ordered = sorted(self.flows, key=lambda f: (order[f.source], order[f.target]))
        return [(nodes[f.source], nodes[f.target], f.value) for f in ordered]


def _attr(text: str) -> str:
    return escape(text, quote=True)


def sankey_svg(columns: list[list[Node]], flows: list[Flow], ident: str, title: str, description: str) -> str:
    inflow: dict[str, int] = defaultdict(int)
    outflow: dict[str, int] = defaultdict(int)
    for flow in flows:
        outflow[flow.source] += flow.value
        inflow[flow.target] += flow.value
    value = {n.key: max(inflow[n.key], outflow[n.key]) for column in columns for n in column}
    tallest = max((sum(value[n.key] for n in column) for column in columns), default=1) or 1
    unit = min(6.0, max(1.0, 900 / tallest))  # pixels per unit of flow
    height_of = {key: max(v * unit, 2.0) for key, v in value.items()}
    top = 28
    place: dict[str, tuple[float, float]] = {}  # node key → (x, y)
    xs = [LABEL + (WIDTH - 2 * LABEL - BAR) * i / max(len(columns) - 1, 1) for i in range(len(columns))]
    bottom: float = top
    for x, column in zip(xs, columns, strict=True):
        y: float = top
        for node in column:
            place[node.key] = (x, y)
            y += max(height_of[node.key], SLOT) + GAP
        bottom = max(bottom, y)
    height = int(bottom + 8)
    colour = {n.key: PALETTE[i % len(PALETTE)] for i, n in enumerate(columns[0] if columns else [])}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{ident}" class="sankey" role="group" '
        f'aria-labelledby="{ident}-title" aria-describedby="{ident}-desc" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        '<g class="flows" fill-opacity="0.35">',
    ]
    out += _flows(flows, place, unit, colour)
    out.append("</g>")
    out.append('<g class="nodes">')
    for index, column in enumerate(columns):
        out += [_node(n, place[n.key], height_of[n.key], value[n.key], index, len(columns)) for n in column]
    out.append("</g></svg>")
    return "\n".join(out)


def _flows(flows: list[Flow], place: dict[str, tuple[float, float]], unit: float, colour: dict[str, str]) -> list[str]:
    down: dict[str, float] = defaultdict(float)  # how far each node's outgoing and incoming bands have reached
    up: dict[str, float] = defaultdict(float)
    order = {key: i for i, key in enumerate(place)}
    out = []
    for flow in sorted(flows, key=lambda f: (order[f.source], order[f.target])):
        (x0, y0), (x1, y1) = place[flow.source], place[flow.target]
        width = flow.value * unit
        a, b = y0 + down[flow.source], y1 + up[flow.target]
        down[flow.source] += width
        up[flow.target] += width
        start, end = x0 + BAR, x1
        mid = (start + end) / 2
        path = (
            f"M{start:.1f},{a:.1f} C{mid:.1f},{a:.1f} {mid:.1f},{b:.1f} {end:.1f},{b:.1f} "
            f"L{end:.1f},{b + width:.1f} C{mid:.1f},{b + width:.1f} {mid:.1f},{a + width:.1f} "
            f"{start:.1f},{a + width:.1f} Z"
        )
        fill = colour.get(flow.source, "#8a8a8a")
        out.append(
            f'<path class="flow" d="{path}" fill="{fill}" data-source="{_attr(flow.source)}" '
            f'data-target="{_attr(flow.target)}" data-value="{flow.value}"><title>{escape(flow.title)}</title></path>'
        )
    return out


def _node(node: Node, at: tuple[float, float], height: float, value: int, column: int, columns: int) -> str:
    x, y = at
    last = column == columns - 1 and columns > 1
    tx, anchor = (x + BAR + 4, "start") if last or column > 0 else (x - 4, "end")
    text = (
        f'<text x="{tx:.1f}" y="{y + min(height, SLOT) / 2 + 4:.1f}" text-anchor="{anchor}" fill="#1b1b1b" '
        f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{escape(node.label)}</text>'
    )
    body = (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{BAR}" height="{height:.1f}" fill="#0b3d5c">'
        f"<title>{escape(node.title)}: {value}</title></rect>{text}"
    )
    if node.href:
        body = f'<a href="{_attr(node.href)}">{body}</a>'
    return f'<g class="node" data-key="{_attr(node.key)}" data-value="{value}">{body}</g>'
