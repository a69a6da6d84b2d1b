"""coverage-flows.ja.svg and coverage-flows.en.svg: the coverage Sankey (frameworks → CCDS sections), drawn at
build time from the release's own graphs by the same functions as the /coverage page (analysis.coverage and
analysis.diagrams), so its numbers are the coverage matrix's. Links in the files are the dataset's URIs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ccds_crosswalk import iris
from ccds_crosswalk.analysis.coverage import coverage_chart
from ccds_crosswalk.analysis.diagrams import coverage_sankey
from ccds_crosswalk.engine.backend import select_on
from ccds_crosswalk.release.serialise import write_with_companions

if TYPE_CHECKING:
    from ccds_crosswalk.release.pipeline import Built
    from ccds_crosswalk.release.serialise import Artefact
    from ccds_crosswalk.settings import Settings

GRAPHS = "crosswalk-graphs.nq"  # written before the exporters run


def flow_file(lang: str) -> str:
    return f"coverage-flows.{lang}.svg"


def export_flows(settings: Settings, built: Built, directory: Path) -> list[Artefact]:
    base = settings.base_uri
    store = ox.Store()
    store.load(path=directory / GRAPHS, format=ox.RdfFormat.N_QUADS)
    frameworks = [
        {
            "uri": str(iris.scheme(base, f.scheme)),
            "notation": f.notation,
            "label": {"ja": f.title_ja, "en": f.title_en},
        }
        for f in sorted(built.data.frameworks, key=lambda f: (f.chapter != "", f.chapter))  # Appendix order
        if f.chapter
    ]
    chart = coverage_chart(lambda query: select_on(store, query), base, frameworks)
    artefacts = []
    for lang in ("ja", "en"):
        svg = coverage_sankey(chart, lang, str).svg()
        text = f'<?xml version="1.0" encoding="utf-8"?>\n{svg}\n'
        what = "Coverage flow diagram (Sankey, SVG), " + ("Japanese" if lang == "ja" else "English")
        artefacts += write_with_companions(directory / flow_file(lang), text, what)
    return artefacts
