"""The build publishes its whole validation report, described in the catalogue with DQV."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCAT

from kg.namespaces import DQV, LGDX, OA, SH, SPDX
from kg.report import VIOLATION, WARNING
from test_cli import break_label, kg
from test_dumps import needs_rapper

DOWNLOAD = "https://w3id.org/lgdx/download/"


@pytest.fixture(scope="module")
def built(real_build):
    project, out, report = real_build
    catalog = Graph().parse(out / "catalog.ttl", format="turtle")
    return project, out, report, catalog


def test_the_report_is_published_whole_in_turtle_and_json(built):
    _, out, report, _ = built
    graph = Graph().parse(out / "validation.ttl", format="turtle")
    severities = [graph.value(r, SH.resultSeverity) for r in graph.subjects(RDF.type, SH.ValidationResult)]
    assert severities.count(SH.Warning) == len(report.warnings) > 0
    assert severities.count(SH.Violation) == len(report.violations) == 0
    data = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert (data["conforms"], data["warnings"], len(data["results"])) == (True, len(report.warnings),
                                                                          len(report.results))


def test_the_published_report_names_files_within_the_project(built):
    project, out, _, _ = built
    data = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    files = {r["file"] for r in data["results"] if r["file"]}
    assert files and all(f.startswith("data/") for f in files), files
    for name in ("validation.json", "validation.ttl"):
        assert str(project.root.resolve()) not in (out / name).read_text(encoding="utf-8")


def test_the_catalogue_lists_the_report_with_its_checksum(built):
    _, out, _, catalog = built
    for name in ("validation.ttl", "validation.json"):
        dist = URIRef(DOWNLOAD + name)
        assert (None, DCAT.distribution, dist) in catalog
        checksum = catalog.value(dist, SPDX.checksum)
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256((out / name).read_bytes()).hexdigest()


def test_the_dataset_carries_dqv_measurements_of_the_report(built):
    _, _, report, catalog = built
    dataset = next(catalog.subjects(DQV.hasQualityMeasurement, None))
    values = {catalog.value(m, DQV.isMeasurementOf): catalog.value(m, DQV.value).toPython()
              for m in catalog.objects(dataset, DQV.hasQualityMeasurement)}
    assert values == {LGDX.violationCount: len(report.violations), LGDX.warningCount: len(report.warnings),
                      LGDX.noteCount: len(report.results) - len(report.violations) - len(report.warnings)}
    annotation = catalog.value(dataset, DQV.hasQualityAnnotation)
    assert catalog.value(annotation, OA.hasBody) == URIRef(DOWNLOAD + "validation.ttl")


def test_the_metrics_are_defined_in_the_ontology(built):
    project, _, _, _ = built
    for metric in (LGDX.violationCount, LGDX.warningCount, LGDX.noteCount):
        assert (metric, RDF.type, DQV.Metric) in project.ontology
        assert {label.language for label in project.ontology.objects(metric, URIRef(
            "http://www.w3.org/2004/02/skos/core#prefLabel"))} == {"ja", "en"}


@needs_rapper
def test_rapper_reads_the_published_report(built):
    _, out, _, _ = built
    run = subprocess.run([shutil.which("rapper") or "rapper", "-i", "turtle", "-c", str(out / "validation.ttl")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_a_failed_build_shows_its_violations_and_counts_the_rest_by_shape(mini_project, tmp_path):
    out = tmp_path / "dist"
    break_label(mini_project)
    short = kg(mini_project, "build", "--out", str(out))
    full = kg(mini_project, "build", "--out", str(out), "--verbose")
    assert short.exit_code == full.exit_code == 1
    assert "system/mini-groupware" in short.output
    assert short.output.count(f": {VIOLATION}:") == full.output.count(f": {VIOLATION}:") == 1
    assert full.output.count(f": {WARNING}:") == 1 and full.output.count(": Info:") == 4
    assert short.output.count(f": {WARNING}:") == short.output.count(": Info:") == 0
    assert "5 other finding(s) from 2 shape(s)" in short.output and "--verbose" in short.output
    assert "Does not conform: 1 violation(s), 1 warning(s), 4 note(s)" in short.output


@pytest.mark.parametrize("name", ["system/mini-groupware", "https://w3id.org/lgdx/id/system/mini-groupware",
                                  "id:system/mini-groupware"])
def test_validate_focus_reports_one_resource(mini_project, name):
    break_label(mini_project)
    whole = kg(mini_project, "validate", "--engine", "fast", "--format", "json")
    one = kg(mini_project, "validate", "--engine", "fast", "--format", "json", "--focus", name)
    assert whole.exit_code == one.exit_code == 1
    foci = {r["focus"] for r in json.loads(one.output)["results"]}
    assert foci == {"https://w3id.org/lgdx/id/system/mini-groupware"}
    assert len(json.loads(whole.output)["results"]) > len(json.loads(one.output)["results"])


def test_validate_focus_on_a_conforming_resource_exits_0(mini_project):
    break_label(mini_project)
    result = kg(mini_project, "validate", "--engine", "fast", "--focus", "measure/mini-plan-4-01")
    assert result.exit_code == 0, result.output


def test_validate_focus_with_an_unknown_prefix_is_refused_before_checking(mini_project):
    result = kg(mini_project, "validate", "--focus", "nope:x")
    assert result.exit_code == 2 and "unknown prefix 'nope'" in result.output and "loading" not in result.output
