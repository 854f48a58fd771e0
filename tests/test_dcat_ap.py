"""The catalogue against the official DCAT-AP 3 shapes (``fixtures/dcat-ap``), with pySHACL."""

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

HERE = Path(__file__).resolve().parent
SHAPES = HERE / "fixtures" / "dcat-ap"


def findings(catalog: Path, shapes: Graph) -> set[tuple[str, str, str]]:
    """(focus, path, constraint component) of each DCAT-AP finding on ``catalog``."""
    from pyshacl import validate

    _, report, _ = validate(Graph().parse(catalog), shacl_graph=shapes, advanced=True)
    return {(str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)),
             str(report.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1])
            for r in report.subjects(SH.resultSeverity, None)}


@pytest.fixture(scope="module")
def dcat_ap() -> Graph:
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(SHAPES / name)
    return shapes


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The project built with a publisher (its data holds two cities, so there is none by default)."""
    from kg.build import build
    from kg.project import Project

    out = tmp_path_factory.mktemp("dcat-ap") / "dist"
    build(Project(HERE.parent), out, publisher="https://w3id.org/lgdx/id/org/132209")
    return out


def test_the_catalogue_conforms_to_dcat_ap_3(published, dcat_ap):
    assert findings(published / "catalog.ttl", dcat_ap) == set()


def test_against_release_3_0_0_only_the_byte_size_datatype_differs(published, dcat_ap):
    # 3.0.0 gives dcat:byteSize as xsd:decimal; 3.0.1 corrected it to DCAT 3's xsd:nonNegativeInteger
    older = Graph()
    older += dcat_ap
    byte_size = "http://www.w3.org/ns/dcat#byteSize"
    for shape in list(older.subjects(SH.path, None)):
        if str(older.value(shape, SH.path)) == byte_size:
            older.set((shape, SH.datatype, older.namespace_manager.expand_curie("xsd:decimal")))
    found = findings(published / "catalog.ttl", older)
    assert found and {(path, component) for _, path, component in found} == {(byte_size, "DatatypeConstraintComponent")}


def test_without_a_publisher_the_catalogue_names_none_and_says_so(real_build, dcat_ap):
    _, out, _ = real_build
    assert findings(out / "catalog.ttl", dcat_ap) == {
        ("https://w3id.org/lgdx/catalog", "http://purl.org/dc/terms/publisher", "MinCountConstraintComponent")}


def test_a_publisher_outside_the_data_is_refused_before_anything_is_written(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["--project", str(HERE.parent), "-q", "build", "--out", str(out),
                                       "--publisher", "org/999999"])
    assert result.exit_code == 2 and "org/999999" in result.output and "--publisher" in result.output
    assert not out.exists()
