"""Whitespace normalisation of printed Japanese text (the rule is documented in data/README.md).

The PDF extraction breaks cells into lines and puts spaces around Latin words inside Japanese text
("経営者が IoT セキュリティ") and where a line or list breaks ("ものとする。 １．"). Printed characters are never
changed; only white space is, by one rule for every Japanese field: runs collapse to one space, and a space with a
non-ASCII (Japanese) character on either side is dropped. Only a space between two ASCII characters stays
("Code of Practice"). Notations (要点 1) and English text are not normalised (data/README.md, Text rules).
"""

from __future__ import annotations

import re

__all__ = ["normalise", "squeeze"]

_RUNS = re.compile(r"\s+")
_SPACE_BY_WIDE = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")


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
