"""Links from the UK Code of Practice's 13 guidelines to the 13 provision groups of ETSI EN 303 645 (5.1-5.13):
thirteen prov:wasDerivedFrom links in order, each qualified and sourced (ETSI TS 103 645 V1.1.1, ETSI EN 303 645
V2.1.1), nothing minted in ETSI's namespace, the dumps agree, and the links would keep the data graph valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from ccds_crosswalk import iris
from ccds_crosswalk.release.exports.etsi import etsi_graph, load_etsi
from ccds_crosswalk.release.pipeline import Built
from ccds_crosswalk.release.validate import load_shapes, run_shapes
from ccds_crosswalk.settings import Settings

FORMATS = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}
EN = "ETSI EN 303 645 V2.1.1 (2020-06)"
TS = "ETSI TS 103 645 V1.1.1 (2019-02)"


@pytest.fixture(scope="module")
def links(release_dir: Path) -> Graph:
    return Graph().parse(release_dir / "etsi-en-303-645-links.ttl", format="turtle")


def groups(links: Graph, base: str) -> list[URIRef]:
    found = list(links.subjects(RDF.type, iris.ontology_ns(base).ExternalProvisionGroup))
    return sorted(found, key=lambda g: [int(p) for p in str(links.value(g, SKOS.notation)).split(".")])


def test_thirteen_links_in_order(links: Graph, settings: Settings, built: Built) -> None:
    base = settings.base_uri
    found = groups(links, base)
    assert [str(links.value(g, SKOS.notation)) for g in found] == [f"5.{n}" for n in range(1, 14)]
    for n, group in enumerate(found, start=1):
        guideline = iris.item(base, "uk-cop", f"UK{n}")
        assert list(links.objects(group, PROV.wasDerivedFrom)) == [guideline], group
        assert (guideline, RDF.type, iris.ontology_ns(base).Guideline) in built.asserted
        assert group == URIRef(f"{base}id/etsi-en-303-645/5.{n}")
    # UK1 (seed line 4536: UK1 デフォルトパスワードを使用しない, No default passwords) ↔ 5.1; UK13 ↔ 5.13
    assert links.value(found[0], DCTERMS.title) == Literal("No universal default passwords", lang="en")
    assert links.value(found[12], DCTERMS.title) == Literal("Validate input data", lang="en")


def test_each_link_is_sourced(links: Graph, settings: Settings) -> None:
    base = settings.base_uri
    identifier = {str(links.value(d, DCTERMS.identifier)): d for d in links.subjects(DCTERMS.identifier, None)}
    assert set(identifier) == {EN, TS}
    for group in groups(links, base):
        assert links.value(group, DCTERMS.source) == identifier[EN]
        assert links.value(group, DCTERMS.isPartOf) == identifier[EN]
        derivations = list(links.objects(group, PROV.qualifiedDerivation))
        assert len(derivations) == 1
        derivation = derivations[0]
        assert (derivation, RDF.type, PROV.Derivation) in links
        assert links.value(derivation, PROV.entity) == links.value(group, PROV.wasDerivedFrom)
        assert set(links.objects(derivation, DCTERMS.source)) == {identifier[EN], identifier[TS]}
        comments = {c.language for c in links.objects(group, RDFS.comment)}
        assert comments == {"en", "ja"}  # says the URI is ours, not ETSI's


def test_nothing_minted_in_etsis_namespace(links: Graph, settings: Settings) -> None:
    uris = {t for triple in links for t in triple if isinstance(t, URIRef)}
    assert not [u for u in uris if "etsi.org" in u]
    ours = [u for u in uris if "etsi" in u.lower()]
    assert ours and all(u.startswith(settings.base_uri) for u in ours)
    # the nodes are not skos:Concepts (they have no Japanese label)
    assert not list(links.subjects(RDF.type, SKOS.Concept))


def test_dumps_agree(links: Graph, release_dir: Path) -> None:
    for ext, fmt in FORMATS.items():
        graph = Graph().parse(release_dir / f"etsi-en-303-645-links.{ext}", format=fmt)
        assert isomorphic(graph, links), ext


def test_graph_from_the_csv(links: Graph, settings: Settings, built: Built) -> None:
    rows = load_etsi(settings.data_dir / "etsi.csv")
    assert [r.derived_from for r in rows] == [f"UK{n}" for n in range(1, 14)]
    assert isomorphic(etsi_graph(settings.base_uri, rows, built.data.items), links)


def test_ontology_term_is_bilingual(built: Built, settings: Settings) -> None:
    term = iris.ontology_ns(settings.base_uri).ExternalProvisionGroup
    for prop in (RDFS.label, SKOS.definition):
        assert {o.language for o in built.ontology.objects(term, prop)} == {"ja", "en"}, prop


def test_links_keep_the_data_valid(links: Graph, built: Built, settings: Settings) -> None:
    """Compiled into the data graph, the links add no SHACL finding to the build's report."""
    base = settings.base_uri
    report = run_shapes(built.asserted + links + built.ontology, load_shapes(settings.shapes_dir, base), base)
    assert report.conforms == built.report.conforms
    assert set(report.findings) == set(built.report.findings)
