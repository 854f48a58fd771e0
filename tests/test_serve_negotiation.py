"""The content-negotiation tables and Accept parsing, on their own."""

import pytest

from kg.serve import negotiation as neg


@pytest.mark.parametrize("media, fmt", sorted(neg.RESULT_TYPES.items()))
def test_every_result_type_maps_to_a_select_offer(media, fmt):
    assert fmt in neg.SELECT_OFFERS
    assert neg.negotiate(media, neg.SELECT_OFFERS, "select") == fmt


@pytest.mark.parametrize("media, fmt", sorted(neg.GRAPH_TYPES.items()))
def test_every_graph_type_maps_to_a_graph_offer(media, fmt):
    assert fmt in neg.GRAPH_OFFERS
    assert neg.negotiate(media, neg.GRAPH_OFFERS, "graph") == fmt


@pytest.mark.parametrize("fmt", sorted(neg.MEDIA_TYPES))
def test_every_format_has_a_media_type(fmt):
    assert "/" in neg.media_type(fmt)


@pytest.mark.parametrize("ext, fmt", sorted(neg.EXTENSIONS.items()))
def test_extensions_round_trip(ext, fmt):
    assert neg.FORMAT_EXTENSIONS[fmt] == ext
    assert neg.split_extension("/id/measure/x" + ext) == ("/id/measure/x", fmt)


@pytest.mark.parametrize("path", ["/id/measure/x", "/id/measure/x.unknown", "/id/a.b/c"])
def test_paths_without_a_known_extension_are_kept(path):
    assert neg.split_extension(path) == (path, None)


def test_accept_is_parsed_with_qualities_and_sorted():
    ranges = neg.parse_accept("text/html;q=0.5, application/ld+json, */*;q=0.1, bad, text/*;q=0.8")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("application", "ld+json", 1.0), ("text", "*", 0.8), ("text", "html", 0.5), ("*", "*", 0.1)]


def test_malformed_quality_counts_as_zero():
    assert neg.parse_accept("text/turtle;q=abc")[0].q == 0.0


@pytest.mark.parametrize("accept, offers, table, expected", [
    (None, neg.SELECT_OFFERS, "select", "json"),
    ("*/*", neg.GRAPH_OFFERS, "graph", "ttl"),
    ("*/*", neg.PAGE_OFFERS, "graph", "html"),
    # what browsers send: HTML wins over application/xml;q=0.9
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", neg.SELECT_OFFERS, "select", "html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", neg.PAGE_OFFERS, "graph", "html"),
    # SPARQLWrapper's JSON request
    ("application/sparql-results+json,application/json,text/javascript,application/javascript",
     neg.SELECT_OFFERS, "select", "json"),
    ("application/sparql-results+xml", neg.SELECT_OFFERS, "select", "xml"),
    ("text/csv", neg.SELECT_OFFERS, "select", "csv"),
    ("text/tab-separated-values", neg.SELECT_OFFERS, "select", "tsv"),
    ("text/turtle;q=0.9, application/ld+json", neg.GRAPH_OFFERS, "graph", "jsonld"),
    ("application/rdf+xml", neg.PAGE_OFFERS, "graph", "rdfxml"),
    ("text/*", neg.PAGE_OFFERS, "graph", "html"),
    ("text/html;q=0, */*", neg.PAGE_OFFERS, "graph", "ttl"),
    ("image/png", neg.PAGE_OFFERS, "graph", None),
    ("application/json", neg.ERROR_OFFERS, "error", "errjson"),
])
def test_negotiate(accept, offers, table, expected):
    assert neg.negotiate(accept, offers, table) == expected


@pytest.mark.parametrize("explicit, offers, expected", [
    ("csv", neg.SELECT_OFFERS, "csv"),
    ("srj", neg.SELECT_OFFERS, "json"),
    ("turtle", neg.GRAPH_OFFERS, "ttl"),
    ("json-ld", neg.GRAPH_OFFERS, "jsonld"),
    ("n3", neg.GRAPH_OFFERS, "ttl"),
    ("text/tab-separated-values", neg.SELECT_OFFERS, "tsv"),
    ("csv", neg.GRAPH_OFFERS, None),
])
def test_an_explicit_format_wins_over_accept(explicit, offers, expected):
    table = "select" if offers == neg.SELECT_OFFERS else "graph"
    assert neg.choose("text/html", offers, table, explicit) == expected


def test_a_lenient_choice_falls_back_to_accept():
    assert neg.choose("text/turtle", neg.GRAPH_OFFERS, "graph", "json", lenient=True) == "ttl"
    assert neg.choose("text/turtle", neg.GRAPH_OFFERS, "graph", "json") is None
