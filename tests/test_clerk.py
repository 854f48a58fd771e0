"""The clerk's loop: check the file you edited, see every problem at once in your language,
build, publish; and the command line around it (options, defaults, messages, permissions)."""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main
from kg.namespaces import SH

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project with its real data, to edit."""
    root = tmp_path / "project"
    for folder in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


@pytest.fixture
def inside(project, monkeypatch):
    """Run from inside the project copy, as a clerk does."""
    monkeypatch.chdir(project)
    return project


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """The small fixture project: quick to build."""
    from conftest import make_project

    return make_project(tmp_path)


def kg(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- checking one file ---------------------------------------------------------------

def test_one_file_is_checked_in_the_context_of_the_project(inside):
    result = kg("validate", "-q", "--engine", "fast", "data/national/laws.yaml")
    assert result.exit_code == 0, result.output
    assert "not defined anywhere" not in result.stdout


def test_checking_one_file_reports_only_that_files_problems(inside):
    edit(inside / "data" / "national" / "laws.yaml", "derivedFrom: [source/", "derivedFrom: [source/nope-")
    edit(inside / "data" / "tokyo" / "strategies.yaml", "derivedFrom: [source/", "derivedFrom: [source/nope-")
    whole = json.loads(kg("validate", "-q", "--engine", "fast", "--format", "json").stdout)
    assert {r["file"] for r in whole["results"] if r["severity"] == "Violation"} == {
        "data/national/laws.yaml", "data/tokyo/strategies.yaml"}
    result = kg("validate", "-q", "--engine", "fast", "--format", "json", "data/national/laws.yaml")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["violations"] >= 1
    assert {r["file"] for r in report["results"]} == {"data/national/laws.yaml"}


# --- every loading error at once, in both languages, in every format -------------------

def _three_slips(project: Path) -> None:
    edit(project / "data" / "national" / "laws.yaml", "  label:", "  labl:")
    edit(project / "data" / "tokyo" / "organizations.yaml", "type: ", "type: Organisaton #")
    edit(project / "data" / "tokyo" / "organizations.yaml", "  label:", "  issued: 令和5年13月\n  label:")


def test_every_loading_error_of_all_files_is_reported_at_once(inside):
    _three_slips(inside)
    result = kg("validate", "-q")
    assert result.exit_code == 2
    out = result.stdout
    assert out.splitlines()[0].startswith("Cannot load: 3 problem(s) in 2 file(s)")
    assert re.search(r"data/national/laws\.yaml:\d+: Error", out)
    assert len(re.findall(r"data/tokyo/organizations\.yaml:\d+: Error", out)) == 2
    # Japanese first by default, each message and fix in both languages
    assert "ja: 不明なキー `labl`" in out and "直し方: `label` のことですか？" in out
    assert "en: unknown key `labl`" in out and "fix: did you mean `label`?" in out
    assert "13月はありません" in out and "Month 13 does not exist" in out
    assert out.index("ja: 不明なキー") < out.index("en: unknown key")
    english = kg("validate", "-q", "--lang", "en").stdout
    assert english.index("en: unknown key") < english.index("ja: 不明なキー")


def test_loading_errors_come_in_json_and_turtle_too(inside):
    _three_slips(inside)
    result = kg("validate", "-q", "--format", "json")
    assert result.exit_code == 2 and result.stdout.strip()
    report = json.loads(result.stdout)
    assert report["conforms"] is False and report["errors"] == 3
    for r in report["results"]:
        assert r["file"] and r["line"] and set(r["message"]) == {"ja", "en"} and set(r["fix"]) == {"ja", "en"}
    result = kg("validate", "-q", "--format", "ttl")
    assert result.exit_code == 2
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert len(list(graph.subjects(None, SH.ValidationResult))) == 3
    assert {str(f).rsplit("/", 1)[-1] for f in graph.objects(None, SH.focusNode)} == {
        "laws.yaml", "organizations.yaml"}


def test_every_loading_error_the_loader_raises_has_japanese():
    import ast

    from kg.messages import japanese

    def patterns(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.IfExp):
            yield from patterns(node.body)
            yield from patterns(node.orelse)

    missing = []
    for module in ("load", "dates", "project", "errors", "fastvalidate/store"):
        tree = ast.parse((ROOT / "src" / "kg" / f"{module}.py").read_text(encoding="utf-8"))
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") in ("LoadError", "DateError"):
                texts = [call.args[0]] + call.args[2:3] + [k.value for k in call.keywords if k.arg == "fix"]
                for text in texts:
                    for pattern in patterns(text):
                        example = pattern.replace("{}", "X")
                        if pattern.strip("{}") and japanese(example) is None:
                            missing.append(f"{module}: {pattern}")
    assert not missing, "no Japanese for: " + "; ".join(missing)


@pytest.mark.parametrize("engine", ["pyshacl", "fast"])
def test_a_turtle_syntax_error_names_its_line_without_python_bytes(tmp_path, mini, engine):
    bad = tmp_path / "other-city.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unclosed .\n')
    result = kg("--project", str(mini), "validate", "-q", "--engine", engine, str(bad))
    assert result.exit_code == 2
    assert f"{bad}:3: Error" in result.stdout
    assert "b'" not in result.output and "\\n" not in result.output


# --- RDF inputs, progress, summaries --------------------------------------------------

BROKEN_TTL = """@prefix lgdx: <https://w3id.org/lgdx/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix city: <https://w3id.org/lgdx/id/org/> .

