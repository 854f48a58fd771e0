"""The build's store: RDF files in data/ loaded (never a reason to fetch anything), rules, dumps, progress."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.build import build
from kg.cli import main
from kg.errors import LoadError, Location, QueryError, ViolationsError
from kg.project import Project
from kg.rules import as_update
from kg.store import read_line

EXTRA = "https://w3id.org/lgdx/id/source/extra-"


@pytest.fixture
def trap():
    """An HTTP server on 127.0.0.1 that answers every request and records its path."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = b'{"@context": {"x": "http://example.org/x"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def _label(n: int) -> str:
    return f'<{EXTRA}{n}> <{RDFS.label}> "extra {n}"@en .\n'


def test_rdf_files_in_data_are_built(mini_project, tmp_path):
    """Turtle and N-Triples by the bulk loader; N-Quads and TriG with their named graphs merged."""
    data = mini_project / "data"
    (data / "extra.nt").write_text(_label(1), encoding="utf-8")
    (data / "extra.ttl").write_text(f"@prefix rdfs: <{RDFS}> .\n<{EXTRA}2> rdfs:label \"extra 2\"@en .\n",
                                    encoding="utf-8")
    (data / "extra.nq").write_text(_label(3).replace(" .", " <http://example.org/g> ."), encoding="utf-8")
    (data / "extra.trig").write_text("<http://example.org/g> { " + _label(4).rstrip(" .\n") + " }\n",
                                     encoding="utf-8")
    build(Project(mini_project), tmp_path / "dist")
    graph = Graph().parse(tmp_path / "dist" / "kg.nt")
    for n in (1, 2, 3, 4):
        assert (URIRef(f"{EXTRA}{n}"), RDFS.label, Literal(f"extra {n}", lang="en")) in graph


