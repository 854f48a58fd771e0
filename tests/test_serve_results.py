"""The result writers: W3C SPARQL result formats, read back by pyoxigraph's own parsers."""

import json
from xml.parsers import expat

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.serve.results import (TooManyResults, boolean_bytes, bounded_bytes, count_rows, graph_bytes, limited,
                              rows_at_most, rows_of, solutions_bytes)

EX = "http://example.org/"
TRICKY = [
    ox.Literal('comma, "quote"\ttab\nnewline'),
    ox.Literal("東京", language="ja"),
    ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal("<b>&amp;</b>"),
    ox.NamedNode(EX + "東京?a=b&c"),
    ox.BlankNode("b0"),
]


@pytest.fixture(scope="module")
def store():
    s = ox.Store()
    for i, value in enumerate(TRICKY):
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), value))
    s.add(ox.Quad(ox.NamedNode(EX + "lonely"), ox.NamedNode(EX + "q"), ox.Literal("x")))
    return s


QUERY = f"SELECT ?s ?o ?none WHERE {{ ?s <{EX}p> ?o OPTIONAL {{ ?s <{EX}nothing> ?none }} }} ORDER BY ?s"
FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
           "tsv": ox.QueryResultsFormat.TSV, "csv": ox.QueryResultsFormat.CSV}


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_round_trips_through_pyoxigraph(store, fmt):
    names, rows = rows_of(store.query(QUERY), 100)
    parsed = ox.parse_query_results(solutions_bytes(names, rows, fmt), format=FORMATS[fmt])
    assert [v.value for v in parsed.variables] == ["s", "o", "none"]
    got = [tuple(s) for s in parsed]
    # blank node labels may be renamed by the parser; everything else must be identical
    assert [tuple(t for t in row if not isinstance(t, ox.BlankNode)) for row in got] == \
        [tuple(t for t in row if not isinstance(t, ox.BlankNode)) for row in rows]


def test_csv_quotes_cells_and_uses_crlf(store):
    names, rows = rows_of(store.query(QUERY), 100)
    text = solutions_bytes(names, rows, "csv").decode()
    assert text.startswith("s,o,none\r\n")
    assert '"comma, ""quote""\ttab\nnewline"' in text
    assert "_:b0" in text


def test_json_literal_keys(store):
    names, rows = rows_of(store.query(QUERY), 100)
    doc = json.loads(solutions_bytes(names, rows, "json"))
    objects = [b["o"] for b in doc["results"]["bindings"]]
    assert {"type": "literal", "value": "東京", "xml:lang": "ja"} in objects
    assert {"type": "literal", "value": "42", "datatype": "http://www.w3.org/2001/XMLSchema#integer"} in objects
    assert all("none" not in b for b in doc["results"]["bindings"])


@pytest.mark.parametrize("fmt, parser", [("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                                         ("tsv", ox.QueryResultsFormat.TSV), ("csv", ox.QueryResultsFormat.CSV)])
@pytest.mark.parametrize("value", [True, False])
def test_boolean(fmt, parser, value):
    if fmt in ("json", "xml"):
        assert bool(ox.parse_query_results(boolean_bytes(value, fmt), format=parser)) is value
    else:
        assert boolean_bytes(value, fmt).decode().strip() == str(value).lower()


def test_limit_stops_at_the_first_row_past_it(store):
    with pytest.raises(TooManyResults, match="more than 3 rows"):
        rows_of(store.query(QUERY), 3)
    assert list(limited(range(3), 3, "rows")) == [0, 1, 2]


@pytest.mark.parametrize("fmt, parser", [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                                         ("jsonld", ox.RdfFormat.JSON_LD), ("rdfxml", ox.RdfFormat.RDF_XML)])
def test_graphs_round_trip(store, fmt, parser):
    triples = list(store.query("CONSTRUCT WHERE { ?s ?p ?o }"))
    content = graph_bytes(iter(triples), fmt, 100, {"ex": EX})
    assert len(list(ox.parse(content, format=parser))) == len(triples)
    with pytest.raises(TooManyResults, match="triples"):
        graph_bytes(iter(triples), fmt, 2)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_bounded_results_are_counted_exactly(store, fmt):
    query = QUERY + " LIMIT 100"
    content = bounded_bytes(store.query(query), fmt, 6)
    assert count_rows(content, fmt) == 6 and rows_at_most(content, fmt) >= 6
    with pytest.raises(TooManyResults):
        bounded_bytes(store.query(query), fmt, 5)


def test_row_counts_see_through_tricky_literals(store):
    for fmt in ("json", "xml", "csv", "tsv"):
        names, rows = rows_of(store.query(QUERY), 100)
        assert count_rows(solutions_bytes(names, rows, fmt), fmt) == 6, fmt


@pytest.mark.parametrize("predicate", [EX + "p/123", EX, "urn:x:1"])
def test_a_graph_rdfxml_cannot_write_is_refused_not_sent_broken(predicate):
    triples = [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(predicate), ox.Literal("1"))]
    with pytest.raises(QueryError, match="cannot be written as RDF/XML"):
        graph_bytes(iter(triples), "rdfxml", 10)
    assert graph_bytes(iter(triples), "ttl", 10)  # the other formats can


def test_rdfxml_of_a_writable_graph_is_well_formed(store):
    content = graph_bytes(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), "rdfxml", 100)
    expat.ParserCreate(namespace_separator=" ").Parse(content, True)
    assert len(list(ox.parse(content, format=ox.RdfFormat.RDF_XML))) == len(store)
