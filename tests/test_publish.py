"""`kg publish`: the project's build as a static site, served by a real nginx with the generated
rules (scripts/site.sh), checked with Accept headers and extensions, for every kind of resource,
404s and redirects; a link checker over every page; headless Chromium on the pages and search."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic

from fixtures.serve import free_port, http_get
from kg.cli import main
from kg.publish import PublishError, publish
from kg.publish.rules import STATIC_CSP
from kg.publish.site import MARKER, _unpublishable
from kg.serve.config import Settings

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
FORMATS = {".ttl": ("text/turtle", "turtle"), ".jsonld": ("application/ld+json", "json-ld"),
           ".nt": ("application/n-triples", "nt"), ".rdf": ("application/rdf+xml", "xml")}
#: The path the test site is published under (--site-url https://opendata.example.jp/lgdx/).
PREFIX = "/lgdx"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def site(real_build) -> Path:
    """The project's build published to a folder every user may read (Apache, started as root,
    serves as nobody)."""
    _, dist, _ = real_build
    folder = Path(tempfile.mkdtemp(prefix="kg-publish-"))
    folder.chmod(0o755)
    out = folder / "site"
    result = publish(Settings(dist=dist, queries_dir=QUERIES), out, site_url="https://opendata.example.jp/lgdx/")
    assert result.resources > 250 and not result.skipped
    yield out
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def served(folder: Path, server: str):
    """``folder`` served by the project's script (``scripts/site.sh``) with ``server``: its base URL."""
    from conftest import _unavailable

    binary = {"nginx": "nginx", "apache": "apache2"}[server]
    if not (shutil.which(binary) or Path("/usr/sbin", binary).exists()):
        _unavailable(f"{binary} is not installed (scripts/system-deps.sh installs it)")
    port = free_port()
    options = ["--apache"] if server == "apache" else []
    process = subprocess.Popen(["bash", str(ROOT / "scripts" / "site.sh"), *options, str(folder), str(port)],
                               stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"scripts/site.sh ended: {process.stderr.read().decode()}")
            try:
                http_get(url + "/")
                break
            except OSError:
                assert time.monotonic() < deadline, f"{server} did not answer within 30 s"
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module", params=["nginx", "apache"])
def server(request, site):
    """The site served by nginx (.server/nginx.conf), then by Apache (.htaccess): its URL."""
    with served(site, request.param) as url:
        yield url + PREFIX


@pytest.fixture(scope="module")
def nginx(site):
    """The host serving the site with nginx (the site is under PREFIX)."""
    with served(site, "nginx") as url:
        yield url


def kinds(site: Path) -> dict[str, str]:
    """One resource of each kind (``measure`` → its path), the first in file order."""
    found = {}
    for folder in sorted((site / "id").iterdir()):
        page = sorted(folder.rglob("*.html"))[0]
        found[folder.name] = "/" + page.relative_to(site).as_posix()[: -len(".html")]
    return found


def test_every_kind_of_resource_is_negotiated_by_accept_and_extension(site, server, real_build):
    _, dist, _ = real_build
    data = Graph().parse(dist / "kg.nt")
    found = kinds(site)
    assert {"measure", "plan", "law", "policy", "org", "technology", "concept", "scheme"} <= set(found)
    for kind, path in found.items():
        url = server + path.replace("%", "%25")
        for accept in (BROWSER_ACCEPT, "text/html", "*/*", ""):
            status, headers, body = http_get(url, accept)
            assert status == 200, (kind, accept)
            assert headers["Content-Type"] == "text/html; charset=utf-8", (kind, accept)
            assert body == (site / (path.lstrip("/") + ".html")).read_bytes()
        iri = URIRef("https://w3id.org/lgdx" + path)
        own = Graph()
        for triple in data.triples((iri, None, None)):
            own.add(triple)
        for ext, (media, parser) in FORMATS.items():
            for asked, accept in ((url, media), (url, f"{media}, text/html;q=0.5"), (url + ext, BROWSER_ACCEPT)):
                status, headers, body = http_get(asked, accept)
                assert status == 200 and headers["Content-Type"].split(";")[0] == media, (kind, asked, accept)
                assert "Accept" in headers["Vary"]
                got = Graph().parse(data=body, format=parser)
                assert all(t in got for t in own if not isinstance(t[2], BNode)), (kind, ext)


