"""Every JSON-LD file we publish is read by a JSON-LD 1.0 reader: Debian's Apache Jena 4.5 (`riot --validate
--syntax=jsonld10`, its jsonld-java reader; its 1.1 reader needs a jakarta.json provider Debian does not ship).
The release's dumps read by that reader give exactly the triples of the N-Triples dumps; the documents served
over HTTP (the context, negotiated dumps, resource documents, the embedded JSON-LD of a page, SPARQL CONSTRUCT and
the Service Description) validate too.

Expected value from the source: UK1 is printed 「デフォルトパスワードを使用しない」 (table 4-1, line 4536 of
data/source/appendix.txt)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import httpx
import jena_cli
import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import isomorphic

BASE = "https://w3id.org/ccds-crosswalk/"
JSONLD = "application/ld+json"
UK1_TITLE = "デフォルトパスワードを使用しない"


def validate(jena: str, files: list[Path]) -> None:
    """riot --validate with the 1.0 reader on all files at once: exit 0 and not a warning or error."""
    done = jena_cli.run(jena, "riotcmd.riot", "--validate", "--syntax=jsonld10", *map(str, files))
    problems = [line for line in done.stderr.splitlines() if " WARN " in line or " ERROR " in line]
    assert done.returncode == 0 and problems == [], done.stderr[-3000:]


def read_as_ntriples(jena: str, file: Path) -> str:
    done = jena_cli.run(jena, "riotcmd.riot", "--syntax=jsonld10", "--output=nt", str(file))
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_context_is_jsonld_10(release_dir: Path) -> None:
    context = json.loads((release_dir / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert "@version" not in context


def test_every_released_jsonld_file_validates_with_a_10_reader(jena: str, release_dir: Path) -> None:
    files = sorted(release_dir.glob("*.jsonld")) + sorted(release_dir.glob("*.jsonld.gz"))
    assert {f.name for f in files} >= {"context.jsonld", "crosswalk.jsonld", "ontology.jsonld"}
    validate(jena, files)


def test_the_10_reader_gets_the_triples_of_the_ntriples_dumps(jena: str, release_dir: Path) -> None:
    pairs = [(j, j.with_suffix(".nt")) for j in sorted(release_dir.glob("*.jsonld")) if j.with_suffix(".nt").exists()]
    assert len(pairs) >= 3
    for jsonld, ntriples in pairs:
        text = read_as_ntriples(jena, jsonld)
        from_jena = set(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
        dump = set(ox.parse(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES))
        assert len(from_jena) == len(dump) > 0, jsonld.name
        if any(isinstance(term, ox.BlankNode) for triple in dump for term in triple):  # labels differ: compare graphs
            assert isomorphic(Graph().parse(data=text, format="nt"), Graph().parse(ntriples, format="nt")), jsonld.name
        else:
            assert from_jena == dump, jsonld.name


def test_every_served_jsonld_document_validates_with_a_10_reader(jena: str, server: str, tmp_path: Path) -> None:
    served = {
        "context": "/context.jsonld",
        "crosswalk": "/crosswalk",
        "ontology": "/ontology",
        "dataset": "/dataset",
        "scheme": "/doc/uk-cop.jsonld",
        "uk1": "/id/uk-cop/UK1",
        "service-description": "/sparql",
        "construct": "/sparql?query=" + quote(f"DESCRIBE <{BASE}id/uk-cop/UK1>"),
    }
    files = []
    with httpx.Client(base_url=server, timeout=30, follow_redirects=True) as client:
        for name, path in served.items():
            response = client.get(path, headers={"Accept": JSONLD})
            assert response.status_code == 200, (path, response.text[:300])
            assert response.headers["content-type"].startswith(JSONLD), path
            files.append(tmp_path / f"{name}.jsonld")
            files[-1].write_bytes(response.content)
        page = client.get("/doc/uk-cop/UK1.html").text
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert embedded, "the item page embeds its JSON-LD"
    files.append(tmp_path / "embedded.jsonld")
    # a <script> element's text is not HTML-escaped; "<\/" is the JSON escape of "</"
    files[-1].write_text(embedded.group(1), encoding="utf-8")
    validate(jena, files)
    for name in ("uk1", "embedded"):
        assert f'"{UK1_TITLE}"@ja' in read_as_ntriples(jena, tmp_path / f"{name}.jsonld"), name
