"""``kg harvest``: cities' published dists behind local HTTP servers, good and bad, and the push of
the result to a real store."""

from __future__ import annotations

import functools
import json
import socket
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import ROOT, load_benchmark
from conftest_virtuoso import virtuoso  # noqa: F401 - the session fixture
from kg import harvest as h
from kg import remote
from kg.cli import main
from kg.project import Project

bench = load_benchmark("harvest_bench")
LIMITS = h.Limits(max_bytes=2**20, timeout=2.0, connect_timeout=1.0)


class Server:
    """A city's web server: files of a folder, plus the misbehaviours a harvest must survive."""

    def __init__(self, folder: Path):
        self.folder, self.requests = folder, []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            extensions_map = {".nt": "application/n-triples", ".ttl": "text/turtle"}

            def do_GET(self):
                server.requests.append(self.path)
                if self.path.startswith("/moved/"):
                    self.send_response(302)
                    self.send_header("Location", self.path.replace("/moved/", "/city2/", 1))
                    self.end_headers()
                    return
                if self.path.startswith("/slow/") and self.path.endswith(".nt"):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/n-triples")
                    self.end_headers()
                    for _ in range(40):  # a trickle: never a whole dump within the time limit
                        self.wfile.write(b"# ...\n")
                        self.wfile.flush()
                        time.sleep(0.1)
                    return
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def city(self, name: str, index: int, **kwargs) -> str:
        """Write city ``index``'s dist at /NAME/download/; its catalogue's URL."""
        bench.write_city(self.folder / name / "download", index, f"{self.url}{name}/", **kwargs)
        return f"{self.url}{name}/download/catalog.ttl"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def validate(path: Path):
    return Project(ROOT).validate_rdf([path])


def triples_by_graph(nq: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for quad in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS):
        counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    return counts


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    """Cities behind two servers: good ones, and each failure a harvest meets."""
    web, trap = Server(tmp_path_factory.mktemp("web")), Server(tmp_path_factory.mktemp("trap"))
    urls = {
        "good": web.city("city1", 1),
        "moved": web.city("city2", 2).replace("/city2/", "/moved/"),
        "checksum": web.city("city3", 3),
        "violations": web.city("city0", 0, faults=3),
        "slow": web.city("slow", 4),
        "huge": web.city("huge", 5),
        "elsewhere": None,
        "down": f"http://127.0.0.1:{closed_port()}/city7/download/catalog.ttl",
    }
    # a dump changed after its catalogue was written: same size, another byte
    dump = web.folder / "city3" / "download" / "kg.nt"
    data = bytearray(dump.read_bytes())
    data[data.index(b'"@en') - 1] ^= 0x20  # the case of an English label's last letter
    dump.write_bytes(bytes(data))
    # a dump larger than the limit, declared as such by its catalogue
    huge = web.folder / "huge" / "download"
    with open(huge / "kg.nt", "a", encoding="utf-8") as out:
        out.write("# padding\n" * 150_000)
    bench.write_catalog(huge, f"{web.url}huge/")
    # a catalogue on the city's server whose dump is on another host
    bench.write_city(web.folder / "city6" / "download", 6, f"{trap.url}city6/")
    urls["elsewhere"] = f"{web.url}city6/download/catalog.ttl"
    yield web, trap, urls
    web.close()
    trap.close()


@pytest.fixture(scope="module")
def harvested(cities, tmp_path_factory):
    web, trap, urls = cities
    out = tmp_path_factory.mktemp("harvest") / "harvest"
    result = h.harvest(list(urls.values()), out, validate, limits=LIMITS)
    return result, {o.source: o for o in result.outcomes}, urls, trap


def test_good_cities_are_harvested_each_into_its_own_graph(harvested):
    result, outcomes, urls, _ = harvested
    good, moved = outcomes[urls["good"]], outcomes[urls["moved"]]
    assert good.status == moved.status == h.ACCEPTED
    assert moved.graph.endswith("/city2/download/kg.nt")  # named by where it came from, after the redirect
    counts = triples_by_graph(result.out / "harvest.nq")
    assert counts == {good.graph: good.triples, moved.graph: moved.triples}
    assert good.triples > 2000 and result.triples == good.triples + moved.triples


@pytest.mark.parametrize("case, words", [
    ("checksum", "differs from the catalogue"),
    ("violations", "violation(s) of the shapes"),
    ("slow", "did not arrive within 2 s"),
    ("huge", "larger than the limit"),
    ("elsewhere", "not on an allowed host"),
    ("down", "cannot download"),
])
def test_each_failure_is_reported_and_left_out(harvested, case, words):
    result, outcomes, urls, _ = harvested
    outcome = outcomes[urls[case]]
    assert outcome.status == h.REJECTED
    assert words in outcome.reason and "fix:" in outcome.reason
    assert outcome.file is None
    assert not result.complete


def test_nothing_is_fetched_from_a_host_the_catalogue_merely_names(harvested):
    *_, trap = harvested
    assert trap.requests == []


