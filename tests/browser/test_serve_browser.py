"""The pages in headless Chromium with JavaScript off: they must read and work without it.

The ``browser`` fixture (Debian's Chromium driven by playwright) is in ``tests/conftest.py``.
"""

import base64
from pathlib import Path

import pytest

from fixtures.serve import QUERIES, free_port, make_dist, start_server, stop_server

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    dist = make_dist(root / "dist")
    (root / "queries").symlink_to(QUERIES)
    (root / "data").mkdir()
    (root / "ontology").mkdir()  # a project folder, so that kg serve finds the named queries
    port = free_port()
    process, _ = start_server(dist, port)
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


@pytest.fixture
def page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900}, locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


def shoot(browser, page, path: Path) -> dict:
    """Save a screenshot and measure it (in a separate page with scripts on, as an image decoder)."""
    png = page.screenshot(path=str(path), full_page=True)
    context = browser.new_context()
    decoder = context.new_page()
    decoder.set_content(f'<img id="i" src="data:image/png;base64,{base64.b64encode(png).decode()}">')
    stats = decoder.evaluate("""() => {
        const img = document.getElementById('i');
        const c = document.createElement('canvas');
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        const colours = new Set(); let ink = 0;
        for (let i = 0; i < d.length; i += 16) {
            colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            if (d[i] + d[i + 1] + d[i + 2] < 384) ink++;
        }
        return {width: c.width, height: c.height, colours: colours.size, ink: ink / (d.length / 16)};
    }""")
    context.close()
    return stats


def assert_looks_like_a_page(stats: dict) -> None:
    assert stats["width"] == 1200 and stats["height"] >= 600
    assert stats["colours"] > 50, stats       # text is anti-aliased: a blank page has a handful
    assert 0.003 < stats["ink"] < 0.5, stats  # some dark text on a light page


def test_home_page(browser, page, site, shots):
    page.goto(site + "/")
    assert "情報化政策ナレッジグラフ" in page.title()
    text = page.inner_text("main")
    assert "クラス別に見る" in text and "施策" in text and "Browse by class" in text
    assert_looks_like_a_page(shoot(browser, page, shots / "home.png"))
    page.click("ul.classes a[href='/class/Measure']")
    assert page.url.endswith("/class/Measure")


def test_entity_page(browser, page, site, shots):
    page.goto(site + "/id/measure/plan-4-01")
    assert page.inner_text("h1") == "電子申請の拡充"
    text = page.inner_text("main")
    for expected in ("More online applications", "第四次計画", "達成", "継続", "4-(2)", "(2) 第四次計画の取組状況"):
        assert expected in text
    assert_looks_like_a_page(shoot(browser, page, shots / "entity.png"))
    page.click("section.summary >> text=第四次計画")
    assert page.url.endswith("/id/plan/plan-4") and page.inner_text("h1") == "第四次計画"


def test_listing_with_a_facet(browser, page, site, shots):
    page.goto(site + "/class/Measure")
    assert page.locator("table.list tbody tr").count() == 4
    page.click("aside.facets >> text=未達成")
    assert "achievementStatus=concept%2Fnot-achieved" in page.url
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1 and "RPAの導入" in rows.inner_text()
    assert page.locator(".facet li.selected").count() == 1
    assert_looks_like_a_page(shoot(browser, page, shots / "listing.png"))
    page.click("text=条件をすべて解除")
    assert page.locator("table.list tbody tr").count() == 4


def test_search(browser, page, site, shots):
    page.goto(site + "/")
    page.fill("header form.search input[name=q]", "ネットワーク")
    page.press("header form.search input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    hits = page.inner_text("ol.hits")
    assert "庁内ネットワークの更新" in hits and "公共ネットワーク稼働" in hits
    assert_looks_like_a_page(shoot(browser, page, shots / "search.png"))


def test_run_a_named_query(browser, page, site, shots):
    page.goto(site + "/query")
    card = page.locator("form#q-plan-measures")
    assert "計画の施策" in card.inner_text()
    card.locator("input[name='p.plan']").fill("plan/plan-3")
    card.locator("button[type=submit]").click()
    page.wait_for_url("**/query?name=plan-measures*")
    table = page.inner_text("table.results")
    assert "公共ネットワーク稼働" in table and "電子申請の拡充" not in table
    assert page.locator("table.results tbody tr").count() == 1
    assert_looks_like_a_page(shoot(browser, page, shots / "query.png"))
    with page.expect_download() as download:
        page.click("p.downloads >> text=CSV")
    assert download.value.path().read_text(encoding="utf-8").startswith("measure,item,label")


def test_error_page_for_browsers(browser, page, site):
    response = page.goto(site + "/id/measure/nope")
    assert response.status == 404 and "見つかりません" in page.inner_text("main")