city:999999 a lgdx:LocalGovernment ;
    rdfs:label "どこか市"@ja .
"""


@pytest.mark.parametrize("engine", ["pyshacl", "fast"])
def test_both_engines_give_file_and_line_for_rdf_inputs(tmp_path, project, engine):
    path = tmp_path / "other-city.ttl"
    path.write_text(BROKEN_TTL, encoding="utf-8")
    result = kg("--project", str(project), "validate", "-q", "--engine", engine, str(path))
    assert result.exit_code == 1
    assert "(no file)" not in result.stdout
    assert f"{path}:5: Violation: org/999999" in result.stdout


def test_validation_shows_progress_and_puts_the_summary_first(inside):
    edit(inside / "data" / "national" / "laws.yaml", "derivedFrom: [source/", "derivedFrom: [source/nope-")
    result = kg("validate", "--engine", "fast")
    assert "loading" in result.stderr and "checked in" in result.stderr
    lines = result.stdout.splitlines()
    assert re.match(r"Does not conform: [1-9]\d* violation\(s\)", lines[0])
    assert lines[1].startswith("  data/")  # counts by file before the findings
    assert kg("validate", "-q", "--engine", "fast").stderr == ""


# --- published files, options, defaults ----------------------------------------------

def test_published_files_get_the_umasks_permissions(mini, tmp_path):
    project = mini
    old = os.umask(0o022)
    try:
        assert kg("--project", str(project), "-q", "build").exit_code == 0
        dist = project / "dist"
        assert stat.S_IMODE(dist.stat().st_mode) == 0o755
        assert stat.S_IMODE((dist / "frames").stat().st_mode) == 0o755
        assert stat.S_IMODE((dist / "kg.ttl").stat().st_mode) == 0o644
        out = tmp_path / "graph.ttl"
        assert kg("--project", str(project), "-q", "export", "-o", str(out)).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        os.umask(0o027)
        assert kg("--project", str(project), "-q", "export", "-o", str(out)).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_global_options_are_taken_after_the_command_too(mini, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = kg("validate", "--project", str(mini), "-q", "--engine", "fast", str(mini / "data" / "city.yaml"))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # -q
    result = kg("build", "--project", str(mini), "--base", "https://city.example.jp/id/", "-q")
    assert result.exit_code == 0, result.output
    assert "https://city.example.jp/id/org/132209" in (mini / "dist" / "kg.nt").read_text(encoding="utf-8")
    result = kg("push", "-q", "--project", str(mini), "--endpoint", "http://127.0.0.1:9/sparql",
                "--graph", "https://example.org/g", "--retries", "0")
    assert "No such option" not in result.output and result.exit_code == 3
    assert kg("build", "--base", "no-slash", "--project", str(mini)).exit_code == 2


def test_outputs_go_into_the_project_named_by_project(mini, tmp_path, monkeypatch):
    project = mini
    monkeypatch.chdir(tmp_path)
    assert kg("--project", str(project), "-q", "build").exit_code == 0
    assert (project / "dist" / "kg.ttl").is_file()
    assert not (tmp_path / "dist").exists()
    assert "in the project folder" in kg("build", "--help").output


def test_kg_serve_prints_the_port_it_actually_bound(mini, monkeypatch):
    project = mini
    import uvicorn

    assert kg("--project", str(project), "-q", "build").exit_code == 0
    bound = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: bound.extend(sockets))
    result = kg("--project", str(project), "serve", "--port", "0")
    assert result.exit_code == 0, result.output
    port = bound[0].getsockname()[1]
    bound[0].close()
    assert port != 0
    assert f"http://127.0.0.1:{port}/" in result.stderr and ":0/" not in result.stderr


def test_a_port_in_use_is_a_clear_error():
    from kg.errors import KgError
    from kg.serve import listen

    taken = listen("127.0.0.1", 0)
    taken.listen()
    try:
        with pytest.raises(KgError, match=r"cannot listen on 127\.0\.0\.1:\d+") as info:
            listen("127.0.0.1", taken.getsockname()[1])
        assert "--port" in info.value.fix
    finally:
        taken.close()


# --- queries --------------------------------------------------------------------------

def test_a_misspelt_query_name_gets_suggestions(project):
    result = kg("--project", str(project), "query", "measures-by-stat")
    assert result.exit_code == 2
    assert "did you mean `measures-by-status`" in result.output


def test_an_iri_parameter_that_names_nothing_is_a_warning_with_the_nearest_labels(project):
    result = kg("--project", str(project), "-q", "query", "measures-by-status",
                "--param", "plan=plan/higashiyamato-it-plan-9", "--format", "csv")
    assert result.exit_code == 0
    assert "warning: --param plan: `plan/higashiyamato-it-plan-9` is not in the graph" in result.stderr
    assert "plan/higashiyamato-it-plan-4 「第四次東大和市情報化推進計画」" in result.stderr
    known = kg("--project", str(project), "-q", "query", "measures-by-status",
               "--param", "plan=plan/higashiyamato-it-plan-4", "--format", "csv")
    assert "warning" not in known.stderr


# --- the store: ports, retries, advice ----------------------------------------------------

def test_readme_and_scripts_agree_on_the_stores_port():
    script = (ROOT / "scripts" / "virtuoso.sh").read_text(encoding="utf-8")
    port = re.search(r"HTTP_PORT=\$\{VIRTUOSO_HTTP_PORT:-(\d+)\}", script)[1]
    blocks = "".join(re.findall(r"```sh\n(.*?)```", README, re.S))
    used = set(re.findall(r"127\.0\.0\.1:(\d+)/sparql", blocks))
    assert used == {port}
    assert "scripts/virtuoso.sh" in README


def test_readme_documents_the_port_of_the_main_script():
    assert '"${PORT:-8000}"' in (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    assert "`PORT`" in README or "PORT=" in README


def test_retries_say_what_they_are_doing(project):
    result = kg("--project", str(project), "pull", "--endpoint", "http://127.0.0.1:9/sparql",
                "--graph", "https://example.org/g", "--retries", "1")
    assert result.exit_code == 3
    assert re.search(r"cannot reach http://127\.0\.0\.1:9/sparql.*trying again in [\d.]+ s \(try 2 of 2\)",
                     result.stderr)


def test_a_push_that_never_reached_the_store_does_not_advise_dropping_a_staging_graph(mini, tmp_path):
    data = tmp_path / "some.nt"
    data.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    result = kg("--project", str(mini), "-q", "push", "--endpoint", "http://127.0.0.1:9/sparql",
                "--graph", "https://example.org/g", "--retries", "0", "--data", str(data))
    assert result.exit_code == 3
    assert "cannot reach" in result.output and "staging" not in result.output


# --- the README's walkthrough, as written -------------------------------------------------

def test_the_readmes_walkthrough_for_a_clerk_works_as_written(inside):
    section = README[README.index("## A clerk's walkthrough"):]
    section = section[:section.index("\n## ", 1)]
    entry = re.search(r"```yaml\n(.*?)```", section, re.S)[1]
    commands = [shlex.split(block.strip()) for block in re.findall(r"```sh\n(.*?)```", section, re.S)]
    shown = re.search(r"```text\n(.*?)```", section, re.S)[1]
    systems = inside / "data" / "higashiyamato" / "systems.yaml"
    systems.write_text(systems.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + entry, encoding="utf-8")

    assert commands[0][0] == "kg"
    first = kg(*commands[0][1:])
    assert first.exit_code == 2
    assert first.stdout == shown

    # the fixes the README names, each put on the line of the entry whose key is nearest
    fixes = re.findall(r"`([^`]+)`", re.search(r"Fix the three lines \((.*?)\)", section, re.S)[1])
    lines = entry.splitlines()
    for fixed in fixes:
        keys = [line.strip().split(":")[0] for line in lines]
        at = keys.index(difflib.get_close_matches(fixed.split(":")[0], keys, n=1)[0])
        lines[at] = lines[at][: len(lines[at]) - len(lines[at].lstrip())] + fixed + (
            "" if ": " in fixed else lines[at].split(":", 1)[1])
    text = systems.read_text(encoding="utf-8")
    systems.write_text(text.replace(entry, "\n".join(lines) + "\n"), encoding="utf-8")
    second = kg(*commands[1][1:])
    assert second.exit_code == 0, second.output

    build, serve = commands[2][:2], commands[2][2:]
    assert build == ["kg", "build"] and serve == ["kg", "serve"]
    assert kg("build").exit_code == 0
    assert (inside / "dist" / "kg.ttl").is_file()
    assert "online-application" in (inside / "dist" / "kg.nt").read_text(encoding="utf-8")
