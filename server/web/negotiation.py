"""The one content-negotiation function of the app (the approach of Oxigraph's server): parse Accept,
score each offer by the most specific matching range (exact > type/* > */*) and its q, honour q=0,
prefer the server's order on ties, and return None when nothing is acceptable (→ 406).

Malformed elements of the header (no type/subtype, a wildcard type with a concrete subtype, a q that is not
an RFC 9110 qvalue such as q=abc, q=nan or q=2) are ignored; a header with no elements at all (absent, blank,
or only commas) accepts anything, while one whose elements are all malformed accepts nothing (→ 406)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...]

    def specificity(self, media_type: str) -> int:
        """3 exact with params, 2 exact, 1 type/*, 0 */*, -1 no match."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        if self.subtype != sub:
            return -1
        return 3 if self.params else 2


def parse_accept(header: str | None) -> list[MediaRange]:
    parts = [part for part in (header or "").split(",") if part.strip()]
    if not parts:
        return [MediaRange("*", "*", 1.0, ())]
    ranges = []
    for part in parts:
        if (found := _media_range(part)) is not None:
            ranges.append(found)
    return ranges


def _media_range(part: str) -> MediaRange | None:
    """One element of Accept, or None when it is malformed (then it is ignored)."""
    pieces = [p.strip() for p in part.split(";")]
    kind, slash, sub = pieces[0].lower().partition("/")
    if not slash or not _TOKEN.fullmatch(kind) or not _TOKEN.fullmatch(sub) or (kind == "*" and sub != "*"):
        return None
    q, params = 1.0, []
    for piece in pieces[1:]:
        name, _, value = piece.partition("=")
        name, value = name.strip().lower(), value.strip().strip('"')
        if name == "q":
            if not _QVALUE.fullmatch(value):
                return None
            q = float(value)
        elif name:
            params.append((name, value))
    return MediaRange(kind, sub, q, tuple(params))


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The best of `offers` (in server preference order) for this Accept header, or None (406)."""
    ranges = parse_accept(accept)
    best: tuple[float, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        matches = [(r.specificity(offer), r.q) for r in ranges if r.specificity(offer) >= 0]
        if not matches:
            continue
        _, q = max(matches)  # the most specific range decides, even when its q is 0
        if q <= 0:
            continue
        score = (q, -index)
        if best is None or score > best:
            best, chosen = score, offer
    return chosen
