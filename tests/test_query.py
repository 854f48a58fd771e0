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


# a query that says "from" or "service" is parsed by the safety check, with the project's prefixes
@pytest.mark.parametrize("text", [
    "SELECT ?year WHERE { ?plan lgdx:fromYear ?year }",
    "SELECT ?from WHERE { ?m lgdx:partOf ?from } ORDER BY ?from",
    "ASK { ?m lgdx:partOf ?plan FILTER(!CONTAINS(STR(?plan), 'service')) }",
])
def test_the_safety_check_knows_the_default_prefixes(store, text):
    shape = q.inspect_query(text)
    assert (shape.services, shape.datasets) == ((), ())
    assert q.run(store, text)  # runs as pyoxigraph runs it, with the same prefixes


def test_a_declared_prefix_is_not_declared_again():
    shape = q.inspect_query("PREFIX lgdx: <http://example.org/other#>\nSELECT ?from WHERE { ?from lgdx:x ?y }")
    assert shape.form == "SELECT"


@pytest.mark.parametrize("text, says", [
    ("SELECT ?from WHERE { ?from nosuch:x ?y }", "malformed query"),
    ("SELECT * WHERE { SERVICE lgdx:endpoint { ?s ?p ?o } }", f"SERVICE <{LGDX}endpoint> is not allowed"),
    ("SELECT * FROM <http://example.org/g> WHERE { ?s lgdx:partOf ?o }", "FROM <http://example.org/g> is not allowed"),
    ("DELETE WHERE { ?s lgdx:fromYear ?o }", "update, not a query"),
])
def test_the_safety_check_still_refuses(text, says):
    with pytest.raises(QueryError, match=says):
        q.check_query(text)


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"), ("ASK FROM <http://a/> {}", "ASK"),
    ("PREFIX service: <http://a/>\nCONSTRUCT WHERE { ?s service:p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://a/from>", "DESCRIBE"),
])
def test_the_form_of_a_query(text, form):
    assert q.inspect_query(text).form == form


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
