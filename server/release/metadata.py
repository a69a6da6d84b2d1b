"""Dataset description: DCTERMS, DCAT (dataset, release, distributions with size and checksum) and VoID,
plus the provenance of the source document and its tables. Written after the dumps it describes."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCMITYPE, DCTERMS, FOAF, PROV, RDF, RDFS, VOID, XSD

from ccds_crosswalk import iris
from ccds_crosswalk.formats import N_TRIPLES, TURTLE
from ccds_crosswalk.release.serialise import SOURCE_TEXT, Artefact
from ccds_crosswalk.release.vocab import SPDX, bind_all

__all__ = ["metadata_graph"]

Triple = tuple[URIRef, URIRef, URIRef | Literal]

IANA = "https://www.iana.org/assignments/media-types/"
DUMP_TYPES = (N_TRIPLES.media_type, TURTLE.media_type)  # the void:dataDump formats
DCAT = Namespace(
    "http://www.w3.org/ns/dcat#"
)  # open: rdflib's closed DCAT lacks DCAT 3 (dcat:version, dcat:hasVersion)
ATTRIBUTION_JA = (
    "出典:CCDS「製品分野別セキュリティガイドライン スマートホーム編」Appendix。"
    "本データセットはその対応表を機械可読化したものであり、原文の著作権はCCDSに帰属する。"
)
ATTRIBUTION_EN = (
    "Source: CCDS, Appendix of the 'Product-field security guideline: Smart home edition'. This dataset "
    "is a machine-readable edition of its correspondence tables; copyright in the original text "
    "remains with CCDS. Cite both the CCDS guideline and this dataset."
)


SOURCE_RIGHTS = (
    "Copyright in the guideline and its Appendix remains with CCDS; the text is reproduced for reference and "
    "citation only and is not covered by this project's licences."
)


def source_triples(base: str, sources_csv: Path) -> Iterator[Triple]:
    document = iris.source_document(base)
    yield document, RDF.type, DCTERMS.BibliographicResource
    yield document, DCTERMS.title, Literal("製品分野別セキュリティガイドライン スマートホーム編 Appendix", lang="ja")
    yield document, DCTERMS.title, Literal("Product-field security guideline: Smart home edition, Appendix", lang="en")
    yield document, DCTERMS.creator, Literal("CCDS")
    yield document, DCTERMS.isPartOf, iris.scheme(base, "ccds")
    with sources_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            table = iris.source_table(base, row["table"])
            yield table, RDF.type, DCTERMS.BibliographicResource
            yield table, DCTERMS.title, Literal(row["title_ja"], lang="ja")
            yield table, DCTERMS.title, Literal(row["title_en"], lang="en")
            yield table, DCTERMS.identifier, Literal(row["table"])
            yield table, DCTERMS.isPartOf, document


def source_text_triples(base: str, version: str, artefacts: Iterable[Artefact]) -> Iterator[Triple]:
    """The text of the Appendix at its stable URI: what every prov:wasQuotedFrom line citation points into, a
    text/plain format of the printed document, with the checksum of this release's copy (the same bytes)."""
    published = next((a for a in artefacts if a.name == SOURCE_TEXT.name), None)
    if published is None:
        return
    text, document = iris.source_text(base), iris.source_document(base)
    yield text, RDF.type, DCMITYPE.Text  # the DCMI type of a text; the dataset types no other resource this way
    yield (
        text,
        DCTERMS.title,
        Literal("製品分野別セキュリティガイドライン スマートホーム編 Appendix(テキスト)", lang="ja"),
    )
    yield (
        text,
        DCTERMS.title,
        Literal("Product-field security guideline: Smart home edition, Appendix (text)", lang="en"),
    )
    yield text, DCTERMS.isFormatOf, document
    yield document, DCTERMS.hasFormat, text
    yield text, DCTERMS.format, Literal("text/plain; charset=utf-8")
    yield text, DCTERMS.rights, Literal(SOURCE_RIGHTS, lang="en")
    yield text, DCAT.byteSize, Literal(published.size, datatype=XSD.nonNegativeInteger)
    yield text, SPDX.checksum, URIRef(f"{iris.distribution(base, version, published.name)}#sha256")
    yield text, PROV.alternateOf, iris.distribution(base, version, published.name)


