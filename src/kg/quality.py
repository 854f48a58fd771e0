"""The build's validation report as published files, and what the catalogue says of them.

The full report (violations, warnings and notes) is published beside the dumps as a SHACL
validation report in Turtle and as JSON; the catalogue describes both as distributions and
gives the dataset W3C Data Quality Vocabulary measurements (one per severity, metrics
``lgdx:violationCount`` … defined in the ontology) and an annotation pointing at the report,
so that a portal can show them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from kg.catalog import Dump, site_root
from kg.errors import Location
from kg.namespaces import DQV, LGDX, OA, SH
from kg.report import INFO, VIOLATION, WARNING, Report, report_json, report_triples
from kg.store import prefixes

REPORT_TTL, REPORT_JSON = "validation.ttl", "validation.json"
METRICS = {VIOLATION: LGDX.violationCount, WARNING: LGDX.warningCount, INFO: LGDX.noteCount}


def report_dumps(report: Report, root: Path, base: str) -> list[Dump]:
    """The report as published: each place relative to the project folder ``root``, IRIs under ``base``."""
    published = Report([replace(r, location=_relative(r.location, root)) for r in report.results])
    turtle = ox.serialize(report_triples(published, base), format=ox.RdfFormat.TURTLE,
                          prefixes={**prefixes(), "sh": str(SH)})
    return [Dump(REPORT_TTL, "text/turtle", turtle),
            Dump(REPORT_JSON, "application/json", report_json(published).encode("utf-8"))]


def _relative(where: Location | None, root: Path) -> Location | None:
    if where is None:
        return None
    path = Path(where.file)
    try:
        return Location(path.resolve().relative_to(root.resolve()).as_posix(), where.line)
    except ValueError:  # a file outside the project (given on the command line): its name only
        return Location(path.name, where.line)


def add_quality(catalog: Graph, dataset: URIRef, report: Report, base: str) -> None:
    """DQV measurements of ``report`` on ``dataset``, derived from the published report."""
    catalog.bind("dqv", DQV)
    catalog.bind("oa", OA)
    published = URIRef(f"{site_root(base)}download/{REPORT_TTL}")
    counts = {severity: 0 for severity in METRICS}
    for r in report.results:
        if r.severity in counts:
            counts[r.severity] += 1
    for severity, metric in METRICS.items():
        measurement = BNode()
        catalog.add((dataset, DQV.hasQualityMeasurement, measurement))
        catalog.add((measurement, RDF.type, DQV.QualityMeasurement))
        catalog.add((measurement, DQV.computedOn, dataset))
        catalog.add((measurement, DQV.isMeasurementOf, metric))
        catalog.add((measurement, DQV.value, Literal(counts[severity], datatype=XSD.integer)))
        catalog.add((measurement, PROV.wasDerivedFrom, published))
    annotation = BNode()
    catalog.add((dataset, DQV.hasQualityAnnotation, annotation))
    catalog.add((annotation, RDF.type, DQV.QualityAnnotation))
    catalog.add((annotation, OA.hasTarget, dataset))
    catalog.add((annotation, OA.hasBody, published))
    catalog.add((annotation, OA.motivatedBy, DQV.qualityAssessment))
