"""``kg serve --store``: the same pages, dereferencing and /sparql over a real Virtuoso holding the
graph, as over the embedded store.

The tests of every route (``test_serve_app``) run here again, with the app reading the store; the
ones that measure the embedded store itself (its time limit on a runaway query, the dump's number
forms) stay there.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import test_serve_app as embedded
from conftest_virtuoso import virtuoso  # noqa: F401 - the session fixture
from fixtures.serve import QUERIES, TestClient, free_port, make_dist
from kg import remote, transfer
from kg.ntriples import read_graph
from kg.serve import Settings
from kg.serve.app import create_app
from kg.serve.pool import PoolError
from kg.serve.remote_store import RemoteStore

pytestmark = pytest.mark.integration
GRAPH = "https://w3id.org/lgdx/id/dataset/store-test"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")

#: The route tests that hold for any store; the others time the embedded store's own query engine,
#: or send SPARQL that Virtuoso's dialect refuses (a trailing VALUES of a variable not projected).
SHARED = [name for name in dir(embedded) if name.startswith("test_") and name not in {
    "test_slow_query_times_out_while_the_server_keeps_answering",
    "test_pages_keep_a_worker_while_slow_queries_hold_the_others",
    "test_row_limit_whatever_the_query_ends_with",
}]
globals().update({name: getattr(embedded, name) for name in SHARED})


@pytest.fixture(scope="module")
def dist(tmp_path_factory, virtuoso):  # noqa: F811
    out = make_dist(tmp_path_factory.mktemp("store") / "dist")
    transfer.push(virtuoso.endpoint(), GRAPH, read_graph(out / "kg.nt", skolem=True))
    return out


@pytest.fixture(scope="module")
def client(dist, virtuoso):  # noqa: F811
    settings = Settings(dist=dist, queries_dir=QUERIES, timeout=5.0, max_results=50, max_body=10_000, workers=3,
                        store=virtuoso.sparql, store_graphs=(GRAPH,))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def local_client(dist):
    settings = Settings(dist=dist, queries_dir=QUERIES, timeout=5.0, max_results=50, workers=3)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_store_holds_the_graph(virtuoso, dist):  # noqa: F811
    store = RemoteStore(remote.endpoint(virtuoso.sparql), (GRAPH,))
    assert len(store) == len(read_graph(dist / "kg.nt"))


def test_resource_rdf_is_the_same_as_from_the_embedded_store(client, local_client):
    home = local_client.get("/class/Measure").text
    path = home.split('href="/id/measure/', 1)[1].split('"', 1)[0]
    for suffix in (".ttl", ".nt"):
        ours, theirs = (c.get(f"/id/measure/{path}{suffix}") for c in (client, local_client))
        assert ours.status_code == theirs.status_code == 200
        fmt = "turtle" if suffix == ".ttl" else "nt"
        assert isomorphic(Graph().parse(data=ours.text, format=fmt), Graph().parse(data=theirs.text, format=fmt))


def test_pages_are_the_same_as_from_the_embedded_store(client, local_client):
    for path in ("/", "/class", "/class/Measure", "/search?q=%E8%A8%88%E7%94%BB"):
        ours, theirs = client.get(path), local_client.get(path)
        assert ours.status_code == theirs.status_code == 200, path
        assert _visible(ours.text) == _visible(theirs.text), path


def test_every_resource_page_is_the_same_as_from_the_embedded_store(client, local_client, dist):
    """Each page's data is read in one round trip (its triples, incoming links, blank nodes and
    sources together): the pages show what the embedded store's reads show."""
    local = ox.Store()
    local.bulk_load(path=str(dist / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    base = "https://w3id.org/lgdx/"
    paths = sorted({"/" + q.subject.value[len(base):] for q in local
                    if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(base + "id/")})
    assert len(paths) > 10
    for path in paths:
        ours, theirs = client.get(path), local_client.get(path)
        assert ours.status_code == theirs.status_code == 200, path
        assert _visible(ours.text) == _visible(theirs.text), path


def test_a_resource_page_reads_the_store_once(virtuoso, dist):  # noqa: F811
    from kg.serve import fetch

    local = ox.Store()
    local.bulk_load(path=str(dist / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    derived = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    with_source = next(q.subject for q in local.quads_for_pattern(None, derived, None))
    store = RemoteStore(remote.endpoint(virtuoso.sparql), (GRAPH,))
    sent = []
    post = store._post
    store._post = lambda text, accept: sent.append(text) or post(text, accept)
    data = fetch.Data(store, "https://w3id.org/lgdx/id/")
    page = fetch.entity(data, [with_source.value])
    assert page["sources"] and page["sources"][0]["labels"] and len(sent) == 1


def test_pattern_reads_match_the_embedded_store(virtuoso, dist):  # noqa: F811
    local = ox.Store()
    local.bulk_load(path=str(dist / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    store = RemoteStore(remote.endpoint(virtuoso.sparql), (GRAPH,))
    def shape(quads):  # blank nodes are named anew by each store
        return {tuple("_" if isinstance(t, ox.BlankNode) else t for t in (q.subject, q.predicate, q.object))
                for q in quads}

    subjects = {q.subject for q in local if isinstance(q.subject, ox.NamedNode)}
    for subject in sorted(subjects, key=str)[:20]:
        for pattern in ((subject, None, None), (None, None, subject), (subject, RDFS_LABEL, None)):
            assert shape(store.quads_for_pattern(*pattern)) == shape(local.quads_for_pattern(*pattern))
        store.forget()


def test_a_store_that_cannot_be_reached_stops_the_start_with_its_reason(dist):
    settings = Settings(dist=dist, queries_dir=QUERIES, timeout=2.0, workers=3,
                        store=f"http://127.0.0.1:{free_port()}/sparql")
    with pytest.raises(PoolError, match="cannot reach the store at http://127.0.0.1:"):
        with TestClient(create_app(settings)):
            pass


@pytest.mark.parametrize("query, status", [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 50", 200),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 51", 400),
    ("SELECT * WHERE { ?s ?p ?o } OFFSET 10", 400),
    ("SELECT * WHERE { ?s ?p ?o } # LIMIT 5", 400),
])
def test_row_limit_over_the_store(client, query, status):
    r = client.get("/sparql", params={"query": query}, headers={"accept": "application/json"})
    assert r.status_code == status, r.text


def test_a_query_the_store_refuses_is_a_502_with_its_message(client):
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } VALUES ?x { 1 }"},
                   headers={"accept": "application/json"})
    assert r.status_code == 502 and "Virtuoso" in r.json()["error"]
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def _visible(html: str) -> str:
    """A page without what differs between any two starts (ETags, timings)."""
    import re

    return re.sub(r'(etag|nonce)="[^"]*"', "", html)
