"""Profiles: each view checked against its vocabulary's own definition, `kg export --profile`, and
content negotiation by profile on `kg serve`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from fixtures.built import ROOT, built_dist
from fixtures.serve import TestClient
from kg import profiles
from kg.cli import main
from kg.serve.app import create_app
from kg.serve.config import Settings

VOCAB = Path(__file__).parent / "fixtures" / "vocab"
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SDO = Namespace("https://schema.org/")
IC = Namespace("http://imi.go.jp/ns/core/rdf#")
SDO_HTTP = Namespace("http://schema.org/")  # the core vocabulary gives its domains with schema.org's http terms
BASE = "https://w3id.org/lgdx/id/"
LAW = "/id/law/425AC0000000027"
MEASURE = "/id/measure/higashiyamato-it-plan-4-01"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    return built_dist(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def views(dist) -> dict[str, Graph]:
    """The built graph in each profile."""
    graph, ontology = Graph().parse(dist / "kg.nt"), Graph().parse(dist / "ontology.ttl")
    return {token: profiles.graph_view(p, graph, ontology) for token, p in profiles.profiles().items()}


def test_the_profiles_are_listed_with_their_uris():
    listed = profiles.profiles()
    assert list(listed) == ["lgdx", "eli", "imi", "schema"]
    assert listed["eli"].uri == "http://data.europa.eu/eli/ontology" and listed["schema"].uri == "https://schema.org/"
    assert all(p.title and p.description for p in listed.values())
    assert profiles.find("https://schema.org/") is listed["schema"] and profiles.find("nope") is None


def test_export_writes_a_profile_and_rejects_an_unknown_one(views):
    result = CliRunner().invoke(main, ["--project", str(ROOT), "export", "--profile", "eli", "--format", "nt"])
    assert result.exit_code == 0
    assert isomorphic(Graph().parse(data=result.stdout_bytes, format="nt"), views["eli"])
    result = CliRunner().invoke(main, ["--project", str(ROOT), "export", "--profile", "dublin"])
    assert result.exit_code == 2 and "no profile `dublin`" in result.output and "eli (http" in result.output


def _classes(graph: Graph, vocab: Graph, node) -> set:
    """The classes of ``node`` in ``graph`` and, through the vocabulary, all their superclasses."""
    found, todo = set(), list(graph.objects(node, RDF.type))
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.add(cls)
            todo += list(vocab.objects(cls, RDFS.subClassOf))
    return found


def _members(vocab: Graph, node) -> set:
    """A class or datatype, or the members of its owl:unionOf."""
    union = vocab.value(node, OWL.unionOf)
    return set(Collection(vocab, union)) if union is not None else {node}


def test_eli_view_conforms_to_the_eli_ontology(views):
    """Every ELI term is defined by ELI; every property is used within its domain and range."""
    view, eli = views["eli"], Graph().parse(VOCAB / "eli-extract.ttl")
    laws = set(view.subjects(RDF.type, ELI.LegalResource))
    assert len(laws) >= 5
    problems = []
    for s, p, o in view:
        terms = [t for t in (p, o if p == RDF.type else None) if t is not None and str(t).startswith(str(ELI))]
        problems += [f"{t} is not an ELI term" for t in terms if (t, None, None) not in eli]
        if not str(p).startswith(str(ELI)):
            continue
        domain = eli.value(p, RDFS.domain)
        if domain is not None and not _members(eli, domain) & _classes(view, eli, s):
            problems.append(f"{s} {p}: outside the domain")
        rng = eli.value(p, RDFS.range)
        if isinstance(o, Literal):
            allowed = _members(eli, rng)
            datatype = o.datatype or XSD.string
            if datatype not in allowed:
                problems.append(f"{s} {p} {o!r}: not of {sorted(allowed)}")
        elif rng is not None and not _members(eli, rng) & _classes(view, eli, o):
            problems.append(f"{s} {p} {o}: outside the range")
        if (p, RDF.type, OWL.FunctionalProperty) in eli and len(set(view.objects(s, p))) > 1:
            problems.append(f"{s} {p}: more than one value of a functional property")
    assert not problems, "\n".join(problems)
    number = view.value(URIRef(BASE + "law/425AC0000000027"), ELI.number)
    assert str(number) == "平成25年法律第27号"


def test_schema_org_view_uses_schema_org_terms_within_their_domains(views):
    view, schema = views["schema"], Graph().parse(VOCAB / "schemaorg-extract.ttl")
    problems = []
    for s, p, o in view:
        for term in (p, o if p == RDF.type else None):
            if term is not None and str(term).startswith(str(SDO)) and (term, RDF.type, None) not in schema:
                problems.append(f"{term} is not in schema.org")
        if p == RDF.type or not str(p).startswith(str(SDO)):
            continue
        domains = set(schema.objects(p, SDO.domainIncludes))
        if not domains & (_classes(view, schema, s) | {SDO.Thing}):
            problems.append(f"{s} {p}: none of its types is in the domain of {p}")
    assert not problems, "\n".join(sorted(set(problems)))
    types = set(view.objects(None, RDF.type))
    assert {SDO.Legislation, SDO.GovernmentOrganization, SDO.CreativeWork, SDO.Event} <= types
    plan = URIRef(BASE + "plan/higashiyamato-it-plan-4")
    assert str(view.value(plan, SDO.temporalCoverage)) == "2019-04-01/2022-03-31"


def test_imi_view_conforms_to_the_imi_core_vocabulary(views):
    """Classes come from the ontology's mappings; every term is the core vocabulary's, used within its
    domain (schema:domainIncludes) and range."""
    view, imi = views["imi"], Graph().parse(VOCAB / "imicore-extract.ttl")
    ontology = Graph().parse(ROOT / "ontology" / "lgdx.ttl")
    mapped = {o for o in ontology.objects() if isinstance(o, URIRef) and str(o).startswith(str(IC))}
    assert set(view.objects(None, RDF.type)) - {IC["名称型"]} <= mapped
    problems = []
    for s, p, o in view:
        for term in (p, o if p == RDF.type else None):
            if term is not None and str(term).startswith(str(IC)) and (term, RDF.type, None) not in imi:
                problems.append(f"{term} is not in the core vocabulary")
        if p == RDF.type:
            continue
        if not set(imi.objects(p, SDO_HTTP.domainIncludes)) & _classes(view, imi, s):
            problems.append(f"{s} {p}: none of its classes is in the domain")
        rng = imi.value(p, RDFS.range)
        if isinstance(o, Literal) and (o.datatype or (RDF.langString if o.language else XSD.string)) != rng:
            problems.append(f"{s} {p} {o!r}: not a {rng}")
        if not isinstance(o, Literal) and rng not in _classes(view, imi, o):
            problems.append(f"{s} {p} {o}: not a {rng}")
    assert not problems, "\n".join(sorted(set(problems)))
    city = URIRef(BASE + "org/132209")
    assert {IC["組織型"], IC["法人型"]} <= set(view.objects(city, RDF.type))
    assert [str(view.value(n, IC["表記"])) for n in view.objects(city, IC["名称"])] == ["東大和市"]
    plan = URIRef(BASE + "plan/higashiyamato-it-plan-4")
    assert str(view.value(plan, IC["表題"])) == "第四次東大和市情報化推進計画"


def test_the_default_profile_is_the_graph_itself(views):
    assert len(views["lgdx"]) > 3000
    assert not any(str(p).startswith(str(SDO)) for p in views["lgdx"].predicates())


# --- kg serve -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(dist):
    with TestClient(create_app(Settings(dist=dist, queries_dir=ROOT / "queries", workers=2))) as c:
        yield c


def test_a_law_in_the_eli_profile_by_query_string(client):
    r = client.get(LAW, params={"_profile": "eli"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert r.headers["content-profile"] == "<http://data.europa.eu/eli/ontology>"
    assert '<http://data.europa.eu/eli/ontology>; rel="profile"' in r.headers["link"]
    assert f'<{LAW}?_profile=schema>; rel="alternate"' in r.headers["link"]
    assert "Accept-Profile" in r.headers["vary"]
    graph = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(BASE + "law/425AC0000000027"), RDF.type, ELI.LegalResource) in graph
    by_uri = client.get(LAW, params={"_profile": "http://data.europa.eu/eli/ontology"})
    assert by_uri.status_code == 200 and by_uri.text == r.text


def test_an_extension_picks_the_format_of_a_view(client):
    r = client.get(LAW + ".jsonld", params={"_profile": "schema"})
    assert r.status_code == 200 and json.loads(r.text)["@type"] == "Legislation"
    page = client.get(LAW + ".html", params={"_profile": "schema"}, headers={"accept": "application/json"})
    assert page.status_code == 406 and "text/turtle" in page.json()["fix"]


def test_accept_profile_negotiates_and_falls_back_to_the_default(client):
    r = client.get(LAW, headers={"accept": "application/ld+json",
                                 "accept-profile": "<http://example.org/none>, <https://schema.org/>;q=0.8"})
    assert r.status_code == 200 and r.headers["content-profile"] == "<https://schema.org/>"
    data = json.loads(r.text)
    assert data["@context"]["@vocab"] == "https://schema.org/" and data["@type"] == "Legislation"
    fallback = client.get(MEASURE, headers={"accept": "text/turtle", "accept-profile": "<https://schema.org/>"})
    assert fallback.status_code == 200 and fallback.headers["content-profile"] == "<https://w3id.org/lgdx/ontology>"


def test_profiles_of_a_resource_are_listed_and_unknown_ones_refused(client):
    r = client.get(LAW, params={"_profile": "alt"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert [p["token"] for p in r.json()["profiles"]] == ["lgdx", "eli", "schema"]
    assert client.get(MEASURE, params={"_profile": "alt"}).json()["profiles"][0]["token"] == "lgdx"
    unknown = client.get(LAW, params={"_profile": "dublin"}, headers={"accept": "application/json"})
    assert unknown.status_code == 404 and "eli" in unknown.json()["fix"]
    not_a_law = client.get(MEASURE, params={"_profile": "eli"}, headers={"accept": "application/json"})
    assert not_a_law.status_code == 406 and "lgdx" in not_a_law.json()["fix"]
    missing = client.get("/id/law/nothing", params={"_profile": "eli"})
    assert missing.status_code == 404


def test_default_answers_name_their_profile(client):
    r = client.get(LAW, headers={"accept": "text/turtle"})
    assert r.headers["content-profile"] == "<https://w3id.org/lgdx/ontology>"
    assert f'<{LAW}?_profile=alt>; rel="alternate"' in r.headers["link"]
    assert r.headers["vary"] == "Accept, Accept-Profile"


def test_pages_embed_the_schema_org_view_as_json_ld_data(client):
    r = client.get(LAW, headers={"accept": "text/html"})
    assert r.status_code == 200
    assert "script-src" not in r.headers["content-security-policy"]  # a data block needs no script permission
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', r.text, re.S)
    assert len(blocks) == 1
    graph = Graph().parse(data=blocks[0], format="json-ld")
    law = URIRef(BASE + "law/425AC0000000027")
    assert (law, RDF.type, SDO.Legislation) in graph
    assert Literal("行政手続における特定の個人を識別するための番号の利用等に関する法律", lang="ja") in set(graph.objects(law, SDO.name))
    measure = client.get(MEASURE, headers={"accept": "text/html"})
    assert measure.status_code == 200 and "<script" not in measure.text  # a measure has no schema.org class


def test_json_ld_in_a_page_cannot_end_its_script_element():
    from kg.serve.views.profile import page_jsonld

    class Site:
        ontology = Graph().parse(ROOT / "ontology" / "lgdx.ttl")
        base = BASE

    data = {"iri": BASE + "org/x", "bnodes": {}, "props": {
        str(RDF.type): [("uri", "https://w3id.org/lgdx/ontology#Organization")],
        str(RDFS.label): [("literal", "</script><script>alert(1)</script>", "en", None)]}}
    embedded = str(page_jsonld(Site, data))
    assert "</script" not in embedded and "<" not in embedded
    assert json.loads(embedded)["name"]["@value"] == "</script><script>alert(1)</script>"
