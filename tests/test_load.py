"""The loader: YAML and CSV data files to triples, with file:line on every error."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg.errors import DateError, LoadError
from kg.load import data_files, load_paths
from kg.namespaces import ID, LGDX

SCHEMES = Path(__file__).resolve().parents[1] / "data" / "vocab" / "schemes.yaml"


def load_text(tmp_path: Path, text: str, name: str = "x.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_paths([SCHEMES, path])


def test_yaml_resource_becomes_triples(tmp_path):
    g = load_text(tmp_path, """
- id: plan/p-4
  type: Plan
  label: {ja: 第四次計画, en: Fourth plan}
  periodStart: 平成31年度
  periodEnd: 令和3年度
  issued: 平成16年3月
  achievementRate: "0.4"
  goal:
    - {ja: 目標A, en: Goal A}
    - {ja: 目標B, en: Goal B}
""").graph
    plan = ID["plan/p-4"]
    assert (plan, RDF.type, LGDX.Plan) in g
    assert (plan, DCTERMS.identifier, Literal("p-4")) in g
    assert g.value(plan, LGDX.periodStart) == Literal("2019-04-01", datatype=XSD.date)
    assert g.value(plan, LGDX.periodEnd) == Literal("2022-03-31", datatype=XSD.date)
    assert g.value(plan, DCTERMS.issued) == Literal("2004-03", datatype=XSD.gYearMonth)
    assert g.value(plan, LGDX.achievementRate) == Literal("0.4", datatype=XSD.decimal)
    assert set(g.objects(plan, LGDX.goal)) == {Literal(t, lang=l) for t, l in
                                               [("目標A", "ja"), ("Goal A", "en"), ("目標B", "ja"), ("Goal B", "en")]}


def test_yaml_scalars_are_never_guessed(tmp_path):
    # YAML 1.1 would read `no` as false and 2016-12-01 as a date object
    g = load_text(tmp_path, """
- id: org/x
  type: Organization
  label: {ja: no, en: 2016-12-01}
