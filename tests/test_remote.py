"""Tests of the remote-store modules and of `kg push`, `kg pull` and `kg query --endpoint`.

kg.remote (endpoints, HTTP), kg.transfer (push, pull), kg.ntriples, kg.roundtrip, kg.sparql
(SPARQL text) and kg.federation (SERVICE), with the tests of the federated named queries.

The protocol rules, SPARQL rewriting and round-trip comparison are tested on their own, and push
against an in-memory store behind httpx's mock transport. The tests marked ``integration`` run
against a real Virtuoso on 127.0.0.1 (tests/conftest_virtuoso.py).
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest_virtuoso import StandIn, virtuoso  # noqa: F401 - virtuoso: the session fixture

from kg import federation, ntriples, remote, roundtrip, sparql, transfer
from kg import query as q
from kg.cli import main
from kg.errors import KgError, QueryError
from kg.namespaces import DEFAULT_BASE
from kg.project import Project

ROOT = Path(__file__).resolve().parents[1]
XSD = "http://www.w3.org/2001/XMLSchema#"
ESTAT = "http://data.e-stat.go.jp/lod/sparql/alldata/query"
LONG = "長い説明。" * 2000 + "\n終わり"

# Everything a round trip can lose: Japanese literals with language tags, dates, year-months next to
# years, decimals and doubles in non-canonical forms, a long literal with escapes, non-ASCII IRIs and
# blank nodes (two with the same shape, one chain).
RICH = f"""\
<{DEFAULT_BASE}org/東大和市> <http://www.w3.org/2000/01/rdf-schema#label> "東大和市"@ja .
<{DEFAULT_BASE}org/東大和市> <http://www.w3.org/2000/01/rdf-schema#label> "Higashiyamato City"@en .
<{DEFAULT_BASE}org/東大和市> <https://w3id.org/lgdx/ontology#localGovernmentCode> "132209" .
<{DEFAULT_BASE}plan/p5> <http://purl.org/dc/terms/issued> "2021-03-31"^^<{XSD}date> .
<{DEFAULT_BASE}plan/p5> <https://w3id.org/lgdx/ontology#periodStart> "2021-04"^^<{XSD}gYearMonth> .
<{DEFAULT_BASE}plan/p5> <https://w3id.org/lgdx/ontology#periodEnd> "2026"^^<{XSD}gYear> .
<{DEFAULT_BASE}plan/p5> <https://w3id.org/lgdx/ontology#ratio> "0.50"^^<{XSD}decimal> .
<{DEFAULT_BASE}plan/p5> <https://w3id.org/lgdx/ontology#budget> "1234567.89"^^<{XSD}decimal> .
<{DEFAULT_BASE}plan/p5> <https://w3id.org/lgdx/ontology#weight> "1.5e+03"^^<{XSD}double> .
<{DEFAULT_BASE}plan/p5> <https://w3id.org/lgdx/ontology#items> "017"^^<{XSD}integer> .
<{DEFAULT_BASE}plan/p5> <http://purl.org/dc/terms/description> {ox.Literal(LONG, language="ja")} .
<{DEFAULT_BASE}plan/p5> <http://www.w3.org/2004/02/skos/core#note> "quote \\" backslash \\\\ tab \\t brace }} \\u0022 hash #" .
<{DEFAULT_BASE}plan/p5> <http://www.w3.org/ns/prov#qualifiedAttribution> _:a1 .
<{DEFAULT_BASE}plan/p5> <http://www.w3.org/ns/prov#qualifiedAttribution> _:a2 .
_:a1 <http://www.w3.org/ns/prov#agent> <{DEFAULT_BASE}org/東大和市> .
_:a1 <http://www.w3.org/ns/prov#hadRole> _:r1 .
_:r1 <http://www.w3.org/2000/01/rdf-schema#label> "策定"@ja .
_:a2 <http://www.w3.org/ns/prov#agent> <{DEFAULT_BASE}org/tokyo> .
_:a2 <http://www.w3.org/ns/prov#hadRole> _:r2 .
_:r2 <http://www.w3.org/2000/01/rdf-schema#label> "策定"@ja .
"""


def graph_of(text: str) -> ntriples.NTriples:
    return ntriples.parse_graph(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES, skolem=False)


@pytest.fixture
def rich_file(tmp_path: Path) -> Path:
    path = tmp_path / "rich.nt"
    path.write_text(RICH, encoding="utf-8")
    return path


# --- endpoints -----------------------------------------------------------------------

@pytest.mark.parametrize("url, update, gsp", [
    ("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud"),
    ("http://h:8890/sparql-auth", "http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth"),
    ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store"),
    ("https://h/ds/sparql", "https://h/ds/update", "https://h/ds/data"),
    ("https://h/ds/query", "https://h/ds/update", "https://h/ds/data"),
    ("https://h/some/other/endpoint", "https://h/some/other/endpoint", None),
])
def test_known_layouts_give_update_and_graph_store_urls(url, update, gsp):
    ep = remote.endpoint(url)
    assert (ep.query, ep.update, ep.gsp) == (url, update, gsp)


def test_explicit_urls_win_over_the_layout():
    ep = remote.endpoint("http://h/sparql", update="http://h/u", gsp="http://h/g")
    assert (ep.update, ep.gsp) == ("http://h/u", "http://h/g")


@pytest.mark.parametrize("url, says", [
    ("not a url", "not an http(s) URL"),
    ("ftp://h/sparql", "not an http(s) URL"),
    ("http:///sparql", "not an http(s) URL"),
    ("http://h:notaport/sparql", "not a valid URL"),
    ("http://dba:secret@h/sparql", "holds credentials"),
    ("http://h/sparql#x", "fragment"),
])
def test_malformed_endpoint_urls_are_refused(url, says):
    with pytest.raises(KgError, match=re.escape(says)) as info:
        remote.endpoint(url)
    assert "secret" not in str(info.value)


def test_the_password_is_not_in_the_endpoint_repr():
    assert "hunter2" not in repr(remote.endpoint("http://h/sparql", user="u", password="hunter2"))


@pytest.mark.parametrize("body, content_type, expected", [
    (b"Virtuoso 37000 Error SP030: syntax error\n\nSPARQL query:\nINSERT DATA { secret }", "text/plain",
     "Virtuoso 37000 Error SP030: syntax error"),
    (b"<html><body><h1>Bad request</h1><p>no graph</p></body></html>", "text/html", "Bad request no graph"),
    (b"", "", ""),
])
def test_server_messages_keep_the_first_lines_only(body, content_type, expected):
    assert remote.server_message(body, content_type) == expected


# --- HTTP retries and errors against a mock transport -----------------------------------

def replies(*answers):
    """A client whose requests get ``answers`` in turn: a status code or an exception to raise."""
    seen = []

    def handler(request):
        answer = answers[min(len(seen), len(answers) - 1)]
        seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, text="server says no")

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


FAST = remote.Retry(attempts=3, backoff=0.001)


@pytest.mark.parametrize("answers, tries", [
    ((503, 200), 2), ((502, 504, 200), 3), ((httpx.ConnectError("refused"), 200), 2),
    ((httpx.RemoteProtocolError("reset"), 200), 2),
])
def test_passing_failures_are_retried(answers, tries):
    client, seen = replies(*answers)
    assert remote.request(client, "GET", "http://h/x", what="test", retry=FAST).status_code == 200
    assert len(seen) == tries


@pytest.mark.parametrize("answers, says, tries", [
    ((401,), "refused the login (HTTP 401)", 1),
    ((403,), "does not allow this (HTTP 403): server says no", 1),
    ((404,), "nothing at http://h/x (HTTP 404)", 1),
    ((400,), "rejected the request (HTTP 400): server says no", 1),
    ((500,), "failed (HTTP 500): server says no", 1),
    ((503,), "failed (HTTP 503)", 3),
    ((httpx.ConnectError("refused"),), "cannot reach http://h/x: refused", 3),
])
def test_failures_become_clear_errors(answers, says, tries):
    client, seen = replies(*answers)
    with pytest.raises(remote.RemoteError, match=re.escape(says)) as info:
        remote.request(client, "GET", "http://h/x", what="test", retry=FAST)
    assert info.value.exit_code == remote.EXIT_REMOTE
    assert len(seen) == tries


# --- push and pull against an in-memory store ------------------------------------------

class FakeStore:
    """A SPARQL 1.1 store in memory (query, update, Graph Store), served through httpx's mock transport."""

    def __init__(self, fail=None):
        self.store = ox.Store()
        self.fail = fail  # (request, number) → None, or a response/exception to answer instead
        self.requests = []
        self.ep = remote.Endpoint("http://fake/query", "http://fake/update", "http://fake/store")

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail and (answer := self.fail(request, len(self.requests))) is not None:
            if isinstance(answer, Exception):
                raise answer
            return answer
        path, form = request.url.path, parse_qs(request.content.decode("utf-8"))
        if path == "/store":
            graph = ox.NamedNode(request.url.params["graph"])
            if request.method == "GET":
                return httpx.Response(200, content=self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph),
                                      headers={"Content-Type": "application/n-triples"})
            if request.method == "PUT":
                self.store.clear_graph(graph)
            self.store.load(request.content, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
            return httpx.Response(201)
        if path == "/update":
            self.store.update(form["update"][0])
            return httpx.Response(200)
        result = self.store.query(form["query"][0])
        if isinstance(result, ox.QueryTriples):
            return httpx.Response(200, content=ox.serialize(result, format=ox.RdfFormat.N_TRIPLES),
                                  headers={"Content-Type": "application/n-triples"})
        return httpx.Response(200, content=result.serialize(format=ox.QueryResultsFormat.JSON),
                              headers={"Content-Type": "application/sparql-results+json"})

    def graphs(self) -> set[str]:
        return {g.value for g in self.store.named_graphs()}

    def triples(self, graph: str) -> int:
        return len(list(self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))))


