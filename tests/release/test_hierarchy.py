"""The CCDS tree rolls up: every section lies in the section its number implies, up to its chapter (the structural
nodes 4, 4.1, 5.2, 5.4, 6 and 6.2 that the numbering needs are in the data, titled by their notation since the
Appendix prints no title for them), so skos:broaderTransitive reaches chapter 6 from every R and SR requirement and a
coverage roll-up per chapter counts every printed row. Checked on the built release (asserted + inferred graphs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import OWL, SKOS

from ccds_crosswalk import iris
from ccds_crosswalk.release.load import load_data
from ccds_crosswalk.release.pipeline import Built
from ccds_crosswalk.settings import Settings

SEED = Path(__file__).resolve().parents[2] / "data" / "source" / "appendix.txt"

# Rows of each Appendix table by the chapter of the CCDS section printed in its 章番号 column (該当なし rows have
# none), counted on the seed with the token walk of tests/data/test_source.py (reading()): table 2-1 prints 10 rows
# under chapter 3, 3 under 4 (4.1.3, 4.1.5), 44 under 5, 73 under 6; table 3-1 4 under 3, 69 under 5, 187 under 6 and
# 32 該当なし; tables 4-1 and 5-1 cite chapter 6 only (62 and 10 rows). No erratum moves a row to another chapter
# (E08/E09 stay in 6.2, E16 in 5.2, E22 resolves to the printed 6.2.4).
ROWS_PER_CHAPTER = {
    "iotsg": {"3": 10, "4": 3, "5": 44, "6": 73},
    "cpsf": {"3": 4, "5": 69, "6": 187},
    "uk-cop": {"6": 62},
    "sb327": {"6": 10},
}
# The distinct citing items (CPSF bullet statements counted on their own) per chapter, from the same reading.
SUBJECTS_PER_CHAPTER = {
    "iotsg": {"3": 6, "4": 2, "5": 14, "6": 21},
    "cpsf": {"3": 4, "5": 50, "6": 49},
    "uk-cop": {"6": 13},
    "sb327": {"6": 2},
}
STRUCTURAL = {"4": "chapter", "4.1": "section", "5.2": "section", "5.4": "section", "6": "chapter", "6.2": "section"}


@pytest.fixture(scope="module")
def graph(built: Built) -> Graph:
    return built.asserted + built.inferred


def test_structural_nodes_are_in_the_data_without_invented_titles(settings: Settings) -> None:
    data = load_data(settings.data_dir)
    ccds = {item.id: item for item in data.items if item.scheme == "ccds"}
    for number, kind in STRUCTURAL.items():
        node = ccds[number]
        assert (node.kind, node.notation, node.title_not_in_source) == (kind, number, "true")
        assert node.title_ja == node.title_en == number and node.line == ""
    # the Appendix never prints these numbers in a 章番号 column: no printed row cites them
    assert {m.section for m in data.mappings} & set(STRUCTURAL) == set()
    # every other section and chapter has its printed title
    titled = [i for i in ccds.values() if i.kind in ("chapter", "section") and i.id not in STRUCTURAL]
    assert titled and all(i.title_not_in_source == "" and i.line for i in titled)


def test_every_requirement_has_chapter_6_among_its_broader_concepts(graph: Graph, settings: Settings) -> None:
    base = settings.base_uri
    chapter6 = iris.item(base, "ccds", "6")
    # every R and SR ID the seed prints (without the misprints lacking a level digit, SR-H-4)
    printed = set(
        re.findall(r"(?<![A-Za-z0-9])(SR[23]-(?:SP|PP|H|D|A)-\d+|R[23]-\d+)", SEED.read_text(encoding="utf-8"))
    )
    printed.discard("SR2-SP-10")  # printed once for SR3-SP-10 (erratum E24); no such item
    assert len({p for p in printed if p.startswith("R")}) == 16
    assert len({p for p in printed if p.startswith("SR")}) == 65
    for requirement in sorted(printed):
        assert (iris.item(base, "ccds", requirement), SKOS.broaderTransitive, chapter6) in graph, requirement


def test_every_section_and_activity_rolls_up_to_its_chapter(graph: Graph, settings: Settings) -> None:
    data = load_data(settings.data_dir)
    for item in data.items:
        if item.scheme != "ccds" or item.kind not in ("section", "activity"):
            continue
        chapter = iris.item(settings.base_uri, "ccds", item.id.split(".")[0])
        assert (iris.item(settings.base_uri, "ccds", item.id), SKOS.broaderTransitive, chapter) in graph, item.id


ROLL_UP = """
SELECT ?chapter (COUNT(DISTINCT ?record) AS ?records) (COUNT(DISTINCT ?subject) AS ?subjects) WHERE {
    ?record a ccdsx:MappingRecord ; sssom:subject_source ?scheme ; owl:annotatedSource ?subject ;
            owl:annotatedTarget ?target .
    ?chapter skos:inScheme ?ccds ; skos:topConceptOf ?ccds ; a ccdsx:Section .
    FILTER (?target = ?chapter || EXISTS { ?target skos:broaderTransitive ?chapter })
} GROUP BY ?chapter
"""


@pytest.mark.parametrize("scheme", sorted(ROWS_PER_CHAPTER))
def test_coverage_roll_up_per_chapter(scheme: str, graph: Graph, settings: Settings) -> None:
    """ "What does a framework cover in chapter n?": records and citing items per chapter, through the hierarchy."""
    base = settings.base_uri
    ns = {
        "ccdsx": iris.ontology_ns(base),
        "skos": SKOS,
        "owl": OWL,
        "sssom": Namespace("https://w3id.org/sssom/"),
    }
    rows = graph.query(
        ROLL_UP,
        initNs=ns,
        initBindings={"scheme": iris.scheme(base, scheme), "ccds": iris.scheme(base, "ccds")},
    )
    found = {
        str(r.chapter).rsplit("/", 1)[1]: (int(r.records), int(r.subjects))  # type: ignore[attr-defined]
        for r in rows
    }
    expected = {ch: (n, SUBJECTS_PER_CHAPTER[scheme][ch]) for ch, n in ROWS_PER_CHAPTER[scheme].items()}
    assert found == expected
