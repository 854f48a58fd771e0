"""Graphs as N-Triples lines, read from files or bytes, with blank nodes skolemised for a store.

A store may split or duplicate a blank node that arrives in two batches or is sent twice; as a
skolem IRI under ``{base}genid/`` it stays one node, and it turns back into a blank node on the
way out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError, Location
from kg.namespaces import DEFAULT_BASE, PREFIXES


@dataclass
class NTriples:
    """A graph as distinct N-Triples lines (bytes, newline-terminated) in the order read.

    Lines rather than a store: a store rewrites lexical forms (``1.50`` → ``1.5``), and what is
    sent or received must stay exactly as it was to be compared.
    """

    lines: list[bytes]

    def __len__(self) -> int:
        return len(self.lines)

    def triples(self) -> Iterator[ox.Triple]:
        return ox.parse(b"".join(self.lines), format=ox.RdfFormat.N_TRIPLES)

    def serialize(self, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> bytes:
        if fmt == ox.RdfFormat.N_TRIPLES:
            return b"".join(self.lines)
        kwargs = {"prefixes": {k: str(v) for k, v in PREFIXES.items()}} if fmt == ox.RdfFormat.TURTLE else {}
        return ox.serialize(self.triples(), format=fmt, **kwargs)

    @classmethod
    def of(cls, triples) -> NTriples:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        return cls(list(dict.fromkeys(data.splitlines(keepends=True))))


XSD_DECIMAL = str(PREFIXES["xsd"]) + "decimal"


def canonical_decimals(triples) -> Iterator[ox.Triple]:
    """``triples`` with xsd:decimal literals in their canonical form (``39.0``, as kg writes them):
    stores give them back shortened (``39``), which would break an exact round trip."""
    from decimal import Decimal, InvalidOperation

    from kg.load import canonical_decimal

    for t in triples:
        o = t.object
        if isinstance(o, ox.Literal) and not o.language and o.datatype.value == XSD_DECIMAL:
            try:
                o = ox.Literal(canonical_decimal(Decimal(o.value)), datatype=o.datatype)
            except InvalidOperation:  # an ill-typed value stays as the store sent it
                pass
        yield ox.Triple(t.subject, t.predicate, o)


def parse_graph(source, fmt: ox.RdfFormat, base: str = DEFAULT_BASE, *, skolem: bool) -> NTriples:
    """Triples from a file path or bytes, blank nodes skolemised (``skolem``) or restored from skolem IRIs."""
    prefix = genid(base)
    kwargs = {"path": str(source)} if isinstance(source, Path) else {"input": source}
    parsed = ox.parse(format=fmt, **kwargs)
    return NTriples.of(_skolemized(parsed, prefix) if skolem else _deskolemized(parsed, prefix))


def read_graph(path: Path, base: str = DEFAULT_BASE, *, skolem: bool = False) -> NTriples:
    """The triples of an RDF file (format by extension), duplicates merged."""
    try:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    except ValueError:
        fmt = None
    if fmt is None or fmt.supports_datasets:
        raise KgError(f"cannot read `{path.suffix}` as a graph", Location(str(path)),
                      "give a triples file: .nt, .ttl, .jsonld or .rdf (e.g. dist/kg.nt)")
    try:
        return parse_graph(path, fmt, base, skolem=skolem)
    except SyntaxError as exc:
        raise KgError(f"cannot parse: {exc}", Location(str(path)), "check the file, e.g. with `rapper -c`") from None
    except OSError as exc:
        raise KgError(f"cannot read: {exc}", Location(str(path))) from None


def read_dataset(path: Path, base: str = DEFAULT_BASE, *, skolem: bool = False) -> dict[str, NTriples]:
    """The named graphs of an N-Quads or TriG file (e.g. a harvest), each as N-Triples lines."""
    fmt = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}.get(path.suffix)
    if fmt is None:
        raise KgError(f"cannot read `{path.suffix}` as named graphs", Location(str(path)),
                      "give an N-Quads (.nq) or TriG (.trig) file, e.g. harvest/harvest.nq")
    graphs: dict[str, list[ox.Triple]] = {}
    try:
        for q in ox.parse(path=str(path), format=fmt):
            if isinstance(q.graph_name, ox.DefaultGraph):
                raise KgError("a triple outside any named graph", Location(str(path)),
                              "put every triple in a named graph, as kg harvest writes them")
            graphs.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    except SyntaxError as exc:
        raise KgError(f"cannot parse: {exc}", Location(str(path)), "check the file, e.g. with `rapper -c`") from None
    except OSError as exc:
        raise KgError(f"cannot read: {exc}", Location(str(path))) from None
    prefix = genid(base)
    return {name: NTriples.of(_skolemized(triples, prefix) if skolem else triples) for name, triples in graphs.items()}


def genid(base: str = DEFAULT_BASE) -> str:
    """The prefix of the skolem IRIs that stand for blank nodes in a store."""
    return f"{base}genid/"


def skolemize(graph: NTriples, base: str = DEFAULT_BASE) -> NTriples:
    """``graph`` with each blank node replaced by a skolem IRI under ``{base}genid/``."""
    return NTriples.of(_skolemized(graph.triples(), genid(base)))


def deskolemize(graph: NTriples, base: str = DEFAULT_BASE) -> NTriples:
    """``graph`` with the skolem IRIs of :func:`skolemize` turned back into blank nodes."""
    return NTriples.of(_deskolemized(graph.triples(), genid(base)))


def _skolemized(triples, prefix: str) -> Iterator[ox.Triple]:
    def sk(term):
        return ox.NamedNode(prefix + term.value) if type(term) is ox.BlankNode else term

    for t in triples:
        if type(t.subject) is ox.BlankNode or type(t.object) is ox.BlankNode:
            yield ox.Triple(sk(t.subject), t.predicate, sk(t.object))
        else:
            yield t


def _deskolemized(triples, prefix: str) -> Iterator[ox.Triple]:
    labels: dict[str, ox.BlankNode] = {}

    def skolem(term) -> bool:
        return type(term) is ox.NamedNode and term.value.startswith(prefix)

    def bn(term):
        if not skolem(term):
            return term
        label = term.value[len(prefix):]
        if label not in labels:
            ok = re.fullmatch(r"[A-Za-z0-9_](?:[\w.-]*[\w-])?", label)
            labels[label] = ox.BlankNode(label) if ok else ox.BlankNode()
        return labels[label]

    for t in triples:
        if skolem(t.subject) or skolem(t.object):
            yield ox.Triple(bn(t.subject), t.predicate, bn(t.object))
        else:
            yield t


def batches(graph: NTriples, size: int) -> Iterator[tuple[int, bytes]]:
    """``graph`` as N-Triples, ``size`` triples (lines) at a time."""
    for i in range(0, len(graph.lines), size):
        chunk = graph.lines[i:i + size]
        yield len(chunk), b"".join(chunk)

