"""The build: data/ → artefacts, in six stages, each a module with one job.

    load       data/*.csv                       → typed records          (load.py)
    compile    records                          → asserted data graph     (compile.py)
    reason     data + ontology + SKOS axioms    → inferred graph          (reason.py)
    validate   data + ontology, shapes/         → report; violations stop (validate.py)
    serialise  graphs                           → dumps, .gz, .sha256, VoID/DCAT, manifest (serialise.py, metadata.py)
    render     the release                      → site/: every document and page, as served (render.py)

`run_build` only orchestrates them; `pipeline.py` holds it.
"""
