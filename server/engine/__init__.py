"""The query engine: answers SPARQL on a built release, and stops a query that runs too long for real.

    web/sparql.py, web/pages.py ─┐                       (the web app; the CLI's `query` calls evaluate directly)
                                 ▼
    policy.refusal(query)           refuse SERVICE and over-long queries before anything runs (lexis.py: where
                                    the query's strings, IRIs and comments are, one scan shared with cheap.shape)
    cache.ResultCache               a release never changes: the same request gets the same bytes (bounded LRU)
    backend.Backend                 what the app asks: exists / triples / select (cheap, fixed) and sparql (user)
    ├── backend.Embedded            cheap lookups in-process on the release's pyoxigraph store, and user
    │                               SPARQL of a shape proven cheap (cheap.py; while others wait, one that is
    │                               not tiny goes to an idle worker); all other user SPARQL to the pool ↓
    └── remote.Remote               all of it on a remote endpoint (Oxigraph, Virtuoso) through SPARQLWrapper
                                 │
                                 ▼  jobs.QueryRequest (pickled over a pipe)
    pool.QueryPool                  worker processes forked from a fork server that imported their code
    │                               (a replacement starts in milliseconds, then loads its store: ~0.1 s);
    │                               a watchdog kills a worker whose query passed its deadline and re-sends
    │                               the innocent queries it held to another worker
    └── worker.main                 one process, a few threads, two stores: the full one, and a copy of the
        │                           union for a query that names no graph while no other uses it (queries on
        │                           one store at once slow each other down); a query past 10 ms of CPU runs
        │                           at nice 10, past 1 s at SCHED_IDLE
        └── evaluate.evaluate       the query's RDF dataset (SPARQL 1.1 Protocol), pyoxigraph evaluation,
                                    the answer written within the row and byte caps:
                                    results.py (SELECT/ASK: JSON written by pyoxigraph, XML, CSV, TSV),
                                    rdfwriter (CONSTRUCT/DESCRIBE)
                                 │
                                 ▼  jobs.QueryAnswer, or jobs.QueryError (4xx the client's, 5xx the service's)

    store.load_store                a release's dumps → an in-memory pyoxigraph store (all graphs, named);
    store.load_union_store          … → the union of its graphs only (the web process's, a worker's copy)

The engine imports nothing from web/ or the CLI; formats come from ccds_crosswalk.formats.
"""
