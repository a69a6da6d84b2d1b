"""OSCAL export: every catalog and the mapping collection load in compliance-trestle (its pydantic OSCAL
models, which forbid unknown fields), follow each framework's hierarchy, carry Japanese titles with the English
as ns-qualified props, link to our URIs, and are reproducible (uuid5 of the URI, the release date as timestamp).
Expected values come from the Appendix (seed lines cited)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import trestle.oscal
from trestle.oscal.catalog import Catalog
from trestle.oscal.mapping import MappingCollection

from ccds_crosswalk import iris
from ccds_crosswalk.release.exports.diff import release_info
from ccds_crosswalk.release.exports.oscal import OSCAL_VERSION, export_oscal
from ccds_crosswalk.release.pipeline import Built
from ccds_crosswalk.settings import Settings

SCHEMES = ("iotsg", "cpsf", "uk-cop", "sb327", "ccds")


def load(release_dir: Path, name: str) -> dict:
    return json.loads((release_dir / name).read_text(encoding="utf-8"))


def walk(node: dict):
    for key in ("groups", "controls"):
        for child in node.get(key, []):
            yield key, child
            yield from walk(child)


def find(catalog: dict, oscal_id: str) -> dict:
    return next(child for _, child in walk(catalog["catalog"]) if child["id"] == oscal_id)


def prop(node: dict, name: str) -> str | None:
    return next((p["value"] for p in node.get("props", []) if p["name"] == name), None)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_catalog_loads_in_trestle(scheme: str, release_dir: Path, built: Built, settings: Settings) -> None:
    catalog = Catalog.oscal_read(release_dir / f"oscal-catalog-{scheme}.json")
    assert catalog is not None
    assert catalog.metadata.oscal_version.root.root == trestle.oscal.OSCAL_VERSION == OSCAL_VERSION
    issued = release_info(settings).issued  # the current release's date, data/releases.csv
    assert catalog.metadata.last_modified.isoformat() == f"{issued}T00:00:00+00:00"
    assert catalog.metadata.version == settings.release
    document = load(release_dir, f"oscal-catalog-{scheme}.json")
    items = [i for i in built.data.items if i.scheme == scheme]
    ids = [child["id"] for _, child in walk(document["catalog"])]
    statements = [i for i in items if i.kind == "statement"]
    assert len(ids) == len(set(ids)) == len(items) - len(statements)
    canonical = {link["href"] for _, child in walk(document["catalog"]) for link in child["links"]}
    assert canonical == {str(iris.item(settings.base_uri, i.scheme, i.id)) for i in items if i.kind != "statement"}


def test_iotsg_hierarchy(release_dir: Path) -> None:
    document = load(release_dir, "oscal-catalog-iotsg.json")
    top = document["catalog"]["groups"]
    assert [g["id"] for g in top] == [f"iotsg-category-{n}" for n in range(1, 7)]
    policy = top[0]["groups"][0]
    assert policy["id"] == "iotsg-policy-1" and policy["title"] == "IoTの性質を考慮した基本方針を定める"  # line 48
    point = policy["controls"][0]
    assert point["id"] == "iotsg-point-1" and point["title"] == "経営者がIoTセキュリティにコミットする"  # line 60
    assert prop(point, "label") == "要点 1"
    assert prop(point, "title-en") == "Management commits to IoT security"
    assert [c["class"] for c in top[5]["controls"]] == ["rule"] * 4


def test_cpsf_statements_are_parts(release_dir: Path, settings: Settings) -> None:
    document = load(release_dir, "oscal-catalog-cpsf.json")
    category = document["catalog"]["groups"][0]
    assert category["id"] == "cpsf-CPS.AM" and category["title"] == "資産管理"  # line 1184
    assert category["controls"][0]["id"] == "cpsf-CPS.AM-1"
    control = find(document, "cpsf-CPS.RA-4")
    statement = control["parts"][0]
    assert statement["name"] == "statement"
    items = statement["parts"]
    assert [p["id"] for p in items] == ["cpsf-CPS.RA-4_1", "cpsf-CPS.RA-4_2"]
    assert items[0]["links"][0]["href"] == str(iris.item(settings.base_uri, "cpsf", "CPS.RA-4/1"))


def test_uk_and_sb327_are_flat(release_dir: Path) -> None:
    uk = load(release_dir, "oscal-catalog-uk-cop.json")["catalog"]
    assert [c["id"] for c in uk["controls"]] == [f"uk-cop-UK{n}" for n in range(1, 14)]
    assert uk["controls"][0]["title"] == "デフォルトパスワードを使用しない"
    assert prop(uk["controls"][0], "title-en") == "No default passwords"
    assert prop(uk["controls"][0], "title-en-source") == "official"
    sb = load(release_dir, "oscal-catalog-sb327.json")["catalog"]
    assert [c["id"] for c in sb["controls"]] == ["sb327-1", "sb327-2"]
    assert prop(sb["controls"][0], "legal-source") == "California Civil Code § 1798.91.04(a)"
    assert sb["controls"][0]["parts"][1]["name"] == "guidance"  # the ※注釈


def test_ccds_sections_are_groups(release_dir: Path) -> None:
    document = load(release_dir, "oscal-catalog-ccds.json")
    section = find(document, "ccds-6.2.1")
    assert "groups" not in section
    requirement = next(c for c in section["controls"] if c["id"] == "ccds-SR2-SP-1")
    assert prop(requirement, "service-level") == "2" and prop(requirement, "component") == "SP"
    assert find(document, "ccds-5.2.1_No.1")["class"] == "activity"
    assert {c["id"] for c in document["catalog"]["controls"]} >= {"ccds-common_6"}


def test_mapping_collection_loads_and_has_the_printed_rows(release_dir: Path, built: Built, settings: Settings) -> None:
    collection = MappingCollection.oscal_read(release_dir / "oscal-mapping.json")
    assert collection is not None
    document = load(release_dir, "oscal-mapping.json")["mapping-collection"]
    mappings = {m["source-resource"]["href"]: m for m in document["mappings"]}
    assert set(mappings) == {f"oscal-catalog-{s}.json" for s in SCHEMES if s != "ccds"}
    for href, mapping in mappings.items():
        scheme = href.removeprefix("oscal-catalog-").removesuffix(".json")
        rows = [m for m in built.data.mappings if m.scheme == scheme]
        assert len(mapping["maps"]) == sum(not m.no_correspondence for m in rows), scheme
        assert mapping["target-resource"]["href"] == "oscal-catalog-ccds.json"
    # seed lines 4536-4568: UK1 → SR2-SP-1, SR2-PP-1, SR2-H-1, SR2-D-1, each ※共通要件No.6
    uk1 = [m for m in mappings["oscal-catalog-uk-cop.json"]["maps"] if m["sources"][0]["id-ref"] == "uk-cop-UK1"]
    assert sorted(m["targets"][0]["id-ref"] for m in uk1) == sorted(f"ccds-SR2-{c}-1" for c in ("SP", "PP", "H", "D"))
    assert {prop(m, "printed-qualifier") for m in uk1} == {"共通要件No.6"}
    record = str(iris.mapping(settings.base_uri, "uk-cop", "UK1", "6.2.1/SR2-SP-1;common=6"))
    first = next(m for m in uk1 if m["links"][0]["href"] == record)
    assert first["uuid"] == str(uuid.uuid5(uuid.NAMESPACE_URL, record))
    # every target resolves in the CCDS catalog
    ccds = load(release_dir, "oscal-catalog-ccds.json")
    ids = {child["id"] for _, child in walk(ccds["catalog"])}
    assert {t["id-ref"] for m in mappings.values() for x in m["maps"] for t in x["targets"]} <= ids
    # CPSF: requirements whose rows are all 該当なし are the gap summary
    gaps = mappings["oscal-catalog-cpsf.json"]["source-gap-summary"]["unmapped-controls"][0]["with-ids"]
    none_only = {m.subject for m in built.data.mappings if m.scheme == "cpsf"} - {
        m.subject for m in built.data.mappings if m.scheme == "cpsf" and not m.no_correspondence
    }
    assert sorted(gaps) == sorted(f"cpsf-{s}" for s in none_only) and gaps


def test_export_is_reproducible(tmp_path: Path, release_dir: Path, built: Built, settings: Settings) -> None:
    artefacts = export_oscal(settings, built, tmp_path)
    assert {a.name for a in artefacts} >= {"oscal-mapping.json", "oscal-catalog-ccds.json"}
    for artefact in artefacts:
        assert (tmp_path / artefact.name).read_bytes() == (release_dir / artefact.name).read_bytes()