def dataset_triples(base: str, version: str, triples: int, entities: int) -> Iterator[Triple]:
    dataset, release = iris.dataset(base), iris.release(base, version)
    for node in (dataset, release):
        yield node, RDF.type, DCAT.Dataset
        yield node, RDF.type, VOID.Dataset
        yield node, DCTERMS.title, Literal("CCDS smart-home guideline crosswalk", lang="en")
        yield node, DCTERMS.title, Literal("CCDS スマートホーム編 関連ガイドライン対応表", lang="ja")
        yield (
            node,
            DCTERMS.description,
            Literal(
                "The Appendix of the CCDS smart-home security guideline as linked data: how the IoT Security "
                "Guidelines, the CPSF, the UK Code of Practice for Consumer IoT Security and California SB-327 "
                "correspond to the guideline's sections and requirements, row by row as printed, with errata and "
                "their resolution.",
                lang="en",
            ),
        )
        yield node, DCTERMS.source, iris.source_document(base)
        yield node, DCTERMS.source, iris.source_text(base)
        yield node, DCTERMS.rights, Literal(ATTRIBUTION_EN, lang="en")
        yield node, DCTERMS.rights, Literal(ATTRIBUTION_JA, lang="ja")
        yield node, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")
        yield node, DCTERMS.publisher, iris.project(base)
        yield node, VOID.sparqlEndpoint, iris.sparql_service(base)
        yield node, VOID.uriSpace, Literal(iris.id_space(base))
        yield node, VOID.vocabulary, iris.ontology(base)
        for vocabulary in (
            "http://www.w3.org/2004/02/skos/core#",
            "https://w3id.org/sssom/",
            "http://purl.org/dc/terms/",
        ):
            yield node, VOID.vocabulary, URIRef(vocabulary)
        yield node, VOID.triples, Literal(triples, datatype=XSD.integer)
        yield node, VOID.entities, Literal(entities, datatype=XSD.integer)
        yield node, VOID.exampleResource, iris.item(base, "uk-cop", "UK1")
        yield node, PROV.wasDerivedFrom, iris.source_document(base)
    yield iris.project(base), RDF.type, FOAF.Project
    yield iris.project(base), RDFS.label, Literal("ccds-crosswalk", lang="en")
    yield dataset, DCAT.hasVersion, release
    yield dataset, DCTERMS.hasVersion, release
    yield release, DCAT.isVersionOf, dataset
    yield release, DCAT.version, Literal(version)
    yield release, DCTERMS.isVersionOf, dataset


def distribution_triples(base: str, version: str, artefacts: Iterable[Artefact]) -> Iterator[Triple]:
    release = iris.release(base, version)
    for artefact in artefacts:
        node = iris.distribution(base, version, artefact.name)
        checksum = iris.checksum(base, version, artefact.name)
        yield release, DCAT.distribution, node
        yield node, RDF.type, DCAT.Distribution
        yield node, DCTERMS.title, Literal(f"{artefact.description}: {artefact.name}", lang="en")
        yield node, DCAT.downloadURL, node
        yield node, DCAT.accessURL, node
        yield node, DCAT.mediaType, URIRef(IANA + artefact.media_type)
        yield node, DCTERMS.format, Literal(artefact.media_type)
        yield node, DCAT.byteSize, Literal(artefact.size, datatype=XSD.nonNegativeInteger)
        yield node, SPDX.checksum, checksum
        yield checksum, RDF.type, SPDX.Checksum
        yield checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256
        yield checksum, SPDX.checksumValue, Literal(artefact.sha256, datatype=XSD.hexBinary)
        if artefact.media_type in DUMP_TYPES and artefact.name.startswith("crosswalk"):
            yield release, VOID.dataDump, node


def release_chain_triples(base: str, version: str, releases_csv: Path) -> Iterator[Triple]:
    """The DCAT version chain of data/releases.csv: each release up to this one is a version of the dataset;
    this one names its previous version (and its change set, changes.ttl)."""
    if not releases_csv.exists():
        return
    with releases_csv.open(encoding="utf-8", newline="") as handle:
        rows = {row["version"]: row for row in csv.DictReader(handle)}
    chain, current = [], version
    while current in rows and current not in chain:
        chain.append(current)
        current = rows[current]["previous"]
    dataset = iris.dataset(base)
    for name in chain:
        release, row = iris.release(base, name), rows[name]
        yield dataset, DCAT.hasVersion, release
        yield release, DCAT.isVersionOf, dataset
        yield release, DCAT.version, Literal(name)
        if row["issued"]:
            yield release, DCTERMS.issued, Literal(row["issued"], datatype=XSD.date)
        if row["previous"]:
            yield release, DCAT.previousVersion, iris.release(base, row["previous"])
            yield iris.release(base, row["previous"]), DCTERMS.isReplacedBy, release
    if version in rows:
        yield iris.release(base, version), DCTERMS.hasPart, iris.changes(base, version)
        yield dataset, DCAT.hasCurrentVersion, iris.release(base, version)


def metadata_graph(base: str, version: str, sources_csv: Path, data: Graph, artefacts: list[Artefact]) -> Graph:
    graph = bind_all(Graph(), base)
    entities = len({s for s in data.subjects() if str(s).startswith(iris.id_space(base))})
    for group in (
        release_chain_triples(base, version, sources_csv.parent / "releases.csv"),
        source_triples(base, sources_csv),
        dataset_triples(base, version, len(data), entities),
        source_text_triples(base, version, artefacts),
        distribution_triples(base, version, artefacts),
    ):
        for triple in group:
            graph.add(triple)
    return graph
