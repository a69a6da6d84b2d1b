"""The SHACL shapes (shapes/crosswalk-shapes.ttl), each with a conforming and a violating fixture.

tests/release/fixtures/conforming.ttl is a small conforming world (a few items of every kind, their frameworks,
CCDS sections, components and levels, a record of each shape the Appendix prints, errata). For every NodeShape
<Shape>, fixtures/<Shape>.good.ttl adds a near miss that must still conform and fixtures/<Shape>.bad.ttl adds
the fault the shape exists to catch. Each is validated as the build validates:
ccds_crosswalk.release.validate.load_shapes + run_shapes over the fixture plus the ontology
(ccds_crosswalk.release.pipeline.load_ontology), and the whole report is
compared with what is expected: the shape (sh:sourceShape, a property shape counting for its node shape), the
severity, the focus node and the message the user reads. Relative IRIs in the fixtures resolve against the base.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from ccds_crosswalk.release.pipeline import Built, load_ontology
from ccds_crosswalk.release.validate import load_shapes, run_shapes
from ccds_crosswalk.release.vocab import SH
from ccds_crosswalk.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONFORMING = FIXTURES / "conforming.ttl"
SHAPES_NS = "shapes#"


@dataclass(frozen=True, order=True)
class Result:
    shape: str  # local name of the node shape
    severity: str  # Violation, Warning, Info
    focus: str  # relative to the base URI
    message: str  # "{this}" stands for the focus node's full IRI


def V(shape: str, focus: str, message: str) -> Result:
    return Result(shape, "Violation", focus, message)


def W(shape: str, focus: str, message: str) -> Result:
    return Result(shape, "Warning", focus, message)


# ------------------------------------------------------------------ the messages a user reads

RECORD_SUBJECT = (
    "A mapping record needs exactly one subject (owl:annotatedSource), an item of an external framework: "
    "check the 'subject' column of data/mappings/."
)
RECORD_OBJECT = (
    "A mapping record needs exactly one object (owl:annotatedTarget): a CCDS item, or sssom:NoTermFound "
    "for 該当なし; check the 'target' column."
)
RECORD_RELATION = (
    "A mapping record states exactly one of the Appendix's relations (detailedBy, referencedBy, "
    "complianceConfirmedBy); check the framework's 'relation' in data/frameworks.csv."
)
RECORD_CURATION = "Every record of the Appendix is a manual curation (semapv:ManualMappingCuration)."
RECORD_FLAG = "A mapping record says once whether it is a 該当なし row (ccdsx:noCorrespondence true/false)."
RECORD_LINE = "A mapping record must say where it is printed: fill the 'line' column with the line of the source text."
RECORD_SEQUENCE = "A mapping record keeps its position in the source order (ccdsx:sequence)."
FLAG_AGREES = (
    "The record is flagged 該当なし but names a CCDS target, or names none without being 該当なし: make "
    "'no_correspondence' and 'target' agree."
)
UNMAPPED = (
    "{this} has neither a mapping record nor a 該当なし record: every row of the source table must be in "
    "data/mappings/."
)
BOTH = "{this} is both mapped and marked 該当なし: a source row cannot be both; check data/mappings/."
STATEMENTS = "{this} has statements but is itself the subject of a record: map its statements instead."
KEY_POINT = "A key point's notation must read '要点 n' (e.g. 要点 1)."
POLICY = "A policy's notation must read '方針 n' (e.g. 方針 1)."
RULE = "A rule's notation must read 'ルール n' (e.g. ルール 1)."
GUIDELINE = "A UK guideline's notation must read UK1 … UK13."
REQUIREMENT = "A requirement's notation must read CPS.XX-n (CPSF) or n (SB-327)."
REQUIREMENT_CATEGORY = "{this}: a CPSF requirement must be notated CPS.XX-n with XX its category's code."
CATEGORY = "{this}: a CPSF category must be notated CPS.XX (e.g. CPS.AM)."
SECTION = "A CCDS section's notation must be its number, e.g. 5.2.1."
ACTIVITY = "A phase activity's notation must read No.n."
ACTIVITY_SECTION = "A phase activity (No.n) belongs to exactly one section, e.g. 5.2.1."
SERVICE = "A service requirement's notation must read R2-n or R3-n."
SERVICE_LEVEL = "A service requirement needs its service level (2 or 3): fill the 'level' column."
SERVICE_DIGIT = "{this}: the level digit of its ID and its ccdsx:serviceLevel disagree."
COMPONENT_ID = "A component requirement's notation must read SR2-XX-n or SR3-XX-n with XX one of SP, PP, H, D, A."
COMPONENT_MISSING = "A component requirement needs its component: fill the 'component' column."
COMPONENT_AGREES = (
    "{this}: its ID, ccdsx:serviceLevel, ccdsx:component or parent section disagree "
    "(SR<level>-<component>-n under the component's section)."
)
COMMON = "A common requirement's notation must read 共通要件 No.n."
RESOLVED = "Printed contradiction, resolved by erratum {erratum}: {printed} is cited under section {section}."
UNRESOLVED = (
    "{printed} is cited under section {section}, which is not its component's section (or the ID has no "
    "valid level/component), and no resolved erratum explains it: add one to data/errata.csv."
)
LABEL_UNIQUE = "More than one skos:prefLabel in one language: keep one per language (title_ja, title_en)."
LABEL_JA = "Missing Japanese label: fill title_ja."
LABEL_EN = "Missing English label: fill title_en (official English, or the project's translation)."
ONE_SCHEME = "A concept belongs to one framework only."
CYCLE = "{this} is its own ancestor through skos:broader: fix the 'parent' column so the hierarchy is a tree."
OTHER_SCHEME = "{this} has a parent in another framework: 'parent' must name an item of the same file."
UNDEFINED = "This URI is referenced but defined nowhere in the data: add the item (or fix the reference)."
UNDEFINED_TARGET = "A record's target is referenced but defined nowhere: add the CCDS item to data/items/ccds.csv."
PARENT = (
    "{this} lacks the parent its number implies (6.2 for 6.2.1, 6 for 6.1, 5.2.1 for 5.2.1/No.1; a section for a "
    "requirement): fix 'parent' in data/items/ccds.csv, and add the structural section (title_not_in_source true) "
    "if it is missing."
)
UNEXPLAINED = (
    "{printed} is printed but the record's target is {resolved}, and no resolved erratum of the record resolves it "
    "to that: restore the printed target in the 'target' column, or add a resolved erratum to data/errata.csv whose "
    "'resolved' is {resolved} and list it in the row's 'erratum'."
)
ERRATUM_PRINTED = "An erratum must quote what is printed."
ERRATUM_STATUS = "An erratum is either resolved or unresolved."
ERRATUM_REASON = "An erratum needs a one-line reason."
ERRATUM_RESOLUTION = "{this} is marked resolved but says nothing about the resolution: fill 'resolved'."


def resolved(erratum: str, printed: str, section: str) -> str:
    return RESOLVED.format(erratum=erratum, printed=printed, section=section)


def unresolved(printed: str, section: str) -> str:
    return UNRESOLVED.format(printed=printed, section=section)


def unexplained(printed: str, resolved: str) -> str:
    return UNEXPLAINED.format(printed=printed, resolved=resolved)


# What base + <Shape>.bad.ttl reports, in full: the shape's own results, and (listed explicitly) the few that a
# fault necessarily raises in another shape too.
EXPECTED_BAD: dict[str, set[Result]] = {
    "MappingRecordShape": {
        V("MappingRecordShape", "id/mapping/uk-cop/UK1/to/no-subject", RECORD_SUBJECT),
        V("MappingRecordShape", "id/mapping/uk-cop/UK1/to/external-object", RECORD_OBJECT),
        V("MappingRecordShape", "id/mapping/uk-cop/UK1/to/other-relation", RECORD_RELATION),
        V("MappingRecordShape", "id/mapping/uk-cop/UK1/to/no-justification", RECORD_CURATION),
        V("MappingRecordShape", "id/mapping/uk-cop/UK1/to/no-flag", RECORD_FLAG),
        V("MappingRecordShape", "id/mapping/uk-cop/UK1/to/no-line", RECORD_LINE),
        V("MappingRecordShape", "id/mapping/uk-cop/UK1/to/sequence-as-text", RECORD_SEQUENCE),
    },
    "NoCorrespondenceAgreesShape": {
        V("NoCorrespondenceAgreesShape", "id/mapping/iotsg/rule-2/to/none", FLAG_AGREES),
        V("NoCorrespondenceAgreesShape", "id/mapping/cpsf/CPS.AM-1/to/6.2.3", FLAG_AGREES),
    },
    "MappedOrNoCorrespondenceShape": {
        V("MappedOrNoCorrespondenceShape", "id/iotsg/point-2", UNMAPPED),
        V("MappedOrNoCorrespondenceShape", "id/iotsg/rule-2", UNMAPPED),
        V("MappedOrNoCorrespondenceShape", "id/uk-cop/UK2", UNMAPPED),
        V("MappedOrNoCorrespondenceShape", "id/cpsf/CPS.AM-2", UNMAPPED),
        V("MappedOrNoCorrespondenceShape", "id/cpsf/CPS.RA-4/3", UNMAPPED),
    },
    "NotBothShape": {V("NotBothShape", "id/cpsf/CPS.AM-1", BOTH)},
    "StatementsNotRequirementShape": {V("StatementsNotRequirementShape", "id/cpsf/CPS.RA-4", STATEMENTS)},
    "KeyPointIdShape": {V("KeyPointIdShape", "id/iotsg/point-2", KEY_POINT)},
    "PolicyIdShape": {V("PolicyIdShape", "id/iotsg/policy-2", POLICY)},
    "RuleIdShape": {V("RuleIdShape", "id/iotsg/rule-2", RULE)},
    "GuidelineIdShape": {
        V("GuidelineIdShape", "id/uk-cop/UK2", GUIDELINE),
        V("GuidelineIdShape", "id/uk-cop/UK14", GUIDELINE),
    },
    "RequirementIdShape": {
        V("RequirementIdShape", "id/cpsf/CPS.RA-04", REQUIREMENT),
        V("RequirementIdShape", "id/sb327/c", REQUIREMENT),
        V("RequirementIdShape", "id/cpsf/CPS.AM-9", REQUIREMENT_CATEGORY),
    },
    "CategoryIdShape": {V("CategoryIdShape", "id/cpsf/CPS.PR", CATEGORY)},
    "SectionIdShape": {V("SectionIdShape", "id/ccds/6.3", SECTION)},
    "PhaseActivityIdShape": {
        V("PhaseActivityIdShape", "id/ccds/5.2.1/No.2", ACTIVITY),
        V("PhaseActivityIdShape", "id/ccds/5.2.1/No.3", ACTIVITY_SECTION),
        # an activity under an activity is not under the section its id names
        V("ParentByNumberShape", "id/ccds/5.2.1/No.3", PARENT),
    },
    "ServiceRequirementIdShape": {
        V("ServiceRequirementIdShape", "id/ccds/R2-01", SERVICE),
        V("ServiceRequirementIdShape", "id/ccds/R2-11", SERVICE_LEVEL),
        V("ServiceRequirementIdShape", "id/ccds/R3-9", SERVICE_DIGIT),
    },
    "ComponentRequirementIdShape": {
        V("ComponentRequirementIdShape", "id/ccds/SR2-SP-01", COMPONENT_ID),
        V("ComponentRequirementIdShape", "id/ccds/SR2-SP-12", COMPONENT_MISSING),
        # without a component there is nothing for the ID to agree with
        V("ComponentRequirementAgreesShape", "id/ccds/SR2-SP-12", COMPONENT_AGREES),
    },
    "ComponentRequirementAgreesShape": {
        V("ComponentRequirementAgreesShape", "id/ccds/SR3-SP-13", COMPONENT_AGREES),
        V("ComponentRequirementAgreesShape", "id/ccds/SR2-H-7", COMPONENT_AGREES),
        V("ComponentRequirementAgreesShape", "id/ccds/SR2-PP-3", COMPONENT_AGREES),
    },
    "CommonRequirementIdShape": {V("CommonRequirementIdShape", "id/ccds/common/7", COMMON)},
    "CitedUnderItsSectionResolvedShape": {
        W(
            "CitedUnderItsSectionResolvedShape",
            "id/mapping/cpsf/CPS.AM-1/to/6.2.2/SR2-SP-1",
            resolved("E04", "SR2-SP-1", "6.2.2"),
        ),
        W(
            "CitedUnderItsSectionResolvedShape",
            "id/mapping/cpsf/CPS.AM-1/to/6.2.3/SR-H-4",
            resolved("E01", "SR-H-4", "6.2.3"),
        ),
        # one warning per resolved erratum of the record
        W(
            "CitedUnderItsSectionResolvedShape",
            "id/mapping/uk-cop/UK1/to/6.2.2/SR2-H-1",
            resolved("E08", "SR2-H-1", "6.2.2"),
        ),
        W(
            "CitedUnderItsSectionResolvedShape",
            "id/mapping/uk-cop/UK1/to/6.2.2/SR2-H-1",
            resolved("E13", "SR2-H-1", "6.2.2"),
        ),
    },
    "CitedUnderItsSectionShape": {
        V("CitedUnderItsSectionShape", "id/mapping/cpsf/CPS.AM-1/to/6.2.2/SR2-SP-1", unresolved("SR2-SP-1", "6.2.2")),
        V("CitedUnderItsSectionShape", "id/mapping/cpsf/CPS.AM-1/to/6.2.3/SR-H-4", unresolved("SR-H-4", "6.2.3")),
        V("CitedUnderItsSectionShape", "id/mapping/uk-cop/UK1/to/6.2.1/SR2-X-1", unresolved("SR2-X-1", "6.2.1")),
        # a target other than the printed ID, with no resolved erratum, is unexplained too
        V(
            "TargetExplainedShape",
            "id/mapping/cpsf/CPS.AM-1/to/6.2.3/SR-H-4",
            unexplained("6.2.3 SR-H-4", "SR3-H-4"),
        ),
        V(
            "TargetExplainedShape",
            "id/mapping/uk-cop/UK1/to/6.2.1/SR2-X-1",
            unexplained("6.2.1 SR2-X-1", "SR2-SP-1"),
        ),
    },
    "LabelShape": {
        V("LabelShape", "id/ccds/7", LABEL_EN),
        V("LabelShape", "id/ccds/7.1", LABEL_UNIQUE),
        V("LabelShape", "id/ccds/7.2", LABEL_JA),
        V("LabelShape", "id/ccds/7.3", ONE_SCHEME),
        # in two frameworks, 7.3 can have no parent in both; as a top concept it lacks the parent 7
        V("ParentByNumberShape", "id/ccds/7.3", PARENT),
        V("LabelShape", "id/etsi", LABEL_EN),
    },
    "ParentByNumberShape": {
        V("ParentByNumberShape", "id/ccds/5.4.3", PARENT),
        V("ParentByNumberShape", "id/ccds/6.2.5", PARENT),
        V("ParentByNumberShape", "id/ccds/5.2.1/No.4", PARENT),
        V("ParentByNumberShape", "id/ccds/R2-9", PARENT),
    },
    "TargetExplainedShape": {
        V("TargetExplainedShape", "id/mapping/uk-cop/UK1/to/6.2.1/SR2-SP-1", unexplained("6.2.1 SR2-SP-1", "SR2-PP-1")),
        V("TargetExplainedShape", "id/mapping/uk-cop/UK1/to/6.1/R2-8", unexplained("6.1 R2-8", "R3-8")),
        V("TargetExplainedShape", "id/mapping/iotsg/point-1/to/6.1/R2-8", unexplained("6.1 R2-8", "R3-8")),
        V("TargetExplainedShape", "id/mapping/iotsg/rule-1/to/6.2.1", unexplained("6.2.1", "6.2.2")),
    },
    "AcyclicShape": {V("AcyclicShape", "id/ccds/7", CYCLE), V("AcyclicShape", "id/ccds/7.1", CYCLE)},
    "OneSchemeHierarchyShape": {
        V("OneSchemeHierarchyShape", "id/ccds/7.9", OTHER_SCHEME),
        # a parent in another framework is no section of its own number either
        V("ParentByNumberShape", "id/ccds/7.9", PARENT),
    },
    "DefinedReferenceShape": {
        V("DefinedReferenceShape", "id/erratum/E99", UNDEFINED),
        V("DefinedReferenceShape", "id/ccds/common/99", UNDEFINED),
        V("DefinedReferenceShape", "id/ccds/7", UNDEFINED),
        # an undefined parent is no section either
        V("ParentByNumberShape", "id/ccds/7.9", PARENT),
    },
    "DefinedTargetShape": {
        V("DefinedTargetShape", "id/ccds/SR2-SP-99", UNDEFINED_TARGET),
        # an undefined target is no CCDS item either
        V("MappingRecordShape", "id/mapping/uk-cop/UK1/to/6.2.1/SR2-SP-99", RECORD_OBJECT),
    },
    "ErratumShape": {
        V("ErratumShape", "id/erratum/E90", ERRATUM_PRINTED),
        V("ErratumShape", "id/erratum/E91", ERRATUM_STATUS),
        V("ErratumShape", "id/erratum/E92", ERRATUM_REASON),
        V("ErratumShape", "id/erratum/E93", ERRATUM_RESOLUTION),
    },
}


# ------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def shapes(settings: Settings) -> Graph:
    return load_shapes(settings.shapes_dir, settings.base_uri)


@pytest.fixture(scope="module")
def ontology(settings: Settings) -> Graph:
    return load_ontology(settings)


def node_shapes(shapes: Graph, base: str) -> dict[str, URIRef]:
    return {str(s).removeprefix(base + SHAPES_NS): s for s in shapes.subjects(RDF.type, SH.NodeShape)}


def fixture_graph(base: str, *names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(FIXTURES / name, format="turtle", publicID=base)
    return graph


def results(data: Graph, shapes: Graph, ontology: Graph, base: str) -> set[Result]:
    """Every result of the report, with its node shape (a property shape's owner) and the focus made relative."""
    report = run_shapes(data + ontology, shapes, base).graph
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        source = report.value(result, SH.sourceShape)
        if (source, RDF.type, SH.NodeShape) not in shapes:
            owners = set(shapes.subjects(SH.property, source))
            assert len(owners) == 1, f"result from a shape that belongs to no (or several) node shapes: {source}"
            source = owners.pop()
        assert isinstance(source, URIRef) and str(source).startswith(base + SHAPES_NS), source
        focus = str(report.value(result, SH.focusNode))
        assert focus.startswith(base), focus
        found.add(
            Result(
                shape=str(source).removeprefix(base + SHAPES_NS),
                severity=str(report.value(result, SH.resultSeverity)).removeprefix(str(SH)),
                focus=focus.removeprefix(base),
                message=str(report.value(result, SH.resultMessage)),
            )
        )
    return found


def spelled_out(expected: set[Result], base: str) -> set[Result]:
    return {Result(r.shape, r.severity, r.focus, r.message.replace("{this}", base + r.focus)) for r in expected}


# ------------------------------------------------------------------ every shape has its fixtures


def test_every_shape_has_a_guarantee_and_both_fixtures(shapes: Graph, settings: Settings) -> None:
    declared = node_shapes(shapes, settings.base_uri)
    assert len(declared) >= 25
    for name, shape in declared.items():
        comments = [str(c) for c in shapes.objects(shape, RDFS.comment)]
        assert any(re.match(r"GUARANTEE [a-z-]+: \S", c) for c in comments), f"{name} has no GUARANTEE comment"
    good = {p.name.removesuffix(".good.ttl") for p in FIXTURES.glob("*.good.ttl")}
    bad = {p.name.removesuffix(".bad.ttl") for p in FIXTURES.glob("*.bad.ttl")}
    assert set(declared) - bad == set(), "shapes without a violating fixture"
    assert set(declared) - good == set(), "shapes without a conforming fixture"
    assert set(declared) - set(EXPECTED_BAD) == set(), "shapes without expected results"
    assert bad | good | set(EXPECTED_BAD) == set(declared), "fixtures or expectations for shapes that do not exist"


# ------------------------------------------------------------------ the conforming world


def test_conforming_world_conforms_and_reaches_every_class_target(
    shapes: Graph, ontology: Graph, settings: Settings
) -> None:
    base = settings.base_uri
    world = fixture_graph(base, CONFORMING.name)
    assert results(world, shapes, ontology, base) == set()
    # not vacuously: every class or objects-of target has focus nodes in it
    both = world + ontology
    for name, shape in node_shapes(shapes, base).items():
        for cls in shapes.objects(shape, SH.targetClass):
            members = both.query(
                "SELECT ?x WHERE { ?x a/rdfs:subClassOf* ?c }", initBindings={"c": cls}, initNs={"rdfs": RDFS}
            )
            assert len(members) > 0, f"{name}: no instance of {cls} in conforming.ttl"
        for prop in shapes.objects(shape, SH.targetObjectsOf):
            assert any(True for _ in world.objects(None, prop)), f"{name}: nothing in conforming.ttl uses {prop}"


@pytest.mark.parametrize("shape", sorted(EXPECTED_BAD))
def test_conforming_fixture(shape: str, shapes: Graph, ontology: Graph, settings: Settings) -> None:
    base = settings.base_uri
    addition = fixture_graph(base, f"{shape}.good.ttl")
    assert len(addition) > 0
    assert results(fixture_graph(base, CONFORMING.name, f"{shape}.good.ttl"), shapes, ontology, base) == set()


@pytest.mark.parametrize("shape", sorted(EXPECTED_BAD))
def test_violating_fixture(shape: str, shapes: Graph, ontology: Graph, settings: Settings) -> None:
    base = settings.base_uri
    found = results(fixture_graph(base, CONFORMING.name, f"{shape}.bad.ttl"), shapes, ontology, base)
    assert any(r.shape == shape for r in found), f"{shape}.bad.ttl raises nothing from {shape}: {sorted(found)}"
    assert sorted(found) == sorted(spelled_out(EXPECTED_BAD[shape], base))


def test_resolved_contradiction_is_a_warning_and_unresolved_one_a_violation(
    shapes: Graph, ontology: Graph, settings: Settings
) -> None:
    """The same printed citation (SR2-SP-1 under 6.2.2) without an erratum, with an unresolved one and with a
    resolved one: only the resolved erratum turns the violation into a warning that names it."""
    base = settings.base_uri
    world = fixture_graph(base, CONFORMING.name)
    record = "id/mapping/cpsf/CPS.AM-1/to/6.2.2/SR2-SP-1"
    citation = f"""@prefix ccdsx: <ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix sssom: <https://w3id.org/sssom/> . @prefix semapv: <https://w3id.org/semapv/vocab/> .
        <{record}> a ccdsx:MappingRecord ; owl:annotatedSource <id/cpsf/CPS.AM-1> ;
            owl:annotatedProperty ccdsx:referencedBy ; owl:annotatedTarget <id/ccds/SR2-PP-1> ;
            sssom:mapping_justification semapv:ManualMappingCuration ; ccdsx:noCorrespondence false ;
            sssom:subject_source <id/cpsf> ; ccdsx:statementNumber 1 ;
            ccdsx:sourceLine 3079 ; ccdsx:sequence 40 ; ccdsx:printedSection "6.2.2" ; ccdsx:printedItem "SR2-SP-1" ;
            ccdsx:printedTarget <id/ccds/SR2-SP-1> ."""
    erratum = """@prefix ccdsx: <ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        <{record}> ccdsx:erratum <id/erratum/E04> .
        <id/erratum/E04> a ccdsx:Erratum ; dcterms:identifier "E04" ; ccdsx:printedText "SR2-SP-1"@ja ;
            rdfs:comment "cited under the wrong section"@en ; ccdsx:resolution "SR2-PP-1"@en ;
            ccdsx:resolvedTarget <id/ccds/SR2-PP-1> ;
            ccdsx:resolutionStatus ccdsx:{state} ."""
    unexplained_target = V("TargetExplainedShape", record, unexplained("6.2.2 SR2-SP-1", "SR2-PP-1"))
    status = {
        None: {V("CitedUnderItsSectionShape", record, unresolved("SR2-SP-1", "6.2.2")), unexplained_target},
        "Unresolved": {V("CitedUnderItsSectionShape", record, unresolved("SR2-SP-1", "6.2.2")), unexplained_target},
        "Resolved": {W("CitedUnderItsSectionResolvedShape", record, resolved("E04", "SR2-SP-1", "6.2.2"))},
    }
    for state, expected in status.items():
        data = world + Graph().parse(data=citation, format="turtle", publicID=base)
        if state:
            data += Graph().parse(data=erratum.format(record=record, state=state), format="turtle", publicID=base)
        assert results(data, shapes, ontology, base) == expected, state


# ------------------------------------------------------------------ the real data

# The records whose printed SR ID contradicts the section it is cited under, each explained by resolved errata
# (data/mappings/*.csv, column 'erratum'; data/errata.csv): CPS.DS-3 prints SR-H-4, SR-H-5, SR-D-2 without a level
# digit (E01-E03); CPS.IP-1 and CPS.IP-6 print SR2-SP-1 under 6.2.2/6.2.3/6.2.4 (E04-E06); UK6 prints SR2-H-1 under
# 6.2.2 (E08) and SR2-D-1 under 6.2.3 (E09, and the section-title variant E13 on the same row).
REAL_WARNINGS = [
    ("cpsf", "CPS.DS-3", "6.2.3", "SR-H-4", "E01"),
    ("cpsf", "CPS.DS-3", "6.2.3", "SR-H-5", "E02"),
    ("cpsf", "CPS.DS-3", "6.2.4", "SR-D-2", "E03"),
    ("cpsf", "CPS.IP-1", "6.2.2", "SR2-SP-1", "E04"),
    ("cpsf", "CPS.IP-1", "6.2.3", "SR2-SP-1", "E05"),
    ("cpsf", "CPS.IP-1", "6.2.4", "SR2-SP-1", "E06"),
    ("cpsf", "CPS.IP-6", "6.2.2", "SR2-SP-1", "E04"),
    ("cpsf", "CPS.IP-6", "6.2.3", "SR2-SP-1", "E05"),
    ("cpsf", "CPS.IP-6", "6.2.4", "SR2-SP-1", "E06"),
    ("uk-cop", "UK6", "6.2.2", "SR2-H-1", "E08"),
    ("uk-cop", "UK6", "6.2.3", "SR2-D-1", "E09"),
    ("uk-cop", "UK6", "6.2.3", "SR2-D-1", "E13"),
]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def contradictions_in_the_tables() -> list[tuple[str, str, str, str, str]]:
    """Read data/ directly: every printed SR ID cited under a section other than its component's (or without a valid
    level and component), with each resolved erratum of its row. Fails on a contradiction nothing resolves."""
    data = ROOT / "data"
    home = {row["code"]: row["section"] for row in _csv(data / "components.csv")}
    status = {row["id"]: row["status"] for row in _csv(data / "errata.csv")}
    found = []
    for path in sorted((data / "mappings").glob("*.csv")):
        for row in _csv(path):
            if not row["item"].startswith("SR"):
                continue
            match = re.fullmatch(r"SR[23]-([A-Z]+)-[0-9]+", row["item"])
            if match and home.get(match.group(1)) == row["section"]:
                continue
            errata = [e.strip() for e in row["erratum"].split(";") if status.get(e.strip()) == "resolved"]
            assert errata, f"{path.name}: {row['subject']} {row['section']} {row['item']} has no resolved erratum"
            found += [(path.stem, row["subject"], row["section"], row["item"], e) for e in errata]
    return found


def test_expected_warnings_are_those_the_tables_carry() -> None:
    assert sorted(contradictions_in_the_tables()) == sorted(REAL_WARNINGS)
    assert sorted({w[-1] for w in REAL_WARNINGS}) == ["E01", "E02", "E03", "E04", "E05", "E06", "E08", "E09", "E13"]


def test_real_data_conforms_with_exactly_the_resolved_contradictions(built: Built, settings: Settings) -> None:
    base = settings.base_uri
    report = built.report
    assert report.conforms
    assert report.violations == ()
    shape = f"{base}{SHAPES_NS}CitedUnderItsSectionResolvedShape"
    assert {f.shape for f in report.warnings} == {shape}
    # a record's URI ends in the printed target, plus ';common=n' where a qualifier is printed
    found = sorted((f.focus.split(";common=")[0], f.message) for f in report.warnings)
    expected = sorted(
        (f"{base}id/mapping/{scheme}/{subject}/to/{section}/{item}", resolved(erratum, item, section))
        for scheme, subject, section, item, erratum in REAL_WARNINGS
    )
    assert found == expected