def test_rdf_files_never_make_kg_fetch_anything(mini_project, tmp_path, trap):
    url, requests = trap
    data = mini_project / "data"
    (data / "imports.ttl").write_text(
        f"<{EXTRA}5> <http://www.w3.org/2002/07/owl#imports> <{url}/ontology.ttl> ;\n"
        f"  <{RDFS.seeAlso}> <{url}/page> .\n", encoding="utf-8")
    (data / "entity.rdf").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY remote SYSTEM "{url}/entity">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        f'  <rdf:Description rdf:about="{EXTRA}6"><rdfs:label xml:lang="en">x &remote;</rdfs:label>'
        '</rdf:Description>\n</rdf:RDF>\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(mini_project), "build", "--out", str(tmp_path / "a")])
    assert requests == []
    assert result.exit_code in (0, 2), result.output

    (data / "remote.jsonld").write_text(
        f'{{"@context": "{url}/context.jsonld", "@id": "{EXTRA}7", "label": "x"}}', encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(mini_project), "build", "--out", str(tmp_path / "b")])
    assert requests == []
    assert result.exit_code == 2
    assert "remote.jsonld" in result.output and f"{url}/context.jsonld" in result.output
    assert "inline the context" in result.output
    assert not (tmp_path / "b").exists()
    for command in (["validate"], ["query", "-e", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"]):
        result = CliRunner().invoke(main, ["--project", str(mini_project), *command])
        assert result.exit_code == 2 and "remote.jsonld" in result.output, result.output
    assert requests == []


@pytest.mark.parametrize("context", [
    '"{url}/c.jsonld"', '["{url}/c.jsonld", {{"x": "http://example.org/x"}}]',
    '{{"@import": "{url}/c.jsonld"}}',
])
def test_every_form_of_remote_context_is_refused(mini_project, tmp_path, trap, context):
    url, requests = trap
    path = mini_project / "data" / "nested.jsonld"
    inner = context.format(url=url)
    path.write_text(f'{{"@graph": [{{"@context": {inner}, "@id": "{EXTRA}8"}}]}}', encoding="utf-8")
    with pytest.raises(LoadError, match="nested.jsonld"):
        build(Project(mini_project), tmp_path / "dist")
    assert requests == []


def test_a_rule_becomes_an_insert_into_the_derived_graph():
    rule = "# order by in a comment\nPREFIX a: <urn:a#>\nCONSTRUCT { ?s a:p ?o }\nWHERE { ?s a:q ?o }\n"
    update = as_update(rule, Location("r.rq"))
    assert "INSERT { GRAPH <urn:x-kg:derived> { ?s a:p ?o } }\nWHERE { ?s a:q ?o }" in update
    with pytest.raises(QueryError, match="CONSTRUCT"):
        as_update("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5", Location("r.rq"))
    with pytest.raises(QueryError):
        as_update("SELECT * WHERE { ?s ?p ?o }", Location("r.rq"))


@pytest.mark.parametrize("line, expected", [
    ('<a> <p> "x\\"y\\nz\\\\"@ja .\n', ("lang", 'x"y\nz\\', "ja")),
    ('<a> <p> "\\u00E9t\\U0001F600"@fr .\n', ("lang", "ét\U0001F600", "fr")),
    ("<a> <p> <http://x/y> .\n", ("iri", "http://x/y", None)),
    ('<a> <p> "5"^^<http://www.w3.org/2001/XMLSchema#positiveInteger> .\n',
     ("typed", "5", "http://www.w3.org/2001/XMLSchema#positiveInteger")),
    ('<a> <p> "plain" .\n', ("typed", "plain", "http://www.w3.org/2001/XMLSchema#string")),
    ("<a> <p> _:b1 .\n", ("bnode", "_:b1", None)),
])
def test_ntriples_lines_are_read_back(line, expected):
    assert read_line(line, 3) == ("p", expected)


def test_progress_lines_only_on_a_terminal_or_with_verbose(mini_project, tmp_path):
    runner = CliRunner()
    stage = re.compile(r"^load +[0-9.]+ s +[0-9,]+ triples +[0-9,]+/s +peak [0-9,]+ MiB$", re.MULTILINE)
    quiet = runner.invoke(main, ["--project", str(mini_project), "build", "--out", str(tmp_path / "a")])
    assert quiet.exit_code == 0 and not stage.search(quiet.output)  # not a terminal
    verbose = runner.invoke(main, ["--project", str(mini_project), "build", "-v", "--out", str(tmp_path / "b")])
    assert verbose.exit_code == 0 and stage.search(verbose.output)
    assert re.search(r"^validate +[0-9.]+ s", verbose.output, re.MULTILINE)
    assert re.search(r"^peak memory [0-9,]+ MiB$", verbose.output, re.MULTILINE)
    silent = runner.invoke(main, ["--project", str(mini_project), "-q", "build", "--out", str(tmp_path / "c")])
    assert silent.exit_code == 0 and silent.output == ""


def test_an_unreadable_rdf_file_names_itself(mini_project, tmp_path):
    (mini_project / "data" / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(LoadError, match="broken.ttl"):
        build(Project(mini_project), tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


def test_nothing_is_written_on_violations(mini_project, tmp_path):
    (mini_project / "data" / "bad.nt").write_text(
        "<https://w3id.org/lgdx/id/measure/x-01> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/lgdx/ontology#Measure> .\n", encoding="utf-8")
    out = tmp_path / "dist"
    out.mkdir()
    (out / "old.txt").write_text("old", encoding="utf-8")
    with pytest.raises(ViolationsError):
        build(Project(mini_project), out)
    assert [p.name for p in out.iterdir()] == ["old.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")]  # no staging left behind



def test_progress_prints_on_a_terminal_unless_quiet():
    import io

    from kg.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for quiet, expected in ((False, True), (True, False)):
        stream = Terminal()
        with Progress.for_terminal(quiet, False, stream).stage("load") as stage:
            stage.count = 1000
        assert bool(re.match(r"load +[0-9.]+ s +1,000 triples", stream.getvalue())) is expected
        assert "peak" not in stream.getvalue()


def test_the_build_publishes_the_graph_the_reference_loader_reads(tmp_path):
    """kg.nt and kg.ttl hold data/ as the rdflib loader reads it with the rules applied (the
    path of earlier builds); kg.nt is sorted, each triple once."""
    from rdflib.compare import isomorphic

    project = Project(Path(__file__).resolve().parents[1])
    build(project, tmp_path / "dist")
    reference = project.load().graph
    for name, fmt in (("kg.nt", "nt"), ("kg.ttl", "turtle")):
        assert isomorphic(Graph().parse(tmp_path / "dist" / name, format=fmt), reference), name
    lines = (tmp_path / "dist" / "kg.nt").read_bytes().splitlines()
    assert lines == sorted(set(lines)) and len(lines) == len(reference)
