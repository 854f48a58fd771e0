"""The build's writer runs in a forked child: its value, its errors and its end come back."""

from __future__ import annotations

import os

import pytest

from kg.build import build
from kg.errors import KgError, LoadError, LoadErrors, Location
from kg.forked import ChildError, Forked
from kg.project import Project


def test_the_childs_value_comes_back():
    parent = os.getpid()
    assert Forked(lambda: (os.getpid() != parent, [1, 2, 3])).result() == (True, [1, 2, 3])


def test_the_childs_error_comes_back_with_its_place_and_fix():
    def work():
        raise LoadError("bad", Location("data/x.yaml", 3), "fix it")

    with pytest.raises(LoadError) as raised:
        Forked(work).result()
    assert (raised.value.message, str(raised.value.where), raised.value.fix) == ("bad", "data/x.yaml:3", "fix it")


def test_an_error_that_cannot_cross_comes_back_as_its_text():
    def work():
        raise LoadErrors([LoadError("first problem", Location("a.yaml", 1))])

    with pytest.raises(ChildError, match="first problem"):
        Forked(work).result()


def test_a_child_that_dies_is_an_error_naming_its_exit_code():
    with pytest.raises(ChildError, match="code 3"):
        Forked(lambda: os._exit(3)).result()


def test_a_failing_writer_leaves_the_earlier_build_as_it_was(mini_project, monkeypatch):
    project = Project(mini_project)
    out = mini_project / "dist"
    build(project, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def broken(*args, **kwargs):
        raise KgError("the disk is full")

    monkeypatch.setattr("kg.build.write_turtle", broken)
    with pytest.raises(KgError, match="the disk is full"):
        build(project, out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert [p.name for p in mini_project.iterdir() if p.name.startswith(".dist")] == []
