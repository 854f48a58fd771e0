"""HTTP and SPARQL Protocol details of the server: conditional requests, negotiation, headers, parameters."""

import re
from pathlib import Path

import pytest
from rdflib import OWL, URIRef

from fixtures.serve import QUERIES, TestClient, make_dist
from kg.namespaces import ONTOLOGY_IRI
from kg.serve import negotiation as neg
from kg.serve.app import create_app
from kg.serve.config import Settings

BASE = "https://w3id.org/lgdx/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LATER = "Fri, 27 Nov 2099 10:00:00 GMT"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MEASURE = "/id/measure/plan-4-01"
#: An IRI that keeps a non-ASCII character percent-encoded, linked from a concept.
ESCAPED = BASE + "concept/caf%C3%A9"
EXTRA = f"""<{ESCAPED}> <http://www.w3.org/2000/01/rdf-schema#label> "cafe pct"@en .
<{BASE}concept/achieved> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{ESCAPED}> .
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = make_dist(tmp_path_factory.mktemp("protocol") / "dist")
    with (out / "kg.nt").open("a", encoding="utf-8") as f:
        f.write(EXTRA)
    return out


@pytest.fixture(scope="module")
def client(dist):
    settings = Settings(dist=dist, queries_dir=QUERIES, timeout=1.0, max_results=50, max_body=10_000, workers=3)
    with TestClient(create_app(settings)) as c:
        yield c


def media(response) -> str:
    return response.headers["content-type"].split(";")[0]


# --- conditional requests -----------------------------------------------------------

@pytest.mark.parametrize("path, headers", [
    ("/id/measure/nope", {"if-none-match": "*"}),
    ("/id/measure/nope.ttl", {"if-modified-since": LATER}),
    ("/id/measure/nope", {"if-none-match": "*", "accept": "text/turtle"}),
])
def test_conditional_request_for_an_unknown_resource_is_404(client, path, headers):
    assert client.get(path, headers=headers).status_code == 404


@pytest.mark.parametrize("query", ["SELECT garbage", "SELECT * WHERE { ?s ?p ?o }"])  # malformed; past the row limit
@pytest.mark.parametrize("headers", [{"if-none-match": "*"}, {"if-modified-since": LATER}])
def test_conditional_request_for_a_failing_query_is_not_304(client, query, headers):
    r = client.get("/sparql", params={"query": query}, headers=headers | {"accept": "application/json"})
    assert r.status_code in (400, 503), r.text


def test_304_repeats_the_headers_of_the_200(client):
    ok = client.get(MEASURE, headers={"accept": "text/turtle"})
    hit = client.get(MEASURE, headers={"accept": "text/turtle", "if-none-match": "*"})
    assert hit.status_code == 304
    for name in ("etag", "last-modified", "cache-control", "vary", "content-location", "link"):
        assert hit.headers[name] == ok.headers[name], name


def test_sparql_304_only_after_the_query_succeeded(client):
    ok = client.get("/sparql", params={"query": "ASK {}"})
    assert ok.status_code == 200 and ok.headers["etag"]
    hit = client.get("/sparql", params={"query": "ASK {}"}, headers={"if-none-match": ok.headers["etag"]})
    assert hit.status_code == 304 and hit.headers["etag"] == ok.headers["etag"] and hit.headers["vary"] == "Accept"


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", MEASURE, "/ontology"])
def test_head_has_the_validators_of_get(client, path):
    get, head = client.get(path), client.head(path)
    assert head.status_code == 200 and head.headers["etag"] == get.headers["etag"]
    assert head.headers["last-modified"] == get.headers["last-modified"]


# --- content negotiation ------------------------------------------------------------

@pytest.mark.parametrize("path, params, accept, refused", [
    ("/sparql", {"query": "ASK {}"}, "application/sparql-results+json;q=0, */*", "application/sparql-results+json"),
    ("/sparql", {"query": "CONSTRUCT WHERE { ?s a lgdx:Plan }"}, "text/turtle;q=0, */*", "text/turtle"),
    (MEASURE, {}, "text/html;q=0, text/turtle;q=0, */*;q=0.5", "text/turtle"),
    ("/sparql", {}, "text/html;q=0, text/turtle;q=0, */*;q=0.5", "text/turtle"),
    ("/catalog", {}, "text/html;q=0, text/turtle;q=0, */*;q=0.5", "text/turtle"),
])
def test_q_0_excludes_a_format_a_wildcard_would_match(client, path, params, accept, refused):
    r = client.get(path, params=params, headers={"accept": accept})
    assert r.status_code == 200 and media(r) != refused and media(r) != "text/html"


def test_text_wildcard_gets_a_text_result_not_xml_by_its_alias(client):
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": "text/*"})
    assert media(r) == "text/csv"


@pytest.mark.parametrize("accept, offers, table, chosen", [
    ("application/sparql-results+json;q=0, */*", neg.SELECT_OFFERS, "select", "xml"),
    ("application/json;q=0.5, */*;q=0.1", neg.SELECT_OFFERS, "select", "json"),  # an alias named counts
    ("application/json;q=0, */*", neg.SELECT_OFFERS, "select", "xml"),
    ("text/*", neg.SELECT_OFFERS, "select", "csv"),
    ("text/*;q=0.5, text/xml", neg.SELECT_OFFERS, "select", "xml"),
    ("text/turtle;q=0, */*", neg.GRAPH_OFFERS, "graph", "jsonld"),
    ("application/x-turtle;q=0, */*", neg.GRAPH_OFFERS, "graph", "jsonld"),  # a refused alias refuses Turtle
    ("text/plain", neg.PAGE_OFFERS, "graph", "nt"),  # nothing else is acceptable: N-Triples is plain text
    ("text/*", neg.PAGE_OFFERS, "graph", neg.HTML),
    ("text/plain;q=0, */*", neg.ERROR_OFFERS, "error", "errjson"),
])
def test_the_most_specific_range_decides(accept, offers, table, chosen):
    assert neg.negotiate(accept, offers, table) == chosen


# --- headers of every response ------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/nothing", "/query", MEASURE + ".html"])
def test_pages_have_a_content_security_policy(client, path):
    r = client.get(path, headers={"accept": BROWSER})
    assert media(r) == "text/html"
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_templates_need_no_inline_style_or_script_but_data():
    import kg.serve

    for template in (Path(kg.serve.__file__).parent / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        # a JSON-LD data block is never run, so the CSP (script-src 'none') keeps it; the one script
        # (the static site's search, kg publish) is a file of the site's own, which its policy allows
        assert not re.search(r'<script(?! type="application/ld\+json">| src="/static/[a-z]+\.js" defer></script>)'
                             r'|<style|\sstyle=|\son[a-z]+=', text, re.IGNORECASE), template.name


@pytest.mark.parametrize("path", ["/", "/nothing", "/sparql?query=ASK%7B%7D", "/download/kg.nt", "/static/style.css",
                                  MEASURE + ".ttl"])
def test_every_response_has_the_safety_and_cors_headers(client, path):
    r = client.get(path)
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"]
    assert r.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"link", "etag", "content-location", "vary"} <= exposed


def test_a_bug_has_the_headers_of_every_response(dist, monkeypatch):
    from kg.serve.views import sparql

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sparql, "service_description", broken)
    with TestClient(create_app(Settings(dist=dist, workers=1)), raise_server_exceptions=False) as c:
        r = c.get("/sparql")
        assert r.status_code == 500 and r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["access-control-allow-origin"] == "*"


def test_preflight_allows_the_headers_clients_send(client):
    r = client.options("/sparql", headers={"origin": "https://example.org", "access-control-request-method": "GET",
                                           "access-control-request-headers": "if-modified-since"})
    assert r.status_code == 204
    allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"accept", "content-type", "if-none-match", "if-modified-since", "accept-language",
            "cache-control"} <= allowed


@pytest.mark.parametrize("path, allow", [("/sparql", "GET, HEAD, POST, OPTIONS"), (MEASURE, "GET, HEAD, OPTIONS"),
                                         ("/static/style.css", "GET, HEAD, OPTIONS")])
def test_options_says_which_methods_a_path_takes(client, path, allow):
    r = client.options(path)
    assert r.status_code == 204 and r.headers["allow"] == allow


@pytest.mark.parametrize("path, params, accept, status", [
    ("/sparql", {"query": "ASK {}"}, "image/png", 406),
    (MEASURE, {}, "image/png", 406),
    ("/nothing", {}, "text/html", 404),
    ("/sparql", {"query": "SELECT garbage"}, "application/json", 400),
])
def test_errors_in_a_negotiated_format_vary_by_accept(client, path, params, accept, status):
    r = client.get(path, params=params, headers={"accept": accept})
    assert r.status_code == status and r.headers["vary"] == "Accept"


# --- /sparql --------------------------------------------------------------------

def test_result_size_limit_is_a_client_error(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"accept": "application/json"})
    assert r.status_code == 400
    assert "more than 50 rows" in r.json()["error"] and "LIMIT" in r.json()["fix"]
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"accept": "text/plain"})
    assert r.status_code == 400 and "more than 50 triples" in r.text


def test_time_limit_says_when_to_retry(client):
    r = client.get("/sparql", params={"query": SLOW}, headers={"accept": "application/json"})
    assert r.status_code == 503 and r.headers["retry-after"] == "1"


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "url": "/sparql?query=SELECT%20*%20%7B%7D&query=ASK%20%7B%7D"},
    {"method": "POST", "url": "/sparql", "data": {"query": ["SELECT * {}", "ASK {}"]}},
    {"method": "POST", "url": "/sparql?query=SELECT%20*%20%7B%7D", "data": {"query": "ASK {}"}},
    {"method": "POST", "url": "/sparql?query=SELECT%20*%20%7B%7D", "content": "ASK {}",
     "headers": {"content-type": "application/sparql-query"}},
])
def test_query_given_twice_is_400(client, request_kwargs):
    r = client.request(**request_kwargs)
    assert r.status_code == 400 and "`query` is given 2 times" in r.text


def test_update_given_twice_is_400(client):
    r = client.post("/sparql", data={"update": ["CLEAR ALL", "CLEAR ALL"]})
    assert r.status_code == 400 and "`update` is given 2 times" in r.text


@pytest.mark.parametrize("query", ["SELECT (NOW() AS ?t) {}", "SELECT (rand() AS ?r) {}", "SELECT (UUID() AS ?u) {}",
                                   "SELECT (STRUUID() AS ?u) {}", "SELECT (BNODE() AS ?b) {}",
                                   "PREFIX ex: <http://e/>\nSELECT ?r { OPTIONAL { ?a ?b ex:a\\# } BIND(RAND() AS ?r) }"])
def test_results_of_volatile_functions_are_not_cached(client, query):  # found in the text, whatever surrounds it
    r = client.get("/sparql", params={"query": query}, headers={"accept": "application/json"})
    assert r.status_code == 200 and "etag" not in r.headers and r.headers["cache-control"] == "no-store"
    again = client.get("/sparql", params={"query": query}, headers={"if-none-match": "*"})
    assert again.status_code == 200


@pytest.mark.parametrize("query", ["SELECT * { ?s ?now ?rand } LIMIT 1", "SELECT ?s { ?s ?p lgdx:nowhere } LIMIT 1"])
def test_names_that_are_not_calls_keep_the_validator(client, query):
    r = client.get("/sparql", params={"query": query}, headers={"accept": "application/json"})
    assert r.status_code == 200 and r.headers["etag"] and "no-store" not in r.headers["cache-control"]


# --- dereferencing ----------------------------------------------------------------

@pytest.fixture
def version_iri(client):
    """The ontology's ``owl:versionIRI`` for one test (the fixture ontology has none)."""
    ontology = client.app.state.site.ontology
    triple = (URIRef(ONTOLOGY_IRI), OWL.versionIRI, URIRef(ONTOLOGY_IRI + "/0.1.0"))
    ontology.add(triple)
    yield triple[2]
    ontology.remove(triple)


