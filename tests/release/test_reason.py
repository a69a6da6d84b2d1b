"""The build's reasoner (ccds_crosswalk.release.reason.infer: `reasonable` plus the ontology's property chains)
against owlrl, the reference OWL 2 RL implementation in Python, and the entailments a user of the data relies on.

owlrl is too slow for the whole crosswalk, so the comparison runs on a scoped graph: the ontology and SKOS axioms,
the CCDS items, and the items and mapping records of two frameworks (UK code of practice, SB-327).
"""

from __future__ import annotations

import dataclasses

import owlrl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from ccds_crosswalk import iris
from ccds_crosswalk.release.compile import compile_graph
from ccds_crosswalk.release.load import load_data
from ccds_crosswalk.release.pipeline import Built, load_ontology
from ccds_crosswalk.release.reason import closure, infer, keep, plain
from ccds_crosswalk.settings import Settings

ERRNS = "http://www.daml.org/2002/03/agents/agent-ont#"  # where owlrl writes inconsistency messages
SCOPE = ("ccds", "uk-cop", "sb327")


@dataclasses.dataclass(frozen=True)
class Scoped:
    asserted: Graph  # data of the scope + ontology + SKOS axioms
    ours: Graph  # ccds_crosswalk.release.reason.infer
    owlrl_closure: Graph  # owlrl's full closure (asserted triples included)


@pytest.fixture(scope="module")
def scoped(settings: Settings) -> Scoped:
    data = load_data(settings.data_dir)
    data = dataclasses.replace(
        data,
        frameworks=tuple(f for f in data.frameworks if f.scheme in SCOPE),
        items=tuple(i for i in data.items if i.scheme in SCOPE),
        mappings=tuple(m for m in data.mappings if m.scheme in SCOPE),
        errata=tuple(e for e in data.errata if e.scheme in SCOPE),
    )
    asserted = compile_graph(settings.base_uri, data) + load_ontology(settings)
    expanded = Graph()
    for triple in asserted:
        expanded.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(expanded)
    return Scoped(asserted, infer(settings.base_uri, asserted), expanded)


def item(settings: Settings, scheme: str, local: str) -> URIRef:
    return iris.item(settings.base_uri, scheme, local)


def ccdsx(settings: Settings, name: str) -> URIRef:
    return iris.ontology_ns(settings.base_uri)[name]


# ------------------------------------------------------------------ owlrl agrees


def test_scope_is_the_two_frameworks_records(scoped: Scoped, settings: Settings) -> None:
    schemes = {str(o) for o in scoped.asserted.objects(None, URIRef("https://w3id.org/sssom/subject_source"))}
    assert schemes == {str(iris.scheme(settings.base_uri, s)) for s in ("uk-cop", "sb327")}
    assert len(scoped.ours) > 1000  # a real closure, not an empty one


def test_owlrl_finds_no_inconsistency(scoped: Scoped) -> None:
    errors = [(s, p, o) for s, p, o in scoped.owlrl_closure if ERRNS in str(p) or ERRNS in str(o)]
    assert errors == []
    assert list(scoped.owlrl_closure.subjects(RDF.type, OWL.Nothing)) == []


def test_owlrl_derives_exactly_our_entailments(scoped: Scoped, settings: Settings) -> None:
    base = settings.base_uri
    theirs = {plain(t) for t in scoped.owlrl_closure if keep(base, t) and t not in scoped.asserted}
    ours = set(scoped.ours)
    assert sorted(theirs - ours) == [], "owlrl derives these, our reasoner does not"
    assert sorted(ours - theirs) == [], "our reasoner derives these, owlrl does not"


def test_keep_only_drops_rl_noise(scoped: Scoped, settings: Settings) -> None:
    """Before `keep`, the two closures differ (about the dataset's own resources) only in RL tautologies:
    owl:sameAs reflexivity and membership of owl:Thing; so the filter hides no disagreement."""
    base = settings.base_uri

    def own(triple: tuple) -> bool:
        subject = triple[0]
        return (
            isinstance(subject, URIRef)
            and str(subject).startswith(base)
            and not str(subject).startswith(str(iris.ontology_ns(base)))
            and triple not in scoped.asserted
        )

    theirs = {t for t in map(plain, scoped.owlrl_closure) if own(t)}
    ours = {t for t in map(plain, closure(scoped.asserted)) if own(t)}
    for s, p, o in theirs ^ ours:
        assert (p == OWL.sameAs and s == o) or (p == RDF.type and o == OWL.Thing), (s, p, o)


# ------------------------------------------------------------------ the entailments users rely on


@pytest.fixture(params=["scoped", "release"])
def inferred(request: pytest.FixtureRequest, settings: Settings) -> Graph:
    """The scoped inference and the one of the release build."""
    if request.param == "scoped":
        return request.getfixturevalue("scoped").ours
    return request.getfixturevalue("built").inferred


