"""Every named query of queries/, run on the project's real data, with the answers the source gives.

Expected values are counted from the source text (chapter 2 of the fifth IT promotion plan),
not from the data files, so that a query or a data file that drifts from the source fails here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import RDF

from kg import query as q
from kg.cli import main
from kg.namespaces import ID, LGDX, PREFIXES
from kg.project import Project
from kg.rules import RULE_GLOB

ROOT = Path(__file__).resolve().parents[1]
PROJECT = Project.find(ROOT)
QUERIES = q.named_queries(PROJECT.queries_dir)

RDF_TYPE = ox.NamedNode(str(PREFIXES["rdf"]) + "type")
RDFS_LABEL = ox.NamedNode(str(PREFIXES["rdfs"]) + "label")
DESCRIPTION = ox.NamedNode(str(PREFIXES["dcterms"]) + "description")
DERIVED_FROM = ox.NamedNode(str(PREFIXES["prov"]) + "wasDerivedFrom")
IN_SCHEME = ox.NamedNode(str(PREFIXES["skos"]) + "inScheme")

# the fourth plan's table (section 4-(2)), item by item: goal type, status, direction
PLAN_4 = {
    1: ("検討", "達成", "継続"), 2: ("検討", "一部達成", "継続"), 3: ("実施", "一部達成", "継続"),
    4: ("実施", "一部達成", "継続"), 5: ("検討", "達成", "取組終了"), 6: ("実施", "達成", "取組終了"),
    7: ("検討", "達成", "継続"), 8: ("実施", "一部達成", "継続"), 9: ("実施", "達成", "取組終了"),
    10: ("実施", "一部達成", "継続"), 11: ("実施", "一部達成", "継続"), 12: ("実施", "一部達成", "継続"),
    13: ("実施", "達成", "取組終了"), 14: ("実施", "達成", "取組終了"), 15: ("検討", "一部達成", "継続"),
    16: ("検討", "一部達成", "継続"), 17: ("実施", "達成", "継続"),
}
# the technologies of section 3 (3-(1) to 3-(11)), by their normalised Japanese labels
SECTION_3_TECHNOLOGIES = {"AI", "RPA", "IoT", "AR", "VR", "5G", "ドローン", "ブロックチェーン", "ロボット",
                          "オンライン会議システム", "電子申請"}
# the 17 business areas listed under <対象業務> in 4-(1), and the three of the national 20 not among them
CORE_SYSTEM_AREAS = {"住民基本台帳", "選挙人名簿管理", "固定資産税", "個人住民税", "法人住民税", "軽自動車税",
                     "国民健康保険", "国民年金", "障害者福祉", "後期高齢者医療", "介護保険", "児童手当", "生活保護",
                     "健康増進", "就学", "児童扶養手当", "子ども子育て支援"}
STANDARD_AREAS_NOT_IN_CORE = {"戸籍", "戸籍の附票", "印鑑登録"}


def iri(kind_slug: str) -> str:
    return str(ID[kind_slug])


@pytest.fixture(scope="module")
def graph():
    return PROJECT.load().graph


@pytest.fixture(scope="module")
def store(graph):
    return q.store_of(graph)


def rows(store: ox.Store, name: str, **params) -> list[dict[str, str | None]]:
    """The solutions of the named query ``name``, each a dict of plain values (None when unbound)."""
    named = QUERIES[name]
    result = q.run(store, named.text, q.bind_params(named, {k: str(v) for k, v in params.items()}))
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


def column(found: list[dict], name: str) -> list:
    return [r[name] for r in found]


# --- the files themselves ---------------------------------------------------------

def named_files() -> list[Path]:
    return sorted(path for path in PROJECT.queries_dir.glob("*.rq") if path.stem in QUERIES)


#: Where the named queries are tested: here, and the federated ones with the remote stores they call.
QUERY_TESTS = (Path(__file__), Path(__file__).with_name("test_remote.py"), Path(__file__).with_name("test_cities.py"))


def test_there_are_named_queries_and_each_has_a_test():
    assert len(named_files()) >= 15
    tested = {m.group(1).replace("_", "-") for path in QUERY_TESTS
              for m in re.finditer(r"^def test_q_(\w+)\(", path.read_text(encoding="utf-8"), re.MULTILINE)}
    assert {p.stem for p in named_files()} <= tested


def header_of(path: Path) -> dict[str, str]:
    """The ``# key: value`` lines that open a query file (the first of each key)."""
    header: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        header.setdefault(key.strip(), value.strip())
    return header


