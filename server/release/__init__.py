"""The build: data/ → the artefacts of one release, in stages, each a module with one job.

    load       data/*.csv, data/etsi.csv                → typed records                    (load.py)
    compile    records                                  → asserted graph, ETSI links       (compile.py, exports/etsi.py)
    reason     asserted + ontology/ + SKOS axioms       → inferred graph                   (reason.py)
    validate   asserted + ontology, shapes/             → report; a violation stops it     (validate.py)
    serialise  graphs                                   → dumps in every graph and dataset format of the
                                                          format table, .gz, .sha256       (serialise.py)
               exports                                  → SSSOM, OSCAL, CSV/XLSX, change set (exports/)
               everything written                       → VoID/DCAT, SHA256SUMS, manifest  (metadata.py, serialise.py)
    render     the release                              → site/: every document and page, as served (render.py)

`pipeline.run_build` only orchestrates them; `pipeline.check` (the CLI's `validate`) runs load, compile and
validate exactly as the build does. Output is byte-identical from one build to the next: sorted input to the
writers (ccds_crosswalk.rdfwriter, rdflib's Turtle, jsonld.py), gzip without time stamps. URIs come from
ccds_crosswalk.iris, media types and extensions from ccds_crosswalk.formats.
"""
