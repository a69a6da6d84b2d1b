"""The query mix and how answers are compared across engines.

Each query is written the way a user of the crosswalk would write it (canned queries from queries/ where one
exists), with no engine-specific hints. Queries with a parameter rotate through several values, so no engine
answers the same text over and over (the same sequence is sent to every engine).

Answers are compared as parsed results: SELECT as multisets of rows (a row is the set of its bound
variable/term pairs), with literal datatypes, language tags and booleans normalised, GROUP_CONCAT values compared
as sets of their parts; ASK as a boolean; CONSTRUCT as a set of triples.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"

PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX sssom: <https://w3id.org/sssom/>
PREFIX ccdsx: <https://w3id.org/ccds-crosswalk/ontology#>
"""
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Query:
    name: str
    what: str
    texts: tuple[str, ...]  # the variants sent in turn
    form: str = "SELECT"  # SELECT, ASK or CONSTRUCT
    lookup: bool = False  # counts as a "lookup" for the latency targets
    heavy: bool = False  # a canned query over much of the data (the "heavy queries" target)

    @property
    def concat(self) -> dict[str, str]:
        """GROUP_CONCAT result variables and their separators, read from the query text (the order of the
        concatenated values is unspecified, so they are compared as sets)."""
        found: dict[str, str] = {}
        for text in self.texts:
            for match in _CONCAT.finditer(text):
                found[match.group(3)] = match.group(2) if match.group(1) else " "
        return found


