"""Provenance that resolves: every release publishes the Appendix text it was read from (appendix.txt, with its
checksums and a DCAT distribution), and every record, item, erratum and framework that gives a source line also
cites it as a URI into that text with an RFC 5147 fragment, which a reader (here: this test, slicing the text as
RFC 5147 §3 says, without the project's code) can follow to the printed line.

RFC 5147 counts line *positions* from 0, before the first line: `#line=a,b` is the text between positions a
and b, i.e. the lines a+1 … b counted from 1. Printed line n is therefore `#line=n-1,n`.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD

from ccds_crosswalk import iris
from ccds_crosswalk.release.pipeline import Built
from ccds_crosswalk.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "source" / "appendix.txt"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FRAGMENT = re.compile(r"line=(\d+),(\d+)")


def follow(citation: str, text: str, base: str) -> str:
    """The text an RFC 5147 line-range citation selects (§3: positions between lines, counted from 0)."""
    document, _, fragment = citation.partition("#")
    assert document == f"{base}source/appendix.txt", citation
    match = FRAGMENT.fullmatch(fragment)
    assert match, f"not an RFC 5147 line range: {citation}"
    start, end = int(match[1]), int(match[2])
    return "".join(text.splitlines(keepends=True)[start:end])


def test_the_rule_on_the_first_and_a_known_line() -> None:
    base = "https://example.org/x/"
    assert str(iris.source_line(base, 1)) == f"{base}source/appendix.txt#line=0,1"
    # seed line 4547 prints UK1's first CCDS target: "SR2-SP-1「共通要件への対応」※共通要件 No.6"
    citation = str(iris.source_line(base, 4547))
    assert citation.endswith("#line=4546,4547")
    assert follow(citation, SEED.read_text(encoding="utf-8"), base).startswith("SR2-SP-1「共通要件への対応」")


def test_the_release_publishes_the_source_text_as_it_is(release_dir: Path) -> None:
    published = release_dir / "appendix.txt"
    assert published.read_bytes() == SEED.read_bytes()
    digest = hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert f"{digest}  appendix.txt\n" in (release_dir / "SHA256SUMS").read_text(encoding="utf-8")
    assert (release_dir / "appendix.txt.sha256").read_text(encoding="utf-8") == f"{digest}  appendix.txt\n"
    files = {f["name"]: f for f in json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))["files"]}
    assert files["appendix.txt"]["media_type"] == "text/plain"
    assert files["appendix.txt"]["sha256"] == digest
    assert files["appendix.txt"]["size"] == SEED.stat().st_size


def test_dcat_describes_the_source_text(release_dir: Path, settings: Settings) -> None:
    base, version = settings.base_uri, settings.release
    void = Graph().parse(release_dir / "void.ttl")
    text, distribution = iris.source_text(base), iris.distribution(base, version, "appendix.txt")
    digest = hashlib.sha256(SEED.read_bytes()).hexdigest()
    for dataset in (iris.dataset(base), iris.release(base, version)):
        assert (dataset, DCTERMS.source, text) in void
    assert (iris.release(base, version), DCAT.distribution, distribution) in void
    assert (distribution, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/text/plain")) in void
    assert (text, DCTERMS.format, Literal("text/plain; charset=utf-8")) in void
    assert (text, DCTERMS.isFormatOf, iris.source_document(base)) in void
    for node in (text, distribution):
        checksum = void.value(node, SPDX.checksum)
        assert checksum is not None, node
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert void.value(checksum, SPDX.checksumValue) == Literal(digest, datatype=XSD.hexBinary)


def test_every_source_line_is_cited_as_a_uri_into_the_text(built: Built, settings: Settings) -> None:
    x = Namespace(f"{settings.base_uri}ontology#")
    lines = {s: int(o) for s, o in built.asserted.subject_objects(x.sourceLine)}
    cited = {s: str(o) for s, o in built.asserted.subject_objects(PROV.wasQuotedFrom)}
    assert len(lines) > 494  # every record, and the items, errata and frameworks that give a line
    assert set(cited) == set(lines)
    for node, line in lines.items():
        assert cited[node] == f"{settings.base_uri}source/appendix.txt#line={line - 1},{line}", node


def test_a_citation_leads_to_what_the_row_prints(built: Built, settings: Settings) -> None:
    """Each record's citation selects the line printing its CCDS item ID (or 該当なし); a section cited as a
    whole is cited where its number or title is printed (data/README.md), so it is checked by number only
    when the line shows one."""
    x = Namespace(f"{settings.base_uri}ontology#")
    text = SEED.read_text(encoding="utf-8")
    checked, failures = 0, []
    for record in built.asserted.subjects(x.sourceLine):
        if (record, x.sequence, None) not in built.asserted:
            continue  # not a mapping record
        printed = follow(str(built.asserted.value(record, PROV.wasQuotedFrom)), text, settings.base_uri)
        assert printed.count("\n") == 1, printed  # exactly one line
        item = built.asserted.value(record, x.printedItem)
        if built.asserted.value(record, x.noCorrespondence).toPython():
            expected = "該当なし"
        elif item is not None:
            expected = str(item)
        else:
            continue
        checked += 1
        if expected not in printed.replace(" ", ""):
            failures.append((str(record), expected, printed))
    assert checked > 450
    assert not failures, failures[:5]
