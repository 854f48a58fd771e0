"""Every published file is read back by independent tools: rapper (Raptor) and PyLD."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.build import build
from kg.project import Project

ROOT = Path(__file__).resolve().parents[1]
RAPPER = shutil.which("rapper")
needs_rapper = pytest.mark.skipif(RAPPER is None and os.environ.get("CI") != "true",
                                  reason="rapper (Debian raptor2-utils) is not installed; scripts/system-deps.sh installs it")


@pytest.fixture(scope="module", params=["mini", "real"])
def built(request, tmp_path_factory):
    """A build of the small fixture project and of the project's real data."""
    from conftest import make_project

    if request.param == "real":
        project, out, _ = request.getfixturevalue("real_build")
        return project, out
    tmp = tmp_path_factory.mktemp(request.param)
    project = Project(make_project(tmp))
    out = tmp / "dist"
    build(project, out)
    return project, out


@needs_rapper
@pytest.mark.parametrize("name, syntax", [
    ("kg.ttl", "turtle"), ("kg.nt", "ntriples"), ("ontology.ttl", "turtle"),
    ("shapes.ttl", "turtle"), ("catalog.ttl", "turtle"),
])
def test_rapper_accepts_every_rdf_dump(built, name, syntax):
    assert RAPPER, "rapper is required in CI"
    _, out = built
    run = subprocess.run([RAPPER, "-i", syntax, "-c", str(out / name)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    expected = len(Graph().parse(out / name, format="nt" if syntax == "ntriples" else "turtle"))
    assert f"returned {expected} triples" in run.stderr


@needs_rapper
def test_rapper_and_rdflib_read_the_same_triples(built):
    _, out = built
    run = subprocess.run([RAPPER, "-i", "turtle", "-o", "ntriples", str(out / "kg.ttl")],
                         capture_output=True, check=True)
    assert isomorphic(Graph().parse(data=run.stdout, format="nt"), Graph().parse(out / "kg.nt"))


def test_pyld_reads_the_jsonld_dump_as_the_same_graph(built):
    _, out = built
    doc = json.loads((out / "kg.jsonld").read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), Graph().parse(out / "kg.nt"))


def test_framed_dumps_are_valid_jsonld_of_graph_triples(built):
    _, out = built
    whole = Graph().parse(out / "kg.nt")
    framed = sorted(out.glob("kg-*.framed.jsonld"))
    assert {p.name for p in framed} >= {"kg-measure.framed.jsonld", "kg-law.framed.jsonld"}
    for path in framed:
        doc = json.loads(path.read_text(encoding="utf-8"))
        triples = Graph().parse(data=jsonld.to_rdf(doc, {"format": "application/n-quads"}), format="nt")
        assert len(triples) > 0 or path.name not in ("kg-measure.framed.jsonld", "kg-law.framed.jsonld")
        assert not set(triples) - set(whole), f"{path.name} states triples the graph does not have"


def test_context_expands_the_data_terms(built):
    _, out = built
    context = json.loads((out / "context.jsonld").read_text(encoding="utf-8"))
    doc = {"@context": context["@context"], "@id": "https://w3id.org/lgdx/id/plan/x",
           "label": {"ja": "計画"}, "partOf": "https://w3id.org/lgdx/id/plan/y"}
    expanded = jsonld.expand(doc)[0]
    assert expanded["http://www.w3.org/2000/01/rdf-schema#label"] == [{"@value": "計画", "@language": "ja"}]
    assert expanded["https://w3id.org/lgdx/ontology#partOf"] == [{"@id": "https://w3id.org/lgdx/id/plan/y"}]
