"""Tests of kg.query's SPARQL text handling: the safety check and parameter binding.

The named queries themselves are tested in tests/test_named_queries.py, the SPARQL text
functions of kg.sparql with the remote stores in tests/test_remote.py.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import query as q
from kg.errors import QueryError
from kg.namespaces import DEFAULT_BASE, LGDX

PLAN = ox.NamedNode(f"{DEFAULT_BASE}plan/p5")
MEASURE = ox.NamedNode(f"{DEFAULT_BASE}measure/m1")


@pytest.fixture
def store() -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(PLAN, ox.NamedNode(str(LGDX.fromYear)), ox.Literal("2021")))
    store.add(ox.Quad(MEASURE, ox.NamedNode(str(LGDX.partOf)), PLAN))
    return store


# a query that says "from" or "service" is read token by token by the safety check
@pytest.mark.parametrize("text", [
    "SELECT ?year WHERE { ?plan lgdx:fromYear ?year }",
    "SELECT ?from WHERE { ?m lgdx:partOf ?from } ORDER BY ?from",
    "ASK { ?m lgdx:partOf ?plan FILTER(!CONTAINS(STR(?plan), 'service')) }",
    "SELECT ?m WHERE { ?m a <https://w3id.org/lgdx/ontology#Measure> } # FROM <http://example.org/g>",
    "SELECT ?m WHERE { ?m lgdx:partOf <https://w3id.org/lgdx/id/plan/x#from> }",
    "PREFIX service: <https://w3id.org/lgdx/ontology#>\nSELECT ?m WHERE { ?m service:partOf ?p }",
])
def test_what_only_looks_like_service_or_from_passes(store, text):
    q.check_query(text)
    result = q.run(store, text)
    assert isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))  # and pyoxigraph runs it


@pytest.mark.parametrize("text, says", [
    ("SELECT * WHERE { SERVICE lgdx:endpoint { ?s ?p ?o } }", f"SERVICE <{LGDX}endpoint> is not allowed"),
    ("SELECT * WHERE { ?s a <https://w3id.org/lgdx/ontology#Plan> . SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
     "SERVICE <http://example.org/sparql> is not allowed"),  # a # in an IRI is not a comment
    ("SELECT * WHERE { service SILENT<http://example.org/sparql>{ ?s ?p ?o } }", "SERVICE <http://example.org/"),
    ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", r"SERVICE \?endpoint: only a fixed endpoint"),
    ("SELECT * WHERE { ?s ?p ?o } SERVICE", "SERVICE without an endpoint"),
    ("SELECT * FROM <http://example.org/g> WHERE { ?s lgdx:partOf ?o }", "FROM <http://example.org/g> is not allowed"),
    ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM NAMED <file:///etc/passwd> is not allowed"),
    ("DELETE WHERE { ?s lgdx:fromYear ?o }", "update, not a query"),
])
def test_the_safety_check_refuses(text, says):
    with pytest.raises(QueryError, match=says):
        q.check_query(text)


@pytest.mark.parametrize("text", ["INSERT DATA { <http://a/s> <http://a/p> 1 }", "LOAD <http://example.org/data.ttl>",
                                  "CLEAR ALL", "WITH <http://a/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"])
def test_an_update_is_called_one_not_malformed(store, text):
    with pytest.raises(QueryError, match="update, not a query") as info:
        q.run(store, text)
    assert "SELECT" in info.value.fix


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"), ("ASK FROM <http://a/> {}", "ASK"),
    ("PREFIX service: <http://a/>\nCONSTRUCT WHERE { ?s service:p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://a/from>", "DESCRIBE"),
])
def test_the_form_of_a_query(text, form):
    assert q.query_form(text) == form


def test_parameters_are_bound_one_values_block_each_in_the_where_group(store):
    text = "# { WHERE {\nSELECT ?m WHERE { ?m lgdx:partOf ?plan OPTIONAL { ?plan lgdx:fromYear ?year } }"
    bindings = {"plan": PLAN, "year": ox.Literal("2021")}
    bound = q.with_bindings(text, bindings)
    assert bound.startswith("# { WHERE {\nSELECT ?m WHERE {\n  VALUES (?plan) {")
    assert "VALUES (?year) {" in bound and "(?plan ?year)" not in bound  # Virtuoso 7 and OPTIONAL
    assert [s["m"] for s in q.run(store, text, bindings)] == [MEASURE]


def test_a_bound_literal_stays_a_literal(store):
    text = "SELECT ?plan WHERE { ?plan lgdx:fromYear ?year }"
    hostile = ox.Literal('2021" } ?plan ?p ?o { "')
    assert list(q.run(store, text, {"year": hostile})) == []
    assert [s["plan"] for s in q.run(store, text, {"year": ox.Literal("2021")})] == [PLAN]


def test_a_construct_rdfxml_cannot_write_is_an_error_for_kg_query_too():
    result = ox.Store().query('CONSTRUCT { <http://example.org/s> <http://example.org/p/1> "1" } WHERE {}')
    with pytest.raises(QueryError, match="RDF/XML") as info:
        q.format_result(result, "rdfxml")
    assert "Turtle" in info.value.fix


# Queries pyoxigraph runs with a SERVICE call (or a FROM) that a lexer alone can misread: a
# backslash escape outside a string, a number or literal followed by `.`, `<` as less-than.
E = "http://127.0.0.1:9/sparql"
MISREAD = [
    f"PREFIX ex: <http://e/>\nSELECT * WHERE {{ OPTIONAL {{ ?a ?b ex:a\\# }} SERVICE <{E}> {{ ?x ?p ?o }} }}",
    f"PREFIX ex: <http://e/>\nSELECT * WHERE {{ OPTIONAL {{ ?a ?b ex:a\\' }} SERVICE <{E}> {{ ?x ?p ?o }} FILTER('x' != 'y') }}",
    f"SELECT * WHERE {{ OPTIONAL {{ ?a ?b <http://x/\\u0041#> }} SERVICE <{E}> {{ ?x ?p ?o }} }}",
    f"SELECT * WHERE {{ OPTIONAL {{ ?a ?b <http://x/\\u0041'> }} SERVICE <{E}> {{ ?x ?p ?o }} FILTER('a'!='b') }}",
    f"SELECT * WHERE {{ BIND(1 AS ?y) ?a ?b 1.SERVICE <{E}> {{ ?x ?p ?o }} }}",
    f"SELECT * WHERE {{ ?a ?b 1.0.SERVICE <{E}> {{ ?x ?p ?o }} }}",
    f"SELECT * WHERE {{ OPTIONAL {{ ?a ?b true.SERVICE <{E}> {{ ?x ?p ?o }} }} }}",
    f"SELECT * WHERE {{ OPTIONAL {{ ?a ?b 1e0.SERVICE <{E}> {{ ?x ?p ?o }} }} }}",
    f"SELECT * WHERE {{ OPTIONAL {{ ?a ?b 'x'@en.SERVICE <{E}> {{ ?x ?p ?o }} }} }}",
    f"SELECT * WHERE {{ ?a ?b ?c.SERVICE <{E}> {{ ?x ?p ?o }} }}",
    f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<'>' || true) SERVICE <{E}> {{ ?x ?p ?o }} FILTER(?a != 'z') }}",
    "PREFIX ex: <http://e/>\nSELECT (ex:a\\# AS ?z) FROM <http://evil/> WHERE { }",
    "SELECT (1<'>' AS ?z) FROM <http://evil/> WHERE { FILTER(?z != 'q') }",
]


@pytest.mark.parametrize("text", MISREAD)
def test_a_service_or_from_hidden_from_a_lexer_is_still_refused(text):
    with pytest.raises(QueryError, match="not allowed|malformed"):
        q.check_query(text)
