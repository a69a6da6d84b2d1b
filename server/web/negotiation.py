"""The one parser of the request headers that carry preferences with q-values (RFC 9110 12.4.2), and the three
choices made from them:

    negotiate(Accept, offers)                    media type (12.5.1)  most specific range decides; None → 406
    accepts_gzip(Accept-Encoding)                gzip or not (12.5.3) named or covered by '*'
    negotiate_language(Accept-Language, offers)  language  (12.5.4)  RFC 4647 prefix matching

In all three `q=0` means "not acceptable" (a refusal, even where a wildcard would allow it). Accept is scored the
way Oxigraph's server does it: each offer takes the q of the most specific range that matches it (exact with
parameters > exact > type/* > */*), ties go to the server's order.

Malformed elements (no type/subtype, a wildcard type with a concrete subtype, a bad token, a q that is not an RFC 9110
qvalue such as q=abc, q=nan or q=2) are ignored. An Accept header with no elements at all (absent, blank, or only
commas) accepts anything, while one whose elements are all malformed accepts nothing (→ 406).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "MediaRange",
    "Preference",
    "accepts_gzip",
    "negotiate",
    "negotiate_language",
    "parse_accept",
    "parse_preferences",
]

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")
_LANGUAGE_RANGE = re.compile(r"\*|[a-z]{1,8}(-[a-z0-9]{1,8})*")


@dataclass(frozen=True)
class Preference:
    """One element of a preference header: its value (lower case), its q and its other parameters."""

    value: str
    q: float
    params: tuple[tuple[str, str], ...]


def parse_preferences(header: str | None, valid: Callable[[str], bool]) -> list[Preference] | None:
    """The well-formed elements of a comma-separated preference header, in the order given; None when the header
    has no elements at all (absent, blank, only commas). `valid` says whether an element's value is well formed."""
    parts = [part for part in (header or "").split(",") if part.strip()]
    if not parts:
        return None
    found = [p for p in (_preference(part, valid) for part in parts) if p is not None]
    return found


def _preference(part: str, valid: Callable[[str], bool]) -> Preference | None:
    """One element, or None when it is malformed (then it is ignored)."""
    pieces = [p.strip() for p in part.split(";")]
    value = pieces[0].lower()
    if not valid(value):
        return None
    q, params = 1.0, []
    for piece in pieces[1:]:
        name, _, raw = piece.partition("=")
        name, raw = name.strip().lower(), raw.strip().strip('"')
        if name == "q":
            if not _QVALUE.fullmatch(raw):
                return None
            q = float(raw)
        elif name:
            params.append((name, raw))
    return Preference(value, q, tuple(params))


# ------------------------------------------------------------------ Accept


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


def _media_range(value: str) -> bool:
    kind, slash, sub = value.partition("/")
    return bool(slash) and bool(_TOKEN.fullmatch(kind)) and bool(_TOKEN.fullmatch(sub)) and (kind != "*" or sub == "*")


def parse_accept(header: str | None) -> list[MediaRange]:
    found = parse_preferences(header, _media_range)
    if found is None:
        return [MediaRange("*", "*", 1.0, ())]
    return [MediaRange(*_split_media(p.value), p.q, p.params) for p in found]


def _split_media(value: str) -> tuple[str, str]:
    kind, _, sub = value.partition("/")
    return kind, sub


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The best of `offers` (in server preference order) for this Accept header, or None (406)."""
    return _negotiate(accept, tuple(offers))


@lru_cache(maxsize=256)  # a client sends the same Accept header again and again: ~5 µs a request, read once
def _negotiate(accept: str | None, offers: tuple[str, ...]) -> str | None:
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


# ------------------------------------------------------------------ Accept-Encoding


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether gzip is acceptable (RFC 9110 12.5.3): named (or as x-gzip), or covered by '*', with a q above 0.
    A named coding overrides '*' whatever their order; no header means we do not compress."""
    quality: dict[str, float] = {}
    for preference in parse_preferences(accept_encoding, lambda value: bool(_TOKEN.fullmatch(value))) or []:
        quality[preference.value] = preference.q
    return quality.get("gzip", quality.get("x-gzip", quality.get("*", 0.0))) > 0


# ------------------------------------------------------------------ Accept-Language


def _language_specificity(language_range: str, offer: str) -> int:
    """How closely a language range matches an offered tag (RFC 4647): 2 the same tag, 1 one is a prefix of the
    other at a subtag boundary ("en" and "en-GB"), 0 the wildcard "*", -1 no match."""
    if language_range == offer:
        return 2
    if language_range.startswith(offer + "-") or offer.startswith(language_range + "-"):
        return 1
    return 0 if language_range == "*" else -1


def negotiate_language(accept_language: str | None, offers: Sequence[str]) -> str | None:
    """The offered language the client prefers, or None when it states no preference for any of them (absent,
    malformed, or every offer refused with q=0): the caller then uses its default. Each offer takes the q of the
    most specific range that matches it; ties go to the range the client listed first, then to the server's order."""
    ranges = parse_preferences(accept_language, lambda value: bool(_LANGUAGE_RANGE.fullmatch(value))) or []
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        matches = [
            (_language_specificity(r.value, offer), r.q, -position)
            for position, r in enumerate(ranges)
            if _language_specificity(r.value, offer) >= 0
        ]
        if not matches:
            continue
        _, q, first = max(matches)
        if q <= 0:
            continue
        score = (q, first, -index)
        if best is None or score > best:
            best, chosen = score, offer
    return chosen
