"""OSCAL export: each framework and the CCDS guideline as an OSCAL catalog, and the crosswalk as an OSCAL
mapping collection (the control-mapping model of OSCAL 1.2, which compliance-trestle 5 implements).

Files (flat names, since a release is one flat folder served as /release/<version>/<file>):

    oscal-catalog-<scheme>.json     one catalog per framework (iotsg, cpsf, uk-cop, sb327) and for ccds
    oscal-mapping.json              one mapping collection: a mapping per framework, <scheme> → ccds

Catalogs follow each framework's hierarchy: IoT SG categories → policies as groups, key points and rules as
controls; CPSF categories as groups, requirements as controls, their bullet statements as `item` parts of the
control's `statement` part; UK guidelines and SB-327 requirements as top-level controls; CCDS chapters and
sections as groups, activities and R/SR requirements as controls, common requirements as top-level controls.

Titles are the Japanese text as printed; the English label is a property `title-en` (ns = the ccdsx ontology),
with `title-en-source` (official / project). Every control, part and group links to its URI (rel="canonical").
OSCAL ids are `<scheme>-<id>` with '/' as '_' (ids must be tokens). UUIDs are uuid5 of the URI; timestamps are
the release date from data/releases.csv, so rebuilds are byte-identical.

Mappings: one `map` per printed row that names a target (relationship `intersects-with`, matching rationale
`semantic`; ns-qualified props give the framework relation, printed qualifier and errata); a 該当なし row
is listed in the source gap summary when none of the subject's rows has a target. A CCDS section cited as a
whole is a group in the catalog, so that map's target has type `group`.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccds_crosswalk import iris
from ccds_crosswalk.release.compile import CCDS, subject_id, target_key
from ccds_crosswalk.release.exports.diff import release_info
from ccds_crosswalk.release.load import Item
from ccds_crosswalk.release.serialise import write_with_companions

__all__ = ["OSCAL_VERSION", "catalog_file", "export_oscal", "oscal_id", "uuid_of"]

if TYPE_CHECKING:
    from ccds_crosswalk.release.pipeline import Built
    from ccds_crosswalk.release.serialise import Artefact
    from ccds_crosswalk.settings import Settings

OSCAL_VERSION = "1.2.1"  # trestle.oscal.OSCAL_VERSION of compliance-trestle 5.2 (checked by the tests)
MAPPING_FILE = "oscal-mapping.json"


def catalog_file(scheme: str) -> str:
    return f"oscal-catalog-{scheme}.json"


def oscal_id(scheme: str, local_id: str) -> str:
    return f"{scheme}-{local_id.replace('/', '_')}"


def uuid_of(uri: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, uri))


class _Writer:
    def __init__(self, settings: Settings, built: Built) -> None:
        self.base = settings.base_uri
        self.ns = str(iris.ontology_ns(self.base))
        self.release = settings.release
        self.timestamp = f"{release_info(settings).issued}T00:00:00+00:00"
        self.data = built.data
        self.known = {(i.scheme, i.id): i for i in built.data.items}
        self.children: dict[tuple[str, str], list[Item]] = {}
        for item in built.data.items:
            self.children.setdefault((item.scheme, item.parent), []).append(item)

    def metadata(self, title: str, uri: str) -> dict[str, Any]:
        return {
            "title": title,
            "published": self.timestamp,
            "last-modified": self.timestamp,
            "version": self.release,
            "oscal-version": OSCAL_VERSION,
            "links": [{"href": uri, "rel": "canonical"}],
        }

    def labels(self, item: Item) -> list[dict[str, str]]:
        props = []
        if item.notation:
            props.append({"name": "label", "value": item.notation})
        if item.title_en:
            props.append({"name": "title-en", "ns": self.ns, "value": item.title_en})
            props.append({"name": "title-en-source", "ns": self.ns, "value": item.title_en_source})
        if item.level:
            props.append({"name": "service-level", "ns": self.ns, "value": item.level})
        if item.component:
            props.append({"name": "component", "ns": self.ns, "value": item.component})
        if item.legal_source:
            props.append({"name": "legal-source", "ns": self.ns, "value": item.legal_source})
        return props

    def link(self, item: Item) -> list[dict[str, str]]:
        return [{"href": str(iris.item(self.base, item.scheme, item.id)), "rel": "canonical"}]

    def control(self, item: Item) -> dict[str, Any]:
        control: dict[str, Any] = {"id": oscal_id(item.scheme, item.id), "class": item.kind, "title": item.title_ja}
        if props := self.labels(item):
            control["props"] = props
        control["links"] = self.link(item)
        statement: dict[str, Any] = {"id": f"{control['id']}_smt", "name": "statement", "prose": item.title_ja}
        statements = [c for c in self.children.get((item.scheme, item.id), []) if c.kind == "statement"]
        if statements:
            statement["parts"] = [
                {
                    "id": oscal_id(s.scheme, s.id),
                    "name": "item",
                    "props": self.labels(s) or None,
                    "prose": s.title_ja,
                    "links": self.link(s),
                }
                for s in statements
            ]
        parts = [statement]
        if item.note_ja:
            parts.append({"id": f"{control['id']}_gdn", "name": "guidance", "prose": item.note_ja})
        control["parts"] = parts
        nested = [c for c in self.children.get((item.scheme, item.id), []) if c.kind != "statement"]
        if nested:
            control["controls"] = [self.control(c) for c in nested]
        return _clean(control)

    def group(self, item: Item, group_kinds: set[str]) -> dict[str, Any]:
        group: dict[str, Any] = {"id": oscal_id(item.scheme, item.id), "class": item.kind, "title": item.title_ja}
        if props := self.labels(item):
            group["props"] = props
        group["links"] = self.link(item)
        children = self.children.get((item.scheme, item.id), [])
        groups = [c for c in children if c.kind in group_kinds]
        controls = [c for c in children if c.kind not in group_kinds]
        if groups and controls:
            raise ValueError(f"{item.scheme}/{item.id}: OSCAL (trestle) groups hold groups or controls, not both")
        if groups:
            group["groups"] = [self.group(c, group_kinds) for c in groups]
        if controls:
            group["controls"] = [self.control(c) for c in controls]
        return group

    def catalog(self, scheme: str) -> dict[str, Any]:
        framework = next(f for f in self.data.frameworks if f.scheme == scheme)
        uri = str(iris.scheme(self.base, scheme))
        group_kinds = {"category", "policy", "chapter", "section"}
        top = self.children.get((scheme, ""), [])
        metadata = self.metadata(framework.title_ja, uri)
        metadata["props"] = [
            {"name": "title-en", "ns": self.ns, "value": framework.title_en},
            {"name": "label", "value": framework.notation},
        ]
        if framework.publisher_ja:
            metadata["remarks"] = f"{framework.publisher_ja} / {framework.publisher_en}"
        catalog: dict[str, Any] = {"uuid": uuid_of(f"{uri}#oscal-catalog/{self.release}"), "metadata": metadata}
        controls = [self.control(i) for i in top if i.kind not in group_kinds]
        groups = [self.group(i, group_kinds) for i in top if i.kind in group_kinds]
        if controls:
            catalog["controls"] = controls
        if groups:
            catalog["groups"] = groups
        return {"catalog": catalog}

    def target_type(self, item_id: str) -> str:
        return "group" if self.known[(CCDS, item_id)].kind in {"chapter", "section"} else "control"

    def mappings(self) -> dict[str, Any]:
        collection_uri = f"{iris.dataset(self.base)}#oscal-mapping/{self.release}"
        result = []
        for framework in self.data.frameworks:
            if framework.scheme == CCDS:
                continue
            rows = [m for m in self.data.mappings if m.scheme == framework.scheme]
            if not rows:
                continue
            maps, mapped, unmapped = [], set(), []
            for row in rows:
                subject = subject_id(row, self.known)
                item = self.known[(row.scheme, subject)]
                control = item if item.kind != "statement" else self.known[(row.scheme, item.parent)]
                record = self._record_uri(row, subject)
                if row.no_correspondence:
                    unmapped.append(oscal_id(row.scheme, control.id))
                    continue
                mapped.add(oscal_id(row.scheme, control.id))
                props = [
                    {"name": "relation", "ns": self.ns, "value": framework.relation},
                    {"name": "printed-section", "ns": self.ns, "value": row.section},
                ]
                if row.item:
                    props.append({"name": "printed-item", "ns": self.ns, "value": row.item})
                if row.qualifier:
                    props.append({"name": "printed-qualifier", "ns": self.ns, "value": row.qualifier})
                props += [{"name": "erratum", "ns": self.ns, "value": e} for e in filter(None, row.erratum.split(";"))]
                source_type = "statement" if item.kind == "statement" else "control"
                maps.append(
                    {
                        "uuid": uuid_of(record),
                        "relationship": "intersects-with",
                        "sources": [{"type": source_type, "id-ref": oscal_id(row.scheme, subject)}],
                        "targets": [{"type": self.target_type(row.target), "id-ref": oscal_id(CCDS, row.target)}],
                        "props": props,
                        "links": [{"href": record, "rel": "canonical"}],
                    }
                )
            mapping: dict[str, Any] = {
                "uuid": uuid_of(f"{iris.scheme(self.base, framework.scheme)}#oscal-mapping/{self.release}"),
                "source-resource": {"type": "catalog", "href": catalog_file(framework.scheme)},
                "target-resource": {"type": "catalog", "href": catalog_file(CCDS)},
                "maps": maps,
                "props": [{"name": "relation", "ns": self.ns, "value": framework.relation}],
            }
            gaps = sorted(set(unmapped) - mapped, key=unmapped.index)
            if gaps:
                mapping["source-gap-summary"] = {
                    "uuid": uuid_of(f"{iris.scheme(self.base, framework.scheme)}#oscal-gaps/{self.release}"),
                    "unmapped-controls": [{"with-ids": gaps}],
                }
            result.append(mapping)
        metadata = self.metadata("CCDS スマートホーム編 関連ガイドライン対応表 (OSCAL mapping)", collection_uri)
        return {
            "mapping-collection": {
                "uuid": uuid_of(collection_uri),
                "metadata": metadata,
                "provenance": {
                    "method": "human",
                    "matching-rationale": "semantic",
                    "status": "complete",
                    "mapping-description": "The correspondence tables 2-1 to 5-1 of the CCDS smart-home guideline "
                    "Appendix, row by row as printed, with misprinted targets resolved (see the errata).",
                },
                "mappings": result,
            }
        }

    def _record_uri(self, row: Any, subject: str) -> str:
        return str(iris.mapping(self.base, row.scheme, subject, target_key(row)))


def _clean(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def _text(document: dict[str, Any]) -> str:
    return json.dumps(_clean(document), ensure_ascii=False, indent=1) + "\n"


def export_oscal(settings: Settings, built: Built, directory: Path) -> list[Artefact]:
    writer = _Writer(settings, built)
    artefacts: list[Artefact] = []
    for framework in built.data.frameworks:
        artefacts += write_with_companions(
            directory / catalog_file(framework.scheme),
            _text(writer.catalog(framework.scheme)),
            f"OSCAL {OSCAL_VERSION} catalog of {framework.notation}",
        )
    artefacts += write_with_companions(
        directory / MAPPING_FILE, _text(writer.mappings()), f"OSCAL {OSCAL_VERSION} mapping collection (crosswalk)"
    )
    return artefacts
