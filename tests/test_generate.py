"""The synthetic corpus generator: deterministic, valid when clean, faults where it says."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from conftest import GENERATOR, load_generator
from kg import identifiers
from kg.namespaces import LGDX
from kg.project import Project
from kg.validate import validate

ROOT = Path(__file__).resolve().parents[1]



generate = load_generator()


def corpus(municipalities: int, seed: int = 42, faults: int = 0) -> tuple[str, list[dict]]:
    out = io.StringIO()
    _, expected = generate.generate(municipalities, out, seed=seed, faults=faults)
    return out.getvalue(), expected


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.find(ROOT)


def test_same_seed_same_bytes_other_seed_other_bytes():
    first, _ = corpus(3, seed=1, faults=5)
    again, _ = corpus(3, seed=1, faults=5)
    other, _ = corpus(3, seed=2, faults=5)
    assert first == again
    assert first != other


def test_faults_only_change_the_faulty_resources():
    clean, _ = corpus(4, seed=5)
    faulty, expected = corpus(4, seed=5, faults=5)  # the first five kinds keep every IRI
    changed = set(clean.splitlines()) ^ set(faulty.splitlines())
    touched = {line.split(" ", 1)[0].strip("<>") for line in changed}
    assert touched and touched <= {e["focus"] for e in expected}


def test_clean_corpus_conforms(project):
    text, _ = corpus(2, seed=3)
    graph = Graph().parse(data=text, format="nt")
    report = validate(graph, project.shapes, project.ontology)
    assert report.violations == [], [(str(r.focus), r.constraint) for r in report.violations[:5]]


def test_identifiers_have_valid_check_digits():
    text, _ = corpus(60, seed=4)
    graph = Graph().parse(data=text, format="nt")
    codes = [str(o) for o in graph.objects(None, LGDX.localGovernmentCode)]
    numbers = [str(o) for o in graph.objects(None, LGDX.corporateNumber)]
    assert len(codes) == len(set(codes)) == 60
    assert all(identifiers.is_valid_local_government_code(c) for c in codes)
    assert all(identifiers.is_valid_corporate_number(n) for n in numbers)
    assert sorted(numbers) == sorted(identifiers.local_government_corporate_number(c) for c in codes)
    assert identifiers.check_graph(graph) == []


def test_shape_of_a_municipality():
    text, _ = corpus(1, seed=9)
    graph = Graph().parse(data=text, format="nt")
    plans = set(graph.subjects(URIRef(str(LGDX) + "ordinal"), None))
    assert len(plans) == 5
    measures = set(graph.subjects(LGDX.partOf, None))
    assert 5 * 18 <= len(measures) <= 5 * 22
    labels = list(graph.objects(next(iter(measures)), URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert {lab.language for lab in labels if isinstance(lab, Literal)} == {"ja", "en"}


def test_every_fault_kind_is_placed_once_per_round():
    kinds = list(generate.FAULT_KINDS)
    _, expected = corpus(6, seed=11, faults=len(kinds) + 3)
    placed = [e["kind"] for e in expected]
    assert set(placed) == set(kinds)
    # a fault's extra findings repeat its kind; the first three kinds are placed twice
    firsts = {e["focus"] for e in expected if e["kind"] == kinds[0]}
    assert len(firsts) == 2


def test_command_line_writes_the_corpus_and_the_sidecar(tmp_path):
    out = tmp_path / "c.nt"
    run = subprocess.run([sys.executable, str(GENERATOR), "--municipalities", "2", "--out", str(out),
                          "--faults", "4", "--seed", "8"], capture_output=True, text=True, check=True)
    assert "triples" in run.stderr
    sidecar = json.loads((tmp_path / "c.nt.faults.json").read_text(encoding="utf-8"))
    assert sidecar["municipalities"] == 2 and sidecar["seed"] == 8
    assert sidecar["triples"] == len(out.read_text(encoding="utf-8").splitlines())
    text = out.read_text(encoding="utf-8")
    assert all(f"<{e['focus']}>" in text for e in sidecar["faults"])
