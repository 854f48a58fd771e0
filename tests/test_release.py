"""Releases (``kg release``) and the changes between builds (``kg diff``)."""

import json
import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.cli import main
from kg.diff import CS, diff
from kg.namespaces import DCAT3
from kg.release import release, versions

BASE = "https://w3id.org/lgdx/id/"
DATASET = URIRef(BASE + "dataset/kg")
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
GONE = BASE + "org/141305"  # Kawasaki: its statements are taken out of the next build
NEW = BASE + "measure/new-one"


@pytest.fixture(scope="module")
def builds(real_build, tmp_path_factory):
    """The real build, and a next one: a label changed, a resource gone, one added."""
    _, first, _ = real_build
    second = tmp_path_factory.mktemp("next") / "dist"
    shutil.copytree(first, second)
    lines = (second / "kg.nt").read_text(encoding="utf-8").splitlines()
    changed_label = next(i for i, line in enumerate(lines) if line.startswith(f"<{BASE}org/132209> {LABEL}")
                         and line.endswith("@ja ."))
    lines[changed_label] = f'<{BASE}org/132209> {LABEL} "東大和市役所"@ja .'
    lines = [line for line in lines if not line.startswith(f"<{GONE}> ")]
    lines.append(f'<{NEW}> {LABEL} "新しい個別計画"@ja .')
    (second / "kg.nt").write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
    return first, second


def test_the_changes_between_two_builds_name_each_resource_and_property(builds):
    first, second = builds
    found = {c.iri: c for c in diff(first, second).changes}
    assert found[NEW].kind == "added" and found[GONE].kind == "removed"
    assert found[BASE + "org/132209"].kind == "changed"
    assert found[BASE + "org/132209"].properties == ["http://www.w3.org/2000/01/rdf-schema#label"]
    assert found[BASE + "org/132209"].labels["ja"] == "東大和市役所"
    assert diff(first, first).changes == []


def test_kg_diff_speaks_to_people_programs_and_rdf_tools(builds):
    first, second = builds
    runner = CliRunner()
    text = runner.invoke(main, ["diff", str(first), str(second)], catch_exceptions=False).output
    assert "追加 1、削除 1、変更" in text and "+ measure/new-one 「新しい個別計画」" in text
    assert "~ org/132209 「東大和市役所」  (rdfs:label)" in text
    english = runner.invoke(main, ["diff", "--lang", "en", str(first), str(second)]).output
    assert english.startswith("1 added, 1 removed")
    data = json.loads(runner.invoke(main, ["diff", "--format", "json", str(first), str(second)]).output)
    assert data["added"] == 1 and data["removed"] == 1 and {c["kind"] for c in data["changes"]} == {
        "added", "removed", "changed"}
    graph = Graph().parse(data=runner.invoke(main, ["diff", "--format", "ttl", str(first), str(second)]).output,
                          format="turtle")
    sets = {graph.value(s, URIRef(CS + "subjectOfChange")) for s in graph.subjects(None, URIRef(CS + "ChangeSet"))}
    assert URIRef(NEW) in sets and URIRef(GONE) in sets
    removed = [graph.value(st, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#object"))
               for st in graph.objects(None, URIRef(CS + "removal"))]
    assert Literal("東大和市", lang="ja") in removed


def test_releases_are_versioned_immutable_and_linked(builds, tmp_path):
    first, second = builds
    releases = tmp_path / "release"
    folder, changes = release(first, releases, "1.0.0", today=date(2026, 12, 1))
    assert changes is None and (folder / "kg.nt").read_bytes() == (first / "kg.nt").read_bytes()
    assert "最初の公開版" in (folder / "NOTES.md").read_text(encoding="utf-8")
    folder, changes = release(second, releases, "1.1.0", today=date(2026, 12, 2))
    assert changes.count("added") == 1 and versions(releases) == ["1.0.0", "1.1.0"]
    catalog = Graph().parse(folder / "catalog.ttl")
    this = URIRef(f"{DATASET}/1.1.0")
    assert catalog.value(this, DCAT3.version) == Literal("1.1.0")
    assert catalog.value(this, DCAT3.previousVersion) == URIRef(f"{DATASET}/1.0.0")
    assert catalog.value(this, DCTERMS.isVersionOf) == DATASET and (DATASET, DCAT3.hasVersion, this) in catalog
    downloads = {str(o) for o in catalog.objects(None, URIRef("http://www.w3.org/ns/dcat#downloadURL"))}
    assert downloads and all(d.startswith("https://w3id.org/lgdx/release/1.1.0/") for d in downloads)
    notes = (folder / "NOTES.md").read_text(encoding="utf-8")
    assert "1.0.0 からの変更: 追加 1、削除 1" in notes and "Changes since 1.0.0: 1 added, 1 removed" in notes
    assert json.loads((folder / "changes.json").read_text(encoding="utf-8"))["removed"] == 1
    before = (folder / "kg.nt").read_bytes()
    result = CliRunner().invoke(main, ["release", "1.1.0", "--dist", str(first), "--releases", str(releases)])
    assert result.exit_code == 2 and "never written again" in result.output
    assert (folder / "kg.nt").read_bytes() == before


@pytest.mark.parametrize("version", ["../up", "1.0/2", "", "x-", "a b"])
def test_a_version_that_cannot_name_a_folder_is_refused(builds, tmp_path, version):
    first, _ = builds
    result = CliRunner().invoke(main, ["release", version, "--dist", str(first), "--releases", str(tmp_path)])
    assert result.exit_code == 2 and "cannot name a release" in result.output
    assert list(tmp_path.iterdir()) == []
