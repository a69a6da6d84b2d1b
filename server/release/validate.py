"""Stage 4, validate: the SHACL shapes of shapes/ against the asserted graph (data + ontology).

The inferred graph is not validated: RDFS entailments over SKOS (e.g. every skos:Concept becoming a
member of rdfs:Resource, inverse links) produce false violations. A violation fails the build; warnings
(printed contradictions the data resolves) are reported and kept in the validation report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from ccds_crosswalk import iris
from ccds_crosswalk.release.load import parse_turtle
from ccds_crosswalk.release.vocab import SH, bind_all

__all__ = ["Report", "ValidationFailed", "load_shapes", "report_graph", "require_valid", "run_shapes"]


class ValidationFailed(RuntimeError):
    """The data violates a shape; the message is the readable report."""


@dataclass(frozen=True)
class Finding:
    severity: str
    focus: str
    message: str
    shape: str


@dataclass(frozen=True)
class Report:
    conforms: bool
    findings: tuple[Finding, ...]
    graph: Graph

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "Violation")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "Warning")

    def text(self) -> str:
        lines = [f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"]
        lines += [f"  {f.severity}: <{f.focus}>: {f.message}" for f in self.findings]
        return "\n".join(lines)


def load_shapes(shapes_dir: Path, base: str) -> Graph:
    shapes = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        parse_turtle(shapes, path, path.read_text(encoding="utf-8").replace("__BASE__", base), base)
    return shapes


def _findings(report: Graph) -> tuple[Finding, ...]:
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        findings.append(
            Finding(
                severity=severity,
                focus=str(report.value(result, SH.focusNode)),
                message=str(report.value(result, SH.resultMessage) or ""),
                shape=str(
                    report.value(result, SH.sourceShape)
                    if isinstance(report.value(result, SH.sourceShape), URIRef)
                    else report.value(result, SH.sourceConstraintComponent)
                ),
            )
        )
    return tuple(sorted(findings, key=lambda f: (f.severity != "Violation", f.focus, f.message)))


def run_shapes(asserted: Graph, shapes: Graph, base: str) -> Report:
    conforms, report, _ = validate(
        asserted, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False
    )
    findings = _findings(report)
    return Report(
        conforms=bool(conforms) and not any(f.severity == "Violation" for f in findings),
        findings=findings,
        graph=bind_all(report, base),
    )


def report_graph(report: Report, base: str) -> Graph:
    """The report as a graph without blank nodes (pyshacl's own report uses them), so the file is deterministic."""
    graph = bind_all(Graph(), base)
    node = iris.validation_report(base)
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms)))
    for finding in report.findings:
        key = f"{finding.severity}|{finding.focus}|{finding.message}|{finding.shape}"
        result = iris.validation_result(base, key)
        graph.add((node, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, SH[finding.severity]))
        graph.add((result, SH.focusNode, URIRef(finding.focus)))
        graph.add((result, SH.resultMessage, Literal(finding.message)))
        if finding.shape.startswith(("http", "urn")):
            graph.add((result, SH.sourceShape, URIRef(finding.shape)))
    return graph


def require_valid(report: Report) -> None:
    if report.violations:
        raise ValidationFailed(report.text())
