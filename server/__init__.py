"""ccds-crosswalk: the CCDS smart-home guideline Appendix crosswalk as linked data.

    release/   data/ → the artefacts of a release (the build)          formats.py    the one format table
    engine/    SPARQL on a release, with limits that really stop       rdfwriter.py  the one RDF writer
    web/       the HTTP service: URIs, endpoint, pages, downloads       iris.py       the URI patterns
    analysis/  compare and gap through CCDS                             settings.py   the one Settings object
    cli.py     the command line (build, validate, query, serve, publish, compare, gap)

Dependencies point one way: web → engine, analysis, release (vocabularies, the change set); analysis → engine,
release; engine → formats, rdfwriter, iris, settings. Only the build's render stage (release/render.py) and
static_site.py reach into web/, for its templates and view code; nothing imports cli.py.
"""
