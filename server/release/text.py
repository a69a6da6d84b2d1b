"""Whitespace normalisation of printed Japanese text (the rule is documented in data/README.md).

The PDF extraction breaks cells into lines and puts spaces around Latin words inside Japanese text
("経営者が IoT セキュリティ"). Printed characters are never changed; only white space is:
runs collapse to one space, and a space between an ASCII and a non-ASCII character (the gap
Japanese typesetting puts around Latin words) is dropped. A space between two Japanese characters is
kept: it can be meaningful (「製品分野別セキュリティガイドライン スマートホーム編」).
"""

from __future__ import annotations

import re

_RUNS = re.compile(r"\s+")
_SPACE_BY_WIDE = re.compile(r"(?<=[\x21-\x7e]) (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) (?=[\x21-\x7e])")


def normalise(text: str) -> str:
    return _SPACE_BY_WIDE.sub("", _RUNS.sub(" ", text).strip())


def squeeze(text: str) -> str:
    """All white space removed: how a printed string is looked up in the extracted source text."""
    return _RUNS.sub("", text)


def join_lines(lines: list[str]) -> str:
    """Join the wrapped lines of one printed cell: no space where a Japanese character meets the break,
    one space between two Latin words ("Consumer" / "IoT Security")."""
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        ascii_meet = text and text[-1].isascii() and line[0].isascii()
        text += (" " if ascii_meet else "") + line
    return normalise(text)
