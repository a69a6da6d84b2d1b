"""What YASGUI (the SPARQL editor on /query, vendored in static/yasgui/) is told by the page: our endpoint, our
prefixes for completion and for a new tab's query, the canned queries as examples, and the page's own query.
It travels as a JSON data block in the page (static/query.js reads it), so the script carries no data."""

from __future__ import annotations

import json
from typing import Any

from ccds_crosswalk.queries import CannedQuery

# declared at the top of a new tab's query, after the crosswalk's own prefixes
COMMON_PREFIXES = ("rdf", "rdfs", "owl", "xsd", "skos")
NEW_TAB_BODY = "SELECT ?item ?label WHERE {\n  ?item skos:prefLabel ?label .\n}\nLIMIT 10\n"


def prefix_block(prefixes: dict[str, str], base: str) -> str:
    own = [name for name, namespace in prefixes.items() if namespace.startswith(base)]
    names = own + [name for name in COMMON_PREFIXES if name in prefixes]
    return "".join(f"PREFIX {name}: <{prefixes[name]}>\n" for name in names)


def editor_config(
    canned: list[CannedQuery],
    texts: dict[str, str],
    titles: dict[str, str],
    prefixes: dict[str, str],
    base: str,
    current: dict[str, Any] | None,
) -> str:
    """The JSON data block: `texts` are the canned queries localised to our base, `titles` their titles in the
    page's language, `current` the query the page was asked for ({title, query}) or None."""
    config = {
        "endpoint": "/sparql",
        "prefixes": prefixes,
        "newTabQuery": prefix_block(prefixes, base) + "\n" + NEW_TAB_BODY,
        "examples": [{"name": q.name, "title": titles.get(q.name, q.title), "query": texts[q.name]} for q in canned],
        "current": current,
    }
    # inside <script type="application/json">: no "<" at all, so no "</script>" or "<!--" can end the block early
    return json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