GRAPH = f"{DEFAULT_BASE}dataset/kg"
OLD = f"<{DEFAULT_BASE}x> <{DEFAULT_BASE}p> \"old\" .\n"


def pushed(fake: FakeStore, data, **options) -> transfer.PushResult:
    with fake.client() as client:
        return transfer.push(fake.ep, GRAPH, data, client=client, retry=FAST, **options)


@pytest.mark.parametrize("method, size", [("gsp", 7), ("update", 3), ("gsp", None)])
def test_push_replaces_the_graph_and_leaves_no_staging_graph(rich_file, method, size):
    fake = FakeStore()
    pushed(fake, graph_of(OLD))
    progress = []
    result = pushed(fake, rich_file, method=method, batch_size=size, progress=progress.append)
    assert result.triples == len(RICH.splitlines()) and sum(progress) == result.triples
    assert fake.graphs() == {GRAPH}
    with fake.client() as client:
        back = transfer.pull(fake.ep, GRAPH, client=client)
    diff = roundtrip.compare(ntriples.read_graph(rich_file), back)
    assert diff.ok, diff.text()
    assert diff.rewritten_count == 3  # this store too writes 0.50, 1.5e+03 and 017 in canonical form


def test_blank_nodes_travel_as_skolem_iris(rich_file):
    fake = FakeStore()
    pushed(fake, rich_file)
    stored = fake.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH)).decode()
    assert "_:" not in stored and f"<{DEFAULT_BASE}genid/a1>" in stored


