"""Exports for other tool chains, written by the build beside the RDF dumps (stage 5, serialise).

Each exporter is a function (settings, built, directory) -> list[Artefact] that writes its files into the
release directory (deterministically, with .gz/.sha256 companions via serialise.write_with_companions) and
returns them, so they are listed in the manifest, the checksums, the DCAT description and the downloads page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

__all__ = ["exporters"]

if TYPE_CHECKING:
    from ccds_crosswalk.release.pipeline import Built
    from ccds_crosswalk.release.serialise import Artefact
    from ccds_crosswalk.settings import Settings

Exporter = Callable[["Settings", "Built", Path], list["Artefact"]]


def exporters() -> list[Exporter]:
    """The exporters in the order they run; each module registers itself here by name."""
    from ccds_crosswalk.release.exports.diff import export_diff
    from ccds_crosswalk.release.exports.etsi import export_etsi
    from ccds_crosswalk.release.exports.flows import export_flows
    from ccds_crosswalk.release.exports.oscal import export_oscal
    from ccds_crosswalk.release.exports.spreadsheets import export_spreadsheets
    from ccds_crosswalk.release.exports.sssom import export_sssom

    found: list[Exporter] = [export_oscal, export_diff, export_sssom, export_spreadsheets, export_etsi, export_flows]
    return found
