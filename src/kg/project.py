"""The project's folders, and loading them into one graph ready to validate."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from rdflib import OWL, RDF, Graph, URIRef

from kg.errors import LoadError, Location
from kg.load import Loaded, data_files, load_paths, parse_problem
from kg.namespaces import PREFIXES, bind
from kg.report import Report, merge_languages
from kg.sourcelines import subject_lines


@dataclass(frozen=True)
class Project:
    """A folder holding ``data/``, ``ontology/``, ``shapes/`` and ``queries/``."""

    root: Path

    @classmethod
    def find(cls, root: str | os.PathLike | None = None) -> "Project":
        """The project at ``root``, ``KG_PROJECT``, or the current folder."""
        path = Path(root or os.environ.get("KG_PROJECT") or ".").resolve()
        if not (path / "data").is_dir() or not (path / "ontology").is_dir():
            raise LoadError("not a kg project: no data/ and ontology/ folders here", Location(str(path)),
                            "run kg in the project folder, or pass --project DIR")
        return cls(path)

    data_dir = property(lambda self: self.root / "data")
    ontology_dir = property(lambda self: self.root / "ontology")
    shapes_dir = property(lambda self: self.root / "shapes")
    queries_dir = property(lambda self: self.root / "queries")

    @cached_property
    def ontology(self) -> Graph:
        """The ontology files, as one graph."""
        return _parse_all(sorted(self.ontology_dir.glob("*.ttl")))

    @cached_property
    def shapes(self) -> Graph:
        """The SHACL shapes, violations and warnings together."""
        return _parse_all(sorted(self.shapes_dir.glob("*.ttl")))

    def classes(self) -> set[URIRef]:
        """Classes a data file may name: the ontology's and the outside ones it uses."""
        own = set(self.ontology.subjects(RDF.type, OWL.Class))
        skos, prov = PREFIXES["skos"], PREFIXES["prov"]
        return own | {skos.Concept, skos.ConceptScheme, prov.Entity}

    def load(self, paths: list[Path] | None = None) -> Loaded:
        """The data files (all of data/ by default) loaded, with derived triples added."""
        from kg.rules import apply_rules  # rules read queries/, loaded lazily

        paths = data_files(self.data_dir) if paths is None else paths
        loaded = load_paths(paths, self.classes())
        apply_rules(loaded.graph, self.queries_dir, self.ontology)
        return loaded

    def store(self, paths: list[Path] | None = None, keep_written: bool = True):
        """The data files (all of data/ by default) in the embedded store, RDF files through its
        bulk loader, with derived triples added: a ``kg.fastvalidate.FastGraph`` (``keep_written``
        as ``fastvalidate.load_files``). For large files; ``load`` keeps the place of every node
        as well, for reports."""
        from kg import fastvalidate
        from kg.store import load_data

        paths = data_files(self.data_dir) if paths is None else paths
        fast, _ = load_data(paths, self.classes(), keep_written)
        fastvalidate.apply_rules(fast, self.queries_dir, self.ontology)
        return fast

    def validate(self, loaded: Loaded, engine: str = "pyshacl"):
        """The report of ``loaded`` against the shapes and the identifier checks.

        The data is checked on its own, as it is published: without the ontology beside it
        (the rules have written the superclass types into it), so that what passes here
        passes any SHACL engine given the published data and shapes alone.
        ``pyshacl`` is the reference engine; ``fast`` runs the same shapes as SPARQL on the
        embedded store and reports the same results (tests hold the two together).
        """
        if engine == "fast":
            from kg.fastvalidate import validate
        else:
            from kg.validate import validate  # pySHACL is slow to import: only when validating
        return merge_languages(validate(loaded.graph, self.shapes, None, loaded.index))

    @cached_property
    def _checks(self) -> list:
        """The shapes compiled for the fast engine, once for every graph this project checks."""
        from kg import fastvalidate

        return fastvalidate.compile_shapes(self.shapes)

    def validate_rdf(self, paths: list[Path], log: Callable[[str], None] = lambda _: None):
        """Large RDF files checked without an rdflib graph: straight into the fast engine."""
        from kg import fastvalidate

        started = time.perf_counter()
        fast = fastvalidate.load_files(paths)
        log(f"loaded {len(fast)} triples in {time.perf_counter() - started:.1f} s; deriving …")
        fastvalidate.apply_rules(fast, self.queries_dir, self.ontology)
        log(f"derived, {len(fast)} triples; checking them with the fast engine …")
        report = merge_languages(fastvalidate.validate(fast, self.shapes, self.ontology, checks=self._checks))
        log(f"{len(report.results)} finding(s); locating them in the files …")
        return locate(report, paths)


def locate(report: Report, paths: list[Path]) -> Report:
    """``report`` with each result at the ``file:line`` of its focus node in ``paths``."""
    foci = {r.focus for r in report.results if r.focus is not None}
    found: dict = {}
    for path in paths:
        for node, where in subject_lines(path, foci).items():
            if node not in found or (where.line and not found[node].line):
                found[node] = where
    located = [replace(r, location=found.get(r.focus, r.location)) for r in report.results]
    return Report(sorted(located, key=lambda r: (r.location.file if r.location else "~",
                                                 r.location.line or 0 if r.location else 0)))


def _parse_all(paths: list[Path]) -> Graph:
    """Turtle files read by pyoxigraph's parser (far faster than rdflib's) into one rdflib graph."""
    import pyoxigraph as ox

    from kg.oxterms import to_rdflib

    graph = bind(Graph())
    for path in paths:
        try:
            triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except (SyntaxError, OSError) as exc:
            problem, line = parse_problem(exc)
            raise LoadError(f"cannot parse Turtle: {problem}", Location(str(path), line),
                            "check the file's syntax, e.g. with `rapper -i turtle -c`") from None
        for t in triples:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph
