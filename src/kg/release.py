"""Releases: an immutable, versioned copy of a build under ``release/VERSION/``.

A release holds every file of the build, its catalogue rewritten for the version (the dataset
``…/dataset/kg/VERSION`` with ``dcat:version``, ``dcterms:isVersionOf`` the dataset, which
``dcat:hasVersion`` it, and ``dcat:previousVersion`` the release before; every download under
``release/VERSION/``), the change log from the previous release computed from the graphs
(``changes.ttl`` in the Changeset vocabulary, ``changes.json``) and release notes in Japanese
and English (``NOTES.md``). A version that exists is never written again.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from kg.catalog import site_root
from kg.diff import Diff, diff, diff_json, diff_text, diff_turtle, graph_file
from kg.errors import KgError, Location
from kg.export import dataset_iri
from kg.namespaces import DCAT3, DEFAULT_BASE
from kg.store import turtle

#: A version: a path segment and an IRI segment as it is (1.0.0, 2026-12, r3 …).
VERSION = re.compile(r"^[0-9A-Za-z](?:[0-9A-Za-z._-]{0,62}[0-9A-Za-z])?$")


def versions(releases: Path) -> list[str]:
    """The versions released under ``releases``, oldest first (numbers compared as numbers)."""
    def key(name: str):
        return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[._-]", name)]

    found = [p.name for p in releases.iterdir() if (p / "kg.nt").is_file()] if releases.is_dir() else []
    return sorted(found, key=key)


def release(dist: Path, releases: Path, version: str, base: str = DEFAULT_BASE,
            today: date | None = None) -> tuple[Path, Diff | None]:
    """Release the build in ``dist`` as ``version`` under ``releases``; return its folder and the
    changes from the previous release (None for the first)."""
    from kg.build import staged

    if not VERSION.match(version):
        raise KgError(f"`{version}` cannot name a release", fix="use letters, digits, dots, hyphens and "
                      "underscores, starting and ending with a letter or digit (e.g. 1.0.0)")
    target = releases / version
    if target.exists():
        raise KgError(f"release {version} exists: a release is never written again", Location(str(target)),
                      "choose a new version")
    graph_file(dist)  # a build is there
    if not (dist / "catalog.ttl").is_file():
        raise KgError(f"no catalogue in {dist}", Location(str(dist)), "run `kg build` first")
    earlier = versions(releases)
    previous = earlier[-1] if earlier else None
    changes = diff(releases / previous, dist) if previous else None
    with staged(target) as folder:
        shutil.copytree(dist, folder, dirs_exist_ok=True)
        catalog = version_catalog(Graph().parse(dist / "catalog.ttl"), version, previous, base)
        (folder / "catalog.ttl").write_bytes(turtle(catalog))
        if changes is not None:
            (folder / "changes.ttl").write_bytes(diff_turtle(changes, today))
            (folder / "changes.json").write_text(diff_json(changes), encoding="utf-8")
        (folder / "NOTES.md").write_text(notes(version, previous, changes, today, base), encoding="utf-8")
    return target, changes


def version_catalog(catalog: Graph, version: str, previous: str | None, base: str) -> Graph:
    """The build's catalogue as the catalogue of release ``version``."""
    root = site_root(base)
    downloads, released = f"{root}download/", f"{root}release/{version}/"
    dataset = dataset_iri(base)

    def moved(term):
        if isinstance(term, URIRef) and term.startswith(downloads):
            return URIRef(released + term[len(downloads):])
        return URIRef(f"{dataset}/{version}") if term == dataset else term

    out = Graph()
    for prefix, ns in catalog.namespaces():
        out.bind(prefix, ns)
    for s, p, o in catalog:
        if p != DCAT3.version:
            out.add((moved(s), p, moved(o)))
    this = moved(dataset)
    out.add((this, DCAT3.version, Literal(version)))
    out.add((this, DCTERMS.isVersionOf, dataset))
    out.add((dataset, RDF.type, DCAT.Dataset))
    out.add((dataset, DCAT3.hasVersion, this))
    if previous is not None:
        out.add((this, DCAT3.previousVersion, URIRef(f"{dataset}/{previous}")))
    return out


def notes(version: str, previous: str | None, changes: Diff | None, today: date | None, base: str) -> str:
    """Release notes in Japanese and English."""
    when = (today or date.today()).isoformat()
    if changes is None:
        summary_ja, summary_en, listed = "最初の公開版です。", "The first release.", ""
    else:
        counts = {k: changes.count(k) for k in ("added", "removed", "changed")}
        summary_ja = (f"{previous} からの変更: 追加 {counts['added']}、削除 {counts['removed']}、"
                      f"変更 {counts['changed']}（changes.ttl, changes.json）。")
        summary_en = (f"Changes since {previous}: {counts['added']} added, {counts['removed']} removed, "
                      f"{counts['changed']} changed (changes.ttl, changes.json).")
        listed = "\n```\n" + diff_text(changes, "ja", base) + "```\n"
    return f"# {version}\n\n{when}\n\n{summary_ja}\n\n{summary_en}\n" + listed
