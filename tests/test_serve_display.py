"""How the pages show data to people: safe links, readable values, statements and layout."""

import re
import shutil
from pathlib import Path

import pytest

from fixtures.serve import QUERIES, TestClient, make_dist
from kg.serve.app import create_app
from kg.serve.config import Settings
from kg.serve.templating import linkable, readable

TEMPLATES = Path(__file__).parent.parent / "src" / "kg" / "serve" / "templates"
SITE = "http://kg.test"
UNSAFE = ("javascript:alert(1)", "JavaScript:alert(2)", "data:text/html;base64,PGI+eDwvYj4=", "vbscript:x", "file:///etc/passwd")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("display")
    queries = shutil.copytree(QUERIES, root / "queries")
    (queries / "year.rq").write_text(
        "# title: 年の値\n# param: year date = 2020 -- 年（西暦または和暦）/ the year\n"
        "SELECT ?year WHERE { BIND(?year AS ?year) }\n", encoding="utf-8")
    settings = Settings(dist=make_dist(root / "dist"), queries_dir=queries, timeout=5.0, max_results=50,
                        max_body=10_000, workers=2)
    with TestClient(create_app(settings)) as c:
        yield c


# --- F1: only safe IRIs become links ------------------------------------------------------

@pytest.mark.parametrize("url, safe", [
    ("/id/plan/plan-4", True), ("?partOf=plan%2Fplan-4", True), ("#Measure", True),
    ("https://w3id.org/lgdx/id/x", True), ("HTTP://example.org/", True),
    *((u, False) for u in UNSAFE), (" javascript:x", False), ("java\tscript:x", False), ("", False), (None, False),
])
def test_only_site_paths_and_http_iris_are_linkable(url, safe):
    assert linkable(url) is safe


@pytest.mark.parametrize("path, param", [("/query", "q"), ("/sparql", "query")])
def test_query_results_show_unsafe_iris_as_text(client, path, param):
    selects = " ".join(f"(<{iri}> AS ?v{i})" for i, iri in enumerate(UNSAFE))
    r = client.get(path, params={param: f"SELECT {selects} (<https://example.org/a> AS ?ok) {{}}"},
                   headers={"accept": "text/html"})
    assert r.status_code == 200
    assert not re.search(r'<a href="(?!/|https?://|#|\?)', r.text, re.IGNORECASE)
    assert '<span class="unlinked" title="javascript:alert(1)">javascript:alert(1)</span>' in r.text
    assert '<a href="https://example.org/a"' in r.text


def test_every_linked_term_goes_through_the_check(client):
    term = client.app.state.templates.from_string('{% from "_macros.html" import term %}{{ term(v) }}')
    html = term.render(v={"kind": "uri", "iri": "javascript:alert(1)", "href": "javascript:alert(1)",
                          "labels": {}, "compact": "javascript:alert(1)"})
    assert "href" not in html and "javascript:alert(1)</span>" in html


# --- B4, U3: numbers and dates as people read them ------------------------------------------

@pytest.mark.parametrize("text, datatype, shown, kind", [
    ("6594.0", "xsd:decimal", "6,594", "number"),
    ("39.9", "xsd:decimal", "39.9", "number"),
    ("-1234567", "xsd:integer", "-1,234,567", "number"),
    ("1", "xsd:positiveInteger", "1", "number"),
    ("2020-12-01", "xsd:date", "2020年12月1日（令和2年）", "date"),
    ("2019-04-30", "xsd:date", "2019年4月30日（平成31年）", "date"),
    ("2019-05-01", "xsd:date", "2019年5月1日（令和元年）", "date"),
    ("2020-12", "xsd:gYearMonth", "2020年12月（令和2年）", "date"),
    ("2020", "xsd:gYear", "2020年（令和2年）", "date"),
    ("1850", "xsd:gYear", "1850年", "date"),  # before the first era
    ("2020-02-30", "xsd:date", "2020-02-30", ""),  # not a date: shown as written
    ("1E+999999", "xsd:decimal", "1E+999999", ""),
    ("2020-12-01", None, "2020-12-01", ""),
    ("6594", "xsd:string", "6594", ""),
])
def test_readable_values(text, datatype, shown, kind):
    assert readable(text, datatype) == (shown, kind)


