"""SHACL (pySHACL, the reference validator) plus the identifier checks, as one report."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg import identifiers
from kg.load import SourceIndex
from kg.namespaces import DEFAULT_BASE, SH, bind
from kg.report import ERROR, INFO, LOAD_ERROR, VIOLATION, WARNING, Report, Result

SEVERITIES = {SH.Violation: VIOLATION, SH.Warning: WARNING, SH.Info: INFO}


def validate(data: Graph, shapes: Graph, ontology: Graph, index: SourceIndex | None = None) -> Report:
    """Validate ``data`` against ``shapes`` (with ``ontology`` for class hierarchy)."""
    _, results_graph, _ = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none",
        advanced=True, allow_warnings=True, allow_infos=True,
    )
    results = shacl_results(results_graph, shapes) + identifiers.check_graph(data)
    index = index or SourceIndex()
    located = [
        Result(r.severity, r.focus, r.path, r.value, r.message, r.constraint, r.shape,
               index.locate(r.focus, r.path), label_of(data, r.focus))
        for r in results
    ]
    located.sort(key=lambda r: (str(r.location.file) if r.location else "~",
                                r.location.line or 0 if r.location else 0, r.severity, str(r.focus)))
    return Report(located)


def shacl_results(results_graph: Graph, shapes: Graph) -> list[Result]:
    """The results of a SHACL validation report graph, messages by language."""
    out = []
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        messages = {}
        constraint = results_graph.value(node, SH.sourceConstraint)
        for message in results_graph.objects(node, SH.resultMessage):
            lang = message.language or template_language(shapes, constraint, str(message)) or "en"
            messages.setdefault(lang, str(message))
        component = results_graph.value(node, SH.sourceConstraintComponent)
        out.append(Result(
            severity=SEVERITIES.get(results_graph.value(node, SH.resultSeverity), VIOLATION),
            focus=results_graph.value(node, SH.focusNode),
            path=results_graph.value(node, SH.resultPath),
            value=results_graph.value(node, SH.value),
            message=messages,
            constraint=results_graph.namespace_manager.normalizeUri(component) if component else "",
            shape=results_graph.value(node, SH.sourceShape),
        ))
    return out


def template_language(shapes: Graph, constraint, message: str) -> str | None:
    """The language of the sh:message template that ``message`` was filled in from.

    pySHACL 0.40 drops the language tag of a SPARQL constraint's message when it
    fills in ``{?var}``; the result keeps sh:sourceConstraint, whose templates tell.
    """
    for template in shapes.objects(constraint, SH.message):
        parts = re.split(r"\{[?$]\w+\}", str(template))
        if re.fullmatch(".*".join(re.escape(part) for part in parts), message, re.DOTALL):
            return template.language
    return None


def label_of(graph: Graph, node) -> str | None:
    """A human label of ``node``: Japanese first."""
    labels = list(graph.objects(node, RDFS.label)) or list(graph.objects(node, SKOS.prefLabel))
    for lang in ("ja", "en", None):
        for label in labels:
            if getattr(label, "language", None) == lang:
                return str(label)
    return str(labels[0]) if labels else None


# --- report formats -----------------------------------------------------------

def _compact(graph: Graph, node) -> str:
    if node is None:
        return ""
    if isinstance(node, Literal):
        return node.n3()
    if str(node).startswith(DEFAULT_BASE):
        return str(node)[len(DEFAULT_BASE):]  # as a clerk writes it in data/: org/132209
    try:
        return graph.namespace_manager.normalizeUri(node)
    except Exception:  # blank nodes and IRIs without a prefix
        return node.n3()


def report_text(report: Report, lang: str = "ja") -> str:
    """The report for people: the verdict and the count of each file first, then each finding
    grouped by file (``file:line``, focus label, constraint, message and fix, ``lang`` first)."""
    nm = bind(Graph())
    verdict = summary(report)
    lines: list[str] = [verdict]
    per_file = Counter((r.location.file if r.location else "(no file)", r.severity) for r in report.results)
    for where in dict.fromkeys(f for f, _ in per_file):
        counts = ", ".join(f"{per_file[where, s]} {noun}" for s, noun in COUNTED.items() if per_file[where, s])
        lines.append(f"  {where}: {counts}")
    current = object()
    for r in report.results:
        where = r.location.file if r.location else "(no file)"
        if where != current:
            lines.append(f"\n{where}")
            current = where
        line = f":{r.location.line}" if r.location and r.location.line else ""
        focus = _compact(nm, r.focus) + (f" 「{r.focus_label}」" if r.focus_label else "")
        lines.append(f"  {where}{line}: {r.severity}" + (f": {focus}" if focus else ""))
        if r.path is not None:
            lines.append(f"    property: {_compact(nm, r.path)}" + (f"  value: {_compact(nm, r.value)}"
                                                                     if r.value is not None else ""))
        if r.constraint != LOAD_ERROR:
            lines.append(f"    constraint: {r.constraint}")
        for code in dict.fromkeys((lang, "ja", "en")):
            if code in r.message:
                lines.append(f"    {code}: {r.message[code]}")
                if code in r.fix:
                    lines.append(f"      {FIX_LABEL[code]}: {r.fix[code]}")
    if len(report.results) > 1:
        lines.append(f"\n{verdict}")
    return "\n".join(lines) + "\n"


COUNTED = {ERROR: "error(s)", VIOLATION: "violation(s)", WARNING: "warning(s)", INFO: "note(s)"}
FIX_LABEL = {"ja": "直し方", "en": "fix"}


def summary(report: Report) -> str:
    """The verdict of ``report`` in one line."""
    if report.errors:
        files = len({r.location.file for r in report.errors if r.location})
        return (f"Cannot load: {len(report.errors)} problem(s) in {files} file(s) "
                f"/ 読み込めません: {files} 個のファイルに {len(report.errors)} 件の問題")
    infos = len(report.results) - len(report.violations) - len(report.warnings)
    counts = f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s), {infos} note(s)"
    return f"{'Conforms' if report.conforms else 'Does not conform'}: {counts}"


def report_json(report: Report) -> str:
    """The report as JSON for programs."""
    nm = bind(Graph())
    return json.dumps({
        "conforms": report.conforms,
        "errors": len(report.errors),
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "results": [{
            "severity": r.severity,
            "file": r.location.file if r.location else None,
            "line": r.location.line if r.location else None,
            "focus": None if r.focus is None else str(r.focus),
            "focusLabel": r.focus_label,
            "path": _compact(nm, r.path) or None,
            "value": None if r.value is None else str(r.value),
            "constraint": r.constraint,
            "message": r.message,
            "fix": r.fix or None,
        } for r in report.results],
    }, ensure_ascii=False, indent=2) + "\n"


def report_graph(report: Report) -> Graph:
    """The report as a SHACL validation report graph (Turtle for RDF tools)."""
    from rdflib import BNode
    from rdflib.namespace import XSD

    g = bind(Graph())
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms, datatype=XSD.boolean)))
    inverse = {v: k for k, v in SEVERITIES.items()}
    for r in report.results:
        node = BNode()
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.resultSeverity, inverse.get(r.severity, SH.Violation)))
        if r.focus is not None:
            g.add((node, SH.focusNode, r.focus))
        elif r.location:  # a loading error: its focus is the file that cannot be read
            g.add((node, SH.focusNode, URIRef(Path(r.location.file).resolve().as_uri())))
        if r.path is not None:
            g.add((node, SH.resultPath, r.path))
        if r.value is not None:
            g.add((node, SH.value, r.value))
        for lang, text in r.message.items():
            g.add((node, SH.resultMessage, Literal(text, lang=lang)))
        for lang, text in r.fix.items():
            g.add((node, SKOS.note, Literal(text, lang=lang)))
        if r.shape is not None:
            g.add((node, SH.sourceShape, r.shape))
        if ":" in r.constraint and not r.constraint.startswith("kg:"):
            g.add((node, SH.sourceConstraintComponent, g.namespace_manager.expand_curie(r.constraint)))
        if r.location:
            g.add((node, RDFS.comment, Literal(str(r.location))))
    return g