def test_the_harvest_records_what_came_from_where(harvested):
    result, outcomes, urls, _ = harvested
    record = json.loads((result.out / "harvest.json").read_text(encoding="utf-8"))
    by_source = {e["source"]: e for e in record["sources"]}
    assert set(by_source) == set(urls.values())
    assert by_source[urls["good"]]["status"] == "accepted" and by_source[urls["good"]]["sha256"]
    assert (result.out / by_source[urls["good"]]["file"]).is_file()
    catalog = ox.Store()
    catalog.load(path=str(result.out / "catalog.ttl"), format=ox.RdfFormat.TURTLE)
    datasets = {r["d"].value for r in catalog.query(
        "SELECT ?d WHERE { ?c a <http://www.w3.org/ns/dcat#Catalog> ; <http://www.w3.org/ns/dcat#dataset> ?d }")}
    assert datasets == {outcomes[urls["good"]].graph, outcomes[urls["moved"]].graph}
    reasons = [r["t"].value for r in catalog.query(
        "SELECT ?t WHERE { ?a a <http://www.w3.org/ns/prov#Activity> ; <http://purl.org/dc/terms/description> ?t }")]
    assert sum(t.startswith("rejected:") for t in reasons) == 6


def test_keep_last_keeps_a_city_that_now_fails_at_its_last_good_version(cities, tmp_path):
    web, _, _ = cities
    url = web.city("city8", 8)
    out = tmp_path / "harvest"
    first = h.harvest([url], out, validate, limits=LIMITS)
    assert first.complete
    dump = web.folder / "city8" / "download" / "kg.nt"
    dump.write_bytes(dump.read_bytes() + b"# changed after its catalogue\n")
    dropped = h.harvest([url], tmp_path / "other", validate, limits=LIMITS)
    assert dropped.outcomes[0].status == h.REJECTED and dropped.triples == 0
    kept = h.harvest([url], out, validate, limits=LIMITS, keep_last=True)
    outcome = kept.outcomes[0]
    assert outcome.status == h.KEPT and "more bytes than its catalogue declares" in outcome.reason
    assert triples_by_graph(out / "harvest.nq") == {first.outcomes[0].graph: first.triples}


def test_a_harvest_that_breaks_off_leaves_the_last_one_intact(cities, tmp_path):
    web, _, urls = cities
    out = tmp_path / "harvest"
    h.harvest([urls["good"]], out, validate, limits=LIMITS)
    before = (out / "harvest.nq").read_bytes()

    def broken(path):
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        h.harvest([urls["good"]], out, broken, limits=LIMITS)
    assert (out / "harvest.nq").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["harvest"]


def test_a_dist_on_disk_is_harvested_without_the_network(tmp_path):
    dist = tmp_path / "dist"
    bench.write_city(dist, 9, "https://city9.example.org/")
    result = h.harvest([str(dist / "catalog.ttl")], tmp_path / "harvest", validate)
    assert result.complete and result.outcomes[0].graph == "https://city9.example.org/download/kg.nt"


def test_catalogue_parts_are_not_harvested_twice():
    catalog = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix void: <http://rdfs.org/ns/void#> .
    <http://x/all> dcat:distribution [ dcat:downloadURL <http://x/all.nt> ;
        dcat:mediaType <https://www.iana.org/assignments/media-types/application/n-triples> ] ,
      [ dcat:downloadURL <http://x/all.ttl> ; dcat:mediaType "text/turtle" ] ;
      void:subset <http://x/part> .
    <http://x/part> dcat:distribution [ dcat:downloadURL <http://x/part.nt> ; dcat:mediaType "application/n-triples" ] .
    <http://x/other> dcat:distribution [ dcat:downloadURL <http://x/other.ttl> ; dcat:mediaType "text/turtle" ] ."""
    dumps = h.catalog_dumps(catalog, ox.RdfFormat.TURTLE, "http://x/")
    assert sorted(d.url for d in dumps) == ["http://x/all.nt", "http://x/other.ttl"]


def test_cli_reports_every_city_and_exits_1_when_one_is_left_out(cities, tmp_path):
    _, _, urls = cities
    listing = tmp_path / "cities.txt"
    listing.write_text(f"# two cities\n{urls['good']}\n{urls['checksum']}\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["--project", str(ROOT), "harvest", "--from", str(listing),
                                    "-o", str(tmp_path / "out"), "--timeout", "5"])
    assert run.exit_code == 1, run.output
    assert f"accepted  {urls['good']}" in run.output
    assert f"rejected  {urls['checksum']}" in run.output and "SHA-256" in run.output
    assert "harvested 1 of 2 dataset(s)" in run.output
    assert (tmp_path / "out" / "harvest.nq").is_file()


@pytest.mark.parametrize("args, words", [
    ([], "give at least one catalogue"),
    (["--data", "x.nq", "--graph", "http://g"], "names its own"),
    (["--data", "x.nt"], "--graph IRI is required"),
])
def test_cli_usage_errors(tmp_path, args, words):
    for name in ("x.nq", "x.nt"):
        (tmp_path / name).write_text("")
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    command = ["push", "--endpoint", "http://127.0.0.1:9/sparql", *args] if args else ["harvest"]
    run = CliRunner().invoke(main, ["--project", str(ROOT), *command])
    assert run.exit_code == 2 and words in run.output


@pytest.mark.integration
def test_push_sends_each_harvested_graph_to_the_store(harvested, virtuoso):  # noqa: F811
    result, outcomes, urls, _ = harvested
    run = CliRunner().invoke(main, ["--project", str(ROOT), "-q", "push", "--endpoint", virtuoso.sparql_auth,
                                    "--data", str(result.out / "harvest.nq"), "--user", "dba",
                                    "--password-env", "KG_TEST_PASSWORD"],
                             env={"KG_TEST_PASSWORD": virtuoso.password})
    assert run.exit_code == 0, run.output
    ep = remote.endpoint(virtuoso.sparql)
    with remote.connect(ep) as client:
        for case in ("good", "moved"):
            outcome = outcomes[urls[case]]
            assert remote.count(client, ep, outcome.graph) == outcome.triples
