"""The charts of the home, comparison, plan and city pages in headless Chromium, JavaScript off:
drawn, legible (text of at least 11 CSS pixels), and no wider than a 390-pixel phone screen."""

from pathlib import Path

import pytest

from fixtures.serve import free_port, start_server, stop_server
from kg.build import build
from kg.project import Project

ROOT = Path(__file__).resolve().parents[2]
PAGES = {"/": 4, "/compare": 3, "/id/plan/higashiyamato-it-plan-4": 1, "/id/org/141305": 3}

MEASURE = """() => {
    const svgs = [...document.querySelectorAll('svg.chart-svg')];
    const sizes = svgs.flatMap(s => [...s.querySelectorAll('text')].map(t => t.getBoundingClientRect().height));
    const shapes = svgs.map(s => s.querySelectorAll('rect, circle, polyline').length);
    return {charts: svgs.length, widest: Math.max(0, ...svgs.map(s => s.getBoundingClientRect().right)),
            smallest: Math.min(...sizes), shapes, page: document.documentElement.scrollWidth,
            tables: document.querySelectorAll('figure.chart table').length};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("charts")
    build(Project(ROOT), root / "dist")
    for folder in ("queries", "data", "ontology"):  # a project folder: kg serve finds the named queries
        (root / folder).symlink_to(ROOT / folder)
    port = free_port()
    process, _ = start_server(root / "dist", port)
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


@pytest.mark.parametrize("width", [390])
@pytest.mark.parametrize("path, charts", PAGES.items())
def test_charts_are_drawn_legible_and_fit(browser, site, path, charts, width):
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.goto(site + path)
    # the page's own scripts are off; measuring runs in the inspector, not in the page
    found = page.evaluate(MEASURE)
    context.close()
    assert found["charts"] == charts and found["tables"] == charts
    assert all(n >= 2 for n in found["shapes"]), found  # bars, dots or a line, not an empty frame
    assert found["widest"] <= width and found["page"] <= width, found
    assert found["smallest"] >= 11, found
