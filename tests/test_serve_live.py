"""``kg serve`` as a real server on 127.0.0.1, queried by SPARQLWrapper and rdflib's SPARQLStore."""

import json
import os
import subprocess
import threading
import time
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, N3, POST, TURTLE, SPARQLWrapper

from fixtures.serve import free_port, http_get, make_dist, start_server, stop_server
from kg.cli import main

BASE = "https://w3id.org/lgdx/id/"
LGDX = Namespace("https://w3id.org/lgdx/ontology#")
MEASURE = BASE + "measure/plan-4-01"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    dist = make_dist(tmp_path_factory.mktemp("live") / "dist")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/sparql"
    process, seconds = start_server(dist, port, "--allow-service", endpoint, "--timeout", "3", "--max-results", "1000")
    yield {"root": f"http://127.0.0.1:{port}", "endpoint": endpoint, "startup": seconds, "process": process}
    stop_server(process)
    assert process.returncode is not None


def test_sparqlwrapper_select_get_and_post(server):
    for method in (None, POST):
        sparql = SPARQLWrapper(server["endpoint"])
        if method:
            sparql.setMethod(method)
        sparql.setQuery("PREFIX lgdx: <https://w3id.org/lgdx/ontology#> "
                        "SELECT ?m WHERE { ?m a lgdx:Measure } ORDER BY ?m")
        sparql.setReturnFormat(JSON)
        rows = sparql.query().convert()["results"]["bindings"]
        assert [r["m"]["value"] for r in rows][:1] == [BASE + "measure/plan-3-01"] and len(rows) == 4


def test_sparqlwrapper_ask_and_construct(server):
    sparql = SPARQLWrapper(server["endpoint"])
    sparql.setQuery("ASK { ?s a <https://w3id.org/lgdx/ontology#Plan> }")
    sparql.setReturnFormat(JSON)
    assert sparql.query().convert()["boolean"] is True
    sparql.setQuery(f"CONSTRUCT WHERE {{ <{MEASURE}> ?p ?o }}")
    for fmt in (TURTLE, N3):
        sparql.setReturnFormat(fmt)
        graph = Graph().parse(data=sparql.query().convert(), format="turtle")
        assert (URIRef(MEASURE), RDF.type, LGDX.Measure) in graph


def test_sparqlwrapper_sees_errors(server):
    sparql = SPARQLWrapper(server["endpoint"])
    sparql.setQuery("SELECT WHERE {")
    sparql.setReturnFormat(JSON)
    with pytest.raises(Exception, match="400|QueryBadFormed|malformed"):
        sparql.query()


def test_rdflib_sparqlstore(server):
    graph = Graph(store=SPARQLStore(server["endpoint"], returnFormat="json"))
    rows = list(graph.query("SELECT ?label WHERE { ?m <https://w3id.org/lgdx/ontology#partOf> ?p ; "
                            "<http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(lang(?label) = 'ja') }"))
    assert {str(r[0]) for r in rows} >= {"電子申請の拡充", "RPAの導入"}
    assert len(list(graph.triples((None, RDF.type, LGDX.Measure)))) == 4
    xml = Graph(store=SPARQLStore(server["endpoint"]))  # its default: SPARQL results as XML
    assert bool(xml.query("ASK { ?s ?p ?o }").askAnswer) is True


def test_allowed_service_is_called_and_others_refused(server):
    allowed = (f"SELECT ?l WHERE {{ SERVICE <{server['endpoint']}> {{ <{MEASURE}> "
               "<http://www.w3.org/2000/01/rdf-schema#label> ?l } }")
    status, _, body = http_get(server["root"] + "/sparql?query=" + quote(allowed), "application/sparql-results+json")
    assert status == 200, body
    assert {b["l"]["value"] for b in json.loads(body)["results"]["bindings"]} == {
        "電子申請の拡充", "More online applications"}
    refused = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    status, _, body = http_get(server["root"] + "/sparql?query=" + quote(refused), "application/json")
    assert status == 400 and "not allowed" in json.loads(body)["error"]


def test_pages_and_negotiation_over_http(server):
    status, headers, body = http_get(server["root"] + "/id/measure/plan-4-01", "text/html")
    assert status == 200 and "電子申請の拡充".encode() in body
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = http_get(server["root"] + "/id/measure/plan-4-01", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    status, headers, _ = http_get(server["root"] + "/id/measure/nope", "text/turtle")
    assert status == 404 and headers["Access-Control-Allow-Origin"] == "*"


def test_timeout_over_http(server):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.perf_counter()
    status, _, body = http_get(server["root"] + "/sparql?query=" + quote(slow), "application/json")
    assert status == 503 and "time limit" in json.loads(body)["error"]
    assert time.perf_counter() - started < 20


def test_startup_is_quick(server):
    # the target is 2 s on the seed graph; this generous bound only catches a regression
    assert server["startup"] < 10, server["startup"]


def test_workers_end_with_the_server(tmp_path):
    dist = make_dist(tmp_path / "dist")
    process, _ = start_server(dist, free_port())
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) >= 2
    stop_server(process)
    time.sleep(0.3)
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)


def test_a_worker_busy_with_a_slow_query_ends_when_the_server_is_killed(tmp_path):
    dist = make_dist(tmp_path / "dist")
    port = free_port()
    process, _ = start_server(dist, port, "--timeout", "600")
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

    def ask():
        try:
            http_get(f"http://127.0.0.1:{port}/sparql?query={quote(slow)}")
        except OSError:  # the server is killed mid-request
            pass

    threading.Thread(target=ask, daemon=True).start()
    time.sleep(0.5)
    process.kill()  # no chance to stop its workers itself
    process.wait()
    deadline = time.time() + 5
    alive = children
    while alive and time.time() < deadline:
        alive = [pid for pid in children if subprocess.run(["kill", "-0", pid], capture_output=True).returncode == 0]
        time.sleep(0.1)
    assert not alive


def test_missing_dist_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--dist", str(tmp_path / "none")])
    assert result.exit_code == 2 and "kg build" in result.output


def test_serve_help_documents_every_option():
    result = CliRunner().invoke(main, ["serve", "--help"])
    for option in ("--host", "--port", "--dist", "--allow-service", "--timeout", "--max-results"):
        assert option in result.output
