"""Many cities in one project: per-city dumps and datasets, and the cross-city named queries."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, VOID

from conftest import ROOT
from fixtures.serve import TestClient
from kg import query as q
from kg.build import build
from kg.cities import city_dumps, city_folders
from kg.namespaces import DEFAULT_BASE
from kg.project import Project
from kg.serve.app import create_app
from kg.serve.config import Settings


def load_city_generator():
    spec = importlib.util.spec_from_file_location("kg_generate_cities", ROOT / "benchmarks" / "generate_cities.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    """The real project with three generated cities beside Higashiyamato and Kawasaki."""
    root = tmp_path_factory.mktemp("cities") / "project"
    for folder in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    load_city_generator().generate(root / "data", 3)
    return Project(root)


@pytest.fixture(scope="module")
def store(project: Project):
    return q.store_of(project.load().graph)



def select(project: Project, store, name: str) -> list[dict]:
    query = q.named_queries(project.queries_dir)[name]
    result = q.run(store, query.text, q.bind_params(query, {}))
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


def test_city_folders_are_the_folders_with_a_city_file(project: Project):
    names = [p.name for p in city_folders(project.data_dir)]
    assert names == ["gen-city-0", "gen-city-1", "gen-city-2", "higashiyamato", "kawasaki"]


def test_q_cities_measures_by_status(project: Project, store):
    found = select(project, store, "cities-measures-by-status")
    per_city: dict[str, int] = {}
    for r in found:
        per_city[r["city_ja"]] = per_city.get(r["city_ja"], 0) + int(r["measures"])
    assert per_city["テスト市0"] == 50 and per_city["川崎市"] == 3 and per_city["東大和市"] == 51
    kawasaki = {r["status_ja"]: int(r["measures"]) for r in found if r["city_ja"] == "川崎市"}
    assert kawasaki == {"達成": 1, "一部達成": 1, "（記載なし）": 1}
    assert not [r for r in found if r["code"].endswith("0001")]  # no prefecture (東京都 130001) among them


def test_q_cities_technologies(project: Project, store):
    found = select(project, store, "cities-technologies")
    cities = {r["city_ja"] for r in found}
    assert {"東大和市", "川崎市"} <= cities
    kawasaki = [(r["technology_ja"], r["measure_labels"]) for r in found if r["city_ja"] == "川崎市"]
    assert kawasaki == [("電子申請", "電子申請推進事業")]  # the online application project
    assert all(int(r["measures"]) >= 1 for r in found)
    graph = project.load().graph
    expected = len({(str(m)) for m, t in graph.subject_objects(URIRef("https://w3id.org/lgdx/ontology#concernsTechnology"))
                    if "gen-city-0" in str(m)})
    assert sum(int(r["measures"]) for r in found if r["city_ja"] == "テスト市0") >= expected > 0


def test_q_cities_plans_by_law(project: Project, store):
    found = select(project, store, "cities-plans-by-law")
    assert {(r["city_ja"], r["law_ja"], r["via"]) for r in found} == {
        ("テスト市0", "官民データ活用推進基本法", "直接 (direct)")}
    assert len(found) == 2  # both plans of テスト市0 (every third city's plans name the law)


def test_q_cities_without_plan_in_force(project: Project, store):
    found = {r["city_ja"]: r for r in select(project, store, "cities-without-plan-in-force")}
    # テスト市0 and テスト市2 have a plan running to FY2026 (2027-03-31); the others' plans have ended (FY2024)
    assert set(found) == {"テスト市1", "東大和市", "川崎市"}
    assert found["川崎市"]["last_period_end"] == "2011-03-31" and found["テスト市1"]["last_period_end"] == "2025-03-31"


@pytest.fixture(scope="module")
def dist(project: Project, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cities-dist") / "dist"
    result = build(project, out)
    assert {f for f in result.files if f.startswith("cities/")} == {
        f"cities/{p.name}.ttl" for p in city_folders(project.data_dir)}
    return out


@pytest.fixture(scope="module")
def client(project: Project, dist: Path):
    settings = Settings(dist=dist, queries_dir=project.queries_dir, workers=2)
    with TestClient(create_app(settings)) as c:
        yield c


def test_build_writes_a_dump_and_a_dataset_per_city(dist: Path):
    kawasaki = Graph().parse(dist / "cities" / "kawasaki.ttl")
    subjects = {str(s).removeprefix(DEFAULT_BASE) for s in kawasaki.subjects()}
    assert {"org/141305", "plan/kawasaki-action-plan-2008", "measure/kawasaki-action-plan-2008-02",
            "source/kawasaki-action-plan-2008-table-r3"} <= subjects
    assert not [s for s in subjects if s.startswith(("law/", "technology/", "concept/", "org/132209"))]
    catalog = Graph().parse(dist / "catalog.ttl")
    dataset = URIRef(DEFAULT_BASE + "dataset/kawasaki")
    assert (URIRef(DEFAULT_BASE + "dataset/kg"), VOID.subset, dataset) in catalog
    assert int(catalog.value(dataset, VOID.triples)) == len(kawasaki)
    assert str(catalog.value(dataset, DCAT.distribution)).endswith("/download/cities/kawasaki.ttl")


def test_city_dumps_follow_the_base(project: Project):
    loaded = project.load()
    dumps = {d.slug: d for d in city_dumps(loaded, project.data_dir, "https://example.org/id/")}
    assert str(dumps["kawasaki"].org) == "https://example.org/id/org/141305"
    written = Graph().parse(data=dumps["kawasaki"].dump.content, format="turtle")
    assert URIRef("https://example.org/id/plan/kawasaki-action-plan-2005") in set(written.subjects())
    assert len(written) == dumps["kawasaki"].triples and not [s for s in written.subjects() if DEFAULT_BASE in s]


def test_compare_page_draws_every_city_and_tables_the_queries(client):
    page = client.get("/compare")
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    text = page.text
    assert text.count("<svg") == 3  # status and direction per city, and the timeline
    for city in ("東大和市", "川崎市", "テスト市0", "テスト市2"):
        assert city in text
    assert "官民データ活用推進基本法" in text and "直接 (direct)" in text  # the plans based on the law
    assert '<th scope="row">テスト市1</th>' in text or "テスト市1" in text
    assert 'href="/id/org/141305"' in text and "style=" not in text.split("<main", 1)[1]


def test_plan_and_city_pages_draw_their_measures(client):
    plan = client.get("/id/plan/kawasaki-action-plan-2008", headers={"accept": "text/html"})
    assert plan.status_code == 200 and plan.text.count("<svg") == 1
    # 一部達成 1, not stated 1, 継続 0 (of the status bar), total 2
    assert '<th scope="row">達成状況 status</th><td>1</td><td>1</td><td>0</td><td>2</td>' in plan.text
    city = client.get("/id/org/141305", headers={"accept": "text/html"})
    assert city.text.count("<svg") == 3 and "川崎市実行計画（2005～2007年度）" in city.text
    assert client.get("/id/org/130001", headers={"accept": "text/html"}).text.count("<svg") == 0  # a prefecture
    home = client.get("/")
    assert home.status_code == 200 and home.text.count("<svg") == 4 and 'href="/compare"' in home.text


def test_q_city_plans_by_status(project: Project, store):
    query = q.named_queries(project.queries_dir)["city-plans-by-status"]
    result = q.run(store, query.text, q.bind_params(query, {"city": "org/141305"}))
    found = [{v.value: (s[v.value].value if s[v.value] is not None else None) for v in result.variables} for s in result]
    assert [(r["plan_ja"], r["status_ja"], r["measures"], r["continuing"]) for r in found] == [
        ("川崎市実行計画（2005～2007年度）", "達成", "1", "0"),
        ("川崎市実行計画（2008～2010年度）", "一部達成", "1", "1"),
        ("川崎市実行計画（2008～2010年度）", "（記載なし）", "1", "1")]
    higashiyamato = q.run(store, query.text, q.bind_params(query, {}))  # the default: 東大和市, plans in order
    plans = list(dict.fromkeys(s["plan_ja"].value for s in higashiyamato))
    assert plans[0] == "第一次東大和市情報化推進計画" and len(plans) == 4  # plan 5 has no measures yet


def test_too_many_cities_are_drawn_per_prefecture(project: Project, dist: Path, monkeypatch):
    from kg.serve.views import compare

    monkeypatch.setattr(compare, "MAX_CITY_BARS", 2)
    with TestClient(create_app(Settings(dist=dist, queries_dir=project.queries_dir, workers=1))) as client:
        text = client.get("/compare").text
    assert "都道府県別 市区町村の個別計画の達成状況" in text and "市区町村別 個別計画の達成状況" not in text
    assert '<th scope="row">東京都</th>' in text and '<th scope="row">神奈川県</th>' in text


def test_a_chart_past_the_row_limit_is_left_out_and_the_page_still_answers(project: Project, dist: Path):
    settings = Settings(dist=dist, queries_dir=project.queries_dir, workers=1, max_results=3)
    with TestClient(create_app(settings)) as client:
        home = client.get("/")
    assert home.status_code == 200 and home.text.count("<svg") < 4