def test_published_rdf_is_the_resource_and_its_blank_nodes(site, real_build):
    _, dist, _ = real_build
    data = Graph().parse(dist / "kg.nt")
    for path in kinds(site).values():
        iri = URIRef("https://w3id.org/lgdx" + path)
        expected = Graph()
        todo = [iri]
        while todo:
            for triple in data.triples((todo.pop(), None, None)):
                expected.add(triple)
                if isinstance(triple[2], BNode):
                    todo.append(triple[2])
        got = Graph().parse(site / (unquote(path).lstrip("/") + ".ttl"))
        assert isomorphic(got, expected), path


def test_pages_catalogue_and_ontology(server, site):
    status, headers, body = http_get(server + "/", BROWSER_ACCEPT)
    assert status == 200
    assert headers["Content-Security-Policy"] == STATIC_CSP and headers["Access-Control-Allow-Origin"] == "*"
    assert b'href="/lgdx/class/Measure"' in body and b'href="/class' not in body  # links under the site's path
    assert b'href="/lgdx/query"' not in body and b'href="/lgdx/sparql"' not in body  # nothing a static host cannot answer
    status, headers, body = http_get(server + "/catalog", "")  # the catalogue is Turtle by default, as kg serve's
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert Graph().parse(data=body, format="turtle")
    assert http_get(server + "/catalog", BROWSER_ACCEPT)[1]["Content-Type"].startswith("text/html")
    assert http_get(server + "/.well-known/void", "application/ld+json")[1]["Content-Type"] == (
        "application/ld+json; charset=utf-8")
    for path, media in (("/ontology", "text/turtle"), ("/ontology/0.1.0", "application/rdf+xml")):
        status, headers, body = http_get(server + path, media)
        assert status == 200 and headers["Content-Type"].split(";")[0] == media, path
    status, headers, body = http_get(server + "/search.json", "application/json")
    assert status == 200 and headers["Content-Type"].startswith("application/json") and json.loads(body)["items"]
    import urllib.request

    asked = urllib.request.Request(server + "/search.json", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(asked, timeout=30) as response:  # the index goes compressed
        assert response.headers["Content-Encoding"] == "gzip" and len(response.read()) < len(body) / 3
    status, headers, body = http_get(server + "/download/kg.nt", "*/*")
    assert status == 200 and body == (site / "download" / "kg.nt").read_bytes()


def test_class_listings_have_a_file_per_page(server, site):
    status, _, body = http_get(server + "/class/Measure", BROWSER_ACCEPT)
    assert status == 200 and b"?page=" not in body and b'class="facets"' not in body
    pages = sorted((site / "class" / "Measure").glob("*.html")) if (site / "class" / "Measure").is_dir() else []
    for page in pages:  # /class/Measure/2 … link to each other by path
        status, _, body = http_get(server + "/class/Measure/" + page.stem, BROWSER_ACCEPT)
        assert status == 200 and b'rel="prev"' in body


def test_redirects_and_404s(server):
    status, headers, _ = http_get(server + "/id/dataset/kg", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")  # followed to /catalog
    import http.client

    connection = http.client.HTTPConnection(urlsplit(server).netloc, timeout=10)
    for path, location in (("/id/dataset/kg", "/catalog"), ("/id/dataset/kg.jsonld", "/catalog.jsonld")):
        connection.request("GET", PREFIX + path)
        response = connection.getresponse()
        response.read()
        assert response.status == 303 and urlsplit(response.getheader("Location")).path == PREFIX + location
    for path in ("/id/measure/no-such-measure", "/nothing", "/class/Nothing", "/.server/nginx.conf", "/.htaccess",
                 "/.server/published.json", "/id/measure/no-such-measure.ttl"):
        status, headers, body = http_get(server + path, BROWSER_ACCEPT)
        assert status == 404, path
        assert "ページが見つかりません".encode() in body or b"404" in body


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.found.append(value)


def test_no_broken_internal_link(nginx):
    """Every page reachable from the home page, and every internal link and file they name, answers,
    under the site's path."""
    seen, todo, broken, pages = set(), [PREFIX + "/"], [], 0
    while todo:
        path = todo.pop()
        status, headers, body = http_get(nginx + path, BROWSER_ACCEPT)
        if status != 200:
            broken.append((path, status))
            continue
        if not headers["Content-Type"].startswith("text/html"):
            continue
        pages += 1
        parser = Links()
        parser.feed(body.decode())
        for link in parser.found:
            target = urljoin(path, link)
            if urlsplit(target).netloc or target.startswith("data:"):
                continue
            target = urlsplit(target)._replace(fragment="", query="").geturl()
            assert target.startswith(PREFIX + "/"), (path, link)
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert not broken, broken[:20]
    assert pages > 300


def test_search_index(site):
    index = json.loads((site / "search.json").read_text(encoding="utf-8"))
    hrefs = {item[0] for item in index["items"]}
    assert "/id/plan/higashiyamato-it-plan-5" in hrefs or any(h.startswith("/id/plan/") for h in hrefs)
    for href in hrefs:  # every hit is a published page
        assert (site / (unquote(href).lstrip("/") + ".html")).is_file(), href
    assert all(name in {c[0] for c in index["classes"]} for name in ("Measure", "Plan"))


@pytest.mark.parametrize("server", ["nginx", "apache"])
def test_a_site_at_the_root_of_its_host(real_build, site, server):
    """Without --site-url (and a w3id.org base) the site is at the root of its host."""
    _, dist, _ = real_build
    out = site.parent / f"root-{server}"
    publish(Settings(dist=dist, queries_dir=QUERIES), out)
    measure = kinds(out)["measure"]
    with served(out, server) as url:
        status, headers, body = http_get(url + measure, "text/turtle")
        assert status == 200 and headers["Content-Type"].startswith("text/turtle")
        status, _, body = http_get(url + "/", BROWSER_ACCEPT)
        assert status == 200 and b'href="/class/Measure"' in body and b'href="/lgdx' not in body
        assert http_get(url + "/static/style.css")[0] == 200
        assert http_get(url + "/nothing", BROWSER_ACCEPT)[0] == 404


def test_w3id_redirects_to_the_site_by_format(site):
    """The w3id.org rules, as w3id.org runs them (Apache, the file as the folder's .htaccess)."""
    folder = site.parent / "w3id"
    (folder / "lgdx").mkdir(parents=True)
    shutil.copyfile(site / ".server" / "w3id.htaccess", folder / "lgdx" / ".htaccess")
    import http.client

    with served(folder, "apache") as url:
        connection = http.client.HTTPConnection(urlsplit(url).netloc, timeout=10)
        target = "https://opendata.example.jp/lgdx/"
        for path, accept, status, location in (
                ("id/measure/x", "text/turtle", 303, "id/measure/x.ttl"),
                ("id/measure/x", "application/ld+json", 303, "id/measure/x.jsonld"),
                ("id/measure/x", "application/rdf+xml;q=0.9, text/html;q=0.1", 303, "id/measure/x.rdf"),
                ("id/measure/x", BROWSER_ACCEPT, 302, "id/measure/x"),
                ("id/measure/x.nt", "text/turtle", 302, "id/measure/x.nt"),
                ("ontology", "application/n-triples", 303, "ontology.nt"),
                ("catalog", "text/turtle", 302, "catalog")):
            connection.request("GET", "/lgdx/" + path, headers={"Accept": accept})
            response = connection.getresponse()
            response.read()
            assert (response.status, response.getheader("Location")) == (status, target + location), (path, accept)
    record = json.loads((site / MARKER).read_text())
    assert record["resources"] > 250


# --- the command and its errors ---------------------------------------------------------

def test_refuses_a_folder_it_did_not_write(tmp_path, real_build):
    _, dist, _ = real_build
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["publish", "--dist", str(dist), "--out", str(out)])
    assert result.exit_code == 2 and "not written by kg publish" in result.output
    assert (out / "notes.txt").read_text() == "keep me"


def test_refuses_a_site_path_the_rules_cannot_take(tmp_path, real_build):
    _, dist, _ = real_build
    result = CliRunner().invoke(main, ["publish", "--dist", str(dist), "--out", str(tmp_path / "site"),
                                       "--site-url", "https://example.jp/open data;/"])
    assert result.exit_code == 2 and "characters the web servers' rules cannot take" in result.output
    assert not (tmp_path / "site").exists()


def test_a_failed_run_leaves_the_site_as_it_was(tmp_path, real_build, monkeypatch):
    _, dist, _ = real_build
    out = tmp_path / "site"
    first = publish(Settings(dist=dist, queries_dir=QUERIES), out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    from kg.publish import site as module

    def broken(*_args, **_kwargs):
        raise PublishError("the disk is full")

    monkeypatch.setattr(module, "_copy_files", broken)
    with pytest.raises(PublishError):
        publish(Settings(dist=dist, queries_dir=QUERIES), out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before and first.resources > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]  # no half-written copy left
    killed = tmp_path / ".site.publishing-999999999"  # a run killed before it could clean up
    killed.mkdir()
    monkeypatch.undo()
    publish(Settings(dist=dist, queries_dir=QUERIES), out)
    assert not killed.exists()


def test_a_failure_in_a_rendering_process_stops_the_run(tmp_path, real_build, monkeypatch):
    _, dist, _ = real_build
    from kg.publish.render import Renderer

    describe = Renderer.describe

    def failing(self, iri, fmt):  # the last chunk, whichever process takes it
        if iri.endswith("/measure/higashiyamato-it-plan-4-17"):
            raise PublishError(f"cannot describe <{iri}>")
        return describe(self, iri, fmt)

    monkeypatch.setattr(Renderer, "describe", failing)
    with pytest.raises(PublishError, match="cannot describe"):
        publish(Settings(dist=dist, queries_dir=QUERIES), tmp_path / "site", jobs=2)
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_hostile_iris_get_no_file_outside_the_site(tmp_path, real_build):
    _, dist, _ = real_build
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    with (copy / "kg.nt").open("a", encoding="utf-8") as f:
        for slug in ("..%2F..%2F..%2Fescaped", "x/../../../escaped", "long-" + "y" * 300, "q?escaped=1",
                     "nul%00escaped", "byte%FFescaped", "dir.html/escaped"):
            f.write(f'<https://w3id.org/lgdx/id/measure/{slug}> {label} "x" .\n')
        f.write(f'<https://w3id.org/lgdx/id/measure/script> {label} "<script>alert(1)</script>"@ja .\n')
        for name in ("東", "%E6%9D%B1"):  # two IRIs, one file name
            f.write(f'<https://w3id.org/lgdx/id/measure/{name}> {label} "{name}" .\n')
    out = tmp_path / "out" / "site"
    result = CliRunner().invoke(main, ["publish", "--dist", str(copy), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "no page for <https://w3id.org/lgdx/id/measure/x/../../../escaped>" in result.output
    assert not list(tmp_path.rglob("escaped*"))
    for slug in ("q?escaped=1", "nul%00escaped", "byte%FFescaped", "dir.html/escaped"):
        assert f"no page for <https://w3id.org/lgdx/id/measure/{slug}>" in result.output
    # two IRIs, one file: the one the page shows is kept, and its RDF goes with it
    assert "no page for <https://w3id.org/lgdx/id/measure/%E6%9D%B1>: its file would be that of " in result.output
    assert '"東"' in (out / "id" / "measure" / "東.ttl").read_text() and "東" in (out / "id" / "measure" / "東.html").read_text()
    page = (out / "id" / "measure" / "script.html").read_text()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


@pytest.mark.parametrize("path, why", [
    ("/id/measure/a", None), ("/id/measure/%E6%9D%B1", None), ("/id/measure/..", "'..'"),
    ("/id//x", "empty"), ("/id/measure/x.ttl", "extension"), (None, "fragment")])
def test_unpublishable(path, why):
    found = _unpublishable(path)
    assert (found is None) if why is None else (why in found)


# --- in a browser ------------------------------------------------------------------------

def test_pages_render_and_search_runs_in_chromium(nginx, browser):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(nginx + PREFIX + "/search?q=マイナンバー")
    page.wait_for_selector("#hits li")
    hits = page.locator("#hits li a").first
    assert "マイナンバー" in page.inner_text("#hits") and page.inner_text("#found").startswith("「マイナンバー」")
    href = hits.get_attribute("href")
    assert href.startswith(PREFIX + "/id/")
    page.goto(nginx + href)
    assert page.title() and page.locator("h1").count() == 1
    page.goto(nginx + PREFIX + "/class/Measure")
    assert page.locator("table.list tbody tr").count() > 10
    assert not errors, errors  # no script or policy error
    context.close()


def test_search_without_scripts_leads_to_the_listings(nginx, browser):
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    page.goto(nginx + PREFIX + "/search?q=AI")
    assert page.locator(f"noscript a[href='{PREFIX}/class']").count() >= 1
    assert "JavaScript" in page.inner_text("main")
    context.close()
