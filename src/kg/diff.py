"""What changed between two builds or releases: resources added, removed and changed, with the
properties changed; for people (Japanese and English), programs (JSON) and RDF tools.

A build is compared by its ``kg.nt`` (a ``kg build`` folder, a ``release/VERSION`` folder, or an
N-Triples file), resource by resource: a resource is an IRI subject; it is changed when its
statements differ, and the properties changed are those whose values differ. The RDF form is
the Changeset vocabulary (``cs:``, http://purl.org/vocab/changeset/schema#): one ``cs:ChangeSet``
per resource, its statements added and removed as ``rdf:Statement``s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError, Location

CS = "http://purl.org/vocab/changeset/schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
KINDS = {"added": ("追加", "added"), "removed": ("削除", "removed"), "changed": ("変更", "changed")}


@dataclass(frozen=True)
class Change:
    """One resource's change: ``kind`` added, removed or changed; the statements each way."""

    iri: str
    kind: str
    added: frozenset[ox.Triple]
    removed: frozenset[ox.Triple]
    labels: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def properties(self) -> list[str]:
        """The properties whose values changed, in IRI order."""
        return sorted({t.predicate.value for t in self.added | self.removed})


@dataclass
class Diff:
    old: str
    new: str
    changes: list[Change]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


def graph_file(path: Path) -> Path:
    """The N-Triples file of a build or release folder, or ``path`` itself."""
    found = path / "kg.nt" if path.is_dir() else path
    if not found.is_file() or found.suffix != ".nt":
        raise KgError(f"no N-Triples graph at {path}", Location(str(path)),
                      "give a kg build folder (dist/), a release folder (release/VERSION) or a .nt file")
    return found


def _by_subject(path: Path) -> dict[str, set[ox.Triple]]:
    out: dict[str, set[ox.Triple]] = {}
    try:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
            if isinstance(t.subject, ox.NamedNode):
                out.setdefault(t.subject.value, set()).add(ox.Triple(t.subject, t.predicate, t.object))
    except SyntaxError as exc:
        raise KgError(f"cannot parse: {exc}", Location(str(path)), "check the file, e.g. with `rapper -c`") from None
    return out


def diff(old: Path, new: Path) -> Diff:
    """The changes from the graph of ``old`` to that of ``new`` (see ``graph_file``)."""
    before, after = _by_subject(graph_file(old)), _by_subject(graph_file(new))
    changes = []
    for iri in sorted(before.keys() | after.keys()):
        was, now = before.get(iri, set()), after.get(iri, set())
        if was == now:
            continue
        kind = "added" if not was else "removed" if not now else "changed"
        labels = {t.object.language: t.object.value for t in (now or was)
                  if t.predicate.value == RDFS_LABEL and isinstance(t.object, ox.Literal) and t.object.language}
        changes.append(Change(iri, kind, frozenset(now - was), frozenset(was - now), labels))
    return Diff(str(old), str(new), changes)


def diff_text(d: Diff, lang: str = "ja", base: str = "") -> str:
    """The changes for people: counts, then one line per resource, ``lang`` first."""
    other = "en" if lang == "ja" else "ja"

    def both(ja: str, en: str) -> str:
        return f"{ja} / {en}" if lang == "ja" else f"{en} / {ja}"

    counts = {k: d.count(k) for k in KINDS}
    lines = [both(f"{d.old} → {d.new}: 追加 {counts['added']}、削除 {counts['removed']}、変更 {counts['changed']}",
                  f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed")]
    mark = {"added": "+", "removed": "-", "changed": "~"}
    for c in d.changes:
        name = c.iri[len(base):] if base and c.iri.startswith(base) else c.iri
        label = c.labels.get(lang) or c.labels.get(other) or ""
        line = f"{mark[c.kind]} {name}" + (f" 「{label}」" if label else "")
        if c.kind == "changed":
            line += f"  ({', '.join(_short(p) for p in c.properties)})"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _short(iri: str) -> str:
    from kg.namespaces import PREFIXES

    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and prefix != "id":
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri


def diff_json(d: Diff) -> str:
    """The changes for programs."""
    return json.dumps({
        "old": d.old, "new": d.new, **{k: d.count(k) for k in KINDS},
        "changes": [{"iri": c.iri, "kind": c.kind, "labels": c.labels, "properties": c.properties}
                    for c in d.changes],
    }, ensure_ascii=False, indent=2) + "\n"


def diff_triples(d: Diff, created: date | None = None) -> list[ox.Triple]:
    """The changes as Changeset statements: a ``cs:ChangeSet`` per resource."""
    a = ox.NamedNode(RDF + "type")
    when = ox.Literal((created or date.today()).isoformat(), datatype=ox.NamedNode(XSD_DATE))
    out = []
    for c in d.changes:
        change = ox.BlankNode()
        out += [ox.Triple(change, a, ox.NamedNode(CS + "ChangeSet")),
                ox.Triple(change, ox.NamedNode(CS + "subjectOfChange"), ox.NamedNode(c.iri)),
                ox.Triple(change, ox.NamedNode(CS + "createdDate"), when),
                ox.Triple(change, ox.NamedNode(CS + "changeReason"), ox.Literal(f"{KINDS[c.kind][0]}", language="ja")),
                ox.Triple(change, ox.NamedNode(CS + "changeReason"), ox.Literal(f"{KINDS[c.kind][1]}", language="en"))]
        for way, statements in (("addition", c.added), ("removal", c.removed)):
            for t in sorted(statements, key=str):
                statement = ox.BlankNode()
                out += [ox.Triple(change, ox.NamedNode(CS + way), statement),
                        ox.Triple(statement, a, ox.NamedNode(RDF + "Statement")),
                        ox.Triple(statement, ox.NamedNode(RDF + "subject"), t.subject),
                        ox.Triple(statement, ox.NamedNode(RDF + "predicate"), t.predicate),
                        ox.Triple(statement, ox.NamedNode(RDF + "object"), t.object)]
    return out


def diff_turtle(d: Diff, created: date | None = None) -> bytes:
    from kg.store import prefixes

    return ox.serialize(diff_triples(d, created), format=ox.RdfFormat.TURTLE, prefixes={**prefixes(), "cs": CS})
