"""`serve --workers N`: N HTTP processes share one port, each with its own store and query workers, and answer
the same; the server holds no state, so any of them can take any request."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from conftest import start_server, stop_server

UK1 = (
    'PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?l WHERE { ?x skos:notation "UK1" ; skos:prefLabel ?l }'
)


def test_two_http_workers_answer_alike(release_dir: Path, artefacts: Path) -> None:
    process, url = start_server(artefacts, "--workers", "2", "--query-workers", "1")
    try:

        def ask(_: int) -> tuple[int, frozenset[str]]:
            with httpx.Client(timeout=30) as client:  # a new connection each time: spread over both processes
                response = client.get(f"{url}/sparql", params={"query": UK1}, headers={"Accept": "text/csv"})
                return response.status_code, frozenset(response.text.splitlines()[1:])

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, range(40)))
        # table 4-1, seed lines 4536-4538: UK1 デフォルトパスワードを使用しない; official English title
        assert set(answers) == {(200, frozenset({"デフォルトパスワードを使用しない", "No default passwords"}))}
        page = httpx.get(f"{url}/doc/uk-cop/UK1.ttl", timeout=30)
        assert page.status_code == 200 and "No default passwords" in page.text
    finally:
        stop_server(process)