def test_every_query_file_but_the_rules_has_a_title_and_description():
    for path in sorted(set(PROJECT.queries_dir.glob("*.rq")) - set(PROJECT.queries_dir.glob(RULE_GLOB))):
        header = header_of(path)
        for key in ("title", "title-en", "description"):
            assert header.get(key), f"{path.name} has no `# {key}:` line"


@pytest.mark.parametrize("path", named_files(), ids=lambda p: p.stem)
def test_query_file_has_a_bilingual_header_and_sound_text(path):
    header = header_of(path)
    for key in ("title", "title-en", "description", "description-en"):
        assert header.get(key), f"{path.name} has no `# {key}:` line"
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", header["title"]), "the title is in Japanese"
    named = q.parse_named(path)
    body = named.text
    where = re.sub(r"#[^\n]*", " ", body).split("WHERE", 1)[1]
    for param in named.params:
        assert param.text, f"parameter {param.name} is undescribed"
        assert re.search(rf"\?{param.name}\b", where), f"parameter ?{param.name} is never used"
    assert q.query_form(body) == "SELECT"
    assert re.search(r"\bORDER BY\b", body), "results are ordered, so that output is stable"
    # portable: every prefix used is declared in the file, none relies on the store's defaults
    declared = set(re.findall(r"^PREFIX\s+(\w+):", body, re.MULTILINE))
    code = re.sub(r'#[^\n]*|"[^"\n]*"|<[^>\s]*>', " ", body)
    used = set(re.findall(r"\b([a-z]+):\w", code))
    assert used <= declared, f"undeclared prefixes: {used - declared}"


def test_kg_queries_lists_every_named_query():
    result = CliRunner().invoke(main, ["--project", str(ROOT), "-q", "queries"], catch_exceptions=False)
    assert result.exit_code == 0
    for path in named_files():
        named = QUERIES[path.stem]
        assert f"{path.stem}\n  {named.title}\n  {named.title_en}" in result.output
        for param in named.params:
            assert f"--param {param.name}=<{param.type}>" in result.output
    assert "construct-" not in result.output


