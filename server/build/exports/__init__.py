"""Exports for other tool chains, written by the build beside the RDF dumps (stage 5, serialise).

Each exporter is a function (settings, built, directory) -> list[Artefact] that writes its files into the
release directory (deterministically, with .gz/.sha256 companions via serialise.write_with_companions) and
returns them, so they are listed in the manifest, the checksums, the DCAT description and the downloads page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.build.pipeline import Built
    from server.build.serialise import Artefact
    from server.settings import Settings

Exporter = Callable[["Settings", "Built", Path], list["Artefact"]]


def exporters() -> list[Exporter]:
    """The exporters in the order they run; each module registers itself here by name."""
    from server.build.exports.diff import export_diff
    from server.build.exports.etsi import export_etsi
    from server.build.exports.oscal import export_oscal
    from server.build.exports.spreadsheets import export_spreadsheets
    from server.build.exports.sssom import export_sssom

    found: list[Exporter] = [export_oscal, export_diff, export_sssom, export_spreadsheets, export_etsi]
    return found
