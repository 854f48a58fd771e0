"""The kg command: exit codes, outputs, and nothing half-written on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import VOID
from rdflib.compare import isomorphic

from kg.cli import main


def kg(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), "-q", *args], catch_exceptions=False)


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "validate", "query", "queries", "export"):
        assert command in result.output


def test_build_writes_every_published_file(mini_project, tmp_path):
    out = tmp_path / "dist"
    result = kg(mini_project, "build", "--out", str(out))
    assert result.exit_code == 0, result.output
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"kg.ttl", "kg.nt", "kg.jsonld", "context.jsonld", "ontology.ttl", "shapes.ttl",
            "catalog.ttl", "kg-measure.framed.jsonld", "frames/measure.frame.jsonld"} <= names
    turtle, triples = Graph().parse(out / "kg.ttl"), Graph().parse(out / "kg.nt")
    assert isomorphic(turtle, triples) and len(turtle) > 100


def test_catalog_describes_each_dump_with_size_and_checksum(mini_project, tmp_path):
    import hashlib

    out = tmp_path / "dist"
    assert kg(mini_project, "build", "--out", str(out)).exit_code == 0
    catalog = Graph().parse(out / "catalog.ttl")
    rows = catalog.query("""
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?title ?size ?sum WHERE {
          ?d a dcat:Distribution ; <http://purl.org/dc/terms/title> ?title ; dcat:byteSize ?size ;
             spdx:checksum/spdx:checksumValue ?sum }""")
    seen = {str(t): (int(s), str(c)) for t, s, c in rows}
    for name in ("kg.ttl", "kg.nt", "kg.jsonld"):
        content = (out / name).read_bytes()
        assert seen[name] == (len(content), hashlib.sha256(content).hexdigest())
    (triples,) = catalog.objects(None, VOID.triples)
    assert int(triples) == len(Graph().parse(out / "kg.nt"))
    assert "@prefix spdx: <http://spdx.org/rdf/terms#>" in (out / "catalog.ttl").read_text(encoding="utf-8")


def test_build_with_another_base_moves_every_iri(mini_project, tmp_path):
    out = tmp_path / "dist"
    result = kg(mini_project, "--base", "https://data.example.jp/id/", "build", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = (out / "kg.nt").read_text(encoding="utf-8")
    assert "https://data.example.jp/id/measure/mini-plan-4-01" in text
    assert "w3id.org/lgdx/id/" not in text


def break_label(project: Path):
    path = project / "data" / "city.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "label: {ja: グループウェア, en: Groupware}", "label: {ja: グループウェア}"), encoding="utf-8")


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_violations_exit_1_and_leave_earlier_outputs_untouched(mini_project, tmp_path, engine):
    out = tmp_path / "dist"
    assert kg(mini_project, "build", "--engine", engine, "--out", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    break_label(mini_project)
    result = kg(mini_project, "build", "--engine", engine, "--out", str(out))
    assert result.exit_code == 1
    assert "city.yaml:" in result.output and "system/mini-groupware" in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist")], "no staging left behind"


@pytest.mark.parametrize("name, text", [
    ("city.yaml", "- id: org/x\n  type: Organization\n  label: {ja: [broken\n"),
    ("mini-plan-4.measures.csv", "項番,項目\n1,a\n"),
    ("city.yaml", "- id: plan/x\n  type: Plan\n  issued: 令和99年13月\n"),
])
def test_unloadable_data_exits_2_and_writes_nothing(mini_project, tmp_path, name, text):
    (mini_project / "data" / name).write_text(text, encoding="utf-8")
    out = tmp_path / "dist"
    result = kg(mini_project, "build", "--out", str(out))
    assert result.exit_code == 2
    assert f"{name}:" in result.output and "fix:" in result.output
    assert not out.exists()


def test_validate_exit_codes_and_formats(mini_project):
    ok = kg(mini_project, "validate", "--format", "json")
    assert ok.exit_code == 0
    assert json.loads(ok.output)["conforms"] is True
    break_label(mini_project)
    bad = kg(mini_project, "validate", "--format", "json")
    assert bad.exit_code == 1
    report = json.loads(bad.output)
    hits = [r for r in report["results"] if r["severity"] == "Violation"]
    assert hits and hits[0]["file"].endswith("city.yaml") and hits[0]["line"] == 31
    assert hits[0]["message"]["ja"] and hits[0]["message"]["en"]
    ttl = kg(mini_project, "validate", "--format", "ttl")
    assert ttl.exit_code == 1 and "sh:ValidationReport" in ttl.output


def test_validate_checks_another_municipalitys_turtle(mini_project, tmp_path):
    other = tmp_path / "other.ttl"
    other.write_text("""@prefix lgdx: <https://w3id.org/lgdx/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/lgdx/id/org/132233> a lgdx:LocalGovernment ;
    rdfs:label "武蔵村山市"@ja ;
    lgdx:localGovernmentCode "132234" .
