"""kg init: a new city's folder from its local government code; names never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import make_project
from kg.cli import main
from kg.init import PREFECTURES, check_code
from kg.project import Project


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), "-q", "init", *args], catch_exceptions=False)


def test_init_writes_a_city_that_validates(mini_project: Path):
    result = run(mini_project, "--code", "141305", "--slug", "kawasaki", "--name", "川崎市", "--name-en", "Kawasaki City")
    assert result.exit_code == 0, result.output
    folder = mini_project / "data" / "kawasaki"
    assert sorted(p.name for p in folder.iterdir()) == ["city.yaml", "open-questions.yaml", "plans.yaml", "sources.yaml"]
    city = yaml.safe_load((folder / "city.yaml").read_text(encoding="utf-8"))[0]
    assert city["localGovernmentCode"] == "141305" and city["corporateNumber"] == "7000020141305"
    assert city["spatial"] == "http://data.e-stat.go.jp/lod/sac/C14130" and "isPartOf" not in city
    assert "Kanagawa Prefecture" in city["description"]["en"]
    questions = yaml.safe_load((folder / "open-questions.yaml").read_text(encoding="utf-8"))
    assert {q["property"] for q in questions} == {"label", "isPartOf", "corporateNumber", "sameAs"}
    project = Project(mini_project)
    report = project.validate(project.load(), "fast")
    assert report.conforms, [str(v.message) for v in report.violations]


def test_a_city_in_a_prefecture_the_project_defines_links_to_it(mini_project: Path):
    (mini_project / "data" / "tokyo.yaml").write_text(
        "- id: org/130001\n  type: LocalGovernment\n  label: {ja: 東京都, en: Tokyo}\n  localGovernmentCode: '130001'\n"
        "  derivedFrom: source/mini-doc-1\n", encoding="utf-8")
    assert run(mini_project, "--code", "132233", "--name", "武蔵村山市", "--name-en", "Musashimurayama City").exit_code == 0
    city = yaml.safe_load((mini_project / "data" / "city-132233" / "city.yaml").read_text(encoding="utf-8"))[0]
    assert city["isPartOf"] == "org/130001"


def test_without_names_the_label_is_an_open_question(mini_project: Path):
    assert run(mini_project, "--code", "141305").exit_code == 0
    folder = mini_project / "data" / "city-141305"
    assert "label" not in yaml.safe_load((folder / "city.yaml").read_text(encoding="utf-8"))[0]
    assert "The label is missing" in (folder / "open-questions.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("code, message", [
    ("141306", "check digit of `141306` is wrong (for 14130 it is 5)"),
    ("14130", "pass the 6-digit code with its check digit: 141305"),
    ("１４１３０５", "is not a local government code"),
    ("990001", "no prefecture code"),
])
def test_bad_codes_are_refused(mini_project: Path, code: str, message: str):
    result = run(mini_project, "--code", code)
    assert result.exit_code == 2 and message in result.output
    assert sorted(p.name for p in (mini_project / "data").iterdir() if p.is_dir()) == []


def test_an_existing_city_or_folder_is_not_overwritten(mini_project: Path):
    assert run(mini_project, "--code", "132209").exit_code == 2  # the mini project's city
    assert run(mini_project, "--code", "141305", "--slug", "k").exit_code == 0
    again = run(mini_project, "--code", "141305", "--slug", "k")
    assert again.exit_code == 2 and "exists already" in again.output


def test_every_prefecture_code_has_a_valid_prefecture_code():
    assert len(PREFECTURES) == 47
    assert check_code("130001") == "130001" and check_code("011002") == "011002"
