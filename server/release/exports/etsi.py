"""Links from the UK Code of Practice's 13 guidelines to the 13 provision groups of ETSI EN 303 645.

The UK Code of Practice for Consumer IoT Security (2018) was carried into ETSI TS 103 645 V1.1.1 (2019-02), which
became the European Standard ETSI EN 303 645 V2.1.1 (2020-06); its clause 5 ("Cyber security provisions for
consumer IoT") has 13 provision groups, 5.1 to 5.13, one per UK guideline and in the same order. data/etsi.csv
lists them (columns `provision_group`: the clause number, `title_en`: the clause title of EN 303 645 V2.1.1,
`derived_from`: the UK guideline's id in data/items/uk-cop.csv).

What is published (etsi-en-303-645-links.{ttl,nt,rdf,jsonld}), and what is deliberately not:

* Nothing is minted in ETSI's namespace and no ETSI URI is guessed. Each provision group gets a node under our base,
  {base}id/etsi-en-303-645/{clause} (a ccdsx:ExternalProvisionGroup), whose rdfs:comment says it is this project's
  identifier for ETSI's provision group; ETSI's own identifier is a literal (skos:notation "5.1"), the title is
  dcterms:title in English only (there is no official Japanese title), and dcterms:isPartOf / dcterms:source
  point at a node describing the document, {base}id/source/etsi-en-303-645-v2.1.1, with its reference as
  dcterms:identifier. The nodes are not skos:Concepts (they have no Japanese label; the label shape requires one).
* The relation is the one that is documented: the group was derived from the guideline, prov:wasDerivedFrom from
  the ETSI group to the UK guideline. No skos match (close/exact) is claimed: the provisions were rewritten.
  Each link is also qualified (prov:qualifiedDerivation → a prov:Derivation node with prov:entity, no blank node)
  so it carries its own dcterms:source: ETSI TS 103 645 V1.1.1 (2019-02), where the guidelines were first transposed,
  and ETSI EN 303 645 V2.1.1 (2020-06), whose clause numbers and titles are used.

The functions are pure (records → triples), so the links can also be compiled into the data graph.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from ccds_crosswalk import iris
from ccds_crosswalk.release.load import DataError, Item
from ccds_crosswalk.release.serialise import write_graph_dumps
from ccds_crosswalk.release.vocab import bind_all

__all__ = ["etsi_graph", "export_etsi", "load_etsi"]

if TYPE_CHECKING:
    from ccds_crosswalk.release.pipeline import Built
    from ccds_crosswalk.release.serialise import Artefact
    from ccds_crosswalk.settings import Settings

UK = "uk-cop"
STEM = "etsi-en-303-645-links"
COLUMNS = ("provision_group", "title_en", "derived_from")


@dataclass(frozen=True)
class Document:
    key: str
    identifier: str  # the reference as ETSI prints it on the cover
    title: str
    issued: str  # YYYY-MM


TS_103_645 = Document(
    "etsi-ts-103-645-v1.1.1",
    "ETSI TS 103 645 V1.1.1 (2019-02)",
    "CYBER; Cyber Security for Consumer Internet of Things",
    "2019-02",
)
EN_303_645 = Document(
    "etsi-en-303-645-v2.1.1",
    "ETSI EN 303 645 V2.1.1 (2020-06)",
    "CYBER; Cyber Security for Consumer Internet of Things: Baseline Requirements",
    "2020-06",
)
DOCUMENTS = (TS_103_645, EN_303_645)


@dataclass(frozen=True)
class ProvisionGroup:
    clause: str
    title_en: str
    derived_from: str
    line: int


def load_etsi(path: Path) -> tuple[ProvisionGroup, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise DataError(f"{path}: header must be {','.join(COLUMNS)}")
        groups = []
        for row in reader:
            values = {k: (v or "").strip() for k, v in row.items()}
            if not all(values.values()):
                raise DataError(f"{path}:{reader.line_num}: every column must be filled")
            groups.append(
                ProvisionGroup(values["provision_group"], values["title_en"], values["derived_from"], reader.line_num)
            )
    return tuple(groups)


def group_uri(base: str, clause: str) -> URIRef:
    return iris.etsi_group(base, clause)


def derivation_uri(base: str, group: ProvisionGroup) -> URIRef:
    return iris.etsi_derivation(base, group.clause, group.derived_from)


def document_uri(base: str, document: Document) -> URIRef:
    return iris.source(base, document.key)


def document_triples(base: str) -> Iterator[tuple]:
    for document in DOCUMENTS:
        node = document_uri(base, document)
        yield node, RDF.type, PROV.Entity
        yield node, DCTERMS.identifier, Literal(document.identifier)
        yield node, DCTERMS.title, Literal(document.title, lang="en")
        agent = URIRef(f"{node}/publisher")  # as compile.py does for the frameworks' publishers
        yield node, DCTERMS.publisher, agent
        yield agent, RDF.type, FOAF.Organization
        yield agent, RDFS.label, Literal("European Telecommunications Standards Institute (ETSI)", lang="en")
        yield node, DCTERMS.issued, Literal(document.issued, datatype=XSD.gYearMonth)
        yield (
            node,
            RDFS.comment,
            Literal(
                f"This URI is the ccds-crosswalk project's identifier for the document {document.identifier}; "
                "it is not an ETSI identifier.",
                lang="en",
            ),
        )


def etsi_triples(base: str, groups: tuple[ProvisionGroup, ...], items: tuple[Item, ...]) -> Iterator[tuple]:
    ns = iris.ontology_ns(base)
    known = {(item.scheme, item.id) for item in items}
    standard = document_uri(base, EN_303_645)
    yield from document_triples(base)
    for group in groups:
        if (UK, group.derived_from) not in known:
            raise DataError(f"data/etsi.csv:{group.line}: {group.derived_from!r} is not a guideline of {UK}")
        node, guideline = group_uri(base, group.clause), iris.item(base, UK, group.derived_from)
        derivation = derivation_uri(base, group)
        yield node, RDF.type, ns.ExternalProvisionGroup
        yield node, SKOS.notation, Literal(group.clause)
        yield node, DCTERMS.title, Literal(group.title_en, lang="en")
        yield node, RDFS.label, Literal(f"ETSI EN 303 645 {group.clause} {group.title_en}", lang="en")
        yield (
            node,
            RDFS.comment,
            Literal(
                f"This URI is the ccds-crosswalk project's identifier for provision group {group.clause} of "
                f"{EN_303_645.identifier}; ETSI's own identifier is the clause number (skos:notation).",
                lang="en",
            ),
        )
        yield (
            node,
            RDFS.comment,
            Literal(
                f"このURIは{EN_303_645.identifier}の規定群{group.clause}を指す本プロジェクトの識別子であり、ETSIの識別子ではない。",
                lang="ja",
            ),
        )
        yield node, DCTERMS.isPartOf, standard
        yield node, DCTERMS.source, standard
        yield node, PROV.wasDerivedFrom, guideline
        yield node, PROV.qualifiedDerivation, derivation
        yield derivation, RDF.type, PROV.Derivation
        yield derivation, PROV.entity, guideline
        for document in DOCUMENTS:
            yield derivation, DCTERMS.source, document_uri(base, document)


def etsi_graph(base: str, groups: tuple[ProvisionGroup, ...], items: tuple[Item, ...]) -> Graph:
    graph = bind_all(Graph(), base)
    graph.bind("etsi", f"{iris.id_space(base)}{iris.ETSI}/")
    for triple in etsi_triples(base, groups, items):
        graph.add(triple)
    return graph


def export_etsi(settings: Settings, built: Built, directory: Path) -> list[Artefact]:
    groups = load_etsi(settings.data_dir / "etsi.csv")
    graph = etsi_graph(settings.base_uri, groups, built.data.items)
    return write_graph_dumps(
        directory, STEM, graph, settings.base_uri, "Links from the UK Code of Practice guidelines to ETSI EN 303 645"
    )