@pytest.mark.parametrize("fails_at", [2, 3, "swap"])
@pytest.mark.parametrize("before", [OLD, ""])
def test_a_failed_push_leaves_the_graph_as_it_was(rich_file, fails_at, before):
    def fail(request, number):
        swapping = request.url.path == "/update" and (b"INSERT" in request.content or b"COPY" in request.content)
        if swapping if fails_at == "swap" else (request.url.path == "/store" and number >= fails_at):
            return httpx.ConnectError("connection reset by peer")
        return None

    fake = FakeStore()
    if before:
        pushed(fake, graph_of(before))
    fake.requests.clear()
    fake.fail = fail
    with pytest.raises(remote.RemoteError, match="cannot reach"):
        pushed(fake, rich_file, batch_size=5)
    # the staging graph is dropped, the target untouched (or still absent)
    assert fake.graphs() == ({GRAPH} if before else set()) and fake.triples(GRAPH) == (1 if before else 0)


def test_a_store_that_loses_triples_fails_the_push_before_the_swap(rich_file):
    def drop_a_batch(request, number):
        return httpx.Response(204) if number == 2 else None  # answers, but keeps nothing

    fake = FakeStore(drop_a_batch)
    with pytest.raises(remote.RemoteError, match=r"staging graph holds \d+ triples, 20 were sent"):
        pushed(fake, rich_file, batch_size=5)
    assert fake.graphs() == set()


def test_a_store_that_cuts_a_pull_short_is_caught(rich_file):
    fake = FakeStore()
    pushed(fake, rich_file)

    def truncate(request, number):
        if request.method == "GET":
            body = fake.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH))
            return httpx.Response(200, content=b"".join(body.splitlines(keepends=True)[:10]),
                                  headers={"Content-Type": "application/n-triples"})
        return None

    fake.fail = truncate
    with fake.client() as client, pytest.raises(remote.RemoteError, match="sent 10 of the 20 triples"):
        transfer.pull(fake.ep, GRAPH, client=client)


def test_pulling_a_graph_the_store_does_not_hold_says_so():
    fake = FakeStore(lambda request, number: httpx.Response(404) if request.method == "GET" else None)
    with fake.client() as client, pytest.raises(remote.RemoteError, match="holds no graph"):
        transfer.pull(fake.ep, GRAPH, client=client)


def test_gsp_needs_a_graph_store_endpoint(rich_file):
    ep = remote.endpoint("http://h/unknown/layout/endpoint")
    with pytest.raises(KgError, match="no Graph Store endpoint"):
        transfer.push(ep, GRAPH, rich_file)


# --- round trip comparison ---------------------------------------------------------------

@pytest.mark.parametrize("literal, canonical", [
    (ox.Literal("1.50", datatype=ox.NamedNode(XSD + "decimal")), '"1.5"^^<%sdecimal>' % XSD),
    (ox.Literal("100", datatype=ox.NamedNode(XSD + "decimal")), '"100.0"^^<%sdecimal>' % XSD),
    (ox.Literal("0.0", datatype=ox.NamedNode(XSD + "decimal")), '"0.0"^^<%sdecimal>' % XSD),
    (ox.Literal("1.5e+03", datatype=ox.NamedNode(XSD + "double")), '"1500.0"^^<%sdouble>' % XSD),
    (ox.Literal("017", datatype=ox.NamedNode(XSD + "integer")), '"17"^^<%sinteger>' % XSD),
    (ox.Literal("1", datatype=ox.NamedNode(XSD + "boolean")), '"true"^^<%sboolean>' % XSD),
    (ox.Literal("Tokyo", language="EN-GB"), '"Tokyo"@en-gb'),
    (ox.Literal("2021-04", datatype=ox.NamedNode(XSD + "gYearMonth")), '"2021-04"^^<%sgYearMonth>' % XSD),
    (ox.Literal("x.y", datatype=ox.NamedNode(XSD + "decimal")), '"x.y"^^<%sdecimal>' % XSD),
])
def test_canonical_forms(literal, canonical):
    assert roundtrip.canonical(literal) == canonical


def test_isomorphic_graphs_compare_equal_whatever_their_blank_node_labels():
    relabelled = RICH.replace("_:a1", "_:zz9").replace("_:r1", "_:q").replace("_:a2", "_:a1")
    diff = roundtrip.compare(graph_of(RICH), graph_of(relabelled))
    assert diff.ok and diff.rewritten_count == 0, diff.text()


def test_every_difference_is_listed():
    got = (RICH.replace('"0.50"', '"0.5"')                                          # rewritten, value kept
           .replace(f'"2021-04"^^<{XSD}gYearMonth>', f'"2021"^^<{XSD}gYear>')   # a value lost
           .replace('_:r2 <http://www.w3.org/2000/01/rdf-schema#label> "策定"@ja .\n', "")
           + f'<{DEFAULT_BASE}plan/p5> <{DEFAULT_BASE}p> "extra" .\n')
    diff = roundtrip.compare(graph_of(RICH), graph_of(got))
    assert not diff.ok
    assert (diff.missing_count, diff.extra_count, diff.rewritten_count) == (5, 5, 1)
    assert any('"2021-04"' in line for line in diff.missing)
    assert any('"2021"^^' in line for line in diff.extra)
    assert diff.rewritten[0][0].endswith(f'"0.50"^^<{XSD}decimal> .')
    text = diff.text()
    assert "round trip: DIFFERENT" in text and "rewritten by the store, value kept: 1" in text


def test_skolem_iris_turn_back_into_blank_nodes():
    graph = graph_of(RICH)
    skolem = ntriples.skolemize(graph)
    assert not any(b"_:" in line for line in skolem.lines)
    assert roundtrip.compare(graph, ntriples.deskolemize(skolem)).ok


