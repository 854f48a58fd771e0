"""Lists and counts of the pages: search paging, class counts, facets, labels, downloads, named queries."""

import hashlib
import shutil
from pathlib import Path

import pytest

import fixtures.serve
from fixtures.serve import QUERIES, TestClient, make_dist
from kg.serve.app import create_app
from kg.serve.config import Settings
from kg.serve.fetch import listing, load, search

BASE = "https://w3id.org/lgdx/id/"
LGDX = "https://w3id.org/lgdx/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ESTAT = "http://data.e-stat.go.jp/lod/sparql/alldata/query"
FEDERATED = f"""# title: 外部との連携
# title-en: Joined with an outside endpoint
SELECT ?s ?o WHERE {{ ?s a lgdx:Plan . SERVICE <{ESTAT}> {{ ?s ?p ?o }} }}
"""


# An organisation typed lgdx:Organization only: the Organization listing adds the city (a LocalGovernment).
COUNCIL = """
id:org\\/council a lgdx:Organization ; rdfs:label "東大和市議会"@ja , "Higashiyamato City Council"@en .
"""
# An observation: its listing shows value, unit and date as columns, the number as written.
OBSERVATION = """
id:observation\\/pcs a lgdx:Observation ; rdfs:label "学習用端末の台数"@ja , "Pupil devices"@en ;
    lgdx:value "6594.0"^^xsd:decimal ; lgdx:unit <http://qudt.org/vocab/unit/NUM> ;
    lgdx:observedOn "2021-03-31"^^xsd:date .
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    graphs = tmp_path_factory.mktemp("graphs")
    for name in ("graph.ttl", "ontology.ttl"):
        shutil.copy(Path(fixtures.serve.HERE) / name, graphs)
    with (graphs / "graph.ttl").open("a", encoding="utf-8") as f:
        f.write(COUNCIL + OBSERVATION)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fixtures.serve, "HERE", graphs)
        return make_dist(tmp_path_factory.mktemp("serve") / "dist")


@pytest.fixture(scope="module")
def queries(tmp_path_factory):
    folder = tmp_path_factory.mktemp("queries")
    for path in QUERIES.glob("*.rq"):
        shutil.copy(path, folder)
    (folder / "federated.rq").write_text(FEDERATED, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def client(dist, queries):
    with TestClient(create_app(Settings(dist=dist, queries_dir=queries, workers=2))) as c:
        yield c


@pytest.fixture(scope="module")
def data(dist):
    return load(str(dist / "kg.nt"), BASE)


def context(monkeypatch, module, client, path, **params) -> dict:
    """The context the view of ``path`` renders its HTML template with (``render`` of ``module``)."""
    seen = {}
    render = module.render

    def spy(request, template, values, **kwargs):
        seen.update(values)
        return render(request, template, values, **kwargs)

    monkeypatch.setattr(module, "render", spy)
    assert client.get(path, params=params, headers={"accept": "text/html"}).status_code == 200
    return seen


# --- B1: search pages -------------------------------------------------------------------

def test_search_pages_through_every_match(data):
    first = search(data, "a", offset=0, limit=3)
    assert first["total"] > 6 and len(first["items"]) == 3
    second = search(data, "a", offset=3, limit=3)
    assert len(second["items"]) == 3
    assert not {i["iri"] for i in first["items"]} & {i["iri"] for i in second["items"]}


def test_search_page_passes_the_pager_and_refuses_pages_past_the_end(client, monkeypatch):
    from kg.serve.views import listing as view

    monkeypatch.setattr(view, "SEARCH_PAGE_SIZE", 5)
    seen = context(monkeypatch, view, client, "/search", q="a", page="2")
    assert seen["total"] > 10 and len(seen["items"]) == 5
    assert (seen["page"], seen["shown_from"], seen["shown_to"]) == (2, 6, 10)
    assert seen["prev"] == "/search?q=a" and seen["next"] == "/search?q=a&page=3"
    past = client.get("/search", params={"q": "a", "page": "99"})
    assert past.status_code == 404 and f"page={seen['pages']}" in past.text


def test_class_pages_past_the_end_are_404(client):
    assert client.get("/class/Measure", params={"page": "2"}).status_code == 404


# --- B2: class counts -------------------------------------------------------------------

def test_listing_counts_direct_members_and_subclass_members(data):
    found = listing(data, [LGDX + "Organization", LGDX + "LocalGovernment"], [], {})
    assert found["total"] == 2 and found["by_class"] == [(LGDX + "Organization", 1), (LGDX + "LocalGovernment", 1)]
    concepts = listing(data, [SKOS + "Concept", LGDX + "Technology"], [], {})
    # technology/ai is typed both: counted once in all, and under each class
    assert concepts["total"] == 6 and concepts["by_class"] == [(SKOS + "Concept", 6), (LGDX + "Technology", 1)]


def test_class_page_explains_its_count(client, monkeypatch):
    from kg.serve.views import listing as view

    seen = context(monkeypatch, view, client, "/class/Organization")
    assert seen["total"] == 2 and seen["direct"] == 1
    assert [(c["name"], c["count"], c["subclass"]) for c in seen["by_class"]] == [
        ("Organization", 1, False), ("LocalGovernment", 1, True)]
    check = client.get(seen["count_query"], headers={"accept": "text/html"})
    assert check.status_code == 200 and ">2<" in check.text


@pytest.mark.parametrize("path", ["/class", "/", "/catalog"])
def test_class_indexes_pass_counts_with_subclasses(client, monkeypatch, path):
    from kg.serve.views import dataset

    seen = context(monkeypatch, dataset, client, path)
    # VoID counts the one organisation typed lgdx:Organization; its listing adds the city.
    # skos:Concept is left out: its one lgdx:Technology is typed skos:Concept too.
    assert seen["class_counts"] == {"Organization": 2}
    assert client.app.state.site.classes["Organization"]["count"] == 1


# --- U2: labels of outside terms ----------------------------------------------------------

def test_outside_terms_the_data_uses_have_labels(client):
    site = client.app.state.site
    unit = "http://qudt.org/vocab/unit/"
    for iri, ja in ((SKOS + "Concept", "概念"), (SKOS + "ConceptScheme", "概念スキーム"),
                    (unit + "NUM", "個数"), (unit + "PERCENT", "パーセント")):
        assert site.term_label(iri)["ja"] == ja and site.term_label(iri)["en"]
    assert site.about()["license_labels"]["ja"] == "公共データ利用規約（第1.0版）"
    assert site.classes["skos:Concept"]["labels"] == {"ja": "概念", "en": "concept"}


def test_concept_listing_is_titled_in_words(client, monkeypatch):
    from kg.serve.views import listing as view

    seen = context(monkeypatch, view, client, "/class/skos:Concept")
    assert seen["cls"]["labels"] == seen["by_class"][0]["labels"] == {"ja": "概念", "en": "concept"}


# --- U6: checksums of every file ------------------------------------------------------------

def test_every_download_has_its_size_and_full_sha256(client, dist):
    files = client.app.state.site.files
    assert {"kg.nt", "catalog.ttl", "ontology.ttl"} <= set(files)
    for name, file in files.items():
        content = (dist / name).read_bytes()
        assert file.sha256 == hashlib.sha256(content).hexdigest() and file.size == len(content), name


# --- U8: queries this server refuses -----------------------------------------------------

def test_queries_needing_a_service_not_allowed_are_marked(client, monkeypatch):
    from kg.serve.views import query as view

    seen = context(monkeypatch, view, client, "/query")
    assert set(seen["unavailable"]) == {"federated"}
    refused = seen["unavailable"]["federated"]
    assert refused["services"] == [ESTAT] and ESTAT in refused["reason"]["ja"] and ESTAT in refused["reason"]["en"]
    run = client.get("/query", params={"name": "federated"})
    assert run.status_code == 400 and "is not allowed" in run.text


def test_queries_with_an_allowed_service_are_offered(dist, queries, monkeypatch):
    from kg.serve.views import query as view

    settings = Settings(dist=dist, queries_dir=queries, workers=1, allowed_services=frozenset({ESTAT}))
    with TestClient(create_app(settings)) as c:
        assert context(monkeypatch, view, c, "/query")["unavailable"] == {}


# --- U9: facets that match nothing -----------------------------------------------------------

def test_selected_facet_values_stay_when_nothing_matches(data):
    status, plan = LGDX + "achievementStatus", LGDX + "partOf"
    filters = {status: BASE + "concept/achieved", plan: BASE + "plan/plan-3"}
    found = listing(data, [LGDX + "Measure"], [status, plan], filters)
    assert found["matching"] == 0
    assert (BASE + "concept/achieved", 0) in found["facets"][status]
    assert (BASE + "plan/plan-3", 0) in found["facets"][plan]


def test_class_page_shows_each_selected_value_with_a_way_to_remove_it(client, monkeypatch):
    from kg.serve.views import listing as view

    seen = context(monkeypatch, view, client, "/class/Measure", achievementStatus="concept/achieved",
                   partOf="plan/nope")
    selected = {f["key"]: [v for v in f["values"] if v["selected"]] for f in seen["facets"]}
    assert [v["toggle"] for v in selected["achievementStatus"]] == ["/class/Measure?partOf=plan%2Fnope"]
    assert [v["toggle"] for v in selected["partOf"]] == ["/class/Measure?achievementStatus=concept%2Fachieved"]


# --- natural order ------------------------------------------------------------------------

def test_plans_come_in_their_own_order(data):
    plan = LGDX + "partOf"
    found = listing(data, [LGDX + "Measure"], [plan], {})
    # plan-4 has three measures and plan-3 one: by count, plan-4 would come first
    assert [v for v, _ in found["facets"][plan]] == [BASE + "plan/plan-3", BASE + "plan/plan-4"]
    assert found["items"][0][0] == BASE + "measure/plan-3-01"
    plans = listing(data, [LGDX + "Plan"], [], {})
    assert [m for m, _, _ in plans["items"]] == [BASE + "plan/plan-3", BASE + "plan/plan-4"]


# --- what the pages show of the above -----------------------------------------------------

def test_search_page_shows_its_range_and_a_pager(client, monkeypatch):
    from kg.serve.views import listing as view

    monkeypatch.setattr(view, "SEARCH_PAGE_SIZE", 5)
    html = client.get("/search", params={"q": "a", "page": "2"}, headers={"accept": "text/html"}).text
    assert '<ol class="hits" start="6">' in html and "6–10 件目" in html
    assert 'href="/search?q=a&amp;page=3" rel="next"' in html and 'href="/search?q=a" rel="prev"' in html


def test_pages_say_which_count_includes_subclasses(client):
    classes = client.get("/class", headers={"accept": "text/html"}).text
    assert "下位クラスを含め 2" in classes and "2 with subclasses" in classes  # the council and the city
    listing = client.get("/class/Organization", headers={"accept": "text/html"}).text
    assert "内訳" in listing and "（下位クラス" in listing and "check with SPARQL" in listing


def test_downloads_show_the_whole_sha256(client):
    html = client.get("/download", headers={"accept": "text/html"}).text
    for file in client.app.state.site.files.values():
        assert f'<code class="hash">{file.sha256}</code>' in html


def test_a_query_this_server_refuses_cannot_be_run_from_its_card(client):
    html = client.get("/query", headers={"accept": "text/html"}).text
    card = html[html.index('id="q-federated"'):]
    card = card[:card.index("</form>")]
    assert "disabled" in card and ESTAT in card
    other = html[html.index('id="q-', html.index('id="q-') + 1):]
    assert "disabled" not in other[:other.index("</form>")] or 'id="q-federated"' in other[:other.index("</form>")]


def test_the_licence_is_named(client):
    html = client.get("/", headers={"accept": "text/html"}).text
    assert "公共データ利用規約" in html


def test_observation_listing_shows_value_unit_and_date_columns(client):
    html = client.get("/class/Observation", headers={"accept": "text/html"}).text
    head = html[html.index("<thead>"):html.index("</thead>")]  # the fixture ontology labels none of them
    assert head.index(">value<") < head.index(">unit<") < head.index(">observedOn<") < head.index(">indicator<")
    row = html[html.index("学習用端末の台数"):]
    row = row[:row.index("</tr>")]
    assert "6,594" in row and "&quot;6594.0&quot;^^xsd:decimal" in row  # as written, readable
    assert "2021年3月31日" in row and "個数" in row


# --- national scale: many facet values, answers worked out once ------------------------------------

def test_a_facet_shows_its_first_values_and_counts_the_rest(tmp_path):
    import pyoxigraph as ox

    from kg.serve.fetch import FACET_VALUES

    plans = FACET_VALUES + 12
    lines = []
    for i in range(plans):
        lines.append(f"<{BASE}plan/p{i:03d}> <{LGDX}ordinal> \"{i + 1}\"^^<http://www.w3.org/2001/XMLSchema#integer> .")
        lines.append(f"<{BASE}measure/m{i:03d}> a <{LGDX}Measure> ; <{LGDX}partOf> <{BASE}plan/p{i:03d}> .")
    path = tmp_path / "kg.nt"
    path.write_bytes(ox.serialize(ox.parse("\n".join(lines).encode(), format=ox.RdfFormat.TURTLE),
                                  format=ox.RdfFormat.N_TRIPLES))
    many = load(str(path), BASE)
    plan = LGDX + "partOf"
    found = listing(many, [LGDX + "Measure"], [plan], {})
    assert [v for v, _ in found["facets"][plan]] == [f"{BASE}plan/p{i:03d}" for i in range(FACET_VALUES)]
    assert found["facets_more"][plan] == 12 and found["matching"] == plans
    last = f"{BASE}plan/p{plans - 1:03d}"  # past the values shown, but selected: shown
    chosen = listing(many, [LGDX + "Measure"], [plan], {plan: last})
    assert (last, 1) in chosen["facets"][plan] and chosen["matching"] == 1
    assert [m for m, _, _ in chosen["items"]] == [f"{BASE}measure/m{plans - 1:03d}"]
    # asked again, the same answer (worked out once, kept for the worker's store)
    assert listing(many, [LGDX + "Measure"], [plan], {plan: last}) == chosen
    assert listing(many, [LGDX + "Measure"], [plan], {}) == found


def test_a_store_that_may_change_is_listed_anew(data):
    import pyoxigraph as ox

    from kg.serve.fetch import Data

    class Changing:  # stands for a remote store: answers as the embedded one does, and may change
        def __init__(self, store):
            self.store = store

        def __getattr__(self, name):
            return getattr(self.store, name)

    copy = ox.Store()
    copy.extend(data.store)
    remote = Data(Changing(copy), BASE)
    assert not remote.keeps_answers and data.keeps_answers
    before = listing(remote, [LGDX + "Measure"], [], {})["matching"]
    copy.add(ox.Quad(ox.NamedNode(BASE + "measure/new"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode(LGDX + "Measure")))
    assert listing(remote, [LGDX + "Measure"], [], {})["matching"] == before + 1
