"""A gap result as an OSCAL profile: the controls that remain, selected from the release's own catalog.

Why a profile and not assessment-results: a profile is a selection of controls from a catalog, which is exactly
what a gap result is ("these CCDS requirements are still to do"), and it needs nothing we do not have. An
assessment-results document must import an assessment plan and describe who assessed what when; a crosswalk
infers coverage from printed correspondences and has no assessment to report.

The profile imports oscal-catalog-<scheme>.json of the release (at its stable release URL) and includes the
controls whose status is remaining or partial; each partial one is named in the metadata `remarks`
with the 共通要件 already met. IDs are the catalog's (oscal_id), the UUID is uuid5 of the request, the timestamp
the release date: the same request gives the same bytes.
"""

from __future__ import annotations

import json

from ccds_crosswalk.analysis.gap import PARTIAL, REMAINING, Gap, GapError
from ccds_crosswalk.analysis.model import ETSI, Model
from ccds_crosswalk.release.exports.oscal import OSCAL_VERSION, catalog_file, oscal_id, uuid_of

MEDIA_TYPE = "application/oscal+json"


def profile(model: Model, result: Gap, release: str, issued: str) -> dict:
    if result.against == ETSI:
        raise GapError("ETSI EN 303 645 has no OSCAL catalog in this release; choose a table format instead")
    base = model.base
    todo = [line for line in result.lines if line.status in (REMAINING, PARTIAL)]
    if not todo:  # a profile must select at least one control
        raise GapError("nothing remains, so the OSCAL profile of the remaining controls would be empty")
    held = ",".join(sorted(h.item + (f"#{h.statement}" if h.statement else "") for h in result.held))
    request = f"{base}release/{release}#gap?against={result.against}&level={result.level or ''}&have={held}"
    partial = [f"{line.item.notation}: 共通要件 No.{','.join(line.common)} met" for line in todo if line.common]
    level = {2: " (★★)", 3: " (★★★)"}.get(result.level or 0, "")
    stamp = f"{issued}T00:00:00+00:00"
    metadata = {
        "title": f"Remaining {model.scheme_labels[result.against]['notation']} controls{level}",
        "published": stamp,
        "last-modified": stamp,
        "version": release,
        "oscal-version": OSCAL_VERSION,
        "remarks": "Derived by ccds-crosswalk gap from the printed correspondences of the CCDS Appendix "
        "(errata applied). Held: "
        + ", ".join(model.items[h.item].notation for h in result.held)
        + (". Partly met: " + "; ".join(partial) if partial else ""),
    }
    document: dict = {"uuid": uuid_of(request), "metadata": metadata}
    document["imports"] = [
        {
            "href": f"{base}release/{release}/{catalog_file(result.against)}",
            "include-controls": [{"with-ids": [oscal_id(line.item.scheme, line.item.id) for line in todo]}],
        }
    ]
    document["merge"] = {"as-is": True}
    return {"profile": document}


def profile_bytes(model: Model, result: Gap, release: str, issued: str) -> bytes:
    return (json.dumps(profile(model, result, release, issued), ensure_ascii=False, indent=1) + "\n").encode()