# --- SPARQL text ---------------------------------------------------------------------------

TERMS = {"s": ox.NamedNode(f"{DEFAULT_BASE}org/東大和市"),
         "t": ox.Literal('a"} ; DROP ALL #\n\\u0022', language="ja")}


@pytest.mark.parametrize("text, expected", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE {\n  VALUES (?s) {"),
    ("SELECT * { ?s ?p ?o }", "SELECT * {\n  VALUES (?s) {"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE {\n  VALUES"),
    ("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } {\n  VALUES"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE {\n  VALUES"),
    ("SELECT ?s WHERE { SELECT ?s WHERE { ?s ?p ?o } }", "SELECT ?s WHERE { VALUES (?s) {"),
    ("# a comment with { and WHERE {\nASK { ?s ?p '}' }", "ASK {\n  VALUES"),
    ("DESCRIBE ?s", "DESCRIBE ?s\nVALUES (?s ?t)"),
])
def test_values_open_the_where_group(text, expected):
    bound = sparql.with_bindings(text, TERMS)
    assert expected in bound
    if not text.startswith("DESCRIBE"):  # one block per variable (Virtuoso 7 and OPTIONAL)
        assert "VALUES (?s) {" in bound and "VALUES (?t) {" in bound and "(?s ?t)" not in bound
    from rdflib.plugins.sparql.parser import parseQuery

    parseQuery(bound)  # still a valid query


def test_values_also_open_each_union_branch_with_the_same_answers():
    """The values reach each branch of a UNION (the store evaluates a branch whole before joining),
    not a sub-select branch, and the answers are those of the values joined after the union."""
    p, q = ox.NamedNode(f"{DEFAULT_BASE}p"), ox.NamedNode(f"{DEFAULT_BASE}q")
    store = ox.Store()
    for i in range(5):
        store.add(ox.Quad(ox.NamedNode(f"{DEFAULT_BASE}s{i}"), p, ox.Literal(str(i))))
        store.add(ox.Quad(ox.NamedNode(f"{DEFAULT_BASE}s{i}"), q, ox.Literal(f"q{i}")))
    text = (f"SELECT ?s ?v WHERE {{ {{ ?s <{p.value}> ?v }} UNION {{ ?s <{q.value}> ?v }} "
            f"UNION {{ SELECT ?s ?v WHERE {{ ?s <{p.value}> ?v }} }} OPTIONAL {{ ?s ?x ?y }} }}")
    bindings = {"s": ox.NamedNode(f"{DEFAULT_BASE}s3")}
    bound = sparql.with_bindings(text, bindings)
    assert bound.count("VALUES (?s)") == 3  # the group and the two plain branches
    from rdflib.plugins.sparql.parser import parseQuery

    parseQuery(bound)
    got = sorted((r["s"].value, r["v"].value) for r in store.query(bound))
    later = sorted((r["s"].value, r["v"].value) for r in store.query(text) if r["s"] == bindings["s"])
    assert got == later and len(got) == 6
    assigning = f"SELECT ?s WHERE {{ {{ BIND(<{bindings['s'].value}> AS ?s) }} UNION {{ ?s <{p.value}> ?v }} }}"
    bound = sparql.with_bindings(assigning, bindings)  # a branch that assigns the variable is left alone
    assert bound.count("VALUES (?s)") == 2
    parseQuery(bound)
    assert {r["s"] for r in store.query(bound)} == {bindings["s"]}


@pytest.mark.parametrize("branch", [
    "?s <http://e/p> ?o OPTIONAL { ?s <http://e/q> ?x }",
    "?s <http://e/p> ?o FILTER(!BOUND(?x))",
    "?s <http://e/p> ?o MINUS { ?s <http://e/q> ?x }",
    "?s <http://e/p> ?o FILTER NOT EXISTS { ?s <http://e/q> ?x }",
    "?s <http://e/p> ?o BIND(COALESCE(?x, 0) AS ?y)",
    "?s <http://e/p> ?o { SELECT ?s ?x WHERE { ?s <http://e/q> ?x } }",
    "?s <http://e/q> ?x",
])
def test_union_branches_get_the_values_only_where_the_answers_stay_the_same(branch):
    """A branch that reads the variable (rather than matching it) keeps the values joined after
    the union; answers are those of the values at the head of the group alone."""
    e = "http://e/"
    store = ox.Store()
    for s_, p_, o_ in (("a", "p", ox.Literal("1")), ("a", "q", ox.NamedNode(e + "w")), ("b", "p", ox.Literal("2")),
                       ("b", "q", ox.NamedNode(e + "v"))):
        store.add(ox.Quad(ox.NamedNode(e + s_), ox.NamedNode(e + p_), o_))
    text = f"SELECT * WHERE {{ {{ {branch} }} UNION {{ ?s <{e}q> ?z }} }}"
    bindings = {"x": ox.NamedNode(e + "v")}
    head_only = text.replace("WHERE {", "WHERE { VALUES ?x { <http://e/v> }", 1)

    def answers(query):
        result = store.query(query)
        names = [v.value for v in result.variables]
        return sorted(sorted((n, t.value) for n, t in zip(names, row) if t is not None) for row in result)

    assert answers(sparql.with_bindings(text, bindings)) == answers(head_only)


def test_bound_values_cannot_break_out_of_their_literal():
    store = ox.Store()
    store.add(ox.Quad(TERMS["s"], ox.NamedNode(f"{DEFAULT_BASE}p"), TERMS["t"]))
    text = "SELECT ?s WHERE { ?s ?p ?t }"
    assert [r["s"] for r in store.query(sparql.with_bindings(text, TERMS))] == [TERMS["s"]]


def test_values_refuse_blank_nodes_and_odd_names():
    with pytest.raises(QueryError):
        sparql.values_block(["x"], [{"x": ox.BlankNode()}])
    with pytest.raises(QueryError):
        sparql.values_block(["callret-0"], [{}])


@pytest.mark.parametrize("text, form", [
    ("PREFIX a: <http://a/>\nselect * {}", "SELECT"), ("ASK {}", "ASK"),
    ("# CONSTRUCT\nDESCRIBE <http://a>", "DESCRIBE"),
])
def test_query_form(text, form):
    assert sparql.query_form(text) == form


def test_updates_are_not_queries():
    with pytest.raises(QueryError, match="update"):
        sparql.query_form("DROP ALL")


def test_service_calls_and_their_left_side():
    text = ("PREFIX e: <http://e/>\nSELECT * WHERE { ?a ?b ?c FILTER (?d > 1) SERVICE <http://x/sparql> { ?c ?p ?d } "
            "OPTIONAL { SERVICE SILENT e:sparql { ?a ?q ?r } } { SERVICE <http://y/> { ?z ?z ?z } } }")
    first, second, third = sparql.service_calls(text)
    assert (first.iri, first.silent, first.pattern.strip()) == ("http://x/sparql", False, "?c ?p ?d")
    assert first.left.strip() == "?a ?b ?c FILTER (?d > 1)"
    assert (second.iri, second.silent) == ("http://e/sparql", True) and "SERVICE <http://x" in second.left
    assert third.left is None  # inside a plain group: evaluated on its own
    with pytest.raises(QueryError, match="fixed endpoint IRI"):
        sparql.service_calls("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }")


def test_filters_are_left_out_of_the_probe():
    left = (' ?a ?b ?c FILTER(?c > 1) OPTIONAL { ?a ?x ?y FILTER(?y) } FILTER NOT EXISTS { ?a ?q ?r } '
            'FILTER regex(?c, "x") ')
    assert sparql.without_filters(left).split() == "?a ?b ?c OPTIONAL { ?a ?x ?y FILTER(?y) }".split()


def test_service_map_items():
    assert federation.parse_service_map([f"{ESTAT}=http://127.0.0.1:1/sparql"]) == {ESTAT: "http://127.0.0.1:1/sparql"}
    with pytest.raises(KgError, match="FROM=TO"):
        federation.parse_service_map([ESTAT])


def test_a_service_that_is_not_allowed_is_refused_before_any_call():
    with pytest.raises(QueryError, match="is not allowed"):
        federation.query_local(ox.Store(), f"SELECT * WHERE {{ SERVICE <{ESTAT}> {{ ?s ?p ?o }} }}")


def test_the_federated_queries_call_e_stat():
    for name in ("federated-estat-population", "federated-estat-area-names"):
        named = q.parse_named(ROOT / "queries" / f"{name}.rq")
        assert [c.iri for c in sparql.service_calls(named.text)] == [ESTAT]
        assert all(c.left is not None for c in sparql.service_calls(named.text))  # bound joins


# --- against a real Virtuoso ---------------------------------------------------------------

PASSWORD_ENV = "KG_TEST_STORE_PASSWORD"


def kg(*args, env=None):
    result = CliRunner().invoke(main, ["--project", str(ROOT), "-q", *args], env=env, catch_exceptions=False)
    return result


def store_count(virtuoso, graph: str) -> int:
    with httpx.Client() as client:
        return remote.count(client, remote.endpoint(virtuoso.sparql), graph)


def store_graphs(virtuoso, part: str) -> list[str]:
    text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.post(virtuoso.sparql, data={"query": text}, headers={"Accept": "application/sparql-results+json"})
    return [b["g"]["value"] for b in response.json()["results"]["bindings"] if part in b["g"]["value"]]


def graph_iri(name: str) -> str:
    return f"{DEFAULT_BASE}dataset/test-{name}-{secrets.token_hex(3)}"


@pytest.mark.integration
@pytest.mark.parametrize("method", ["gsp", "update"])
def test_push_and_pull_round_trip_on_virtuoso(virtuoso, rich_file, tmp_path, method):
    graph = graph_iri(method)
    env = {PASSWORD_ENV: virtuoso.password}
    pushed_ = kg("push", "--endpoint", virtuoso.sparql_auth, "--graph", graph, "--data", str(rich_file),
                 "--method", method, "--batch-size", "4", "--user", "dba", "--password-env", PASSWORD_ENV, env=env)
    assert pushed_.exit_code == 0, pushed_.output
    assert store_count(virtuoso, graph) == 20
    assert store_graphs(virtuoso, "-staging-") == []
    out = tmp_path / "back.nt"
    pulled = kg("pull", "--endpoint", virtuoso.sparql, "--graph", graph, "-o", str(out), "--check", str(rich_file))
    assert pulled.exit_code == 0, pulled.output
    assert "round trip: same graph (20 sent, 20 back: 0 missing, 0 unexpected" in pulled.output
    back = out.read_text(encoding="utf-8")
    assert LONG in {t.object.value for t in ox.parse(out.read_bytes(), format=ox.RdfFormat.N_TRIPLES)}
    assert f"<{DEFAULT_BASE}org/東大和市>" in back and '"東大和市"@ja' in back
    assert "_:" in back and "/genid/" not in back
    # what Virtuoso changes is reported, by value: decimals, doubles and integers in canonical form
    assert "rewritten by the store, value kept" in pulled.output
    construct = kg("pull", "--endpoint", virtuoso.sparql, "--graph", graph, "--method", "construct",
                   "--check", str(rich_file))
    assert construct.exit_code == 0, construct.output


@pytest.mark.integration
def test_push_the_built_graph(virtuoso, tmp_path):
    from kg.build import build

    from rdflib import Graph
    from rdflib.compare import isomorphic

    built = build(Project.find(ROOT), tmp_path / "dist")
    data = built.out / "kg.nt"
    graph = graph_iri("built")
    ep = virtuoso.endpoint()
    result = transfer.push(ep, graph, data)
    assert result.triples == built.triples
    pulled = transfer.pull(ep, graph)
    diff = roundtrip.compare(ntriples.read_graph(data), pulled)
    assert diff.ok, diff.text()
    # exactly the same graph, lexical forms included (pull writes decimals canonically, as kg does)
    assert isomorphic(Graph().parse(data=pulled.serialize(), format="nt"), Graph().parse(data, format="nt"))
    # a second push replaces the graph, it does not add to it
    transfer.push(ep, graph, graph_of(OLD))
    assert store_count(virtuoso, graph) == 1


@pytest.mark.integration
def test_a_second_push_keeps_what_is_unchanged_and_replaces_the_rest(virtuoso, rich_file, tmp_path):
    graph = graph_iri("replace")
    ep = virtuoso.endpoint()
    transfer.push(ep, graph, rich_file)
    lines = RICH.splitlines(keepends=True)
    changed = tmp_path / "changed.nt"
    changed.write_text("".join(lines[:5] + lines[8:]) + OLD + lines[6].replace('"2026"', '"2027"'), encoding="utf-8")
    result = transfer.push(ep, graph, changed)
    assert set(result.phases) == {"send", "check", "swap", "clean"}
    diff = roundtrip.compare(ntriples.read_graph(changed), transfer.pull(ep, graph))
    assert diff.ok and diff.sent == diff.received == 19, diff.text()


@pytest.mark.integration
def test_store_down_mid_push_leaves_the_graph_as_it_was(virtuoso, rich_file):
    graph = graph_iri("down")
    ep = virtuoso.endpoint()
    transfer.push(ep, graph, graph_of(OLD))
    batches = []

    def stop_after_first_batch(count):
        batches.append(count)
        if len(batches) == 1:
            virtuoso.stop()

    try:
        with pytest.raises(remote.RemoteError, match="cannot reach") as info:
            transfer.push(ep, graph, rich_file, batch_size=5, progress=stop_after_first_batch, retry=FAST)
        assert "staging graph" in str(info.value)  # the store was down: the staging graph may remain
    finally:
        virtuoso.start()
    assert store_count(virtuoso, graph) == 1
    for staging in store_graphs(virtuoso, graph + "-staging-"):
        with remote.connect(ep) as client:
            remote.update(client, ep, f"DROP SILENT GRAPH <{staging}>", what="cleaning up")


@pytest.mark.integration
def test_a_batch_sent_to_a_closed_port_leaves_the_graph_as_it_was(virtuoso, rich_file):
    graph = graph_iri("closed")
    ep = virtuoso.endpoint()
    transfer.push(ep, graph, graph_of(OLD))
    real = httpx.HTTPTransport()

    class ClosedPortOnThirdBatch(httpx.BaseTransport):
        calls = 0

        def handle_request(self, request):
            if request.method == "POST" and request.url.path.endswith("crud-auth"):
                self.calls += 1
                if self.calls >= 2:
                    request.url = request.url.copy_with(port=1)
            return real.handle_request(request)

    with remote.connect(ep, transport=ClosedPortOnThirdBatch()) as client:
        with pytest.raises(remote.RemoteError, match="cannot reach"):
            transfer.push(ep, graph, rich_file, batch_size=5, client=client, retry=FAST)
    assert store_count(virtuoso, graph) == 1
    assert store_graphs(virtuoso, graph + "-staging-") == []  # dropped, as the store was up


@pytest.mark.integration
def test_wrong_password_fails_clearly_and_changes_nothing(virtuoso, rich_file):
    graph = graph_iri("password")
    transfer.push(virtuoso.endpoint(), graph, graph_of(OLD))
    wrong = "wrong-" + secrets.token_hex(8)
    result = kg("push", "--endpoint", virtuoso.sparql_auth, "--graph", graph, "--data", str(rich_file),
                "--user", "dba", "--password-env", PASSWORD_ENV, env={PASSWORD_ENV: wrong})
    assert result.exit_code == remote.EXIT_REMOTE
    assert "refused the login (HTTP 401)" in result.output
    assert wrong not in result.output and virtuoso.password not in result.output
    assert "may remain" not in result.output  # refused at the first batch: no staging graph was made
    assert store_count(virtuoso, graph) == 1


@pytest.mark.integration
def test_bad_endpoints_fail_clearly(virtuoso, rich_file):
    graph = graph_iri("bad")
    malformed = kg("push", "--endpoint", "localhost:8890/sparql", "--graph", graph, "--data", str(rich_file))
    assert malformed.exit_code == 2 and "not an http(s) URL" in malformed.output
    closed = kg("push", "--endpoint", "http://127.0.0.1:1/sparql", "--graph", graph, "--data", str(rich_file),
                "--retries", "0")
    assert closed.exit_code == remote.EXIT_REMOTE and "cannot reach http://127.0.0.1:1" in closed.output
    no_env = kg("push", "--endpoint", virtuoso.sparql_auth, "--graph", graph, "--data", str(rich_file),
                "--user", "dba", "--password-env", "KG_TEST_UNSET_VARIABLE")
    assert no_env.exit_code == 2 and "KG_TEST_UNSET_VARIABLE" in no_env.output
    query = kg("query", "-e", "SELECT * WHERE { ?s ?p }", "--endpoint", virtuoso.sparql)
    assert query.exit_code == 2 and "rejected the query (HTTP 400)" in query.output and "SP030" in query.output
    unreachable = kg("query", "-e", "ASK {}", "--endpoint", "http://127.0.0.1:1/sparql")
    assert unreachable.exit_code == remote.EXIT_REMOTE and "cannot reach" in unreachable.output


# --- remote queries ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def project_graph(virtuoso):
    """The project's data, pushed to the store (the named queries' graph)."""
    try:
        graph = Project.find(ROOT).load().graph
    except KgError as exc:
        pytest.skip(f"the project's data does not load at the moment: {str(exc).splitlines()[0]}")
    name = graph_iri("project")
    data = ntriples.parse_graph(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES, skolem=True)
    transfer.push(virtuoso.endpoint(), name, data)
    return graph, name


def rows(result, plain: tuple[str, ...] = ()) -> list[tuple]:
    """Solutions as sorted tuples of canonical terms; the ``plain`` columns by their text only."""
    names = [v.value for v in result.variables]

    def cell(term, name):
        if term is None or isinstance(term, ox.BlankNode):
            return None
        return term.value if name in plain else roundtrip.canonical(term)

    return sorted(tuple(cell(s[n], n) for n in names) for s in result)


@pytest.mark.integration
@pytest.mark.parametrize("name, params", [
    ("measures-by-status", {}),
    ("measures-by-status", {"plan": "plan/higashiyamato-it-plan-3"}),
    ("organisations", {}),
    ("label-search", {"text": "マイナンバー"}),
    ("label-search", {"text": 'x"} ; DROP ALL #'}),
    ("standard-area-coverage", {}),
])
def test_named_queries_answer_the_same_on_the_store(virtuoso, project_graph, name, params):
    graph, iri = project_graph
    named = q.find_query(ROOT / "queries", name)
    bindings = q.bind_params(named, params)
    local = q.run(q.store_of(graph), named.text, bindings)
    there = federation.query_remote(remote.endpoint(virtuoso.sparql), named.text, bindings, graph=iri)
    assert [v.value for v in there.variables] == [v.value for v in local.variables]
    # GROUP_CONCAT gives a plain string on Virtuoso, a tagged one on pyoxigraph when all parts share a tag
    assert rows(there, plain=("matched_names",)) == rows(local, plain=("matched_names",))


@pytest.mark.integration
def test_kg_query_endpoint_formats(virtuoso, project_graph):
    _, iri = project_graph
    base = ["--endpoint", virtuoso.sparql, "--graph", iri]
    table = kg("query", "measures-by-status", *base)
    assert table.exit_code == 0, table.output
    assert "status_ja" in table.output and "達成" in table.output and "row" in table.output
    csv = kg("query", "measures-by-status", "--param", "plan=plan/higashiyamato-it-plan-3", "--format", "csv", *base)
    assert csv.exit_code == 0 and "（記載なし）" in csv.output
    ask = kg("query", "-e", "ASK { ?s a lgdx:LocalGovernment }", "--format", "json", *base)
    assert ask.exit_code == 0 and json.loads(ask.output)["boolean"] is True
    construct = kg("query", "-e", "CONSTRUCT WHERE { ?s a lgdx:LocalGovernment ; rdfs:label ?l }", "--format", "nt",
                   *base)
    assert construct.exit_code == 0 and '"東大和市"@ja' in construct.output
    auth = kg("query", "-e", "ASK {}", "--endpoint", virtuoso.sparql_auth, "--user", "dba",
              "--password-env", PASSWORD_ENV, env={PASSWORD_ENV: virtuoso.password})
    assert auth.exit_code == 0 and auth.output.strip() == "true"


# --- federation, with the real Virtuoso standing in for e-Stat -------------------------------

SAC = "http://data.e-stat.go.jp/lod/sac/"
ESTAT_STAND_IN = f"""\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sdmxdim: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix estatm: <http://data.e-stat.go.jp/lod/ontology/measure/> .
@prefix cddim: <http://data.e-stat.go.jp/lod/ontology/crossDomain/dimension/> .
@prefix cdcode: <http://data.e-stat.go.jp/lod/ontology/crossDomain/code/> .
@prefix sac: <{SAC}> .
@prefix obs: <http://data.e-stat.go.jp/lod/test/observation/> .
sac:C13220 rdfs:label "東大和市"@ja , "Higashiyamato-shi"@en .
sac:C13213 rdfs:label "東村山市"@ja .
obs:1 sdmxdim:refArea sac:C13220 ; cddim:timePeriod "2020"^^xsd:gYear ; cddim:sex cdcode:sex-all ;
      cddim:nationality cdcode:nationality-all ; estatm:population 83000 .
obs:2 sdmxdim:refArea sac:C13220 ; cddim:timePeriod "2015"^^xsd:gYear ; cddim:sex cdcode:sex-all ;
      cddim:nationality cdcode:nationality-all ; estatm:population 85000 .
obs:3 sdmxdim:refArea sac:C13220 ; cddim:timePeriod "2020"^^xsd:gYear ; cddim:sex cdcode:sex-male ;
      cddim:nationality cdcode:nationality-all ; estatm:population 41000 .
obs:4 sdmxdim:refArea sac:C13213 ; cddim:timePeriod "2020"^^xsd:gYear ; cddim:sex cdcode:sex-all ;
      cddim:nationality cdcode:nationality-all ; estatm:population 150000 .
obs:5 sdmxdim:refArea sac:C99999 ; cddim:timePeriod "2020"^^xsd:gYear ; cddim:sex cdcode:sex-all ;
      cddim:nationality cdcode:nationality-all ; estatm:population 1 .
"""
LOCAL_GOVERNMENTS = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix lgdx: <https://w3id.org/lgdx/ontology#> .
@prefix id: <https://w3id.org/lgdx/id/> .
id:org\\/132209 a lgdx:LocalGovernment ; lgdx:localGovernmentCode "132209" ; rdfs:label "東大和市"@ja .
id:org\\/132136 a lgdx:LocalGovernment ; lgdx:localGovernmentCode "132136" ; rdfs:label "東村山"@ja .
id:org\\/131016 a lgdx:LocalGovernment ; lgdx:localGovernmentCode "131016" ; rdfs:label "千代田区"@ja .
"""


@pytest.fixture
def stand_in():
    server = StandIn(ESTAT_STAND_IN)
    yield server
    server.close()


def in_process(stand_in, tmp_path) -> list[str]:
    """The options of `kg query` for the local governments and the in-process stand-in for e-Stat."""
    local = tmp_path / "local.ttl"
    local.write_text(LOCAL_GOVERNMENTS, encoding="utf-8")
    return ["--data", str(local), "--format", "csv", "--allow-service", ESTAT, "--service-map",
            f"{ESTAT}={stand_in.url}"]


def test_q_federated_estat_population(stand_in, tmp_path):
    population = kg("query", "federated-estat-population", *in_process(stand_in, tmp_path))
    assert population.exit_code == 0, population.output
    assert [line.split(",")[:4] for line in population.output.splitlines()[1:]] == [
        ["東村山", "132136", "2020", "150000"], ["東大和市", "132209", "2020", "83000"]]
    # a bound join: the local areas and the year went to the service, not a request for everything
    sent = stand_in.queries[-1]
    assert f"<{SAC}C13220>" in sent and f"<{SAC}C13101>" in sent and f"<{SAC}C99999>" not in sent
    assert '"2020"^^<http://www.w3.org/2001/XMLSchema#gYear>' in sent


def test_q_federated_estat_area_names(stand_in, tmp_path):
    names = kg("query", "federated-estat-area-names", *in_process(stand_in, tmp_path))
    assert names.exit_code == 0, names.output
    assert [line.split(",")[2] for line in names.output.splitlines()[1:]] == [
        "見つからない (not found)", "相違 (different)", "一致 (same)"]


@pytest.fixture(scope="module")
def estat(virtuoso, tmp_path_factory):
    """The stand-in e-Stat graph loaded into the store, and a local graph of three local governments."""
    folder = tmp_path_factory.mktemp("federation")
    (folder / "estat.ttl").write_text(ESTAT_STAND_IN, encoding="utf-8")
    (folder / "local.ttl").write_text(LOCAL_GOVERNMENTS, encoding="utf-8")
    transfer.push(virtuoso.endpoint(), "http://data.e-stat.go.jp/lod/test/stand-in", folder / "estat.ttl")
    return folder / "local.ttl"


def federated(virtuoso, local, name, *args):
    return kg("query", name, "--data", str(local), "--format", "csv", "--allow-service", ESTAT,
              "--service-map", f"{ESTAT}={virtuoso.sparql}", *args)


@pytest.mark.integration
def test_federated_population_joins_local_codes_with_the_stand_in(virtuoso, estat):
    result = federated(virtuoso, estat, "federated-estat-population")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "local_government_ja,code,year,population,local_government_en,local_government,area"
    assert lines[1:] == [
        f"東村山,132136,2020,150000,,{DEFAULT_BASE}org/132136,{SAC}C13213",
        f"東大和市,132209,2020,83000,,{DEFAULT_BASE}org/132209,{SAC}C13220"]
    older = federated(virtuoso, estat, "federated-estat-population", "--param", "year=平成27年")
    assert [line.split(",")[3] for line in older.output.splitlines()[1:]] == ["85000"]


@pytest.mark.integration
def test_federated_area_names_are_checked_against_the_stand_in(virtuoso, estat):
    result = federated(virtuoso, estat, "federated-estat-area-names")
    assert result.exit_code == 0, result.output
    agreement = {line.split(",")[3]: line.split(",")[2] for line in result.output.splitlines()[1:]}
    assert agreement == {"131016": "見つからない (not found)", "132136": "相違 (different)", "132209": "一致 (same)"}


@pytest.mark.integration
def test_federation_is_refused_or_fails_clearly(virtuoso, estat):
    refused = kg("query", "federated-estat-population", "--data", str(estat))
    assert refused.exit_code == 2 and f"SERVICE <{ESTAT}> is not allowed" in refused.output
    down = kg("query", "federated-estat-population", "--data", str(estat), "--allow-service", ESTAT,
              "--service-map", f"{ESTAT}=http://127.0.0.1:1/sparql")
    assert down.exit_code == remote.EXIT_REMOTE and f"SERVICE <{ESTAT}>" in down.output
    silent = kg("query", "-e", "PREFIX lgdx: <https://w3id.org/lgdx/ontology#>\n"
                f"SELECT ?code WHERE {{ ?lg lgdx:localGovernmentCode ?code "
                f"SERVICE SILENT <{ESTAT}> {{ ?x ?y ?z }} }} ORDER BY ?code", "--data", str(estat),
                "--allow-service", ESTAT, "--service-map", f"{ESTAT}=http://127.0.0.1:1/sparql", "--format", "csv")
    assert silent.exit_code == 0 and silent.output.split() == ["code", "131016", "132136", "132209"]


@pytest.mark.integration
def test_federation_from_a_remote_store(virtuoso, estat, project_graph):
    _, iri = project_graph
    result = kg("query", "federated-estat-area-names", "--endpoint", virtuoso.sparql, "--graph", iri,
                "--allow-service", ESTAT, "--service-map", f"{ESTAT}={virtuoso.sparql}", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "東大和市,東大和市,一致 (same),132209" in result.output
