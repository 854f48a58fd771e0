"""Shared fixtures: a small project made of the real ontology, shapes and queries plus tiny data."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GENERATOR = ROOT / "benchmarks" / "generate.py"


def make_project(tmp_path: Path, data: Path = FIXTURES / "mini" / "data") -> Path:
    """A project folder in ``tmp_path``: the repository's ontology/shapes/queries, ``data`` as data/."""
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copytree(data, root / "data")
    shutil.copy(ROOT / "data" / "vocab" / "schemes.yaml", root / "data" / "schemes.yaml")
    return root


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """A small valid project to build, break and query."""
    return make_project(tmp_path)


@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """The project's real data built once for the session: (project, out folder, report)."""
    from kg.build import build
    from kg.project import Project

    out = tmp_path_factory.mktemp("real") / "dist"
    project = Project(ROOT)
    return project, out, build(project, out).report


def load_benchmark(name: str):
    """A script of benchmarks/ (``generate``, ``harvest_bench`` …), imported as a module once."""
    module_name = f"kg_benchmark_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, GENERATOR.with_name(f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


def load_generator():
    """The synthetic corpus generator of benchmarks/, imported as a module."""
    return load_benchmark("generate")


# --- headless Chromium ----------------------------------------------------------------

#: Debian's Chromium, driven by the ``playwright`` package (no browser download); under CI a
#: missing browser fails the tests that need it instead of skipping them.
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"a component the tests need is missing under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (scripts/system-deps.sh installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()
