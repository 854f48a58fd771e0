"""The framed per-class dumps: PyLD (a full JSON-LD processor) is the oracle; plain JSON with one shape per key."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from conftest import load_generator
from kg.build import build
from kg.project import Project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", params=["seed", "generated"])
def built(request, tmp_path_factory) -> Path:
    """A build of the project's data, and of a project whose data/ is one generated municipality."""
    tmp = tmp_path_factory.mktemp(request.param)
    root = ROOT
    if request.param == "generated":
        root = tmp / "project"
        for folder in ("ontology", "shapes", "queries"):
            shutil.copytree(ROOT / folder, root / folder)
        (root / "data").mkdir()
        text = io.StringIO()
        load_generator().generate(1, text, seed=3)
        (root / "data" / "corpus.nt").write_text(text.getvalue(), encoding="utf-8")
    build(Project(root), tmp / "dist")
    return tmp / "dist"


def _frames(out: Path) -> list[str]:
    return sorted(p.name.removesuffix(".frame.jsonld") for p in (out / "frames").glob("*.frame.jsonld"))


def _graph(doc) -> Graph:
    return Graph().parse(data=jsonld.to_rdf(doc, {"format": "application/n-quads"}), format="nt")


def test_pyld_frames_the_graph_to_the_same_data(built):
    """PyLD, given kg.nt and the published frame and context, yields the data of the dump."""
    context = json.loads((built / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    expanded = jsonld.from_rdf((built / "kg.nt").read_text(encoding="utf-8"), {"format": "application/n-quads"})
    assert _frames(built) == ["law", "measure", "observation", "organization", "plan", "policy", "system",
                              "technology"]
    for name in _frames(built):
        frame = json.loads((built / "frames" / f"{name}.frame.jsonld").read_text(encoding="utf-8"))
        frame["@context"] = context
        oracle = jsonld.frame(expanded, frame, {"omitGraph": False})
        ours = json.loads((built / f"kg-{name}.framed.jsonld").read_text(encoding="utf-8"))
        expected, got = _graph(oracle), _graph(ours)
        if not isomorphic(expected, got):
            _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(got))
            pytest.fail(f"{name}: missing {sorted(missing)[:3]}, extra {sorted(extra)[:3]}")
        assert {n["@id"] if "@id" in n else n["id"] for n in oracle["@graph"]} == {r["id"] for r in ours["@graph"]}


def test_every_framed_dump_follows_its_schema(built):
    for name in _frames(built):
        doc = json.loads((built / f"kg-{name}.framed.jsonld").read_text(encoding="utf-8"))
        schema = json.loads((built / f"kg-{name}.framed.schema.json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)


def test_keys_have_one_shape_and_no_nulls(built):
    """One key per property, no null placeholders, each key always a list or always one value."""
    for name in _frames(built):
        records = json.loads((built / f"kg-{name}.framed.jsonld").read_text(encoding="utf-8"))["@graph"]
        shapes: dict[str, set] = {}
        for record in records:
            assert not [k for k in record if ":" in k], f"{name}: a key without a term in {record['id']}"
            for key, value in record.items():
                assert value is not None and value != [], f"{name}: {key} empty in {record['id']}"
                shapes.setdefault(key, set()).add(type(value).__name__)
        assert all(len(kinds) == 1 for kinds in shapes.values()), f"{name}: {shapes}"


def test_a_schema_refuses_a_record_of_another_shape(built):
    schema = json.loads((built / "kg-measure.framed.schema.json").read_text(encoding="utf-8"))
    doc = json.loads((built / "kg-measure.framed.jsonld").read_text(encoding="utf-8"))
    record = doc["@graph"][0]
    for broken in ({**record, "derivedFrom": record["derivedFrom"][0]}, {**record, "lgdx:itemNumber": None},
                   {**record, "label": None}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**doc, "@graph": [broken]}, schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("built", ["seed"], indirect=True)
def test_seed_dumps_read_like_plain_json(built):
    technologies = json.loads((built / "kg-technology.framed.jsonld").read_text(encoding="utf-8"))["@graph"]
    assert all(isinstance(t["inScheme"], str) and isinstance(t.get("topConceptOf", ""), str)
               for t in technologies if "inScheme" in t)
    assert (built / "kg-technology.framed.jsonld").stat().st_size < 150_000  # the schemes are not embedded
    measure = next(r for r in json.loads((built / "kg-measure.framed.jsonld").read_text(encoding="utf-8"))["@graph"]
                   if r["id"].endswith("/measure/higashiyamato-it-plan-4-01"))
    assert measure["identifier"] == "higashiyamato-it-plan-4-01"
    assert measure["type"] == ["Measure"]
    assert measure["itemNumber"] == "1"
    assert set(measure["partOf"]) <= {"id", "type", "label", "ordinal", "periodStart", "periodEnd"}
    assert measure["partOf"]["label"]["ja"]
    assert measure["derivedFrom"][0]["section"]


def _readme_block(language: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(rf"```{language}\n(.*?)```", readme[readme.index("JSON for web developers"):], re.S).group(1)


@pytest.mark.parametrize("built", ["seed"], indirect=True)
def test_the_readme_python_example_runs_on_the_dump(built):
    code = _readme_block("python").replace('"dist/', f'"{built}/')
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # the example as published
    measures = json.loads((built / "kg-measure.framed.jsonld").read_text(encoding="utf-8"))["@graph"]
    assert sum(namespace["by_plan"].values()) == len(measures)
    assert len(namespace["by_plan"]) == len({m["partOf"]["id"] for m in measures}) > 1
    assert namespace["undone"] == [m["label"]["ja"] for m in measures if m not in _achieved(measures)]


@pytest.mark.parametrize("built", ["seed"], indirect=True)
def test_the_readme_javascript_example_runs_on_the_dump(built):
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is missing (scripts/system-deps.sh installs nodejs)")
        pytest.skip("node is not installed")
    path = json.dumps(str(built / "kg-measure.framed.jsonld"))
    stub = ("import { readFileSync } from 'node:fs';\n"
            f"globalThis.fetch = async () => ({{ json: async () => JSON.parse(readFileSync({path}, 'utf8')) }});\n")
    run = subprocess.run([node, "--input-type=module", "-e", stub + _readme_block("js")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    measures = json.loads((built / "kg-measure.framed.jsonld").read_text(encoding="utf-8"))["@graph"]
    achieved = _achieved(measures)
    lines = run.stdout.splitlines()
    assert len(lines) == len(achieved) > 0
    assert all(m["label"]["ja"] in line and m["partOf"]["label"]["ja"] in line for m, line in zip(achieved, lines))


def _achieved(measures: list[dict]) -> list[dict]:
    return [m for m in measures if m.get("achievementStatus", {}).get("label", {}).get("en") == "Achieved"]