def test_kg_query_runs_a_named_query_with_a_parameter():
    result = CliRunner().invoke(main, ["--project", str(ROOT), "-q", "query", "measure-progress",
                                       "--param", "item=3", "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("item_number,measure_ja,progress_note")
    assert lines[1].startswith("3,社会保障・税番号制度を活用した行政サービスの利便性向上,"
                               "令和2年6月の標準レイアウト変更に対応したシステム改修を行った。")


# --- plans and measures -----------------------------------------------------------

def test_q_measures_by_status(store):
    found = rows(store, "measures-by-status")
    assert [(r["status_ja"], int(r["measures"]), int(r["continuing"]), int(r["completed"])) for r in found] == [
        ("達成", 8, 3, 5), ("一部達成", 9, 9, 0), ("未達成", 0, 0, 0)]
    assert column(found, "status_en") == ["Achieved", "Partially achieved", "Not achieved"]
    # the third plan's items have no status in the source: all are "not stated"
    third = {r["status_ja"]: int(r["measures"]) for r in rows(store, "measures-by-status",
                                                              plan="plan/higashiyamato-it-plan-3")}
    assert third == {"達成": 0, "一部達成": 0, "未達成": 0, "（記載なし）": 16}
    assert sum(int(r["measures"]) for r in rows(store, "measures-by-status", plan="plan/no-such-plan")) == 0


def test_q_plan_measures(store):
    found = rows(store, "plan-measures")
    assert [int(i) for i in column(found, "item")] == list(range(1, 18))
    assert {int(r["item"]): (r["goal_type_ja"], r["achievement_ja"], r["direction_ja"]) for r in found} == PLAN_4
    assert all(r["measure_ja"] and r["measure_en"] for r in found)
    assert found[0]["measure_ja"] == "文書管理システムの導入"
    assert found[15]["measure_ja"] == "ICT-BCP策定の検討"
    assert found[0]["measure"] == iri("measure/higashiyamato-it-plan-4-01")
    partial = {int(r["item"]) for r in rows(store, "plan-measures", status="一部達成")}
    assert partial == {i for i, v in PLAN_4.items() if v[1] == "一部達成"} == {2, 3, 4, 8, 10, 11, 12, 15, 16}
    assert {int(r["item"]) for r in rows(store, "plan-measures", status="achieved")} == {1, 5, 6, 7, 9, 13, 14, 17}
    assert rows(store, "plan-measures", status="未達成") == []
    assert len(rows(store, "plan-measures", plan="plan/higashiyamato-it-plan-3")) == 16


def test_q_carried_over_measures(store):
    found = rows(store, "carried-over-measures")
    continuing = [i for i, v in PLAN_4.items() if v[2] == "継続"]
    assert [int(i) for i in column(found, "item")] == continuing == [1, 2, 3, 4, 7, 8, 10, 11, 12, 15, 16, 17]
    assert set(column(found, "previous_plan")) == {iri("plan/higashiyamato-it-plan-4")}
    assert set(column(found, "previous_plan_ja")) == {"第四次東大和市情報化推進計画"}
    by_item = {int(r["item"]): r for r in found}
    assert by_item[8]["systems"] == "基幹系システム"
    assert set(by_item[2]["systems"].split(", ")) >= {"市公式ホームページ"}
    assert by_item[17]["achievement_ja"] == "達成"
    # the third plan's items carry no direction, so nothing is recorded as carried into the fourth
    assert rows(store, "carried-over-measures", plan="plan/higashiyamato-it-plan-4") == []


def test_q_measure_systems(store):
    found = rows(store, "measure-systems")
    assert {int(i) for i in column(found, "item")} == set(range(1, 18))
    core = [r for r in found if r["system"] == iri("system/higashiyamato-core-systems")]
    assert {int(r["item"]) for r in core} == {8}
    assert {r["business_area_ja"] for r in core} == CORE_SYSTEM_AREAS
    assert all(r["standard_area_ja"] and r["operator_ja"] == "東大和市" for r in core)
    health = next(r for r in core if r["business_area_ja"] == "健康増進")
    assert (health["standard_area_ja"], health["match"]) == ("健康管理", "closeMatch")
    assert sum(r["match"] == "exactMatch" for r in core) == 16
    # a measure that names no system is still listed, once
    without = [int(r["item"]) for r in found if r["system"] is None]
    assert len(without) == len(set(without)) and 16 in without  # ICT-BCP: a plan, not a system
    catalogue = next(r for r in found if int(r["item"]) == 6)
    assert (catalogue["system_ja"], catalogue["operator_ja"]) == ("東京都カタログサイト", "東京都")


# --- policies, laws and their timeline -----------------------------------------------

def test_q_policy_timeline(store):
    found = rows(store, "policy-timeline")
    dates = column(found, "date")
    assert dates == sorted(dates)
    seen = {(r["date"], r["event_ja"], r["resource_ja"]) for r in found}
    assert {
        ("2004-03", "策定・決定・公表", "第一次東大和市情報化推進計画"),
        ("2015-06", "発生", "日本年金機構に対する標的型メール攻撃による個人情報流出事件"),
        ("2015-10", "発生", "社会保障・税番号制度（マイナンバー制度）の導入"),
        ("2016-01", "発生", "マイナンバーカードの交付開始"),
        ("2016-12", "施行", "官民データ活用推進基本法"),
        ("2017-04-01", "期間の開始", "東京都ICT戦略"),
        ("2022-03-31", "期間の終了", "東京都ICT戦略"),
        ("2017-05", "策定・決定・公表", "世界最先端IT国家創造宣言・官民データ活用推進基本計画"),
        ("2019-04-01", "期間の開始", "第四次東大和市情報化推進計画"),
        ("2022-03-31", "期間の終了", "第四次東大和市情報化推進計画"),
        ("2019-08", "策定・決定・公表", "TOKYO Data Highway基本戦略"),
        ("2019-12", "策定・決定・公表", "未来の東京戦略ビジョン"),
        ("2020-06", "成立", "個人情報の保護に関する法律等の一部を改正する法律"),
        ("2020-12", "策定・決定・公表", "自治体DX推進計画"),
        ("2020-12-28", "改訂", "地方公共団体における情報セキュリティポリシーに関するガイドライン"),
        ("2021-05", "公布", "デジタル社会の形成を図るための関係法律の整備に関する法律"),
        ("2021-07", "策定・決定・公表", "自治体DX推進手順書"),
        ("2022-04", "全面施行", "個人情報の保護に関する法律等の一部を改正する法律"),
        ("2023-03-31", "目標期限", "マイナンバーカードの普及促進"),
        ("2027-03-31", "目標期限", "第五次東大和市情報化推進計画"),
    } <= seen
    by_resource = {r["resource_ja"]: r for r in found}
    assert by_resource["世界最先端IT国家創造宣言・官民データ活用推進基本計画"]["based_on"] == "官民データ活用推進基本法"
    assert by_resource["自治体DX推進手順書"]["based_on"] == "自治体DX推進計画"
    assert by_resource["官民データ活用推進基本法"]["law_number"] == "平成28年法律第103号"
    levels = {r["resource_ja"]: r["jurisdiction_ja"] for r in found}
    assert levels["東京都ICT戦略"] == levels["TOKYO Data Highway基本戦略"] == "東京都"
    assert levels["第四次東大和市情報化推進計画"] == "東大和市"
    assert levels["自治体DX推進計画"] == levels["官民データ活用推進基本法"] == "国"


def test_q_policy_basis(store):
    found = rows(store, "policy-basis")
    basis = {r["policy_ja"]: r for r in found if r["basis"]}
    data_plan = basis["世界最先端IT国家創造宣言・官民データ活用推進基本計画"]
    assert (data_plan["basis_ja"], data_plan["basis_kind"], data_plan["basis_law_number"],
            data_plan["basis_egov_law_id"]) == ("官民データ活用推進基本法", "法律 (law)", "平成28年法律第103号",
                                                "428AC1000000103")
    assert basis["社会保障・税番号制度"]["basis_egov_law_id"] == "425AC0000000027"
    assert (basis["スマート東京実施戦略"]["basis_ja"], basis["スマート東京実施戦略"]["basis_kind"]) == (
        "未来の東京戦略ビジョン", "政策 (policy)")
    assert basis["自治体DX推進手順書"]["basis_ja"] == "自治体DX推進計画"
    # policies without a recorded basis are listed too, after those with one
    without = [r["policy_ja"] for r in found if not r["basis"]]
    assert {"第四次東大和市情報化推進計画", "東京都ICT戦略", "自治体DX推進計画"} <= set(without)
    assert column(found, "basis") == sorted(column(found, "basis"), key=lambda b: b is None)
    assert len({r["policy"] for r in found}) == len(found)


def test_q_law_amendments(store):
    found = rows(store, "law-amendments")
    relations = {(r["amending_act_number"], r["relation_en"], r["law_number"]) for r in found}
    assert {x for x in relations if x[1] != "repeals"} == {
        ("令和2年法律第44号", "amends", "平成15年法律第57号"),
        ("令和3年法律第37号", "amends", "平成15年法律第57号"),
        ("令和3年法律第37号", "consolidates", "平成15年法律第57号"),
        ("令和3年法律第37号", "consolidates", "平成15年法律第58号"),
        ("令和3年法律第37号", "consolidates", "平成15年法律第59号"),
    }
    consolidated = {x[2] for x in relations if x[1] == "consolidates"}
    assert {x[2] for x in relations if x[1] == "repeals"} <= consolidated
    assert found[0]["amending_act_number"] == "令和2年法律第44号"  # the 2020 reform comes first
    reform_2020 = next(r for r in found if r["amending_act_number"] == "令和2年法律第44号")
    assert (reform_2020["enacted"], reform_2020["fully_in_force"]) == ("2020-06", "2022-04")
    assert {r["promulgated"] for r in found if r["amending_act_number"] == "令和3年法律第37号"} == {"2021-05"}


def test_q_policy_goals(store):
    found = rows(store, "policy-goals")
    def facet(rows_, name, kind):
        return [r["text"] for r in rows_ if r["resource_label"] == name and r["facet"] == kind]
    assert len(facet(found, "東京都ICT戦略", "柱")) == 4          # 「4つの柱」
    assert "データを活用する" in facet(found, "東京都ICT戦略", "柱")
    assert set(facet(found, "第一次東大和市情報化推進計画", "目標")) == {"情報化基盤の整備", "行政運営の効率化",
                                                                     "市民サービスの充実"}
    assert len(facet(found, "第三次東大和市情報化推進計画", "目標")) == 5
    assert len(facet(found, "個人情報の保護に関する法律等の一部を改正する法律", "目的")) == 4
    levels = {r["resource_label"]: r["jurisdiction"] for r in found}
    assert levels["東京都ICT戦略"] == "東京都" and levels["自治体DX推進計画"] == "国"
    english = rows(store, "policy-goals", language="en")
    assert len(facet(english, "Tokyo ICT Strategy", "pillar")) == 4
    assert "Make use of data" in facet(english, "Tokyo ICT Strategy", "pillar")
    assert len(english) == len(found)


def test_q_organisations(store):
    found = rows(store, "organisations")
    def did(org, role):
        return {r["resource_ja"] for r in found if r["organisation_ja"] == org and r["role_en"] == role}
    assert {"東京都ICT戦略", "スマート東京実施戦略", "TOKYO Data Highway基本戦略", "未来の東京戦略ビジョン"} <= did(
        "東京都", "publishes")
    assert {f"第{n}次東大和市情報化推進計画" for n in "一二三四五"} <= did("東大和市", "publishes")
    assert "基幹系システム" in did("東大和市", "operates")
    assert "東京都カタログサイト" in did("東京都", "operates")
    assert "世界最先端IT国家創造宣言・官民データ活用推進基本計画" in did("内閣", "publishes")
    assert {"自治体DX推進計画", "自治体DX推進手順書"} <= did("総務省", "publishes")
    parents = {r["organisation_ja"]: r["parent_ja"] for r in found}
    assert parents["総務省"] == "日本国政府" and parents["東大和市議会"] == "東大和市"


# --- technologies, systems, business areas ---------------------------------------------

def test_q_technology_use_cases(store):
    found = rows(store, "technology-use-cases")
    uses = {}
    for r in found:
        uses.setdefault(r["technology_ja"], set()).add(r["use_case_ja"])
    assert SECTION_3_TECHNOLOGIES <= set(uses)
    assert {"問い合わせ対応", "予測・予防", "翻訳"} <= uses["AI"]
    assert {"帳票の自動処理", "伝票作成", "通知書の発行業務", "データ管理"} <= uses["RPA"]
    assert "遠隔医療" in uses["5G"]
    # the uses in public administration the source names, one by one
    assert len(uses["RPA"]) == 4 and len(uses["ドローン"]) == 2 and len(uses["オンライン会議システム"]) == 2
    assert all(len(uses[name]) == 1 for name in ("IoT", "AR", "VR", "ブロックチェーン", "ロボット"))
    assert "マイナンバーカードの健康保険証利用" in uses["マイナンバーカード"]
    assert {r["wikidata"] for r in found if r["technology_ja"] == "AI"} == {"http://www.wikidata.org/entity/Q11660"}


def test_q_technology_adoption(store):
    found = rows(store, "technology-adoption")
    taken_up = {}
    for r in found:
        taken_up.setdefault(r["technology_ja"], set()).add((r["plan_ja"], r["item"] and int(r["item"]),
                                                            r["resource_ja"]))
    assert SECTION_3_TECHNOLOGIES <= set(taken_up)
    assert taken_up["5G"] == {(None, None, "TOKYO Data Highway基本戦略")}
    assert {(p, i) for p, i, _ in taken_up["クラウド"]} == {("第四次東大和市情報化推進計画", 8),
                                                             ("第四次東大和市情報化推進計画", 9)}
    assert {(p, i) for p, i, _ in taken_up["電子申請"] if "東大和市" in (p or "")} == {  # the source's city
        ("第一次東大和市情報化推進計画", 7), ("第二次東大和市情報化推進計画", 8)}
    assert ("川崎市実行計画（2005～2007年度）", 1, "電子申請推進事業") in taken_up["電子申請"]  # data/kawasaki
    # no measure of the city's plans takes up these trends
    for name in ("AI", "RPA", "IoT", "ブロックチェーン", "ドローン"):
        assert not [x for x in taken_up[name] if x[0] is not None]


def test_q_system_history(store):
    found = rows(store, "system-history")
    def history(system):
        return [(int(r["plan_ordinal"]), int(r["item"])) for r in found if r["system_ja"] == system]
    assert history("基幹系システム") == [(2, 1), (3, 1), (4, 8)]
    assert history("財務会計システム") == [(2, 4), (3, 2), (4, 9)]
    assert {o for o, _ in history("市公式ホームページ")} == {1, 2, 3, 4}
    assert history("人事給与システム") == [(4, 17)]


def test_q_standard_area_coverage(store):
    found = rows(store, "standard-area-coverage")
    standard = [r for r in found if r["standard_area"]]
    assert len({r["standard_area"] for r in standard}) == 20
    not_covered = {r["standard_area_ja"] for r in found if r["coverage"].startswith("対象外")}
    assert not_covered == STANDARD_AREAS_NOT_IN_CORE
    covered = [r for r in found if r["coverage"].startswith("対象 ")]
    assert {r["system_area_ja"] for r in covered} == CORE_SYSTEM_AREAS
    assert not [r for r in found if r["coverage"].startswith("標準20業務外")]
    assert column(found, "coverage")[:3] == ["対象外 (not covered)"] * 3
    # another system covers none of the areas
    other = rows(store, "standard-area-coverage", system="system/higashiyamato-groupware")
    assert len(other) == 20 and all(r["coverage"] == "対象外 (not covered)" for r in other)


def test_q_standard_area_coverage_lists_areas_outside_the_twenty(graph):
    store = q.store_of(graph)
    area = ox.NamedNode(iri("business-area/test-unmapped"))
    store.add(ox.Quad(ox.NamedNode(iri("system/higashiyamato-core-systems")),
                      ox.NamedNode(str(LGDX.coversBusinessArea)), area))
    store.add(ox.Quad(area, RDFS_LABEL, ox.Literal("試験用の業務", language="ja")))
    outside = [r for r in rows(store, "standard-area-coverage") if r["coverage"].startswith("標準20業務外")]
    assert [(r["system_area"], r["system_area_ja"], r["standard_area"]) for r in outside] == [
        (area.value, "試験用の業務", None)]


# --- figures ----------------------------------------------------------------------

def test_q_indicator_trend(store):
    found = rows(store, "indicator-trend")
    assert [(r["date"], Decimal(r["value"])) for r in found] == [("2017-12-01", Decimal("10.2")),
                                                                   ("2021-12-01", Decimal("39.9"))]
    assert found[0]["change"] is None and Decimal(found[1]["change"]) == Decimal("29.7")
    assert found[1]["previous_date"] == "2017-12-01"
    assert {r["unit"] for r in found} == {"http://qudt.org/vocab/unit/PERCENT"}
    assert {r["indicator_ja"] for r in found} == {"マイナンバーカード交付率"}
    pcs = rows(store, "indicator-trend", indicator="indicator/school-admin-pcs")
    assert [int(r["value"]) for r in pcs] == [400, 450] and int(pcs[1]["change"]) == 50


def test_q_observations(store):
    found = rows(store, "observations")
    values = {Decimal(r["value"]) for r in found}
    # every figure of the source: 10.2 %, 39.9 % (1-(2)); 6,594 and 325 devices, 400 ⇒ 450 PCs (4-(2))
    assert {Decimal("10.2"), Decimal("39.9"), 6594, 325, 400, 450} <= values
    assert all(r["date"] and r["unit"] and r["indicator_ja"] and r["section"] for r in found)
    card = [r for r in found if r["indicator_ja"] == "マイナンバーカード交付率"]
    assert [(r["date"], r["section"]) for r in card] == [("2017-12-01", "1-(2)"), ("2021-12-01", "1-(2)")]
    pupils = next(r for r in found if Decimal(r["value"]) == 6594)
    assert (pupils["section"], pupils["unit"]) == ("4-(2)", "http://qudt.org/vocab/unit/NUM")


def test_q_plan_generations(store):
    found = [r for r in rows(store, "plan-generations") if r["publisher_ja"] == "東大和市"]  # the source's city
    assert [int(o) for o in column(found, "ordinal")] == [1, 2, 3, 4, 5]
    by = {int(r["ordinal"]): r for r in found}
    assert {n: by[n]["achievement_rate"] and Decimal(by[n]["achievement_rate"]) for n in by} == {
        1: Decimal("0.4"), 2: Decimal("0.9"), 3: Decimal("1"), 4: None, 5: None}
    assert {n: int(by[n]["measures"]) for n in by} == {1: 9, 2: 9, 3: 16, 4: 17, 5: 0}
    assert (int(by[4]["achieved"]), int(by[4]["partially_achieved"])) == (8, 9)
    assert (by[4]["period_start"], by[4]["period_end"]) == ("2019-04-01", "2022-03-31")
    assert by[1]["issued"] == "2004-03" and by[5]["target_date"] == "2027-03-31"
    assert by[1]["previous_plan"] is None
    for n in range(2, 6):
        assert by[n]["previous_plan"] == by[n - 1]["plan"]
    assert by[5]["previous_plan"] == iri("plan/higashiyamato-it-plan-4")  # the fifth plan succeeds the fourth


# --- provenance, search, links, quality -----------------------------------------------

def test_q_derived_from_passage(store):
    found = rows(store, "derived-from-passage")
    assert set(column(found, "section")) == {"4-(2)"}
    measures = {r["resource"] for r in found if r["class"] == str(LGDX.Measure)}
    assert measures == {iri(f"measure/higashiyamato-it-plan-4-{n:02d}") for n in range(1, 18)}
    assert iri("plan/higashiyamato-it-plan-4") in column(found, "resource")
    # the same passage by its identifier or IRI; a whole section includes its subsections
    by_id = rows(store, "derived-from-passage", passage="higashiyamato-it-plan-5-ch2-s4-2")
    by_iri = rows(store, "derived-from-passage", passage=iri("source/higashiyamato-it-plan-5-ch2-s4-2"))
    assert by_id == by_iri == found
    assert {"4-(1)", "4-(2)"} <= set(column(rows(store, "derived-from-passage", passage="4"), "section"))
    privacy = rows(store, "derived-from-passage", passage="1-(4)")
    laws = {r["resource"] for r in privacy if r["class"] == str(LGDX.Law)}
    assert {iri(f"law/{law_id}") for law_id in ("415AC0000000057", "415AC0000000058", "415AC0000000059",
                                                 "503AC0000000037")} <= laws
    assert len(laws) == 5  # and the 2020 amending act
    assert rows(store, "derived-from-passage", passage="4-(") == []


def test_q_label_search(store):
    found = {r["label_ja"] for r in rows(store, "label-search")}
    assert {"マイナンバーカード", "マイナンバーカード交付率", "マイナンバーカードの取得率の向上",
            "社会保障・税番号制度"} <= found  # the last through its alternative name マイナンバー制度
    assert "AI" in {r["label_ja"] for r in rows(store, "label-search", text="ai")}  # case does not matter
    assert "スマート東京実施戦略" in {r["label_ja"] for r in rows(store, "label-search", text="Smart Tokyo")}
    # the source's letter-spaced form is found through the hidden label
    spaced = rows(store, "label-search", text="D a t a H i g h w a y")
    assert "TOKYO Data Highway基本戦略" in {r["label_ja"] for r in spaced}
    assert rows(store, "label-search", text="存在しない名称") == []


def test_q_outside_links(store):
    found = rows(store, "outside-links")
    targets = {}
    for r in found:
        targets.setdefault(r["vocabulary"], set()).add(r["target"])
    assert {f"https://laws.e-gov.go.jp/law/{law_id}" for law_id in (
        "415AC0000000057", "415AC0000000058", "415AC0000000059", "425AC0000000027", "428AC1000000103",
        "503AC0000000037")} <= targets["e-Gov"]
    assert targets["e-Stat"] == {"http://data.e-stat.go.jp/lod/sac/C13220", "http://data.e-stat.go.jp/lod/sac/C13000",
                                 "http://data.e-stat.go.jp/lod/sac/C14130"}  # with Kawasaki (data/kawasaki)
    assert {"http://www.wikidata.org/entity/Q1490", "http://www.wikidata.org/entity/Q11660"} <= targets["Wikidata"]
    assert not [r for r in found if r["vocabulary"].startswith("未定義")], "every internal link resolves"
    assert all(not t.startswith(str(ID)) for t in set().union(*targets.values()))


def test_q_missing_outside_links(store, graph):
    found = rows(store, "missing-outside-links")
    missing = {(r["missing"], r["resource"]) for r in found}
    laws_without_id = {str(s) for s in graph.subjects(RDF.type, LGDX.Law) if graph.value(s, LGDX.eGovLawId) is None}
    assert {res for m, res in missing if m.startswith("e-Gov")} == laws_without_id
    assert iri("law/428AC1000000103") not in laws_without_id
    assert not [m for m, _ in missing if m.startswith(("e-Stat", "法人番号", "標準化"))]
    assert not [r for r in found if r["resource"] in (iri("org/130001"), iri("technology/ai"))]
    # a local government without its links is reported
    test_store = q.store_of(graph)
    town = ox.NamedNode(iri("org/999999"))
    test_store.add(ox.Quad(town, RDF_TYPE, ox.NamedNode(str(LGDX.LocalGovernment))))
    test_store.add(ox.Quad(town, RDF_TYPE, ox.NamedNode(str(LGDX.Organization))))  # as the rules type it
    reported = {r["missing"] for r in rows(test_store, "missing-outside-links") if r["resource"] == town.value}
    assert reported == {"e-Stat統計LOD地域コード (e-Stat area code)", "法人番号 (corporate number)", "Wikidata"}


def test_q_missing_english_descriptions(store, graph):
    found = rows(store, "missing-english-descriptions")
    # every Japanese description has an English one
    assert not [r for r in found if r["gap"].startswith("英語の説明なし")]
    assert all(r["gap"] == "説明なし (no description)" and r["description_ja"] is None for r in found)
    # a Japanese-only description is reported with its text, for translation
    test_store = q.store_of(graph)
    thing = ox.NamedNode(iri("system/test-untranslated"))
    for triple in ((thing, RDF_TYPE, ox.NamedNode(str(LGDX.InformationSystem))),
                   (thing, DESCRIPTION, ox.Literal("日本語だけの説明", language="ja")),
                   (thing, DERIVED_FROM, ox.NamedNode(iri("source/higashiyamato-it-plan-5-ch2-s4-2")))):
        test_store.add(ox.Quad(*triple))
    reported = [r for r in rows(test_store, "missing-english-descriptions") if r["resource"] == thing.value]
    assert [(r["gap"], r["description_ja"]) for r in reported] == [
        ("英語の説明なし (no English description)", "日本語だけの説明")]


def test_q_measure_progress(store):
    first = rows(store, "measure-progress")
    assert [r["progress_note"][0] for r in first] == ["①", "②", "③"]
    assert first[2]["progress_note"] == "③今後は令和5年度中に本システムを導入し、令和6年度より運用開始を予定している。"
    assert {(r["goal_type_ja"], r["achievement_ja"], r["direction_ja"]) for r in first} == {PLAN_4[1]}
    assert {r["content_ja"] for r in first} == {
        "すべての行政文書を電子化して作成から保存、廃棄までを一元管理し、文書のペーパーレス化の実施に向けて具体的な検討を図る。"}
    tenth = rows(store, "measure-progress", item=10)
    # the note split by a page break in the source is one note
    assert column(tenth, "progress_note") == [
        "①既存システムの更新を行った。",
        "②対面によらないコミュニケーションの円滑化やペーパーレス会議の推進に資する利用について検討した。"]
    assert len(rows(store, "measure-progress", item=3)) == 1
    assert len(rows(store, "measure-progress", item=13)) == 2
    assert rows(store, "measure-progress", item=18) == []
