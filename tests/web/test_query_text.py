"""How the service reads a query's text before it runs (server/engine/lexis.py, policy.py, cheap.shape): the
one-pass scan finds the same strings, IRIs and comments as the regex tried at every character, and the keyword
checks' substring shortcut refuses and lets through what the regexes alone would."""

from __future__ import annotations

import random
import re

import pytest

from ccds_crosswalk.engine import cheap, lexis, policy

# the token grammar as the checks had it before the scan: tried by re.sub at every character
REFERENCE = re.compile(
    r'(?P<str>"""(?:[^"\\]|\\.|"(?!""))*"""|'
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|"
    r'"(?:[^"\\\n]|\\.)*"|'
    r"'(?:[^'\\\n]|\\.)*')|"
    r"(?P<iri><[^<>\"{}|^`\\\s]*>)|"
    r"(?P<comment>#[^\n]*)"
)
PARTS = [
    '"',
    "'",
    '"""',
    "'''",
    "<",
    ">",
    "<http://x/a#b>",
    "#",
    "# SERVICE <x>\n",
    "\n",
    "\\",
    '\\"',
    " ",
    "a",
    "?s",
    "SERVICE",
    "service",
    "ſervice",
    "SERVıCE",
    "GRAPH",
    "FROM",
    "FROM NAMED",
    "ex:graph",
    "?from",
    "{",
    "}",
    "日本",
    "PREFIX ex: <http://e/>",
    "SELECT",
]


def texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PARTS) for _ in range(rng.randint(0, 14))) for _ in range(count)]


def test_the_scan_finds_the_tokens_re_sub_finds() -> None:
    for text in texts(7, 20_000):
        expected = [(m.start(), m.end(), m.lastgroup) for m in REFERENCE.finditer(text)]
        assert list(lexis.spans(text)) == expected, text
        assert lexis.code_only(text) == REFERENCE.sub(" ", text), text


def reference_shape(query: str) -> str:
    kept = {"str": " ", "comment": " "}
    body = {"str": '""', "iri": f"<{cheap.PLACEHOLDER_IRI}>", "comment": " "}
    end = cheap._PROLOGUE.match(query).end()  # type: ignore[union-attr]
    head = REFERENCE.sub(lambda m: kept.get(m.lastgroup or "", m.group()), query[:end])
    tail = REFERENCE.sub(lambda m: body[m.lastgroup or "comment"], query[end:])
    return " ".join(f"{head} {tail}".split())


def test_a_shape_is_what_the_regex_made_of_it() -> None:
    for text in texts(8, 10_000):
        assert cheap.shape(text) == reference_shape(text), text
    lookup = 'PREFIX s: <http://www.w3.org/2004/02/skos/core#>\n# find "UK1"\nSELECT ?x { ?x s:notation "UK1" . }'
    assert cheap.shape(lookup) == ('PREFIX s: <http://www.w3.org/2004/02/skos/core#> SELECT ?x { ?x s:notation "" . }')


@pytest.mark.parametrize("check", ["refusal", "names_graphs", "dataset_clauses"])
def test_the_keyword_shortcut_decides_as_the_regexes_alone(check: str) -> None:
    def regexes_alone(text: str) -> object:
        code = lexis.code_only(text)
        if check == "refusal":
            return bool(policy._SERVICE.search(code))
        if check == "names_graphs":
            return bool(policy._GRAPH.search(code) or policy._FROM.search(code))
        named = [bool(m.group(1)) for m in policy._FROM.finditer(code)]
        return named.count(False), named.count(True)

    def shortcut(text: str) -> object:
        if check == "refusal":
            return (policy.refusal(text, 10**6) or "").startswith("SERVICE")
        return getattr(policy, check)(text)

    seen = set()
    for text in texts(9, 10_000):
        expected = regexes_alone(text)
        seen.add(str(expected))
        assert shortcut(text) == expected, text
    assert len(seen) > 1  # both outcomes were tried
    # the regex's case folding: ſ is s, ı is i; lower() knows neither
    assert policy.refusal("SELECT * { ſERVICE <x> {} }", 10**6)
    assert policy.names_graphs("SELECT * { GRAPH ?g {} }") and not policy.names_graphs('SELECT * { ?graph ?p "FROM" }')