""").graph
    assert Literal("no", lang="ja") in set(g.objects(ID["org/x"], None))


def test_csv_table_rows_become_measures(tmp_path):
    path = tmp_path / "p-4.measures.csv"
    path.write_text(
        "項番,項目,内容,取組目標,令和3年度までの取組内容,達成状況,今後の方向性,出典\n"
        "3,項目三,内容,検討,①一つ目。 ②二つ目。③三つ目。,一部達成,取組終了,source/s-1\n",
        encoding="utf-8")
    loaded = load_paths([SCHEMES, path])
    g, measure = loaded.graph, ID["measure/p-4-03"]
    assert g.value(measure, LGDX.partOf) == ID["plan/p-4"]
    assert g.value(measure, LGDX.itemNumber) == Literal(3, datatype=XSD.positiveInteger)
    assert len(set(g.objects(measure, LGDX.progressNote))) == 3
    assert g.value(measure, LGDX.achievementStatus) == ID["concept/achievement-status-partially-achieved"]
    assert g.value(measure, LGDX.direction) == ID["concept/direction-completed"]
    assert loaded.index.locate(measure).line == 2


@pytest.mark.parametrize("text, line, words", [
    ("- id: org/x\n  type: Organization\n  label: {ja: [unclosed\n", 3, "malformed YAML"),
    ("- id: org/x\n  type: Organization\n  colour: red\n", 3, "unknown key `colour`"),
    ("- id: org/x\n  type: Organization\n  labl: {ja: x}\n", 3, "did you mean `label`"),
    ("- id: org/x\n  type: Organisation\n", 2, "unknown class"),
    ("- id: plan/x\n  type: Plan\n  ordinal: first\n", 3, "whole number"),
    ("- id: plan/x\n  type: Plan\n  achievementRate: about half\n", 3, "must be a number"),
    ("- id: plan/x\n  type: Plan\n  issued: 令和99年13月\n", 3, "month"),
    ("- id: plan/x\n  type: Plan\n  issued: 平成32年5月1日\n", 3, "平成"),
    ("- id: org/x\n  type: Organization\n- id: org/x\n  type: Organization\n", 3, "duplicate id"),
    ("- id: org/x\n  type: Organization\n  type: Plan\n", 3, "duplicate key"),
    ("- id: org/X Y\n  type: Organization\n", 1, "bad slug"),
    ("- id: thing/x\n  type: Organization\n", 1, "unknown kind"),
    ("- type: Organization\n", 1, "no `id`"),
    ("- id: org/x\n  type: Organization\n  label: 東大和市\n", 3, "language map"),
    ("- id: org/x\n  type: Organization\n  label: {ja: a, en: b, c}\n", 3, "comma"),
    ("- id: measure/x-01\n  type: Measure\n  achievementStatus: 大体達成\n", 3, "unknown achievement-status"),
    ("- id: measure/x-01\n  type: Measure\n  partOf: [plan/a, plan/b]\n", 3, "takes one value"),
    ("- id: measure/x-01\n  type: Measure\n  partOf: plan a\n", 3, "bad reference"),
    ("id: org/x\n", 1, "list of resources"),
])
def test_bad_yaml_names_file_line_and_fix(tmp_path, text, line, words):
    known = {LGDX.Organization, LGDX.Plan, LGDX.Measure, URIRef(str(LGDX.LocalGovernment))}
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_paths([SCHEMES, path], known_classes=known | _scheme_classes())
    err = info.value
    assert err.where.file.endswith("bad.yaml") and err.where.line == line, str(err)
    assert words in str(err)
    assert err.fix, "every load error says how to fix it"


def _scheme_classes():
    from rdflib.namespace import SKOS
    return {SKOS.Concept, SKOS.ConceptScheme}


def test_impossible_date_is_a_date_error(tmp_path):
    with pytest.raises(DateError):
        load_text(tmp_path, "- id: plan/x\n  type: Plan\n  issued: 令和99年13月\n")


HEADER = "項番,項目,内容,取組目標,取組内容,達成状況,今後の方向性,出典\n"


@pytest.mark.parametrize("body, line, words", [
    (HEADER + "1,a,b,検討,c,達成,継続,source/s\n1,a,b,検討,c,達成,継続,source/s\n", 3, "duplicate 項番"),
    (HEADER + "0,a,b,検討,c,達成,継続,source/s\n", 2, "1 or more"),
    (HEADER + "x,a,b,検討,c,達成,継続,source/s\n", 2, "whole number"),
    (HEADER + "1,a,b,検討,c,達成\n", 2, "cells"),
    (HEADER + '1,"a,b,検討,c,達成,継続,source/s\n', 2, "malformed CSV"),
    (HEADER + "1,a,b,検討,c,とても達成,継続,source/s\n", 2, "unknown achievement-status"),
    ("項番,項目\n1,a\n", 1, "missing column"),
    (HEADER.replace("出典", "備考") + "1,a,b,検討,c,達成,継続,x\n", 1, "unknown column"),
])
def test_bad_csv_names_file_line_and_fix(tmp_path, body, line, words):
    path = tmp_path / "p.measures.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_paths([SCHEMES, path])
    assert info.value.where.line == line, str(info.value)
    assert words in str(info.value) and info.value.fix


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "p.measures.csv"
    path.write_bytes(HEADER.encode("shift_jis"))
    with pytest.raises(LoadError, match="UTF-8"):
        load_paths([path])


def test_turtle_files_load_with_subject_lines(tmp_path):
    path = tmp_path / "other.ttl"
    path.write_text("@prefix lgdx: <https://w3id.org/lgdx/ontology#> .\n\n"
                    "<https://example.org/city/1> a lgdx:LocalGovernment .\n", encoding="utf-8")
    loaded = load_paths([path])
    assert loaded.index.locate(URIRef("https://example.org/city/1")).line == 3


def test_malformed_turtle_is_a_load_error(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(LoadError, match="cannot parse"):
        load_paths([path])


def test_data_files_skip_open_questions(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.yaml").write_text("[]", encoding="utf-8")
    (tmp_path / "a" / "open-questions.yaml").write_text("[]", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    assert [p.name for p in data_files(tmp_path)] == ["x.yaml"]


@pytest.mark.parametrize("written, canonical", [
    ("6594", "6594.0"), ("6,594", "6594.0"), ("0.40", "0.4"), ("10.2", "10.2"), ("-0.0", "0.0"), ("１２", "12.0"),
])
def test_decimals_are_stored_in_canonical_form(tmp_path, written, canonical):
    g = load_text(tmp_path, f"- id: plan/x\n  type: Plan\n  achievementRate: \"{written}\"\n").graph
    assert str(g.value(ID["plan/x"], LGDX.achievementRate)) == canonical
