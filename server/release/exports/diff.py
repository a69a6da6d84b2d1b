"""Release diff: what changed since the previous release, as RDF (changes.ttl), CSV (changes.csv) and the
/changes page. The release chain is data/releases.csv (version, issued, previous, previous_dump).

The previous release is its published asserted crosswalk (crosswalk.nt, or .nt.gz): `previous_dump` names it
(relative to the project root, e.g. data/releases/1.0.0/crosswalk.nt.gz), or, when empty, it is looked up as
<artefacts>/release/<previous>/crosswalk.nt(.gz). A release without a previous one lists everything as added.

Entities are the subjects under {base}id/ (frameworks, items, mapping records, errata, components, levels,
publishers); an entity is added, removed, or changed — one change per property whose values differ, with
the old and the new values. ccdsx:sequence (a record's position in its table) is not compared: removing
or inserting a row renumbers the rows after it, which is not a change of those records.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from ccds_crosswalk import iris
from ccds_crosswalk.release.load import DataError
from ccds_crosswalk.release.serialise import graph_text, write_with_companions
from ccds_crosswalk.release.vocab import bind_all

__all__ = ["diff", "export_diff", "load_releases", "previous_graph", "read_changes", "release_info"]

if TYPE_CHECKING:
    from ccds_crosswalk.release.pipeline import Built
    from ccds_crosswalk.release.serialise import Artefact
    from ccds_crosswalk.settings import Settings

RELEASES = "releases.csv"
COLUMNS = ("version", "issued", "previous", "previous_dump")
CSV_COLUMNS = ("change", "kind", "resource", "property", "old", "new")
CHANGE_TYPES = {"added": "Added", "removed": "Removed", "changed": "Modified"}


@dataclass(frozen=True)
class Release:
    version: str
    issued: str
    previous: str
    previous_dump: str


@dataclass(frozen=True)
class Change:
    change: str  # added | removed | changed
    kind: str  # framework | item | mapping | erratum | component | level | publisher
    resource: URIRef
    property: URIRef | None = None
    old: tuple[Node, ...] = ()
    new: tuple[Node, ...] = ()


def load_releases(data_dir: Path) -> list[Release]:
    path = data_dir / RELEASES
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise DataError(f"{path}: header must be {','.join(COLUMNS)}")
        releases = [Release(**{k: (v or "").strip() for k, v in row.items()}) for row in reader]
    versions = [r.version for r in releases]
    for release in releases:
        if release.previous and release.previous not in versions:
            raise DataError(f"{path}: release {release.version} names an unknown previous release {release.previous}")
    return releases


def release_info(settings: Settings) -> Release:
    for release in load_releases(settings.data_dir):
        if release.version == settings.release:
            return release
    raise DataError(f"{settings.data_dir / RELEASES}: no row for release {settings.release}")


def previous_graph(settings: Settings, release: Release) -> Graph | None:
    """The previous release's asserted crosswalk, or None for the first release."""
    if not release.previous:
        return None
    if release.previous_dump:
        candidates = [settings.root / release.previous_dump]
    else:
        folder = settings.artefacts_dir / "release" / release.previous
        candidates = [folder / "crosswalk.nt", folder / "crosswalk.nt.gz"]
    for path in candidates:
        if path.is_file():
            raw = path.read_bytes()
            text = gzip.decompress(raw) if path.name.endswith(".gz") else raw
            return Graph().parse(data=text.decode("utf-8"), format="nt")
    raise DataError(
        f"release {release.version}: the dump of previous release {release.previous} is not at "
        + " or ".join(str(p) for p in candidates)
    )


def kind_of(uri: str, base: str) -> str:
    local = uri[len(iris.id_space(base)) :]
    head, _, rest = local.partition("/")
    if not rest:
        return "etsi-provision-group" if head == iris.ETSI else "framework"
    if head in ("mapping", "erratum", "source"):
        return head
    if rest == "publisher":
        return "publisher"
    if head == "ccds" and rest.split("/")[0] in ("component", "level"):
        return rest.split("/")[0]
    if head == iris.ETSI:
        return "etsi-link" if "/derived-from/" in rest else "etsi-provision-group"
    return "item"