_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?(;\s*separator\s*=\s*[\"'](.*?)[\"'])?\s*\)"
    r"\s*AS\s*[?$](\w+)",
    re.IGNORECASE,
)


def _canned(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def build_mix(base: str) -> list[Query]:
    ids = f"{base}id/"
    lookup = [
        PREFIXES + "SELECT ?item ?label ?scheme WHERE {\n"
        f'  ?item skos:notation "{notation}" ; skos:prefLabel ?label .\n'
        "  OPTIONAL { ?item skos:inScheme ?scheme }\n}\n"
        for notation in (
            "UK1",
            "CPS.AM-1",
            "要点 1",
            "SR2-SP-1",
            "R2-3",
            "5.2.1",
            "共通要件 No.6",
            "ルール 4",
            "CPS.RA-4",
            "SR3-PP-12",
            "方針 2",
            "UK13",
        )
    ]
    mappings_text = _canned("item-mappings")
    mappings = [
        mappings_text.replace('VALUES ?notation { "UK1" }', f'VALUES ?notation {{ "{n}" }}')
        for n in ("UK1", "CPS.AM-1", "SR2-SP-1", "CPS.RA-4", "R2-3", "要点 1")
    ]
    assert all('"UK1"' not in t for t in mappings[1:]), 'item-mappings.rq no longer has VALUES ?notation { "UK1" }'
    unmapped = [
        PREFIXES
        + """SELECT ?item ?notation ?label WHERE {
  ?item a ccdsx:ExternalItem ; skos:prefLabel ?label . FILTER (LANG(?label) = "ja")
  OPTIONAL { ?item skos:notation ?notation }
  FILTER NOT EXISTS { ?record owl:annotatedSource ?item ; owl:annotatedTarget ?target .
                      FILTER (?target != sssom:NoTermFound) }
}
""",
        PREFIXES
        + """SELECT ?item ?notation ?label WHERE {
  ?item a ccdsx:CCDSItem ; skos:prefLabel ?label . FILTER (LANG(?label) = "ja")
  OPTIONAL { ?item skos:notation ?notation }
  FILTER NOT EXISTS { ?record owl:annotatedTarget ?item }
}
""",
    ]
    label_ja = [
        PREFIXES + "SELECT ?item ?label WHERE {\n  ?item skos:prefLabel ?label .\n"
        f'  FILTER (LANG(?label) = "ja" && CONTAINS(?label, "{word}"))\n}}\n'
        for word in ("パスワード", "認証", "ソフトウェア", "個人データ", "脆弱性")
    ]
    label_en = [
        PREFIXES + "SELECT ?item ?label WHERE {\n  ?item skos:prefLabel ?label .\n"
        f'  FILTER (LANGMATCHES(LANG(?label), "en") && REGEX(?label, "{word}", "i"))\n}}\n'
        for word in ("password", "update", "personal data", "vulnerab", "encrypt")
    ]
    hierarchy = [
        PREFIXES
        + f"""SELECT ?item ?notation ?label WHERE {{
  ?item skos:broader+ <{ids}{node}> ; skos:prefLabel ?label . FILTER (LANG(?label) = "ja")
  OPTIONAL {{ ?item skos:notation ?notation }}
}}
"""
        for node in ("ccds/5", "iotsg/category-2", "cpsf/CPS.RA", "ccds/6.2.2")
    ]
    construct = [
        f"CONSTRUCT {{ <{ids}{item}> ?p ?o }} WHERE {{ <{ids}{item}> ?p ?o }}\n"
        for item in ("uk-cop/UK1", "cpsf/CPS.AM-1", "ccds/SR2-SP-1", "iotsg/point-1", "cpsf/CPS.RA-4/1")
    ]
    ask = [
        PREFIXES + f"ASK {{ ?record owl:annotatedSource <{ids}{s}> ; owl:annotatedTarget <{ids}{t}> }}\n"
        for s, t in (
            ("uk-cop/UK1", "ccds/SR2-SP-1"),
            ("uk-cop/UK1", "ccds/R2-3"),
            ("cpsf/CPS.AM-1", "ccds/SR2-SP-1"),
            ("iotsg/point-1", "ccds/5.2.1"),
        )
    ]
    return [
        Query("lookup", "item by notation", tuple(lookup), lookup=True),
        Query("mappings", "all mappings of an item, both ways (queries/item-mappings.rq)", tuple(mappings)),
        Query("ask", "ASK: does item X map to CCDS item Y", tuple(ask), form="ASK", lookup=True),
        Query("coverage", "coverage counts, GROUP BY (queries/coverage-matrix.rq)", (_canned("coverage-matrix"),)),
        Query(
            "by-component",
            "GROUP_CONCAT per requirement (queries/requirements-by-component.rq)",
            (_canned("requirements-by-component"),),
        ),
        Query("unmapped", "items without correspondence (FILTER NOT EXISTS)", tuple(unmapped)),
        Query("label-ja", "label search, ja, CONTAINS", tuple(label_ja)),
        Query("label-en", "label search, en, REGEX i", tuple(label_en)),
        Query("hierarchy", "descendants, skos:broader+", tuple(hierarchy)),
        Query("construct", "CONSTRUCT one item", tuple(construct), form="CONSTRUCT"),
        Query("crosswalk", "the whole crosswalk (queries/crosswalk.rq)", (_canned("crosswalk"),)),
    ]


LOOKUP_CLASSES = ("notation", "links", "label", "broader", "construct", "count")


def broad_mix(base: str) -> list[Query]:
    """The broad mix (issue 12): every canned query of queries/ (item-mappings.rq rotated as the "links" lookup)
    plus the lookup classes: by notation, links both ways, label search with CONTAINS, a skos:broader+ path,
    a small CONSTRUCT and a GROUP BY count."""
    old = {q.name: q for q in build_mix(base)}
    ids = f"{base}id/"

    def renamed(name: str, what: str, query: Query) -> Query:
        return Query(name, what, query.texts, form=query.form, lookup=True)

    count = [
        PREFIXES + "SELECT ?type (COUNT(?item) AS ?n) WHERE {\n"
        f"  ?item skos:inScheme <{ids}{scheme}> ; a ?type .\n}}\nGROUP BY ?type\n"
        for scheme in ("iotsg", "cpsf", "uk-cop", "sb327", "ccds")
    ]
    lookups = [
        renamed("notation", "lookup: an item by skos:notation", old["lookup"]),
        renamed("links", "lookup: links both ways (queries/item-mappings.rq, VALUES rotated)", old["mappings"]),
        renamed("label", "lookup: label search, CONTAINS", old["label-ja"]),
        renamed("broader", "lookup: descendants, skos:broader+", old["hierarchy"]),
        renamed("construct", "lookup: CONSTRUCT one item", old["construct"]),
        Query("count", "lookup: GROUP BY count of one scheme's items by type", tuple(count), lookup=True),
    ]
    canned = [
        Query(path.stem, f"queries/{path.name}", (path.read_text(encoding="utf-8"),), heavy=True)
        for path in sorted(QUERIES.glob("*.rq"))
        if path.stem != "item-mappings"
    ]
    return lookups + canned


# Appended (URL-encoded) to a query to make each request distinct: the load generator replaces the marker with a
# number that never repeats, so no cache can answer it ("uncached"); a comment changes nothing else.
NONCE = "__NONCE__"
NONCE_SUFFIX = f"\n# request {NONCE}\n"


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "text/turtle",
}


# ------------------------------------------------------------------ normalisation


def _term(term: dict, concat_sep: str | None) -> tuple:
    kind = term.get("type", "")
    value = term.get("value", "")
    if kind == "typed-literal":  # Virtuoso's older JSON results
        kind = "literal"
    if kind == "bnode":
        return ("bnode",)  # labels are local to a result; no query of the mix returns blank nodes
    datatype = term.get("datatype", "")
    lang = term.get("xml:lang", "").lower()
    if kind == "literal":
        if lang or datatype in (f"{XSD}string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"):
            datatype = ""
        if datatype == f"{XSD}boolean":
            value = {"1": "true", "0": "false"}.get(value, value)
    if concat_sep is not None:
        return (kind, frozenset(value.split(concat_sep)) if value else frozenset(), lang, datatype)
    return (kind, value, lang, datatype)


def canonical_select(body: bytes, concat: dict[str, str]) -> Counter:
    data = json.loads(body)
    if "boolean" in data:
        value = data["boolean"]
        if isinstance(value, str):
            value = value.lower() in ("true", "1")
        return Counter({("boolean", bool(value)): 1})
    rows = Counter()
    for binding in data["results"]["bindings"]:
        rows[frozenset((var, _term(term, concat.get(var))) for var, term in binding.items())] += 1
    return rows


def _ox_term(term: object) -> tuple:
    if isinstance(term, ox.Literal):
        datatype = "" if term.language or term.datatype.value == f"{XSD}string" else term.datatype.value
        value = term.value
        if datatype == f"{XSD}boolean":
            value = {"1": "true", "0": "false"}.get(value, value)
        return ("literal", value, (term.language or "").lower(), datatype)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    return ("uri", term.value)  # type: ignore[attr-defined]


def canonical_graph(body: bytes, media_type: str) -> Counter:
    fmt = {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "text/plain": ox.RdfFormat.N_TRIPLES,
    }.get(media_type.split(";")[0].strip(), ox.RdfFormat.TURTLE)
    triples = {(_ox_term(t.subject), _ox_term(t.predicate), _ox_term(t.object)) for t in ox.parse(body, format=fmt)}
    return Counter(dict.fromkeys(triples, 1))


def canonical(query: Query, body: bytes, media_type: str) -> Counter:
    if query.form == "CONSTRUCT":
        return canonical_graph(body, media_type)
    return canonical_select(body, query.concat)


def describe_difference(reference: Counter, other: Counter, limit: int = 2) -> str:
    missing = reference - other
    extra = other - reference
    parts = [f"{sum(other.values())} rows vs {sum(reference.values())}"]
    if missing:
        parts.append("missing e.g. " + "; ".join(_show(r) for r in list(missing)[:limit]))
    if extra:
        parts.append("extra e.g. " + "; ".join(_show(r) for r in list(extra)[:limit]))
    return ", ".join(parts)


def _show(row: object) -> str:
    if isinstance(row, frozenset):
        return "{" + ", ".join(f"{k}={v[1] if len(v) > 1 else v[0]}" for k, v in sorted(row, key=str)) + "}"
    return str(row)[:200]
