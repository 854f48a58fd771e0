"""The data in an in-memory pyoxigraph store: loading, the derivation rules, writing.

A pyoxigraph store keeps literals by value: it stores ``"5"^^xsd:positiveInteger`` as
``"5"^^xsd:integer`` and ``"1.50"`` as ``"1.5"``. The literals of the retyped datatypes
(and of ``xsd:integer``) are kept aside as written while loading (``FastGraph.originals``),
so that the checks can decide them on the literal as written; data where the store would
merge two such literals is refused with ``UnsupportedDataError``. Dumps are never written
from the store: ``serialize`` writes the triples as loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg import limits
from kg.errors import KgError, LoadError, Location
from kg.fastvalidate.errors import UnsupportedDataError
from kg.load import parse_problem
from kg.namespaces import PREFIXES
from kg.oxterms import to_ox_triple

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
#: A check's guard: it compares literals' lexical forms as the store holds them.
LEXICAL_FORM = "lexical form"


@cache
def _retyped() -> dict[str, str]:
    """Datatypes the store does not keep: ``{written: stored}`` (found by trying each)."""
    derived = ["positiveInteger", "nonNegativeInteger", "negativeInteger", "nonPositiveInteger",
               "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
               "unsignedByte", "integer", "decimal", "float", "double", "boolean", "date", "dateTime",
               "dateTimeStamp", "time", "gYear", "gYearMonth", "duration", "string", "anyURI"]
    samples = {"negativeInteger": "-5", "nonPositiveInteger": "-5", "decimal": "1.5", "float": "1.5",
               "double": "1.5", "boolean": "true", "date": "2021-03-01", "dateTime": "2021-03-01T00:00:00",
               "dateTimeStamp": "2021-03-01T00:00:00Z", "time": "10:00:00", "gYear": "2021",
               "gYearMonth": "2021-03", "duration": "P1Y", "string": "x", "anyURI": "http://example.org/"}
    store = ox.Store()
    subject = ox.NamedNode("urn:x-kg:probe")
    for name in derived:
        store.add(ox.Quad(subject, ox.NamedNode(f"urn:x-kg:probe:{name}"),
                          ox.Literal(samples.get(name, "5"), datatype=ox.NamedNode(XSD_NS + name))))
    out = {}
    for quad in store:
        name = quad.predicate.value.rsplit(":", 1)[1]
        if quad.object.datatype.value != XSD_NS + name:
            out[XSD_NS + name] = quad.object.datatype.value
    return out


def stored_forms(literals: list[ox.Literal]) -> list[ox.Literal]:
    """How the store keeps each of ``literals``."""
    probe, subject = ox.Store(), ox.NamedNode("urn:x-kg:probe")
    probe.extend(ox.Quad(subject, ox.NamedNode(f"urn:x-kg:probe:{i}"), lit) for i, lit in enumerate(literals))
    out = list(literals)
    for quad in probe:
        out[int(quad.predicate.value.rsplit(":", 1)[1])] = quad.object
    return out


#: A value of each datatype written otherwise than the store writes it back.
_UNUSUAL = {"decimal": "1.50", "float": "1.50", "double": "1.50E0", "boolean": "1", "integer": "+5",
            "date": "2021-03-01+00:00", "dateTime": "2021-03-01T00:00:00+00:00", "time": "10:00:00.0",
            "duration": "P12M", "dayTimeDuration": "PT60S", "yearMonthDuration": "P12M", "gYear": "2021+00:00",
            "gYearMonth": "2021-03+00:00", "string": " x ", "anyURI": " http://example.org/"}


@cache
def retyped_types() -> frozenset[str]:
    """Datatypes the store does not keep, and those it keeps their literals as."""
    retyped = _retyped()
    return frozenset(retyped) | frozenset(retyped.values())


@cache
def kept_types() -> frozenset[str]:
    """Datatypes whose literals the store may keep in another form (another datatype, or another
    lexical form such as ``"1.5"`` for ``"1.50"``): their literals are kept as written while loading."""
    unusual = [ox.Literal(v, datatype=ox.NamedNode(XSD_NS + name)) for name, v in _UNUSUAL.items()]
    changed = {lit.datatype.value for lit, kept in zip(unusual, stored_forms(unusual)) if kept != lit}
    return retyped_types() | frozenset(changed)


@dataclass
class FastGraph:
    """Data loaded into a pyoxigraph store, with what the store cannot keep."""

    store: ox.Store
    #: (subject, predicate) → literals as written, for the datatypes the store may rewrite.
    originals: dict[tuple, list[ox.Literal]] = field(default_factory=dict)
    #: Where the triples came from, for ``serialize``: file paths and triple lists.
    sources: list = field(default_factory=list)
    #: Whether the literals are kept as written: without, the store serves queries only.
    keeps_written: bool = True
    _rewritten: dict | None = field(default=None, repr=False)
    _rewritten_at: dict | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.store)

    def rewritten(self) -> dict[ox.Literal, set[ox.Literal]]:
        """The literals the store holds in another form than written: stored form → written forms."""
        if self._rewritten is None:
            written = list({lit for literals in self.originals.values() for lit in literals})
            self._rewritten = {}
            for lit, kept in zip(written, stored_forms(written)):
                if kept != lit:
                    self._rewritten.setdefault(kept, set()).add(lit)
        return self._rewritten

    def unsure(self, guards: frozenset[tuple]) -> str | None:
        """The first literal of this data that one of ``guards`` (``kg.fastvalidate.compiler.Check.guards``)
        would compare as the store holds it, though it is written otherwise; None if none."""
        if self._rewritten_at is None:
            stored = {w: kept for kept, written in self.rewritten().items() for w in written}
            self._rewritten_at = {}
            for (_, p), literals in self.originals.items():
                for lit in literals:
                    if lit in stored:
                        self._rewritten_at.setdefault(p, set()).add((lit, stored[lit]))
        for what, reach in sorted(guards, key=str):
            places = [ox.NamedNode(str(reach))] if reach is not None else sorted(self._rewritten_at, key=str)
            for p in places:
                for lit, kept in sorted(self._rewritten_at.get(p, ()), key=str):
                    if (kept.value != lit.value) if what == LEXICAL_FORM else what in (lit.datatype.value,
                                                                                       kept.datatype.value):
                        return f"{lit} (stored as {kept}) as an object of {p}"
        return None

    def add(self, triples: Iterable[ox.Triple]) -> int:
        """Add triples (e.g. the build's derived ones); return how many were new."""
        kept = kept_types()
        batch = list(triples)
        quads = {ox.Quad(t.subject, t.predicate, t.object) for t in batch}
        new = sum(1 for q in quads if q not in self.store)  # (counting the store would read all of it)
        self.store.extend(quads)
        for t in batch:
            o = t.object
            if self.keeps_written and isinstance(o, ox.Literal) and o.datatype.value in kept:
                self.originals.setdefault((t.subject, t.predicate), []).append(o)
        self.sources.append(batch)
        self._rewritten = self._rewritten_at = None
        self._check_merges()
        return new

    def triples(self) -> Iterator[ox.Triple]:
        """The triples as loaded (literals as written), in load order."""
        for source in self.sources:
            if isinstance(source, tuple):
                path, fmt = source
                yield from ox.parse(path=path, format=fmt)
            else:
                yield from source

    def _check_merges(self) -> None:
        stored = {w: kept for kept, written in self.rewritten().items() for w in written}
        for (s, p), literals in self.originals.items():
            if len(literals) > 1:
                written = set(literals)  # a triple may repeat
                if len({stored.get(lit, lit) for lit in written}) < len(written):
                    raise UnsupportedDataError(
                        f"{s} {p} has literals of equal value written differently "
                        f"({', '.join(str(lit) for lit in literals)}); the store keeps one of them",
                        fix="validate this data with pySHACL (kg validate without --engine fast)")


RDF_FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE,
               ".trig": ox.RdfFormat.TRIG, ".n3": ox.RdfFormat.N3, ".rdf": ox.RdfFormat.RDF_XML,
               ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML,
               ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD}


