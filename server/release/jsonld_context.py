"""The published JSON-LD @context ({base}context.jsonld): short, readable keys for the crosswalk's terms, in
JSON-LD 1.0 form so that 1.0 and 1.1 readers alike read every JSON-LD file of the release."""

from __future__ import annotations

from typing import Any

from ccds_crosswalk.release.vocab import prefixes

__all__ = ["TERMS", "context"]

# key → (prefixed IRI, value type): "@id" for links, "@language" for language maps, None for plain values.
TERMS: dict[str, tuple[str, str | None]] = {
    "prefLabel": ("skos:prefLabel", "@language"),
    "notation": ("skos:notation", None),
    "inScheme": ("skos:inScheme", "@id"),
    "broader": ("skos:broader", "@id"),
    "narrower": ("skos:narrower", "@id"),
    "topConceptOf": ("skos:topConceptOf", "@id"),
    "hasTopConcept": ("skos:hasTopConcept", "@id"),
    "scopeNote": ("skos:scopeNote", "@language"),
    "title": ("dcterms:title", "@language"),
    "publisher": ("dcterms:publisher", "@id"),
    "source": ("dcterms:source", "@id"),
    "identifier": ("dcterms:identifier", None),
    "subjectOf": ("dcterms:subject", "@id"),
    "label": ("rdfs:label", "@language"),
    "comment": ("rdfs:comment", "@language"),
    "subject": ("owl:annotatedSource", "@id"),
    "predicate": ("owl:annotatedProperty", "@id"),
    "object": ("owl:annotatedTarget", "@id"),
    "justification": ("sssom:mapping_justification", "@id"),
    "subjectSource": ("sssom:subject_source", "@id"),
    "objectSource": ("sssom:object_source", "@id"),
    "detailedBy": ("ccdsx:detailedBy", "@id"),
    "referencedBy": ("ccdsx:referencedBy", "@id"),
    "complianceConfirmedBy": ("ccdsx:complianceConfirmedBy", "@id"),
    "relationToCCDS": ("ccdsx:relationToCCDS", "@id"),
    "appendixChapter": ("ccdsx:appendixChapter", None),
    "englishLabelSource": ("ccdsx:englishLabelSource", "@id"),
    "frameworkSection": ("ccdsx:frameworkSection", None),
    "legalSource": ("ccdsx:legalSource", None),
    "sourceLine": ("ccdsx:sourceLine", None),
    "quotedFrom": ("prov:wasQuotedFrom", "@id"),
    "sourcePage": ("ccdsx:sourcePage", None),
    "sequence": ("ccdsx:sequence", None),
    "serviceLevel": ("ccdsx:serviceLevel", "@id"),
    "component": ("ccdsx:component", "@id"),
    "section": ("ccdsx:section", "@id"),
    "noCorrespondence": ("ccdsx:noCorrespondence", None),
    "statementNumber": ("ccdsx:statementNumber", None),
    "printedSection": ("ccdsx:printedSection", None),
    "printedSectionTitle": ("ccdsx:printedSectionTitle", "@language"),
    "printedItem": ("ccdsx:printedItem", None),
    "printedItemTitle": ("ccdsx:printedItemTitle", "@language"),
    "printedQualifier": ("ccdsx:printedQualifier", "@language"),
    "qualifier": ("ccdsx:qualifier", "@id"),
    "printedTarget": ("ccdsx:printedTarget", "@id"),
    "erratum": ("ccdsx:erratum", "@id"),
    "erratumKind": ("ccdsx:erratumKind", None),
    "printedText": ("ccdsx:printedText", "@language"),
    "resolution": ("ccdsx:resolution", "@language"),
    "resolutionStatus": ("ccdsx:resolutionStatus", "@id"),
    "resolvedTarget": ("ccdsx:resolvedTarget", "@id"),
}


def context(base: str) -> dict[str, Any]:
    # JSON-LD 1.0 form: aliases, prefixes, typed and language-map terms are all 1.0, so no "@version": 1.1, which
    # 1.0 readers (Debian's Jena 4.5, older rdflib-jsonld) reject. A 1.1 reader expands it to the same triples.
    terms: dict[str, Any] = {"id": "@id", "type": "@type"}
    terms.update(prefixes(base))
    for key, (iri, kind) in TERMS.items():
        if kind == "@language":
            terms[key] = {"@id": iri, "@container": "@language"}
        elif kind == "@id":
            terms[key] = {"@id": iri, "@type": "@id"}
        else:
            terms[key] = iri
    return {"@context": terms}
