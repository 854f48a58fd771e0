"""Shared fixtures: a small project made of the real ontology, shapes and queries plus tiny data."""

from __future__ import annotations

import importlib.util
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


def load_generator():
    """The synthetic corpus generator of benchmarks/, imported as a module."""
    spec = importlib.util.spec_from_file_location("kg_benchmark_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
