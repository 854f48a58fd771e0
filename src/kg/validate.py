"""SHACL (pySHACL, the reference validator) plus the identifier checks, as one report."""

from __future__ import annotations

import re
from dataclasses import replace

from pyshacl import validate as shacl_validate
from rdflib import RDF, RDFS, Graph
from rdflib.namespace import SKOS

from kg import identifiers
from kg.load import SourceIndex
from kg.namespaces import SH
from kg.report import Report, Result, severity_of


def validate(data: Graph, shapes: Graph, ontology: Graph, index: SourceIndex | None = None) -> Report:
    """Validate ``data`` against ``shapes`` (with ``ontology`` for class hierarchy)."""
    _, results_graph, _ = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none",
        advanced=True, allow_warnings=True, allow_infos=True,
    )
    results = shacl_results(results_graph, shapes) + identifiers.check_graph(data)
    index = index or SourceIndex()
    located = [replace(r, location=index.locate(r.focus, r.path), focus_label=label_of(data, r.focus))
               for r in results]
    located.sort(key=lambda r: (str(r.location.file) if r.location else "~",
                                r.location.line or 0 if r.location else 0, r.severity, str(r.focus)))
    return Report(located)


def shacl_results(results_graph: Graph, shapes: Graph) -> list[Result]:
    """The results of a SHACL validation report graph, messages by language."""
    out = []
    details = set(results_graph.objects(None, SH.detail))
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        messages = {}
        constraint = results_graph.value(node, SH.sourceConstraint)
        for message in results_graph.objects(node, SH.resultMessage):
            lang = message.language or template_language(shapes, constraint, str(message)) or "en"
            messages.setdefault(lang, str(message))
        component = results_graph.value(node, SH.sourceConstraintComponent)
        out.append(Result(
            severity=severity_of(results_graph.value(node, SH.resultSeverity)),
            focus=results_graph.value(node, SH.focusNode),
            path=results_graph.value(node, SH.resultPath),
            value=results_graph.value(node, SH.value),
            message=messages,
            constraint=results_graph.namespace_manager.normalizeUri(component) if component else "",
            shape=results_graph.value(node, SH.sourceShape),
            detail=node in details,
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
