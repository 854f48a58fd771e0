"""The one IRI ↔ URL helper: paths for the dataset's IRIs, percent-encoding both ways."""

import pytest

from kg.serve.urls import Urls, iri_to_uri, uri_to_iri

BASE = "https://w3id.org/lgdx/id/"


@pytest.mark.parametrize("base, iri, path", [
    (BASE, BASE + "measure/plan-4-01", "/id/measure/plan-4-01"),
    (BASE, "https://w3id.org/lgdx/catalog", "/catalog"),
    (BASE, "https://w3id.org/lgdx/ontology", "/ontology"),
    (BASE, "https://w3id.org/lgdx/ontology#Measure", "/ontology#Measure"),
    (BASE, BASE + "concept/東京", "/id/concept/%E6%9D%B1%E4%BA%AC"),
    ("https://data.example.jp/id/", "https://data.example.jp/id/law/1", "/id/law/1"),
    ("https://data.example.jp/kg/", "https://data.example.jp/kg/law/1", "/law/1"),
    (BASE, "http://www.wikidata.org/entity/Q1490", None),
])
def test_local_path(base, iri, path):
    assert Urls(base).local_path(iri) == path


@pytest.mark.parametrize("iri", [BASE + "measure/plan-4-01", BASE + "concept/東京", BASE + "concept/a%20b"])
def test_paths_map_back_to_the_same_iri(iri):
    urls = Urls(BASE)
    assert urls.iri_of_path(urls.local_path(iri)) == iri


def test_outside_iris_link_to_themselves():
    urls = Urls(BASE)
    assert urls.href("http://www.wikidata.org/entity/Q1490") == "http://www.wikidata.org/entity/Q1490"
    assert urls.href("https://ja.example/東京") == "https://ja.example/%E6%9D%B1%E4%BA%AC"


def test_id_prefix_follows_the_base():
    assert Urls(BASE).id_prefix == "/id/"
    assert Urls("https://example.org/kg/").id_prefix == "/"


@pytest.mark.parametrize("iri, uri", [
    ("東京", "%E6%9D%B1%E4%BA%AC"),
    ("a b", "a%20b"),
    ("a%20b", "a%20b"),      # an escape already there stays as it is
    ("x?y=1#z", "x?y=1#z"),
])
def test_iri_to_uri(iri, uri):
    assert iri_to_uri(iri) == uri


def test_uri_to_iri_decodes_only_non_ascii():
    assert uri_to_iri("%E6%9D%B1%E4%BA%AC%20x%2F") == "東京%20x%2F"
    assert uri_to_iri("%FF%FE") == "%FF%FE"  # not UTF-8: left escaped
