"""Stage 2, compile: typed records of data/ → the asserted RDF graph (one small function per table).

Every item is a skos:Concept in its framework's skos:ConceptScheme; every printed row is a
ccdsx:MappingRecord in SSSOM's RDF form (owl:annotatedSource / Property / Target) with the printed
values beside the resolved ones; errata are data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from ccds_crosswalk import iris
from ccds_crosswalk.release.load import Component, Data, Erratum, Framework, Item, Mapping
from ccds_crosswalk.release.vocab import SEMAPV, SSSOM, bind_all

__all__ = ["CCDS", "CompileError", "compile_graph", "subject_id", "target_key"]

Triple = tuple[URIRef, URIRef, URIRef | Literal]

CCDS = "ccds"
KIND_CLASS = {
    "category": "Category",
    "policy": "Policy",
    "key-point": "KeyPoint",
    "rule": "Rule",
    "requirement": "Requirement",
    "statement": "Statement",
    "guideline": "Guideline",
    "chapter": "Section",
    "section": "Section",
    "activity": "PhaseActivity",
    "service-requirement": "ServiceRequirement",
    "component-requirement": "ComponentRequirement",
    "common-requirement": "CommonRequirement",
}
RELATIONS = {"detailedBy", "referencedBy", "complianceConfirmedBy"}
LEVEL_STARS = {2: "★★", 3: "★★★"}


class CompileError(ValueError):
    """The tables are individually well formed but do not fit together (e.g. an unknown reference)."""


def ja(text: str) -> Literal:
    return Literal(text, lang="ja")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def integer(value: str | int) -> Literal:
    return Literal(int(value), datatype=XSD.integer)


def cited_line(base: str, node: URIRef, line: str) -> Iterator[Triple]:
    """Where the source text prints it: the line number (ccdsx:sourceLine) and the same line as a URI into the
    published text (prov:wasQuotedFrom, an RFC 5147 fragment: see iris.source_line), which a reader can follow."""
    ns = iris.ontology_ns(base)
    yield node, ns.sourceLine, integer(line)
    yield node, PROV.wasQuotedFrom, iris.source_line(base, int(line))


def printed_target_id(mapping: Mapping) -> str:
    """The CCDS item id the row literally names: `5.2.1/No.1`, `R2-3`, or the section `3.2`."""
    if not mapping.item:
        return mapping.section
    if mapping.item.startswith("No."):
        return f"{mapping.section}/{mapping.item}"
    return mapping.item


def target_key(mapping: Mapping) -> str:
    """The printed target as used in a mapping record's URI: section[/item][;common=n] or 'none'."""
    if mapping.no_correspondence:
        return "none"
    key = f"{mapping.section}/{mapping.item}" if mapping.item else mapping.section
    if mapping.qualifier:
        key += f";common={','.join(qualifier_numbers(mapping.qualifier))}"
    return key


def qualifier_numbers(qualifier: str) -> list[str]:
    """`共通要件 No.4,5,10` → ['4', '5', '10']: the common requirements a citation is narrowed to."""
    _, _, numbers = qualifier.partition("No.")
    found = re.findall(r"\d+", numbers)
    if not found:
        raise CompileError(f"qualifier {qualifier!r} names no common requirement number (expected '共通要件 No.n')")
    return found


def subject_id(mapping: Mapping, items: dict[tuple[str, str], Item]) -> str:
    statement = f"{mapping.subject}/{mapping.statement}"
    return statement if (mapping.scheme, statement) in items else mapping.subject