def test_inverse_of_the_stated_relation(inferred: Graph, settings: Settings) -> None:
    # table 4-1: UK1 — 6.2.1 SR2-SP-1「共通要件への対応」 (seed lines 4536-4547)
    sr2_sp_1, uk1 = item(settings, "ccds", "SR2-SP-1"), item(settings, "uk-cop", "UK1")
    assert (sr2_sp_1, ccdsx(settings, "confirmsComplianceWith"), uk1) in inferred
    assert (sr2_sp_1, ccdsx(settings, "correspondedToBy"), uk1) in inferred
    assert (uk1, ccdsx(settings, "correspondsTo"), sr2_sp_1) in inferred


def test_narrower_from_broader(inferred: Graph, settings: Settings) -> None:
    assert (item(settings, "ccds", "6.2.1"), SKOS.narrower, item(settings, "ccds", "SR2-SP-1")) in inferred
    # 5.2.1 lies in the structural section 5.2 (its number says so), which lies in chapter 5
    assert (item(settings, "ccds", "5.2"), SKOS.narrower, item(settings, "ccds", "5.2.1")) in inferred
    assert (item(settings, "ccds", "5"), SKOS.narrower, item(settings, "ccds", "5.2")) in inferred


def test_broader_transitive(inferred: Graph, settings: Settings) -> None:
    activity = item(settings, "ccds", "5.2.1/No.1")
    assert (activity, SKOS.broaderTransitive, item(settings, "ccds", "5.2.1")) in inferred
    assert (activity, SKOS.broaderTransitive, item(settings, "ccds", "5")) in inferred  # three steps up
    assert (item(settings, "ccds", "5"), SKOS.narrowerTransitive, activity) in inferred


def test_covers_section_by_the_property_chain(inferred: Graph, settings: Settings) -> None:
    covers = ccdsx(settings, "coversSection")
    uk1 = item(settings, "uk-cop", "UK1")
    # UK1's four printed targets SR2-SP-1, SR2-PP-1, SR2-H-1, SR2-D-1 lie in 6.2.1 … 6.2.4, within 6.2 and 6
    sections = {item(settings, "ccds", s) for s in ("6.2.1", "6.2.2", "6.2.3", "6.2.4", "6.2", "6")}
    assert set(inferred.objects(uk1, covers)) == sections
    # every derived coverage is a correspondence to something within the section
    for external, section in inferred.subject_objects(covers):
        within = set(inferred.subjects(SKOS.broaderTransitive, section))
        targets = set(inferred.objects(external, ccdsx(settings, "correspondsTo")))
        assert within & targets, (external, section)


def test_related_match_is_symmetric(inferred: Graph, settings: Settings) -> None:
    sr2_sp_1, uk1 = item(settings, "ccds", "SR2-SP-1"), item(settings, "uk-cop", "UK1")
    assert (uk1, SKOS.relatedMatch, sr2_sp_1) in inferred
    assert (sr2_sp_1, SKOS.relatedMatch, uk1) in inferred
    for s, o in inferred.subject_objects(SKOS.relatedMatch):
        assert (o, SKOS.relatedMatch, s) in inferred


def test_sb327_entailments(scoped: Scoped, settings: Settings) -> None:
    # table 5-1: SB-327 (b) — 6.2.4 SR2-D-1「共通要件への対応」 (seed line 5117)
    assert (
        item(settings, "ccds", "SR2-D-1"),
        ccdsx(settings, "confirmsComplianceWith"),
        item(settings, "sb327", "2"),
    ) in scoped.ours


# ------------------------------------------------------------------ what the inferred graph must not hold


def test_inferred_graph_holds_no_asserted_triple(built: Built) -> None:
    asserted = built.asserted + built.ontology
    assert [t for t in built.inferred if t in asserted] == []


def test_inferred_graph_holds_no_exact_match(built: Built, scoped: Scoped) -> None:
    for graph in (built.inferred, built.asserted, scoped.ours):
        assert list(graph.triples((None, SKOS.exactMatch, None))) == []
        assert list(graph.triples((None, SKOS.closeMatch, None))) == []


def test_inferred_graph_is_about_the_dataset_only(built: Built, settings: Settings) -> None:
    base = settings.base_uri
    for s, p, o in built.inferred:
        assert isinstance(s, URIRef) and str(s).startswith(base), s
        assert not str(s).startswith(str(iris.ontology_ns(base))), s
        assert p != OWL.sameAs and o != OWL.Thing
        assert not (isinstance(o, Literal) and o.datatype and str(o.datatype).endswith("#string")), (s, p, o)


def test_ranges_add_no_kinds(built: Built, settings: Settings) -> None:
    """Domains and ranges must not make an item something it is not: every inferred class of an item is a
    superclass of an asserted one (e.g. a section cited via coversSection is already a ccdsx:Section)."""
    ontology = built.ontology
    for s, cls in built.inferred.subject_objects(RDF.type):
        asserted = set(built.asserted.objects(s, RDF.type))
        supers = set()
        for own in asserted:
            supers |= set(ontology.transitive_objects(own, URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")))
        assert cls in supers, (s, cls, asserted)
