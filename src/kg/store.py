"""The build's graph in the embedded store (pyoxigraph), and the dumps written from it.

YAML and CSV files become triples through ``kg.load`` (which keeps the ``file:line`` of
every node for reports); Turtle and N-Triples files go straight into the store with its
bulk loader; N-Quads and TriG through pyoxigraph's parser, every named graph's triples
joining the one graph; JSON-LD and RDF/XML files through ``kg.load``'s reader. Every RDF
file passes ``kg.limits`` first, so no file makes kg fetch anything (a JSON-LD file naming a
remote ``@context`` is refused) and none is larger or deeper than the limits.

The dumps are written from the triples as the files wrote them (the store keeps numbers
by value: ``"1"^^xsd:positiveInteger`` would come back as ``xsd:integer``), in one order:
N-Triples sorted and without repeats, Turtle from that file, so that a subject's
statements stand together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

import pyoxigraph as ox

from kg import fastvalidate, limits
from kg.errors import LoadError, Location
from kg.load import TABLE_SUFFIXES, Loaded, load_paths, parse_problem
from kg.namespaces import DEFAULT_BASE, PREFIXES
from kg.oxterms import to_ox_triple

#: RDF files the store's bulk loader reads.
BULK_SUFFIXES = (".ttl", ".nt")
#: RDF files of quads: their named graphs' triples join the graph, read by pyoxigraph's parser.
QUAD_FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}
JSONLD_SUFFIXES = (".jsonld", ".json")


def load_data(paths: list[Path], classes, keep_written: bool = True) -> tuple[fastvalidate.FastGraph, Loaded]:
    """The data files in a new store, and the YAML/CSV files as ``kg.load`` reads them (an
    rdflib graph with the place of every node); ``keep_written`` as ``fastvalidate.load_files``."""
    bulk = [p for p in paths if p.suffix in BULK_SUFFIXES and not p.name.endswith(TABLE_SUFFIXES)]
    quads = [p for p in paths if p.suffix in QUAD_FORMATS]
    others = [p for p in paths if p not in bulk and p not in quads]
    fast = fastvalidate.load_files(bulk, keep_written)
    for path in quads:
        limits.check_rdf(path)
        try:
            fast.add([ox.Triple(q.subject, q.predicate, q.object)
                      for q in ox.parse(path=str(path), format=QUAD_FORMATS[path.suffix])])
        except (SyntaxError, OSError) as exc:
            problem, line = parse_problem(exc)
            raise LoadError(f"cannot parse as {QUAD_FORMATS[path.suffix].name}: {problem}", Location(str(path), line),
                            "check the file's syntax, e.g. with `rapper -c`") from None
    loaded = load_paths(others, classes)
    fast.add(to_ox_triple(t) for t in loaded.graph)
    return fast, loaded


# --- dumps ----------------------------------------------------------------------------

def write_ntriples(fast: fastvalidate.FastGraph, path: Path, base: str = DEFAULT_BASE) -> int:
    """The triples as written, sorted and without repeats, to ``path``; return their number."""
    triples = fast.triples()
    if base != DEFAULT_BASE:
        triples = (ox.Triple(rebase(t.subject, base), t.predicate, rebase(t.object, base)) for t in triples)
    written = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    lines = written.splitlines()
    del written  # the lines hold it now: half the memory while sorting
    lines.sort()
    count = 0
    with path.open("wb") as handle:
        previous = None
        for line in lines:
            if line != previous and line:
                handle.write(line + b"\n")
                count += 1
            previous = line
    return count


def rebase(term, base: str):
    """``term`` with an IRI under the default base moved under ``base``."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE):
        return ox.NamedNode(base + term.value[len(DEFAULT_BASE):])
    return term


def prefixes() -> dict[str, str]:
    """The project's prefixes for Turtle; not ``id:``, whose names (``kind/slug``) would need
    escaping (``id:measure\\/x``): instances are written as full IRIs."""
    return {p: str(ns) for p, ns in PREFIXES.items() if p != "id"}


def write_turtle(ntriples: Path, path: Path) -> None:
    """The sorted N-Triples file ``ntriples`` as Turtle, with the project's prefixes."""
    ox.serialize(ox.parse(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES), output=str(path),
                 format=ox.RdfFormat.TURTLE, prefixes=prefixes())


def turtle(graph) -> bytes:
    """A small rdflib graph (ontology, shapes, catalogue) as Turtle written by pyoxigraph,
    with the project's prefixes and those bound on the graph."""
    triples = sorted((to_ox_triple(t) for t in graph), key=lambda t: (str(t.subject), str(t.predicate)))
    bound = {p: str(ns) for p, ns in graph.namespaces() if p and p != "id"}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={**bound, **prefixes()})


def subjects(ntriples: Path) -> Iterator[tuple[str, list[tuple[str, tuple[str, str, str | None]]]]]:
    """The sorted N-Triples file ``ntriples`` (as ``write_ntriples`` writes it), one subject at
    a time with its (predicate, object) pairs; see ``read_line`` for the shape of a pair.

    Read line by line in Python: pyoxigraph's term objects cost more than the reading itself.
    """
    with ntriples.open(encoding="utf-8") as handle:
        for subject, lines in groupby(handle, key=lambda line: line[:line.index(" ")]):
            yield _node(subject), [read_line(line, len(subject)) for line in lines]


def read_line(line: str, start: int) -> tuple[str, tuple[str, str, str | None]]:
    """``(predicate IRI, object)`` of an N-Triples line whose subject ends at ``start``; the
    object is ``("iri", IRI, None)``, ``("bnode", "_:ID", None)``, ``("lang", text, tag)``
    or ``("typed", text, datatype IRI)``."""
    end = line.index(">", start + 2)
    predicate = line[start + 2:end]
    rest = line[end + 2:].rstrip()[:-1].rstrip()  # the object, without " ."
    if rest[0] == "<":
        return predicate, ("iri", rest[1:-1], None)
    if rest[0] == "_":
        return predicate, ("bnode", rest, None)
    close = rest.rindex('"')
    text = rest[1:close]
    if "\\" in text:
        text = _ESCAPE.sub(_unescape, text)
    tail = rest[close + 1:]
    if tail.startswith("@"):
        return predicate, ("lang", text, tail[1:])
    return predicate, ("typed", text, tail[3:-1] if tail else XSD_STRING)


def _node(written: str) -> str:
    return written[1:-1] if written.startswith("<") else written


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if code[0] in "uU" and len(code) > 1 else _ECHAR[code]
