"""Compliance questions answered from the release's graph, one implementation for the CLI and the web.

    model.py    the mapping records (legs), the CCDS hierarchy and the ETSI derivations, read by SPARQL
    compare.py  A ↔ B through shared CCDS targets: derived pairs, each naming both legs and its errata
    gap.py      what a set of held items covers (CCDS per component and level), and the reverse
    tabular.py  one table of output formats (table, csv, tsv, json, xlsx) for both
    sankey.py   the flow diagram as a self-contained SVG (no script), for coverage and comparisons
    oscal.py    a gap result as an OSCAL profile of the requirements that remain

Every answer is computed from the mapping records as corrected by the errata; nothing is typed in here.
"""