def framework_triples(base: str, framework: Framework) -> Iterator[Triple]:
    ns = iris.ontology_ns(base)
    scheme = iris.scheme(base, framework.scheme)
    agent = URIRef(f"{scheme}/publisher")
    yield scheme, RDF.type, ns.Framework
    yield scheme, RDF.type, SKOS.ConceptScheme
    yield scheme, DCTERMS.title, ja(framework.title_ja)
    yield scheme, DCTERMS.title, en(framework.title_en)
    yield scheme, SKOS.prefLabel, ja(framework.title_ja)
    yield scheme, SKOS.prefLabel, en(framework.title_en)
    yield scheme, SKOS.notation, Literal(framework.notation)
    yield scheme, ns.englishLabelSource, _label_source(ns, framework.title_en_source)
    yield scheme, DCTERMS.publisher, agent
    yield agent, RDF.type, FOAF.Organization
    yield agent, RDFS.label, ja(framework.publisher_ja)
    yield agent, RDFS.label, en(framework.publisher_en)
    yield from cited_line(base, scheme, framework.line)
    if framework.version:
        yield scheme, OWL.versionInfo, Literal(framework.version)
    if framework.issued:
        yield scheme, DCTERMS.issued, Literal(framework.issued, datatype=XSD.date)
    if framework.scheme == CCDS:
        return
    if framework.relation not in RELATIONS:
        raise CompileError(f"framework {framework.scheme}: relation must be one of {sorted(RELATIONS)}")
    yield scheme, ns.appendixChapter, Literal(framework.chapter)
    yield scheme, ns.relationToCCDS, ns[framework.relation]
    yield scheme, DCTERMS.source, iris.source_table(base, framework.table)
    yield scheme, RDFS.comment, ja(framework.relation_ja)


def _label_source(ns: object, source: str) -> URIRef:
    if source not in ("official", "project"):
        raise CompileError(f"title_en_source must be 'official' or 'project', not {source!r}")
    return ns.OfficialEnglish if source == "official" else ns.ProjectTranslation  # type: ignore[attr-defined]


def item_triples(base: str, item: Item, known: dict[tuple[str, str], Item]) -> Iterator[Triple]:
    ns = iris.ontology_ns(base)
    node = iris.item(base, item.scheme, item.id)
    scheme = iris.scheme(base, item.scheme)
    yield node, RDF.type, ns[KIND_CLASS[item.kind]]
    yield node, RDF.type, SKOS.Concept
    yield node, SKOS.inScheme, scheme
    if item.notation:
        yield node, SKOS.notation, Literal(item.notation)
    yield node, SKOS.prefLabel, ja(item.title_ja)
    yield node, SKOS.prefLabel, en(item.title_en)
    yield node, ns.englishLabelSource, _label_source(ns, item.title_en_source)
    if item.title_not_in_source:
        yield node, ns.titleNotInSource, Literal(True)  # labelled with its notation; no title is invented
    if item.parent:
        if (item.scheme, item.parent) not in known:
            raise CompileError(f"{item.scheme} item {item.id}: parent {item.parent!r} is not an item of {item.scheme}")
        yield node, SKOS.broader, iris.item(base, item.scheme, item.parent)
    else:
        yield node, SKOS.topConceptOf, scheme
    if item.number:
        yield node, ns.frameworkSection, Literal(item.number)
    if item.legal_source:
        yield node, ns.legalSource, Literal(item.legal_source)
    if item.note_ja:
        yield node, SKOS.scopeNote, ja(item.note_ja)
    if item.line:
        yield from cited_line(base, node, item.line)
    if item.level:
        yield node, ns.serviceLevel, iris.level(base, int(item.level))
    if item.component:
        yield node, ns.component, iris.component(base, item.component)


def component_triples(base: str, component: Component) -> Iterator[Triple]:
    ns = iris.ontology_ns(base)
    node = iris.component(base, component.code)
    yield node, RDF.type, ns.Component
    yield node, RDF.type, SKOS.Concept
    yield node, SKOS.notation, Literal(component.code)
    yield node, SKOS.prefLabel, ja(component.title_ja)
    yield node, SKOS.prefLabel, en(component.title_en)
    yield node, ns.section, iris.item(base, CCDS, component.section)


def level_triples(base: str) -> Iterator[Triple]:
    ns = iris.ontology_ns(base)
    for n, stars in LEVEL_STARS.items():
        node = iris.level(base, n)
        yield node, RDF.type, ns.ServiceLevel
        yield node, RDF.type, SKOS.Concept
        yield node, SKOS.notation, Literal(str(n))
        yield node, SKOS.prefLabel, ja(f"{stars}サービス")
        yield node, SKOS.prefLabel, en(f"{stars} service (level {n})")


