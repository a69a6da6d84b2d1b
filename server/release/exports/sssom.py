"""The crosswalk as an SSSOM mapping set: crosswalk.sssom.tsv (SSSOM/TSV with its YAML metadata block).

One row per mapping record (ccdsx:MappingRecord), in the order of data/mappings/*.csv, including the rows the
Appendix prints as 該当なし (no correspondence): those have object_id sssom:NoTermFound and keep the CCDS guideline
as object_source. record_id is the record's own URI (iris.mapping), so a row can be joined back to the graph.

predicate_id is the ccdsx relation the Appendix states for the framework (ccdsx:detailedBy, ccdsx:referencedBy,
ccdsx:complianceConfirmedBy). All three are sub-properties of ccdsx:correspondsTo, which the ontology declares
rdfs:subPropertyOf skos:relatedMatch: a consumer that only knows SKOS may project every row onto skos:relatedMatch;
no stronger match (close/exact/broad/narrow) is claimed. The labels are the Japanese titles; the comment carries the
target exactly as printed and the errata that affect the row (see data/errata.csv), so the corrected object_id and
the print can both be read from the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ccds_crosswalk import iris
from ccds_crosswalk.release.compile import CCDS, subject_id, target_key
from ccds_crosswalk.release.load import Data, Item, Mapping
from ccds_crosswalk.release.serialise import write_with_companions
from ccds_crosswalk.release.vocab import SEMAPV, SSSOM, prefixes

__all__ = ["export_sssom"]

if TYPE_CHECKING:
    from ccds_crosswalk.release.pipeline import Built
    from ccds_crosswalk.release.serialise import Artefact
    from ccds_crosswalk.settings import Settings

FILENAME = "crosswalk.sssom.tsv"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
COLUMNS = (
    "record_id",
    "subject_id",
    "subject_label",
    "subject_source",
    "predicate_id",
    "object_id",
    "object_label",
    "object_source",
    "mapping_justification",
    "comment",
)
NO_TERM_FOUND = "sssom:NoTermFound"
JUSTIFICATION = "semapv:ManualMappingCuration"


def curie_map(base: str) -> dict[str, str]:
    """The prefixes the file uses: the crosswalk's own plus sssom/semapv; `cwid` covers the scheme URIs."""
    own = prefixes(base)
    wanted = ("ccdsx", "iotsg", "cpsf", "ukcop", "sb327", "ccds", "mapping")
    found = {name: own[name] for name in wanted}
    found["cwid"] = iris.id_space(base)  # the frameworks themselves ({base}id/uk-cop), subject_/object_source
    found["sssom"] = str(SSSOM)
    found["semapv"] = str(SEMAPV)
    return found


def compress(uri: str, prefix_map: dict[str, str]) -> str:
    """The CURIE of a URI under the longest matching namespace (the map holds every namespace the file uses)."""
    best = max(
        ((name, ns) for name, ns in prefix_map.items() if uri.startswith(ns) and len(uri) > len(ns)),
        key=lambda pair: len(pair[1]),
        default=None,
    )
    if best is None:
        raise ValueError(f"{uri} is under no prefix of the SSSOM curie_map")
    return f"{best[0]}:{uri[len(best[1]) :]}"


def printed_text(mapping: Mapping) -> str:
    """The target as the Appendix prints it: section [title] / item [title] / qualifier, or 該当なし."""
    if mapping.no_correspondence:
        return "該当なし"
    parts = [f"{mapping.section} {mapping.section_title}".strip()]
    if mapping.item or mapping.item_title:
        parts.append(f"{mapping.item} {mapping.item_title}".strip())
    if mapping.qualifier:
        parts.append(f"※{mapping.qualifier}")
    return " / ".join(parts)


def comment(mapping: Mapping) -> str:
    errata = [e.strip() for e in mapping.erratum.split(";") if e.strip()]
    text = f"printed: {printed_text(mapping)}"
    if errata:
        text += f"; erratum: {', '.join(errata)}"
    return text


def rows(base: str, data: Data) -> list[dict[str, str]]:
    """The mapping rows, as the TSV holds them (CURIEs), in the order of the source tables."""
    prefix_map = curie_map(base)
    known: dict[tuple[str, str], Item] = {(item.scheme, item.id): item for item in data.items}
    relation = {f.scheme: f.relation for f in data.frameworks}
    ns = iris.ontology_ns(base)
    found = []
    for mapping in data.mappings:
        subject = subject_id(mapping, known)
        record = iris.mapping(base, mapping.scheme, subject, target_key(mapping))
        row = {
            "record_id": compress(str(record), prefix_map),
            "subject_id": compress(str(iris.item(base, mapping.scheme, subject)), prefix_map),
            "subject_label": known[(mapping.scheme, subject)].title_ja,
            "subject_source": compress(str(iris.scheme(base, mapping.scheme)), prefix_map),
            "predicate_id": compress(str(ns[relation[mapping.scheme]]), prefix_map),
            "object_id": NO_TERM_FOUND,
            "object_label": "",
            "object_source": compress(str(iris.scheme(base, CCDS)), prefix_map),
            "mapping_justification": JUSTIFICATION,
            "comment": comment(mapping),
        }
        if not mapping.no_correspondence:
            row["object_id"] = compress(str(iris.item(base, CCDS, mapping.target)), prefix_map)
            row["object_label"] = known[(CCDS, mapping.target)].title_ja
        found.append(row)
    return found


def _yaml_scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def metadata(base: str, version: str) -> list[str]:
    """The YAML metadata block (without the leading '#'), keys in a fixed order."""
    lines = [
        f"mapping_set_id: {_yaml_scalar(str(iris.distribution(base, version, FILENAME)))}",
        f"mapping_set_version: {_yaml_scalar(version)}",
        f"mapping_set_title: {_yaml_scalar('CCDS smart-home guideline crosswalk (Appendix correspondence tables)')}",
        "mapping_set_description: "
        + _yaml_scalar(
            "The Appendix of the CCDS smart-home security guideline (製品分野別セキュリティガイドライン "
            "スマートホーム編) as SSSOM: one row per printed row, with the corrected target as object_id and the "
            "print in the comment. predicate_id is the relation the Appendix states (ccdsx:detailedBy, "
            "ccdsx:referencedBy, ccdsx:complianceConfirmedBy); all are sub-properties of skos:relatedMatch. "
            "Source: CCDS; copyright in the original text remains with CCDS."
        ),
        f"license: {_yaml_scalar(LICENSE)}",
        "creator_label:",
        f"  - {_yaml_scalar('Connected Consumer Device Security Council (CCDS)')}",
        f"mapping_provider: {_yaml_scalar(str(iris.dataset(base)))}",
        "curie_map:",
    ]
    lines += [f"  {name}: {_yaml_scalar(ns)}" for name, ns in sorted(curie_map(base).items())]
    return lines


def _cell(value: str) -> str:
    if any(c in value for c in "\t\r\n"):
        raise ValueError(f"an SSSOM cell may not hold a tab or line break: {value!r}")
    return value


def sssom_text(base: str, version: str, data: Data) -> str:
    header = "".join(f"#{line}\n" for line in metadata(base, version))
    body: Iterable[str] = ("\t".join(_cell(row[c]) for c in COLUMNS) + "\n" for row in rows(base, data))
    return header + "\t".join(COLUMNS) + "\n" + "".join(body)


def export_sssom(settings: Settings, built: Built, directory: Path) -> list[Artefact]:
    text = sssom_text(settings.base_uri, settings.release, built.data)
    return write_with_companions(directory / FILENAME, text, "The crosswalk as an SSSOM mapping set (SSSOM/TSV)")
