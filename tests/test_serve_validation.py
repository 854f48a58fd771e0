"""The build's validation findings where people look: each resource's page, and /validation."""

from __future__ import annotations

import json

import pytest
from fixtures.serve import QUERIES, TestClient

from kg.build import build
from kg.project import Project
from kg.serve.app import create_app
from kg.serve.config import Settings

HTML = "text/html"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from conftest import make_project

    root = make_project(tmp_path_factory.mktemp("findings"))
    dist = root / "dist"
    build(Project(root), dist)
    findings = json.loads((dist / "validation.json").read_text(encoding="utf-8"))["results"]
    with TestClient(create_app(Settings(dist=dist, queries_dir=QUERIES, workers=1))) as client:
        yield client, findings


def test_a_resource_page_shows_its_own_findings_in_both_languages(served):
    client, findings = served
    finding = next(f for f in findings if f["focus"] and f["message"].get("ja") and f["message"].get("en"))
    path = "/id/" + finding["focus"].split("/id/", 1)[1]
    page = client.get(path, headers={"accept": HTML}).text
    section = page[page.index('class="validation"'):]
    assert finding["message"]["ja"] in section
    assert finding["message"]["en"].replace("'", "&#39;") in section
    assert f'{finding["file"]}:{finding["line"]}' in section


def test_a_resource_without_findings_says_it_meets_every_shape(served):
    client, findings = served
    flagged = {f["focus"] for f in findings}
    page = client.get("/id/system/mini-groupware", headers={"accept": HTML}).text
    assert "https://w3id.org/lgdx/id/system/mini-groupware" not in flagged
    assert "This resource meets every shape." in page


def test_the_validation_page_counts_every_finding_by_shape(served):
    client, findings = served
    page = client.get("/validation", headers={"accept": HTML})
    assert page.status_code == 200
    counted = [int(part.split("</span>: ", 1)[1].split()[0].replace(",", ""))
               for part in page.text.split('<section class="finding-group')[1:]]
    assert sum(counted) == len([f for f in findings if f["focus"]]) > 0
    for f in findings:
        assert 'href="/id/' + f["focus"].split("/id/", 1)[1] + '"' in page.text


def test_every_page_links_to_the_validation_page(served):
    client, _ = served
    assert 'href="/validation"' in client.get("/", headers={"accept": HTML}).text