def test_ontology_version_iri_resolves(client, version_iri):
    r = client.get("/ontology/0.1.0", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and media(r) == "text/turtle"
    assert r.content == client.get("/ontology.ttl").content
    assert client.get("/ontology/0.1.0", headers={"accept": BROWSER}).status_code == 200
    assert client.get("/ontology/0.0.9", headers={"accept": "text/turtle"}).status_code == 404


def test_without_a_version_iri_no_version_resolves(client):
    assert client.get("/ontology/0.1.0", headers={"accept": "text/turtle"}).status_code == 404


def test_percent_encoded_iris_are_reachable_where_pages_link_them(client):
    page = client.get("/id/concept/achieved", headers={"accept": BROWSER})
    assert 'href="/id/concept/caf%C3%A9"' in page.text
    r = client.get("/id/concept/caf%C3%A9", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and f"<{ESCAPED}>" in r.text and "cafe pct" in r.text
    assert client.get("/id/concept/caf%C3%A9", headers={"accept": BROWSER}).status_code == 200
    assert client.get("/id/concept/caf%C3%A9.nt").status_code == 200


def test_the_service_description_is_not_kept_per_host(client):
    before = dict(client.app.state.cache)
    for host in ("a.example", "b.example", "c.example"):
        r = client.get("/sparql", headers={"accept": "text/turtle", "host": host})
        assert r.status_code == 200 and f"<http://{host}/sparql>".encode() in r.content
    assert client.app.state.cache == before


def test_link_alternates_name_the_page_at_its_own_url_and_extension_urls_do_not_vary(client):
    r = client.get("/id/measure/plan-4-01", headers={"accept": "text/turtle"})
    assert '</id/measure/plan-4-01.html>; rel="alternate"; type="text/html"' in r.headers["link"]
    assert "</id/measure/plan-4-01>;" not in r.headers["link"] and r.headers["vary"] == "Accept, Accept-Profile"
    for ext in (".ttl", ".html"):
        fixed = client.get("/id/measure/plan-4-01" + ext)
        assert fixed.status_code == 200 and "vary" not in fixed.headers, ext