def load_files(paths: Iterable[Path], keep_written: bool = True) -> FastGraph:
    """RDF files loaded into a new store (the format is told by the file extension).
    ``keep_written=False`` spares keeping the literals as written, for a store that only
    answers queries (not for validating or writing dumps)."""
    fast = FastGraph(ox.Store(), keeps_written=keep_written)
    for path in paths:
        path = Path(path)
        fmt = RDF_FORMATS.get(path.suffix)
        if fmt is None:
            raise LoadError("cannot tell the RDF format of this file", Location(str(path)),
                            f"use one of: {', '.join(RDF_FORMATS)}")
        limits.check_rdf(path)
        try:
            fast.store.bulk_load(path=str(path), format=fmt)
            kept = _kept_literals(path, fmt) if keep_written else []
        except (SyntaxError, OSError) as exc:
            problem, line = parse_problem(exc)
            raise LoadError(f"cannot parse as {fmt.name}: {problem}", Location(str(path), line),
                            "check the file's syntax, e.g. with `rapper -c`") from None
        if any(isinstance(t.subject, ox.BlankNode) for t in kept):
            # the store renames blank nodes while bulk loading: load this file term by term
            fast.store.clear()
            return _load_terms([Path(p) for p in paths])
        for t in kept:
            fast.originals.setdefault((t.subject, t.predicate), []).append(t.object)
        fast.sources.append((str(path), fmt))
    fast._check_merges()
    return fast