""", encoding="utf-8")
    result = kg(mini_project, "validate", str(other))
    assert result.exit_code == 1
    assert "other.ttl:4" in result.output
    assert "132233" in result.output  # the check digit error names the right code


def test_queries_lists_named_queries_and_query_runs_them(mini_project):
    (mini_project / "queries" / "plan-measures.rq").write_text(
        "# title: 計画の施策\n# title-en: Measures of a plan\n"
        "# param: plan iri = plan/mini-plan-4 -- the plan\n"
        "SELECT ?n ?label WHERE { ?m lgdx:partOf ?plan ; lgdx:itemNumber ?n ; rdfs:label ?label "
        "FILTER(lang(?label) = 'ja') } ORDER BY ?n\n", encoding="utf-8")
    listed = kg(mini_project, "queries")
    assert "plan-measures" in listed.output and "--param plan=<iri>" in listed.output
    csv_out = kg(mini_project, "query", "plan-measures", "--format", "csv")
    assert csv_out.exit_code == 0
    assert csv_out.output.splitlines()[1:] == ["1,文書管理システムの導入", "2,グループウェアの最適化の検討"]
    none = kg(mini_project, "query", "plan-measures", "--param", "plan=plan/other", "--format", "csv")
    assert none.stdout.splitlines() == ["n,label"]
    assert "`plan/other` is not in the graph" in none.stderr  # no rows, and the reason why
    # the parameter is an RDF term: text that looks like SPARQL stays text
    hostile = kg(mini_project, "query", "plan-measures", "--param", "plan=plan/x> } . ?s ?p ?o {")
    assert hostile.exit_code == 2


def test_query_errors(mini_project):
    assert kg(mini_project, "query", "no-such-query").exit_code == 2
    bad = kg(mini_project, "query", "-e", "SELEC * WHERE {}")
    assert bad.exit_code == 2 and "malformed query" in bad.output
    service = kg(mini_project, "query", "-e", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert service.exit_code == 2 and "not allowed" in service.output
    escaped = kg(mini_project, "query", "-e", "SELECT * WHERE { \\u0053ERVICE <http://example.org/s> { ?s ?p ?o } }")
    assert escaped.exit_code == 2
    table = kg(mini_project, "query", "-e", "ASK { ?s ?p ?o }")
    assert table.output == "true\n"


def test_export_formats_are_isomorphic(mini_project, tmp_path):
    graphs = {}
    for fmt, parser in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")):
        path = tmp_path / f"g.{fmt}"
        assert kg(mini_project, "export", "--format", fmt, "-o", str(path)).exit_code == 0
        graphs[fmt] = Graph().parse(path, format=parser)
    assert all(isomorphic(graphs["ttl"], g) for g in graphs.values())
    stdout = kg(mini_project, "export", "--format", "nq")
    assert stdout.exit_code == 0 and "<https://w3id.org/lgdx/id/dataset/kg> ." in stdout.output


def test_export_frame_gives_plain_json(mini_project):
    result = kg(mini_project, "export", "--format", "jsonld", "--frame", "measure")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    measures = doc["@graph"]
    assert len(measures) == 2
    first = next(m for m in measures if m["id"].endswith("mini-plan-4-01"))
    assert first["partOf"]["label"]["ja"] == "第四次計画"  # the plan is embedded
    assert first["achievementStatus"]["label"]["en"] == "Achieved"
    assert kg(mini_project, "export", "--format", "ttl", "--frame", "measure").exit_code == 2
    assert kg(mini_project, "export", "--format", "jsonld", "--frame", "nothing").exit_code == 2


def test_fast_engine_reports_what_pyshacl_reports(mini_project, tmp_path):
    break_label(mini_project)
    (mini_project / "data" / "city.yaml").write_text(
        (mini_project / "data" / "city.yaml").read_text(encoding="utf-8").replace('"132209"', '"132208"', 1),
        encoding="utf-8")

    def results(*args):
        out = kg(mini_project, "validate", "--format", "json", *args)
        assert out.exit_code == 1
        return sorted((r["severity"], r["focus"], r["path"] or "", r["constraint"], r["line"] or 0)
                      for r in json.loads(out.output)["results"])

    assert results("--engine", "fast") == results("--engine", "pyshacl")


def test_fast_engine_checks_rdf_files_without_rdflib(mini_project, tmp_path):
    dump = tmp_path / "kg.nt"
    assert kg(mini_project, "export", "--format", "nt", "-o", str(dump)).exit_code == 0
    assert kg(mini_project, "validate", "--engine", "fast", str(dump)).exit_code == 0
    text = dump.read_text(encoding="utf-8").replace('"132209"', '"132208"')
    dump.write_text(text, encoding="utf-8")
    result = kg(mini_project, "validate", "--engine", "fast", "--format", "json", str(dump))
    assert result.exit_code == 1
    assert any(r["constraint"] == "kg:CheckDigit" for r in json.loads(result.output)["results"])