def erratum_triples(base: str, erratum: Erratum, known: dict[tuple[str, str], Item]) -> Iterator[Triple]:
    ns = iris.ontology_ns(base)
    node = iris.erratum(base, erratum.id)
    yield node, RDF.type, ns.Erratum
    yield node, DCTERMS.identifier, Literal(erratum.id)
    yield node, ns.erratumKind, Literal(erratum.kind)
    yield node, ns.printedText, ja(erratum.printed)
    yield node, RDFS.comment, en(erratum.reason)
    yield node, ns.resolutionStatus, ns.Resolved if erratum.status == "resolved" else ns.Unresolved
    if erratum.scheme:
        yield node, DCTERMS.subject, iris.scheme(base, erratum.scheme)
    if erratum.line:
        yield from cited_line(base, node, erratum.line)
    if erratum.resolved:
        yield node, ns.resolution, en(erratum.resolved)
        if (CCDS, erratum.resolved) in known:
            yield node, ns.resolvedTarget, iris.item(base, CCDS, erratum.resolved)


def mapping_triples(
    base: str, mapping: Mapping, relation: str, table: str, known: dict[tuple[str, str], Item]
) -> Iterator[Triple]:
    ns = iris.ontology_ns(base)
    subject = subject_id(mapping, known)
    if (mapping.scheme, subject) not in known:
        raise CompileError(f"mappings/{mapping.scheme}.csv row {mapping.seq}: unknown subject {subject!r}")
    record = iris.mapping(base, mapping.scheme, subject, target_key(mapping))
    source = iris.item(base, mapping.scheme, subject)
    yield record, RDF.type, ns.MappingRecord
    yield record, RDF.type, OWL.Axiom
    yield record, OWL.annotatedSource, source
    yield record, OWL.annotatedProperty, ns[relation]
    yield record, SSSOM.mapping_justification, SEMAPV.ManualMappingCuration
    yield record, SSSOM.subject_source, iris.scheme(base, mapping.scheme)
    yield record, SSSOM.object_source, iris.scheme(base, CCDS)
    yield record, DCTERMS.source, iris.source_table(base, table)
    yield record, ns.sequence, integer(mapping.seq)
    yield record, ns.statementNumber, integer(mapping.statement)
    yield record, ns.noCorrespondence, Literal(mapping.no_correspondence)
    if mapping.line:
        yield from cited_line(base, record, mapping.line)
    if mapping.page:
        yield record, ns.sourcePage, integer(mapping.page)
    for erratum in filter(None, mapping.erratum.split(";")):
        yield record, ns.erratum, iris.erratum(base, erratum.strip())
    if mapping.no_correspondence:
        yield record, OWL.annotatedTarget, SSSOM.NoTermFound
        return
    yield from _printed(base, record, mapping, known)
    if (CCDS, mapping.target) not in known:
        raise CompileError(f"mappings/{mapping.scheme}.csv row {mapping.seq}: unknown CCDS target {mapping.target!r}")
    target = iris.item(base, CCDS, mapping.target)
    yield record, OWL.annotatedTarget, target
    yield source, ns[relation], target  # the direct link, for simple queries (corrected crosswalk)


def _printed(base: str, record: URIRef, mapping: Mapping, known: dict[tuple[str, str], Item]) -> Iterator[Triple]:
    ns = iris.ontology_ns(base)
    yield record, ns.printedSection, Literal(mapping.section)
    yield record, ns.printedSectionTitle, ja(mapping.section_title)
    if mapping.item:
        yield record, ns.printedItem, Literal(mapping.item)
    if mapping.item_title:
        yield record, ns.printedItemTitle, ja(mapping.item_title)
    if mapping.qualifier:
        yield record, ns.printedQualifier, ja(mapping.qualifier)
        for number in qualifier_numbers(mapping.qualifier):
            yield record, ns.qualifier, iris.item(base, CCDS, f"common/{number}")
    printed = printed_target_id(mapping)
    if (CCDS, printed) in known:
        yield record, ns.printedTarget, iris.item(base, CCDS, printed)


def compile_graph(base: str, data: Data) -> Graph:
    known = {(item.scheme, item.id): item for item in data.items}
    frameworks = {f.scheme: f for f in data.frameworks}
    triples: list[Iterable[Triple]] = [framework_triples(base, f) for f in data.frameworks]
    triples += [item_triples(base, item, known) for item in data.items]
    triples += [component_triples(base, c) for c in data.components]
    triples.append(level_triples(base))
    triples += [erratum_triples(base, e, known) for e in data.errata]
    for mapping in data.mappings:
        framework = frameworks[mapping.scheme]
        triples.append(mapping_triples(base, mapping, framework.relation, framework.table, known))
    graph = bind_all(Graph(), base)
    for group in triples:
        for triple in group:
            graph.add(triple)
    return graph
