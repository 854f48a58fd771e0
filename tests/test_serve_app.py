"""Every route of the server, in process (Starlette's test client), on the fixture dist."""

import json
import threading
import time
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from fixtures.serve import QUERIES, TestClient, make_dist
from kg.serve.app import ROUTES, create_app
from kg.serve.config import Settings

BASE = "https://w3id.org/lgdx/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SELECT = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 5"
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a lgdx:Measure ; rdfs:label ?l }"
# a cross join of the data with itself, three times over: runs far past any time limit
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return make_dist(tmp_path_factory.mktemp("serve") / "dist")


@pytest.fixture(scope="module")
def client(dist):
    settings = Settings(dist=dist, queries_dir=QUERIES, timeout=2.0, max_results=50, max_body=10_000, workers=3)
    with TestClient(create_app(settings)) as c:
        yield c


# --- home, catalogue, downloads ---------------------------------------------------

def test_home_describes_the_dataset_and_links_everything(client):
    r = client.get("/", headers={"accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for text in ("地方公共団体の情報化政策ナレッジグラフ", "Local-government digital policy",
                 'href="/class/Measure"', 'href="/sparql"', 'href="/query"', 'href="/ontology"',
                 'href="/download"', 'href="/catalog"', 'href="/.well-known/void"', 'href="/search"'):
        assert text in r.text


@pytest.mark.parametrize("path", ["/catalog", "/.well-known/void"])
@pytest.mark.parametrize("accept, media, parser", [
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
])
def test_self_description_by_accept(client, path, accept, media, parser):
    r = client.get(path, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert r.headers["vary"] == "Accept"
    triples = list(ox.parse(r.content, format=parser))
    kinds = {t.object.value for t in triples if t.predicate.value.endswith("#type")}
    assert "http://www.w3.org/ns/dcat#Dataset" in kinds and "http://rdfs.org/ns/void#Dataset" in kinds


def test_self_description_by_extension_and_for_browsers(client):
    assert client.get("/catalog.jsonld").headers["content-type"].startswith("application/ld+json")
    assert client.get("/.well-known/void.ttl").headers["content-type"].startswith("text/turtle")
    page = client.get("/catalog", headers={"accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html") and "kg.nt" in page.text
    assert client.get("/catalog.png").status_code == 404


@pytest.mark.parametrize("name, media", [("kg.nt", "application/n-triples"), ("kg.ttl", "text/turtle"),
                                         ("catalog.ttl", "text/turtle"), ("ontology.ttl", "text/turtle")])
def test_downloads_have_their_media_types_and_validators(client, dist, name, media):
    r = client.get(f"/download/{name}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert r.content == (dist / name).read_bytes()
    assert r.headers["etag"] and r.headers["last-modified"]
    again = client.get(f"/download/{name}", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_download_etag_is_the_catalogue_checksum(client, dist):
    import hashlib

    etag = client.get("/download/kg.nt").headers["etag"]
    assert etag.strip('"') == hashlib.sha256((dist / "kg.nt").read_bytes()).hexdigest()[:32]


@pytest.mark.parametrize("name", ["nope.ttl", "../pyproject.toml", "%2e%2e/kg.nt", "/etc/passwd"])
def test_only_dist_files_can_be_downloaded(client, name):
    assert client.get("/download/" + name).status_code == 404


def test_download_index(client):
    r = client.get("/download")
    assert r.status_code == 200 and 'href="/download/kg.nt"' in r.text


# --- SPARQL protocol ----------------------------------------------------------------

@pytest.mark.parametrize("accept, media, parser", [
    ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", "text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
    (None, "application/sparql-results+json", ox.QueryResultsFormat.JSON),
])
def test_select_by_get_in_every_format(client, accept, media, parser):
    r = client.get("/sparql", params={"query": SELECT}, headers={"accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    if parser == ox.QueryResultsFormat.CSV:  # lossy: pyoxigraph does not read it back
        assert r.text.startswith("s,label\r\n") and r.text.count("\r\n") == 6
    else:
        assert len(list(ox.parse_query_results(r.content, format=parser))) == 5


def test_select_by_post_form_and_by_post_query(client):
    form = client.post("/sparql", data={"query": SELECT}, headers={"accept": "application/sparql-results+json"})
    direct = client.post("/sparql", content=SELECT.encode(),
                         headers={"content-type": "application/sparql-query", "accept": "application/json"})
    assert form.status_code == direct.status_code == 200
    assert json.loads(form.content) == json.loads(direct.content)
    assert len(json.loads(form.content)["results"]["bindings"]) == 5


@pytest.mark.parametrize("accept, media, parser", [
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_construct_in_every_format(client, accept, media, parser):
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert len(list(ox.parse(r.content, format=parser))) == 8  # 4 measures × 2 labels


def test_describe_and_ask(client):
    describe = client.get("/sparql", params={"query": f"DESCRIBE <{BASE}measure/plan-4-01>"},
                          headers={"accept": "application/n-triples"})
    assert describe.status_code == 200 and b"plan-4-01" in describe.content
    ask = client.get("/sparql", params={"query": "ASK { ?s a lgdx:Measure }"})
    assert ask.json() == {"head": {}, "boolean": True}


def test_format_parameter_overrides_accept(client):
    r = client.get("/sparql", params={"query": SELECT, "format": "csv"}, headers={"accept": "application/json"})
    assert r.headers["content-type"].startswith("text/csv")


def test_browsers_get_a_results_table(client):
    r = client.get("/sparql", params={"query": SELECT}, headers={"accept": BROWSER})
    assert r.status_code == 200 and "<table class=\"results\">" in r.text


def test_unacceptable_result_type_is_406(client):
    r = client.get("/sparql", params={"query": SELECT}, headers={"accept": "image/png"})
    assert r.status_code == 406


def test_malformed_query_is_400_with_the_parser_message(client):
    r = client.get("/sparql", params={"query": "SELECT WHERE { ?s ?p }"}, headers={"accept": "application/json"})
    assert r.status_code == 400
    body = r.json()
    assert body["error"].startswith("malformed query") and len(body["error"]) > len("malformed query: ")
    plain = client.get("/sparql", params={"query": "SELEKT * {}"}, headers={"accept": "text/plain"})
    assert plain.status_code == 400 and plain.headers["content-type"].startswith("text/plain")
    assert "malformed query" in plain.text


@pytest.mark.parametrize("request_kwargs", [
    {"data": {"update": "INSERT DATA { <http://a> <http://b> <http://c> }"}},
    {"content": b"INSERT DATA { <http://a> <http://b> <http://c> }",
     "headers": {"content-type": "application/sparql-update"}},
    {"content": b"DROP ALL", "headers": {"content-type": "application/sparql-update"}},
])
def test_updates_are_refused(client, request_kwargs):
    r = client.post("/sparql", **request_kwargs)
    assert r.status_code in (400, 405)
    assert "read-only" in r.text
    assert client.get("/sparql", params={"query": "ASK { <http://a> ?p ?o }"}).json()["boolean"] is False


def test_update_text_sent_as_a_query_is_refused(client):
    for text in ("INSERT DATA { <http://a> <http://b> <http://c> }", "LOAD <file:///etc/passwd>",
                 "CLEAR DEFAULT"):
        assert client.get("/sparql", params={"query": text}).status_code == 400
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 400


@pytest.mark.parametrize("query, word", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }", None),
])
def test_outside_data_is_refused(client, query, word):
    r = client.get("/sparql", params={"query": query}, headers={"accept": "application/json"})
    assert r.status_code == 400
    if word:
        assert word in r.json()["error"]


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_protocol_datasets_are_refused(client, param):
    r = client.get("/sparql", params={"query": SELECT, param: "file:///etc/passwd"})
    assert r.status_code == 400 and param in r.text


def test_unknown_body_type_is_415_and_large_body_is_413(client):
    assert client.post("/sparql", content=b"x", headers={"content-type": "text/plain"}).status_code == 415
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 20_000
    r = client.post("/sparql", content=big.encode(), headers={"content-type": "application/sparql-query"})
    assert r.status_code == 413
    r = client.post("/sparql", data={"query": big})
    assert r.status_code == 413


def test_result_size_limit_is_a_clear_error(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"accept": "application/json"})
    assert r.status_code == 400  # the client can act on it: a 4xx, not a server failure
    assert "more than 50 rows" in r.json()["error"] and "LIMIT" in r.json()["fix"]
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"accept": "text/plain"})
    assert r.status_code == 400 and "more than 50 triples" in r.text


@pytest.mark.parametrize("query, status", [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 50", 200),                       # its own LIMIT, within the limit
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 51", 400),                       # its own LIMIT, past it
    ("SELECT * WHERE { ?s ?p ?o } OFFSET 10", 400),                      # LIMIT appended after OFFSET
    ("SELECT * WHERE { ?s ?p ?o } # LIMIT 5", 400),                      # a LIMIT in a comment does not count
    ("SELECT ?s WHERE { ?s ?p ?o } VALUES ?x { 1 }", 400),               # VALUES ends the query
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 40 VALUES ?x { 1 }", 200),
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", 200),
])
@pytest.mark.parametrize("accept", ["application/json", "text/csv", "text/tab-separated-values",
                                    "application/sparql-results+xml"])
def test_row_limit_whatever_the_query_ends_with(client, query, status, accept):
    r = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert r.status_code == status, r.text


def test_appended_limit_keeps_the_order(client):
    query = "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY DESC(str(?l)) ?s OFFSET 2"
    appended = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    own = client.get("/sparql", params={"query": query.replace("OFFSET 2", "LIMIT 50 OFFSET 2")}).json()
    assert appended == own["results"]["bindings"] and len(appended) == 33
    labels = [r["l"]["value"] for r in appended]
    assert labels == sorted(labels, reverse=True)


def test_slow_query_times_out_while_the_server_keeps_answering(client):
    outcome = {}

    def slow():
        outcome["r"] = client.get("/sparql", params={"query": SLOW}, headers={"accept": "application/json"})

    started = time.perf_counter()
    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)  # the slow query now holds one worker
    quick = []
    for path in ("/sparql?query=" + quote("ASK { ?s ?p ?o }"), "/", "/id/measure/plan-4-01", "/search?q=AI"):
        t = time.perf_counter()
        assert client.get(path).status_code == 200
        quick.append(time.perf_counter() - t)
    assert thread.is_alive(), "the slow query should still be running"
    assert max(quick) < 1.0, quick
    thread.join(30)
    r = outcome["r"]
    assert r.status_code == 503
    assert "time limit of 2 s" in r.json()["error"]
    assert 1.9 < time.perf_counter() - started < 15
    # the stopped worker is replaced: queries keep working
    for _ in range(4):
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_pages_keep_a_worker_while_slow_queries_hold_the_others(client):
    threads = [threading.Thread(target=client.get, args=("/sparql",), kwargs={"params": {"query": SLOW}})
               for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    t = time.perf_counter()
    assert client.get("/id/measure/plan-4-01").status_code == 200
    assert client.get("/class/Measure").status_code == 200
    assert time.perf_counter() - t < 1.0
    for thread in threads:
        thread.join(30)


def test_service_description(client):
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.object == ox.NamedNode(sd + "Service") for t in triples)
    assert any(t.predicate == ox.NamedNode(sd + "resultFormat") for t in triples)
    assert not any(t.object == ox.NamedNode(sd + "BasicFederatedQuery") for t in triples)
    jsonld = client.get("/sparql", headers={"accept": "application/ld+json"})
    assert jsonld.status_code == 200 and list(ox.parse(jsonld.content, format=ox.RdfFormat.JSON_LD))
    page = client.get("/sparql", headers={"accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html") and "<textarea" in page.text


# --- dereferenceable IRIs ---------------------------------------------------------------

def test_entity_page_shows_labels_properties_links_and_source(client):
    r = client.get("/id/measure/plan-4-01", headers={"accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    text = r.text
    assert "<h1>電子申請の拡充</h1>" in text and "More online applications" in text
    # linked resources by label, not raw IRIs
    assert '>第四次計画</a>' in text and '>達成</a>' in text and '>AI（人工知能）</a>' in text
    assert 'href="/id/plan/plan-4"' in text
    # property labels from the ontology
    assert "達成状況" in text and "所属計画" in text
    # the source passage with its section and label
    assert "4-(2)" in text and "(2) 第四次計画の取組状況" in text and "情報化推進計画 第2章" in text
    # the measure-specific summary
    assert 'class="summary"' in text
    assert r.headers["vary"] == "Accept, Accept-Profile"
    link = r.headers["link"]
    for ext, media in ((".ttl", "text/turtle"), (".jsonld", "application/ld+json"), (".nt", "application/n-triples")):
        assert f'</id/measure/plan-4-01{ext}>; rel="alternate"; type="{media}"' in link


def test_entity_page_lists_incoming_links(client):
    r = client.get("/id/plan/plan-4", headers={"accept": BROWSER})
    assert "Referenced by" in r.text
    for label in ("電子申請の拡充", "RPAの導入", "庁内ネットワークの更新"):
        assert label in r.text


@pytest.mark.parametrize("accept, ext, media, parser", [
    ("text/turtle", ".ttl", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", ".jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ".nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ".rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_entity_rdf_by_accept_and_by_extension(client, accept, ext, media, parser):
    by_accept = client.get("/id/measure/plan-4-01", headers={"accept": accept})
    by_ext = client.get("/id/measure/plan-4-01" + ext, headers={"accept": BROWSER})
    for r in (by_accept, by_ext):
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        triples = list(ox.parse(r.content, format=parser))
        assert {t.subject.value for t in triples} == {BASE + "measure/plan-4-01"}
        assert len(triples) == 10
    assert by_accept.headers["content-location"] == "/id/measure/plan-4-01" + ext


def test_unknown_iris_are_404(client):
    page = client.get("/id/measure/nope", headers={"accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "見つかりません" in page.text
    assert client.get("/id/measure/nope.ttl").status_code == 404
    assert client.get("/id/measure/nope", headers={"accept": "text/turtle"}).status_code == 404
    assert client.get("/nothing/here", headers={"accept": BROWSER}).status_code == 404


def test_non_ascii_iris_both_ways(client):
    path = "/id/concept/" + quote("東京")
    r = client.get(path, headers={"accept": BROWSER})
    assert r.status_code == 200 and "<h1>東京</h1>" in r.text
    nt = client.get(path + ".nt")
    assert f"<{BASE}concept/東京>".encode() in nt.content
    assert client.get("/search", params={"q": "Tokyo"}).text.count(f'href="{path}"') == 1


def test_blank_nodes_are_shown_nested_and_html_is_escaped(client):
    text = client.get("/id/concept/" + quote("東京"), headers={"accept": BROWSER}).text
    assert "入れ子" in text and 'class="nested"' in text
    assert "<b>bold</b>" not in text and "&lt;b&gt;bold&lt;/b&gt; &amp; risky" in text


def test_dataset_iri_redirects_to_the_catalogue(client):
    r = client.get("/id/dataset/kg", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/catalog"


def test_ontology_page_and_rdf(client):
    page = client.get("/ontology", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert 'id="Measure"' in page.text and "計画の個別の施策。" in page.text
    assert "A municipality &amp; &lt;co&gt;." in page.text  # escaped
    for path, headers, media in (("/ontology", {"accept": "text/turtle"}, "text/turtle"),
                                 ("/ontology.ttl", {}, "text/turtle"),
                                 ("/ontology.jsonld", {}, "application/ld+json"),
                                 ("/ontology.nt", {}, "application/n-triples")):
        r = client.get(path, headers=headers)
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), path
    assert client.get("/ontology.exe").status_code == 404


# --- listings, search, query page -----------------------------------------------------------

def test_class_listing_with_facets(client):
    r = client.get("/class/Measure")
    assert r.status_code == 200
    assert r.text.count('href="/id/measure/') == 4
    assert "達成状況" in r.text and "今後の方向性" in r.text
    achieved = client.get("/class/Measure", params={"achievementStatus": "concept/achieved"})
    assert achieved.text.count('href="/id/measure/') == 2
    assert "2 / 4" in achieved.text
    both = client.get("/class/Measure", params={"achievementStatus": "concept/achieved",
                                                "direction": "concept/completed"})
    assert both.text.count('href="/id/measure/') == 1 and "庁内ネットワークの更新" in both.text
    by_plan = client.get("/class/Measure", params={"partOf": BASE + "plan/plan-3"})
    assert by_plan.text.count('href="/id/measure/') == 1


def test_class_listing_includes_subclasses_and_unknown_classes_are_404(client):
    orgs = client.get("/class/Organization")
    assert orgs.status_code == 200 and "東大和市" in orgs.text
    assert client.get("/class/skos:Concept").status_code == 200
    assert client.get("/class/Nothing").status_code == 404
    assert client.get("/class").status_code == 200


@pytest.mark.parametrize("q, found", [
    ("電子申請", "電子申請の拡充"),
    ("ネットワーク", "庁内ネットワークの更新"),
    ("network", "Renewing the internal network"),
    ("ＡＩ", "AI（人工知能）"),      # full-width finds half-width
    ("えーあい", "AI（人工知能）"),   # hiragana finds katakana
    ("rpa", "RPAの導入"),            # case-insensitive
])
def test_search_by_label(client, q, found):
    r = client.get("/search", params={"q": q})
    assert r.status_code == 200 and found in r.text


def test_search_by_language_and_empty(client):
    assert "RPAの導入" not in client.get("/search", params={"q": "network", "lang": "ja"}).text
    empty = client.get("/search")
    assert empty.status_code == 200 and "<ol" not in empty.text
    assert client.get("/search", params={"q": "x" * 300}).status_code == 400


def test_query_page_lists_named_queries_with_their_parameters(client):
    r = client.get("/query")
    assert r.status_code == 200
    assert "計画の施策" in r.text and "Measures of a plan" in r.text
    assert 'name="p.plan"' in r.text and 'name="p.text"' in r.text and "required" in r.text


def test_query_page_runs_a_named_query(client):
    r = client.get("/query", params={"name": "plan-measures", "p.plan": "plan/plan-3"})
    assert r.status_code == 200 and "公共ネットワーク稼働" in r.text and "電子申請の拡充" not in r.text
    default = client.get("/query", params={"name": "plan-measures"})
    assert "電子申請の拡充" in default.text
    text = client.get("/query", params={"name": "label-contains", "p.text": "計画"})
    assert "第三次計画" in text.text
    csv = client.get("/query", params={"name": "plan-measures", "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("\r\n") == 4


def test_query_page_reports_bad_parameters_and_queries(client):
    missing = client.get("/query", params={"name": "label-contains"})
    assert missing.status_code == 400 and "required" in missing.text
    assert client.get("/query", params={"name": "nope"}).status_code == 404
    bad = client.get("/query", params={"q": "SELECT nonsense"})
    assert bad.status_code == 400 and "malformed query" in bad.text
    ok = client.get("/query", params={"q": "SELECT ?m WHERE { ?m a lgdx:Measure }"})
    assert ok.status_code == 200 and ok.text.count('href="/id/measure/') == 4


# --- HTTP behaviour shared by every route ---------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/id/measure/plan-4-01", "/class/Measure", "/ontology", "/catalog",
                                  "/search?q=AI", "/download/kg.ttl"])
def test_etag_and_304(client, path):
    r = client.get(path, headers={"accept": BROWSER})
    assert r.status_code == 200 and r.headers["etag"] and r.headers["last-modified"]
    again = client.get(path, headers={"accept": BROWSER, "if-none-match": r.headers["etag"]})
    assert again.status_code == 304
    since = client.get(path, headers={"accept": BROWSER, "if-modified-since": r.headers["last-modified"]})
    assert since.status_code == 304


def test_sparql_get_results_have_validators(client):
    r = client.get("/sparql", params={"query": SELECT}, headers={"accept": "text/csv"})
    assert r.headers["etag"] and r.headers["vary"] == "Accept"
    again = client.get("/sparql", params={"query": SELECT},
                       headers={"accept": "text/csv", "if-none-match": r.headers["etag"]})
    assert again.status_code == 304
    other = client.get("/sparql", params={"query": SELECT},
                       headers={"accept": "application/json", "if-none-match": r.headers["etag"]})
    assert other.status_code == 200


def test_etag_differs_by_format(client):
    html = client.get("/id/measure/plan-4-01", headers={"accept": BROWSER}).headers["etag"]
    ttl = client.get("/id/measure/plan-4-01", headers={"accept": "text/turtle"}).headers["etag"]
    assert html != ttl
    r = client.get("/id/measure/plan-4-01", headers={"accept": "text/turtle", "if-none-match": html})
    assert r.status_code == 200


@pytest.mark.parametrize("path", ["/", "/sparql?query=ASK%7B%7D", "/id/measure/plan-4-01", "/id/nope/x",
                                  "/sparql?query=bad", "/nothing", "/download/kg.nt", "/static/style.css"])
def test_cors_on_every_response(client, path):
    assert client.get(path).headers["access-control-allow-origin"] == "*"


def test_cors_preflight(client):
    r = client.options("/sparql", headers={"origin": "https://example.org", "access-control-request-method": "POST",
                                           "access-control-request-headers": "content-type"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*" and "POST" in r.headers["access-control-allow-methods"]


def test_a_bug_is_a_500_with_cors(dist, monkeypatch):
    from kg.serve.views import dataset

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(dataset, "render", broken)
    with TestClient(create_app(Settings(dist=dist, workers=1)), raise_server_exceptions=False) as c:
        r = c.get("/", headers={"accept": "application/json"})
        assert r.status_code == 500 and r.headers["access-control-allow-origin"] == "*"
        assert "boom" not in r.text


def test_wrong_method_is_405(client):
    assert client.post("/").status_code == 405
    assert client.delete("/sparql").status_code == 405


def test_static_css(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")


def test_routes_table_has_module_level_handlers():
    for path, handler, methods in ROUTES:
        assert handler.__qualname__ == handler.__name__, path  # not a closure or a method
        assert set(methods) <= {"GET", "POST"}


def test_deployer_base_moves_every_url(tmp_path):
    base = "https://data.example.jp/kg/"
    dist = make_dist(tmp_path / "dist", base)
    with TestClient(create_app(Settings(dist=dist, workers=1))) as c:
        r = c.get("/measure/plan-4-01", headers={"accept": BROWSER})
        assert r.status_code == 200 and 'href="/plan/plan-4"' in r.text
        ttl = c.get("/measure/plan-4-01.ttl")
        assert f"<{base}measure/plan-4-01>".encode() in ttl.content
        assert c.get("/sparql", headers={"accept": "text/turtle"}).status_code == 200
        assert c.get("/id/measure/plan-4-01").status_code == 404


def test_the_site_describes_the_whole_dataset_not_a_city(real_build):
    """A build's catalogue lists each city's dataset beside the whole one: the pages describe the
    whole (its classes), and a class in no known namespace is listed without a link."""
    from kg.export import dataset_iri
    from kg.serve.site import load_site

    _, dist, _ = real_build
    site = load_site(dist)
    assert site.dataset == dataset_iri(site.base)
    assert {"Measure", "Plan", "m8g:PublicOrganisation"} <= set(site.classes)
    assert site.class_href(site.classes["Measure"]["iri"]) == "/class/Measure"
    assert site.class_href("http://example.org/vocab/Thing") is None
