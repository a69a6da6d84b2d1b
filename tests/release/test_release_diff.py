"""Release diffs: against nothing everything is added; the current release (1.1.0) lists its changes against 1.0.0,
whose crosswalk is checked in (data/releases/1.0.0/crosswalk.nt.gz), so a plain clone builds it; a further release
built from changed data (a label changed, a mapping row removed, an erratum added) lists exactly those changes, as
changes.csv, changes.ttl and the /changes page, and its DCAT description names the previous release."""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ccds_crosswalk import iris
from ccds_crosswalk.release.exports.diff import diff, load_releases
from ccds_crosswalk.release.load import DataError, load_data
from ccds_crosswalk.release.pipeline import Built, compile_and_check, write_release
from ccds_crosswalk.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DCAT = Namespace("http://www.w3.org/ns/dcat#")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def rewrite(path: Path, keep, change=None) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, table = reader.fieldnames, list(reader)
    table = [row for row in table if keep(row)]
    for row in table:
        if change:
            change(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


# ------------------------------------------------------------------ against nothing: the first release


def test_against_nothing_everything_is_added(built: Built, settings: Settings) -> None:
    """What the first release (no previous one) lists: every resource, added."""
    changes = diff(None, built.asserted, settings.base_uri)
    assert {c.change for c in changes} == {"added"}
    data = load_data(settings.data_dir)
    listed = {str(c.resource) for c in changes}
    base = settings.base_uri
    assert {str(iris.item(base, i.scheme, i.id)) for i in data.items} <= listed
    assert {str(iris.erratum(base, e.id)) for e in data.errata} <= listed
    by_kind = {k: sum(c.kind == k for c in changes) for k in ("item", "mapping", "erratum", "framework")}
    assert by_kind == {"item": 343, "mapping": 494, "erratum": 29, "framework": 5}  # data/README.md, Counts


# ------------------------------------------------------------------ the current release against 1.0.0

# Release 1.1.0 (issue 16) against the checked-in dump of 1.0.0 (data/releases/1.0.0/crosswalk.nt.gz): the six
# structural sections the numbering implies are added, and so is the erratum E29 (CPS.AC-1, 発効 for 発行, l.2006);
# nothing is removed; E22 becomes a wrong ID and CPS.PT-2's l.3608 row resolves to 6.2.4 instead of SR2-D-5.
STRUCTURAL = ("4", "4.1", "5.2", "5.4", "6", "6.2")


def test_current_release_lists_its_changes_against_1_0_0(release_dir: Path, settings: Settings) -> None:
    releases = {r.version: r for r in load_releases(settings.data_dir)}
    current = releases[settings.release]
    assert current.previous == "1.0.0" and current.previous_dump == "data/releases/1.0.0/crosswalk.nt.gz"
    base = settings.base_uri
    ns = str(iris.ontology_ns(base))
    table = rows(release_dir / "changes.csv")
    added = {(r["kind"], r["resource"]) for r in table if r["change"] == "added"}
    assert added == {("item", str(iris.item(base, "ccds", n))) for n in STRUCTURAL} | {
        ("erratum", str(iris.erratum(base, "E29")))
    }
    assert [r for r in table if r["change"] == "removed"] == []
    changed = {(r["resource"], r["property"]): r for r in table if r["change"] == "changed"}
    e22 = str(iris.erratum(base, "E22"))
    assert (changed[(e22, ns + "erratumKind")]["old"], changed[(e22, ns + "erratumKind")]["new"]) == (
        "title-variant",
        "wrong-id",
    )
    record = str(iris.mapping(base, "cpsf", "CPS.PT-2", "6.2.4/SR2-D-5"))
    target = changed[(record, "http://www.w3.org/2002/07/owl#annotatedTarget")]
    assert (target["old"], target["new"]) == (
        str(iris.item(base, "ccds", "SR2-D-5")),
        str(iris.item(base, "ccds", "6.2.4")),
    )
    broader = changed[(str(iris.item(base, "ccds", "6.1")), "http://www.w3.org/2004/02/skos/core#broader")]
    assert (broader["old"], broader["new"]) == ("", str(iris.item(base, "ccds", "6")))
    label = changed[(str(iris.item(base, "ccds", "SR3-H-9")), "http://www.w3.org/2004/02/skos/core#prefLabel")]
    assert "脆弱性スキャン・ペネトレーションテストの実施@ja" in label["old"]
    assert "脆弱性スキャン、ペネトレーションテスト@ja" in label["new"]
    # labels, errata, hierarchy and records all changed
    assert {"item", "mapping", "erratum"} <= {r["kind"] for r in table}
    graph = Graph().parse(release_dir / "changes.ttl")
    changeset = URIRef(f"{iris.release(base, settings.release)}/changes")
    assert (changeset, iris.ontology_ns(base).comparedWith, iris.release(base, "1.0.0")) in graph
    assert len(set(graph.objects(changeset, iris.ontology_ns(base).change))) == len(table)


def test_release_chain_is_declared(release_dir: Path, settings: Settings, built: Built) -> None:
    releases = load_releases(settings.data_dir)
    assert [r.version for r in releases] == ["1.0.0", "1.1.0"] and releases[0].previous == ""
    assert settings.release == "1.1.0"  # the last row of data/releases.csv is the current release
    void = Graph().parse(release_dir / "void.ttl")
    current, previous = iris.release(settings.base_uri, "1.1.0"), iris.release(settings.base_uri, "1.0.0")
    for release in (current, previous):
        assert (iris.dataset(settings.base_uri), DCAT.hasVersion, release) in void
    assert (current, DCTERMS.issued, None) in void
    assert (current, DCAT.previousVersion, previous) in void


def test_ontology_defines_the_change_terms(built: Built, settings: Settings) -> None:
    ns = iris.ontology_ns(settings.base_uri)
    for term in (
        "ChangeSet",
        "Change",
        "Added",
        "Removed",
        "Modified",
        "changeType",
        "changedResource",
        "changedProperty",
        "oldValue",
        "newValue",
        "comparedWith",
        "resourceKind",
        "change",
    ):
        labels = {label.language for label in built.ontology.objects(ns[term], URIRef(str(SKOS.definition)))}
        assert labels == {"ja", "en"}, term


# ------------------------------------------------------------------ a second release from changed data


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory, settings: Settings, release_dir: Path) -> tuple[Settings, Path]:
    root = tmp_path_factory.mktemp("release-next")
    for name in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / name, root / name)
    data = root / "data"
    # 1. a label: UK1's English title
    rewrite(
        data / "items" / "uk-cop.csv",
        lambda r: True,
        lambda r: r.update(title_en="No universal default passwords") if r["id"] == "UK1" else None,
    )
    # 2. a mapping row removed: UK1 → 6.2.3 SR2-H-1 ※共通要件No.6 (seed line 4560)
    rewrite(data / "mappings" / "uk-cop.csv", lambda r: not (r["subject"] == "UK1" and r["line"] == "4560"))
    # 3. an erratum added
    with (data / "errata.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["E90", "uk-cop", "text-typo", "テスト", "test", "resolved", "A test erratum.", ""]
        )
    with (data / "releases.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write(f"1.2.0,2027-01-01,{settings.release},\n")
    # the previous release is found as <artefacts>/release/<current>/crosswalk.nt (the one the session built)
    changed = replace(settings, root=root, release="1.2.0")
    result = compile_and_check(changed, out=io.StringIO())
    directory = write_release(changed, result, out=io.StringIO())
    return changed, directory


def test_diff_lists_exactly_the_changes(second: tuple[Settings, Path]) -> None:
    changed, directory = second
    base = changed.base_uri
    uk1 = str(iris.item(base, "uk-cop", "UK1"))
    record = str(iris.mapping(base, "uk-cop", "UK1", "6.2.3/SR2-H-1;common=6"))
    ns = str(iris.ontology_ns(base))
    table = rows(directory / "changes.csv")
    found = {(r["change"], r["kind"], r["resource"], r["property"]) for r in table}
    assert found == {
        ("changed", "item", uk1, str(SKOS.prefLabel)),
        ("changed", "item", uk1, ns + "complianceConfirmedBy"),  # the direct link of the removed row
        ("removed", "mapping", record, ""),
        ("added", "erratum", str(iris.erratum(base, "E90")), ""),
    }
    label = next(r for r in table if r["property"] == str(SKOS.prefLabel))
    assert label["old"] == "No default passwords@en | デフォルトパスワードを使用しない@ja"
    assert label["new"] == "No universal default passwords@en | デフォルトパスワードを使用しない@ja"
    link = next(r for r in table if r["property"].endswith("complianceConfirmedBy"))
    sr2h1 = str(iris.item(base, "ccds", "SR2-H-1"))
    assert sr2h1 in link["old"].split(" | ") and sr2h1 not in link["new"].split(" | ")
    assert len(link["old"].split(" | ")) == len(link["new"].split(" | ")) + 1


def test_diff_as_rdf_and_version_chain(second: tuple[Settings, Path]) -> None:
    changed, directory = second
    base = changed.base_uri
    ns = iris.ontology_ns(base)
    graph = Graph().parse(directory / "changes.ttl")
    changeset = URIRef(f"{iris.release(base, '1.2.0')}/changes")
    assert (changeset, ns.comparedWith, iris.release(base, "1.1.0")) in graph
    changes = set(graph.objects(changeset, ns.change))
    assert len(changes) == 4
    types = sorted(str(graph.value(c, ns.changeType)).rsplit("#", 1)[1] for c in changes)
    assert types == ["Added", "Modified", "Modified", "Removed"]
    label = next(c for c in changes if graph.value(c, ns.changedProperty) == SKOS.prefLabel)
    assert Literal("No default passwords", lang="en") in set(graph.objects(label, ns.oldValue))
    assert Literal("No universal default passwords", lang="en") in set(graph.objects(label, ns.newValue))
    void = Graph().parse(directory / "void.ttl")
    current, previous = iris.release(base, "1.2.0"), iris.release(base, "1.1.0")
    assert (current, DCAT.previousVersion, previous) in void
    assert {(iris.dataset(base), DCAT.hasVersion, r) in void for r in (current, previous)} == {True}


def test_diff_from_a_checked_in_dump(second: tuple[Settings, Path], release_dir: Path) -> None:
    """previous_dump names a gzipped crosswalk.nt kept under data/releases/<version>/."""
    changed, directory = second
    old = Graph().parse(data=gzip.decompress((release_dir / "crosswalk.nt.gz").read_bytes()).decode(), format="nt")
    new = Graph().parse(directory / "crosswalk.nt", format="nt")
    assert len(diff(old, new, changed.base_uri)) == 4
    assert diff(new, new, changed.base_uri) == []


def test_missing_previous_dump_is_an_error(tmp_path: Path, settings: Settings) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    with (tmp_path / "data" / "releases.csv").open("a", encoding="utf-8") as handle:
        handle.write("2.0.0,2027-01-01,1.0.0,data/releases/1.0.0/absent.nt.gz\n")
    from ccds_crosswalk.release.exports.diff import previous_graph, release_info

    changed = replace(settings, root=tmp_path, release="2.0.0")
    with pytest.raises(DataError, match=r"previous release 1\.0\.0 is not at"):
        previous_graph(changed, release_info(changed))


# ------------------------------------------------------------------ the page


def test_changes_page_lists_the_rows(server: str, release_dir: Path) -> None:
    table = rows(release_dir / "changes.csv")
    response = httpx.get(f"{server}/changes?lang=en", timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert len(re.findall(r'<tr class="(added|changed|removed)">', response.text)) == len(table)
    assert len(re.findall(r'<tr class="added">', response.text)) == 7  # 4, 4.1, 5.2, 5.4, 6, 6.2 and E29
    assert "What changed in release 1.1.0" in response.text
    assert re.search(r'<a href="/doc/ccds/6\.2\.html\?lang=en"[ >]', response.text)  # the added section 6.2 links
    ja = httpx.get(f"{server}/changes?lang=ja", timeout=30)
    assert "変更点" in ja.text and "追加" in ja.text