def _entities(graph: Graph, base: str) -> dict[URIRef, dict[URIRef, frozenset[Node]]]:
    found: dict[URIRef, dict[URIRef, set[Node]]] = {}
    prefix = iris.id_space(base)
    ignored = {iris.ontology_ns(base).sequence}
    for s, p, o in graph:
        if isinstance(s, URIRef) and str(s).startswith(prefix) and p not in ignored:
            found.setdefault(s, {}).setdefault(p, set()).add(o)  # type: ignore[arg-type]
    return {s: {p: frozenset(v) for p, v in props.items()} for s, props in found.items()}


def _ordered(values: Iterable[Node]) -> tuple[Node, ...]:
    return tuple(sorted(values, key=lambda v: v.n3()))


def diff(old: Graph | None, new: Graph, base: str) -> list[Change]:
    before = _entities(old, base) if old is not None else {}
    after = _entities(new, base)
    changes = []
    for resource in sorted(set(before) | set(after)):
        kind = kind_of(str(resource), base)
        if resource not in before:
            changes.append(Change("added", kind, resource))
        elif resource not in after:
            changes.append(Change("removed", kind, resource))
        else:
            was, now = before[resource], after[resource]
            for prop in sorted(set(was) | set(now)):
                if was.get(prop, frozenset()) != now.get(prop, frozenset()):
                    changes.append(
                        Change(
                            "changed", kind, resource, prop, _ordered(was.get(prop, ())), _ordered(now.get(prop, ()))
                        )
                    )
    return changes


def change_uri(base: str, version: str, change: Change) -> URIRef:
    key = f"{change.change} {change.resource} {change.property or ''}"
    return iris.change(base, version, key)


def changes_graph(base: str, release: Release, changes: list[Change]) -> Graph:
    ns = iris.ontology_ns(base)
    graph = bind_all(Graph(), base)
    current = iris.release(base, release.version)
    node = URIRef(f"{current}/changes")
    graph.add((node, RDF.type, ns.ChangeSet))
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, DCTERMS.isPartOf, current))
    graph.add((node, RDFS.label, Literal(f"Changes in release {release.version}", lang="en")))
    graph.add((node, RDFS.label, Literal(f"リリース {release.version} の変更点", lang="ja")))
    if release.previous:
        graph.add((node, ns.comparedWith, iris.release(base, release.previous)))
        graph.add((current, PROV.wasRevisionOf, iris.release(base, release.previous)))
    for change in changes:
        record = change_uri(base, release.version, change)
        graph.add((node, ns.change, record))
        graph.add((record, RDF.type, ns.Change))
        graph.add((record, ns.changeType, ns[CHANGE_TYPES[change.change]]))
        graph.add((record, ns.changedResource, change.resource))
        graph.add((record, ns.resourceKind, Literal(change.kind)))
        if change.property is not None:
            graph.add((record, ns.changedProperty, change.property))
        for value in change.old:
            graph.add((record, ns.oldValue, value))
        for value in change.new:
            graph.add((record, ns.newValue, value))
    return graph


def _cell(values: tuple[Node, ...]) -> str:
    def one(value: Node) -> str:
        if isinstance(value, Literal) and value.language:
            return f"{value}@{value.language}"
        return str(value)

    return " | ".join(one(v) for v in values)


def changes_csv(changes: list[Change]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for change in changes:
        writer.writerow(
            [
                change.change,
                change.kind,
                str(change.resource),
                str(change.property or ""),
                _cell(change.old),
                _cell(change.new),
            ]
        )
    return buffer.getvalue()


def read_changes(path: Path) -> list[dict[str, str]]:
    """The rows of a published changes.csv (for the /changes page)."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def export_diff(settings: Settings, built: Built, directory: Path) -> list[Artefact]:
    release = release_info(settings)
    changes = diff(previous_graph(settings, release), built.asserted, settings.base_uri)
    against = f"release {release.previous}" if release.previous else "nothing (first release)"
    artefacts = write_with_companions(
        directory / "changes.ttl",
        graph_text(changes_graph(settings.base_uri, release, changes), "ttl", settings.base_uri),
        f"Changes since {against} (RDF)",
    )
    artefacts += write_with_companions(
        directory / "changes.csv", changes_csv(changes), f"Changes since {against} (CSV)"
    )
    return artefacts