def test_entity_page_shows_dates_the_japanese_way_and_keeps_the_literal(client):
    text = client.get("/id/plan/plan-4", headers={"accept": "text/html"}).text
    assert ('<span class="literal date" title="&quot;2016-04-01&quot;^^xsd:date">2016年4月1日（平成28年）</span>'
            in text)
    assert ">xsd:date</small>" not in text and ">xsd:integer</small>" not in text


def test_query_results_show_numbers_with_separators(client):
    r = client.get("/query", params={"q": 'SELECT ("6594.0"^^xsd:decimal AS ?n) ("2020-12"^^xsd:gYearMonth AS ?m) {}'})
    assert ">6,594</span>" in r.text and ">2020年12月（令和2年）</span>" in r.text


# --- U1: incoming links read as statements ------------------------------------------------------

def test_referenced_by_rows_name_the_referring_resource_first(client):
    text = client.get("/id/plan/plan-4", headers={"accept": "text/html"}).text
    incoming = text[text.index('class="props incoming"'):]
    row = incoming[:incoming.index("</tr>")]
    # 電子申請の拡充 — 所属計画 → 第四次計画
    assert row.index("電子申請の拡充") < row.index("所属計画") < row.index('<span class="this">第四次計画</span>')


# --- B5: dates typed as text ----------------------------------------------------------------

def test_date_parameters_take_years_and_era_dates(client):
    text = client.get("/query").text
    field = re.search(r'<input name="p\.year"[^>]*>', text)[0]
    assert 'type="text"' in field and "令和2年" in field


# --- B3, U5, U6 and polish: in a browser at phone and desktop widths ---------------------------------

def _open(browser, client, path: str, width: int):
    """A page of the test client's site, loaded in the browser at ``width`` pixels."""
    page = browser.new_page(viewport={"width": width, "height": 800})

    def answer(route):
        r = client.get(route.request.url[len(SITE):], headers={"accept": "text/html"})
        route.fulfill(status=r.status_code, headers=dict(r.headers), body=r.content)

    page.route(SITE + "/**", answer)
    page.goto(SITE + path)
    return page


WIDE = ('SELECT ?m ?label ("2021-12-01"^^xsd:date AS ?date) ("1234567.5"^^xsd:decimal AS ?n) '
        "(\"Organisational authentication infrastructure\" AS ?en) WHERE { ?m a lgdx:Measure ; rdfs:label ?label }")


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", ["/class/Measure", "/download", "/query?q=" + WIDE.replace(" ", "+")])
def test_pages_fit_the_screen_and_tables_scroll_in_their_box(browser, client, path, width):
    page = _open(browser, client, path, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    values = page.locator("table.results td:nth-child(3) > span, table.results td:nth-child(4) > span").all()
    for value in values:  # a date or a number on one line, not broken mid-token
        assert value.evaluate("e => e.getClientRects().length") == 1
    page.close()


def test_facets_stack_above_the_list_on_a_phone(browser, client):
    page = _open(browser, client, "/class/Measure", 390)
    facets, items = page.locator("aside.facets").bounding_box(), page.locator("section.items").bounding_box()
    assert facets["y"] + facets["height"] <= items["y"] and facets["x"] + facets["width"] <= 390
    page.close()


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_links_are_underlined_inputs_visible_and_counts_on_one_line(browser, client):
    page = _open(browser, client, "/id/plan/plan-4", 1280)
    link = page.locator("table.props td a").first
    assert "underline" in link.evaluate("e => getComputedStyle(e).textDecorationLine")
    border = page.locator("form.search input").evaluate("e => getComputedStyle(e).borderTopColor")
    assert (1.05) / (_luminance(border) + 0.05) >= 3
    page.goto(SITE + "/")
    for count in page.locator("ul.classes .n").all():
        assert count.evaluate("e => e.getClientRects().length") == 1
        assert count.evaluate("e => getComputedStyle(e).flexShrink") == "0"
    page.close()
