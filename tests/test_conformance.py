"""What is published conforms on its own: each data dump, read alone, against the published
shapes.ttl alone, in pySHACL and in Apache Jena, gives the project's own verdict."""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import RDF, Graph

import jena
from kg.namespaces import LGDX, SH, SHAPES_IRI
from kg.report import VIOLATION, WARNING

SEVERITY = {SH.Violation: VIOLATION, SH.Warning: WARNING}


@pytest.fixture(scope="module")
def published(real_build):
    """The project's real data built into a folder, with the build's own report."""
    _, out, report = real_build
    return out, report


def findings(report: Graph) -> set[tuple]:
    """(severity, focus, path) of every result of a SHACL validation report graph."""
    return {(SEVERITY.get(report.value(r, SH.resultSeverity)), str(report.value(r, SH.focusNode)),
             str(report.value(r, SH.resultPath)))
            for r in report.subjects(RDF.type, SH.ValidationResult)}


def verdict(published) -> set[tuple]:
    """The project's verdict on what it published, in the terms of ``findings``."""
    _, report = published
    return {(r.severity, str(r.focus), str(r.path)) for r in report.results if not r.constraint.startswith("kg:")}


@pytest.mark.parametrize("dump", ["kg.ttl", "kg.nt", "kg.jsonld"])
def test_each_dump_conforms_to_the_published_shapes_alone_in_pyshacl(published, dump):
    out, _ = published
    data = Graph().parse(out / dump)
    shapes = Graph().parse(out / "shapes.ttl")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True, allow_warnings=True)
    found = findings(report)
    assert not [f for f in found if f[0] == VIOLATION], sorted(found)[:10]
    assert found == verdict(published)


# Debian's Jena 4.5 reads no JSON-LD: its JSON-LD reader (Titanium) needs a Jakarta JSON
# Processing implementation (Parsson), and Debian packages only the API ("Provider
# org.eclipse.parsson.JsonProviderImpl not found"). The JSON-LD dump is read by pySHACL above;
# the Turtle and N-Triples dumps hold the same graph.
@pytest.mark.parametrize("dump", ["kg.ttl", "kg.nt"])
def test_each_dump_conforms_to_the_published_shapes_alone_in_jena(published, dump, tmp_path):
    from conftest import _unavailable

    reason = jena.missing()
    if reason:
        _unavailable(reason)
    out, _ = published
    report = jena.validate(jena.classpath(tmp_path), out / "shapes.ttl", out / dump)
    found = findings(report)
    assert not [f for f in found if f[0] == VIOLATION], sorted(found)[:10]
    assert found == verdict(published)


def test_class_queries_over_the_dump_alone_return_the_members_of_subclasses(published):
    out, _ = published
    store = ox.Store()
    store.load(path=str(out / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    organisations = {row[0].value for row in store.query(f"SELECT ?o WHERE {{ ?o a <{LGDX.Organization}> }}")}
    governments = {row[0].value for row in store.query(f"SELECT ?o WHERE {{ ?o a <{LGDX.LocalGovernment}> }}")}
    assert governments and governments <= organisations
    policies = {row[0].value for row in store.query(f"SELECT ?p WHERE {{ ?p a <{LGDX.Policy}> }}")}
    plans = {row[0].value for row in store.query(f"SELECT ?p WHERE {{ ?p a <{LGDX.Plan}> }}")}
    assert plans and plans <= policies


def test_the_catalogue_says_which_shapes_each_data_dump_conforms_to(published):
    out, _ = published
    catalog = Graph().parse(out / "catalog.ttl")
    query = f"""SELECT ?title WHERE {{ ?d <http://purl.org/dc/terms/conformsTo> <{SHAPES_IRI}> ;
                                        <http://purl.org/dc/terms/title> ?title }}"""
    assert {str(row[0]) for row in catalog.query(query)} == {"kg.ttl", "kg.nt", "kg.jsonld"}
    shapes = Graph().parse(out / "shapes.ttl")
    assert (None, None, None) in shapes and len(list(shapes.subjects(RDF.type, None))) > 0
    assert any(str(s) == SHAPES_IRI for s in shapes.subjects())


@pytest.mark.parametrize("engine", ["pyshacl", "fast"])
def test_a_check_written_once_per_language_is_reported_once_in_both(mini_project, engine):
    from kg.project import Project

    city = mini_project / "data" / "city.yaml"
    city.write_text(city.read_text(encoding="utf-8").replace('localGovernmentCode: "132209"',
                                                             'localGovernmentCode: "132201"'), encoding="utf-8")
    project = Project(mini_project)
    report = project.validate(project.load(), engine)
    found = [r for r in report.violations if r.constraint == "sh:SPARQLConstraintComponent"
             and str(r.path).endswith("localGovernmentCode")]
    assert len(found) == 1, found
    assert set(found[0].message) == {"ja", "en"} and "132201" in found[0].message["ja"]


def test_a_broken_dump_gets_the_projects_verdict_in_both_engines(published, real_build, tmp_path):
    """A published dump with a dangling reference: the project, pySHACL and Jena find the same."""
    from conftest import _unavailable
    from kg.check import check

    out, _ = published
    project, _, _ = real_build
    text = (out / "kg.ttl").read_text(encoding="utf-8")
    written = "prov:wasDerivedFrom <https://w3id.org/lgdx/id/source/higashiyamato-it-plan-5-ch2-s4-2> ;"
    assert written in text
    broken = tmp_path / "kg.ttl"
    broken.write_text(text.replace(written, written.replace("ch2-s4-2", "ch2-s9-9"), 1), encoding="utf-8")
    report = check(project, [broken])
    own = {(r.severity, str(r.focus), str(r.path)) for r in report.results if not r.constraint.startswith("kg:")}
    assert [f for f in own if f[0] == VIOLATION]
    shapes = Graph().parse(out / "shapes.ttl")
    _, found, _ = pyshacl.validate(Graph().parse(broken), shacl_graph=shapes, advanced=True, allow_warnings=True)
    assert findings(found) == own
    reason = jena.missing()
    if reason:
        _unavailable(reason)
    assert findings(jena.validate(jena.classpath(tmp_path), out / "shapes.ttl", broken)) == own