def _kept_literals(path: Path, fmt: ox.RdfFormat) -> list[ox.Triple]:
    """The triples of ``path`` whose literal the store would retype."""
    kept = kept_types()
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        # one statement per line: find the lines naming such a datatype, parse only them
        data = path.read_bytes()
        names = sorted({t[len(XSD_NS):] for t in kept}, key=len, reverse=True)
        finder = re.compile(rb"XMLSchema#(?:" + b"|".join(n.encode() for n in names) + rb")>")
        lines, last = [], -1
        for m in finder.finditer(data):
            start = data.rfind(b"\n", 0, m.start()) + 1
            if start == last:
                continue
            end = data.find(b"\n", m.end())
            lines.append(data[start:end if end >= 0 else len(data)])
            last = start
        found = ox.parse(b"\n".join(lines) + b"\n", format=fmt) if lines else []
    else:
        found = ox.parse(path=str(path), format=fmt)
    return [ox.Triple(t.subject, t.predicate, t.object) for t in found
            if isinstance(t.object, ox.Literal) and t.object.datatype.value in kept]


def _load_terms(paths: list[Path]) -> FastGraph:
    fast = FastGraph(ox.Store())
    for path in paths:
        fmt = RDF_FORMATS[path.suffix]
        fast.add(ox.parse(path=str(path), format=fmt))
    return fast


def from_graph(graph: Graph) -> FastGraph:
    """An rdflib graph copied into a new store."""
    fast = FastGraph(ox.Store())
    fast.add(to_ox_triple(t) for t in graph)
    return fast


def apply_rules(fast: FastGraph, queries_dir: Path, ontology: Graph | None = None) -> int:
    """``kg.rules.apply_rules`` on the store: each ``construct-*.rq`` in name order."""
    from kg.errors import QueryError
    from kg.rules import ontology_beside, rule_files

    added = 0
    with ontology_beside(fast.store, ontology):
        for path in rule_files(queries_dir):
            try:
                triples = list(fast.store.query(path.read_text(encoding="utf-8")))
            except (SyntaxError, OSError) as exc:
                raise QueryError(f"rule cannot run: {exc}", Location(str(path)), "fix the query") from None
            added += fast.add(triples)
    return added


#: Dump formats pyoxigraph writes, by the names of ``kg.export.FORMATS``.
OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
              "nq": ox.RdfFormat.N_QUADS, "rdfxml": ox.RdfFormat.RDF_XML}


def serialize(fast: FastGraph, fmt: str) -> bytes:
    """The data as loaded (literals as written) in ``fmt``, written by pyoxigraph.

    Turtle groups consecutive statements about one subject and uses the project's
    prefixes; JSON-LD is pyoxigraph's flat expanded form (no context, no framing).
    """
    return serialize_triples(fast.triples(), fmt)


def serialize_triples(triples: Iterable[ox.Triple], fmt: str, base: str | None = None,
                      prefixes: dict[str, str] | None = None) -> bytes:
    """``triples`` in ``fmt`` (a key of ``OX_FORMATS``), written by pyoxigraph: N-Quads in the
    dataset's named graph (under ``base``), Turtle and RDF/XML with ``prefixes`` (by default
    the project's)."""
    if fmt not in OX_FORMATS:
        raise KgError(f"unknown format `{fmt}`", fix=f"use one of: {', '.join(OX_FORMATS)}")
    if fmt == "nq":
        from kg.export import dataset_iri

        graph = ox.NamedNode(str(dataset_iri(base) if base else dataset_iri()))
        return ox.serialize((ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples),
                            format=OX_FORMATS[fmt])
    if prefixes is None:
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    kwargs = {"prefixes": prefixes} if fmt in ("ttl", "rdfxml") else {}
    return ox.serialize(triples, format=OX_FORMATS[fmt], **kwargs)
