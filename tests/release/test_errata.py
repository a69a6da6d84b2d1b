"""Errata as the built release states them (issue 16): E22 is a wrong ID resolved to the printed section, so the
corrected crosswalk no longer asserts CPS.PT-2 → SR2-D-5; the unresolved title variants are on the rows of both
wordings; the 発効 misprint of CPS.AC-1 is an erratum."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import DCTERMS, OWL

from ccds_crosswalk import iris
from ccds_crosswalk.release.pipeline import Built
from ccds_crosswalk.settings import Settings


def test_e22_is_a_wrong_id_and_cps_pt_2_no_longer_cites_sr2_d_5(built: Built, settings: Settings) -> None:
    base = settings.base_uri
    ns = iris.ontology_ns(base)
    e22 = iris.erratum(base, "E22")
    assert built.asserted.value(e22, ns.erratumKind) == Literal("wrong-id")
    assert built.asserted.value(e22, ns.resolutionStatus) == ns.Resolved
    assert built.asserted.value(e22, ns.resolvedTarget) == iris.item(base, "ccds", "6.2.4")
    pt2, sr2_d_5 = iris.item(base, "cpsf", "CPS.PT-2"), iris.item(base, "ccds", "SR2-D-5")
    # seed l.3608: 6.2.4 SR2-D-5「USB 接続端子の対策」
    record = iris.mapping(base, "cpsf", "CPS.PT-2", "6.2.4/SR2-D-5")
    assert built.asserted.value(record, OWL.annotatedTarget) == iris.item(base, "ccds", "6.2.4")
    assert built.asserted.value(record, ns.printedTarget) == sr2_d_5  # the print is kept beside the correction
    assert (pt2, ns.referencedBy, sr2_d_5) not in built.asserted
    assert (pt2, ns.correspondsTo, sr2_d_5) not in built.inferred
    assert (pt2, ns.referencedBy, iris.item(base, "ccds", "6.2.4")) in built.asserted
    assert (pt2, ns.referencedBy, iris.item(base, "ccds", "SR2-H-5")) in built.asserted  # l.3596, printed rightly


def test_unresolved_variants_are_on_the_rows_of_both_wordings(built: Built, settings: Settings) -> None:
    base = settings.base_uri
    ns = iris.ontology_ns(base)
    e19 = iris.erratum(base, "E19")
    records = set(built.asserted.subjects(ns.erratum, e19))
    # SR3-H-9 and SR3-D-5 in table 2-1 (…の実施, l.543, 558) and table 3-1 (、…, l.4066, 4075)
    assert sorted(int(built.asserted.value(r, ns.sourceLine)) for r in records) == [543, 558, 4066, 4075]
    e17 = iris.erratum(base, "E17")
    lines = sorted(int(built.asserted.value(r, ns.sourceLine)) for r in built.asserted.subjects(ns.erratum, e17))
    assert lines == [70, 1408, 1693, 4099]  # 企業としての… twice, 企業組織としての… twice


def test_cps_ac_1_misprint_is_an_erratum(built: Built, settings: Settings) -> None:
    base = settings.base_uri
    ns = iris.ontology_ns(base)
    [erratum] = [e for e in built.asserted.subjects(ns.printedText, Literal("発効", lang="ja"))]
    assert built.asserted.value(erratum, DCTERMS.identifier) == Literal("E29")
    assert built.asserted.value(erratum, ns.sourceLine) == Literal(2006)
    assert built.asserted.value(erratum, ns.erratumKind) == Literal("text-typo")
