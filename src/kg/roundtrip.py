"""Round trip: what came back from a store against what was sent, blank nodes and values compared fairly.

A store may relabel blank nodes and rewrite a literal in another form of the same value
(``1.50`` → ``1.5``); neither is a loss. Blank nodes are matched by their surroundings, values
in canonical form, and every other difference is listed.
"""

from __future__ import annotations

import hashlib
import struct
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg.errors import EXIT_VIOLATIONS, KgError
from kg.load import canonical_decimal
from kg.namespaces import PREFIXES
from kg.ntriples import NTriples

XSD = str(PREFIXES["xsd"])


class RoundTripError(KgError):
    """What came back from a store differs from what was sent (exit 1); ``diff`` lists it."""

    exit_code = EXIT_VIOLATIONS

    def __init__(self, diff: RoundTrip):
        super().__init__(f"the graph did not come back as it was sent: {diff.summary()}",
                         fix="see the differences listed above; push with --method gsp where the store rewrote "
                             "values through SPARQL Update")
        self.diff = diff


INTEGER_TYPES = frozenset(XSD + t for t in (
    "integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))


def canonical(term) -> str:
    """A term's text with equal values written alike: numbers in canonical form, language tags lower case."""
    if not isinstance(term, ox.Literal):
        return str(term)
    if term.language:
        return str(ox.Literal(term.value, language=term.language.lower()))
    datatype, value = term.datatype.value, term.value.strip()
    try:
        if datatype in INTEGER_TYPES:
            value = str(int(value))
        elif datatype == XSD + "decimal":
            value = canonical_decimal(Decimal(value))
        elif datatype == XSD + "double":
            value = repr(float(value))
        elif datatype == XSD + "float":
            value = repr(struct.unpack("f", struct.pack("f", float(value)))[0])
        elif datatype == XSD + "boolean":
            value = {"1": "true", "0": "false"}.get(value, value)
        else:
            return str(term)
    except (ValueError, InvalidOperation, OverflowError):
        return str(term)
    return str(ox.Literal(value, datatype=term.datatype))


def canonical_count(graph: NTriples) -> int:
    """The number of distinct triples of ``graph`` once equal values are written alike."""
    return len({_digest(f"{t.subject} {t.predicate} {canonical(t.object)}") for t in graph.triples()})


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _bnode_labels(graph: NTriples, rounds: int | None = None) -> tuple[dict[str, str], int]:
    """A label for each blank node from its surroundings, and the rounds of refinement that took.

    Colour refinement: each round a node's label is the hash of its label and its triples with
    their neighbours' labels. Two graphs refined for the same number of rounds give the same
    label to nodes whose surroundings within that many steps are alike.
    """
    lines = [line for line in graph.lines if b"_:" in line]
    rows = [(t.subject, t.predicate, t.object) for t in NTriples(lines).triples()
            if type(t.subject) is ox.BlankNode or type(t.object) is ox.BlankNode]
    colour = {t.value: "" for row in rows for t in (row[0], row[2]) if type(t) is ox.BlankNode}
    classes, done = 1, 0
    while colour and (done < rounds if rounds is not None else done <= len(colour)):
        signature = defaultdict(list)
        for s, p, o in rows:
            key_s = "_:" + colour[s.value] if type(s) is ox.BlankNode else str(s)
            key_o = "_:" + colour[o.value] if type(o) is ox.BlankNode else canonical(o)
            if type(s) is ox.BlankNode:
                signature[s.value].append(f"> {p} {key_o}")
            if type(o) is ox.BlankNode:
                signature[o.value].append(f"< {key_s} {p}")
        colour = {b: _digest(colour[b] + "|" + "\n".join(sorted(signature[b]))).hex() for b in colour}
        done += 1
        now = len(set(colour.values()))
        if rounds is None and now == classes:
            break  # no class split: the partition is stable
        classes = now
    return colour, done


@dataclass
class RoundTrip:
    """The differences between a graph sent and the graph that came back."""

    sent: int
    received: int
    missing: list[str] = field(default_factory=list)      # sent, not back (examples)
    extra: list[str] = field(default_factory=list)        # back, never sent (examples)
    rewritten: list[tuple[str, str]] = field(default_factory=list)  # same value, other form (examples)
    missing_count: int = 0
    extra_count: int = 0
    rewritten_count: int = 0

    @property
    def ok(self) -> bool:
        return self.missing_count == 0 and self.extra_count == 0

    def summary(self) -> str:
        return (f"{self.sent} sent, {self.received} back: {self.missing_count} missing, {self.extra_count} "
                f"unexpected, {self.rewritten_count} in another form of the same value")

    def text(self) -> str:
        """The differences for people, one triple a line."""
        out = [("round trip: same graph" if self.ok else "round trip: DIFFERENT") + f" ({self.summary()})"]
        for title, items, total in (("missing (sent, not back)", self.missing, self.missing_count),
                                    ("unexpected (back, not sent)", self.extra, self.extra_count)):
            if total:
                out.append(f"{title}: {total}")
                out += [f"  {line}" for line in items]
                if total > len(items):
                    out.append(f"  … and {total - len(items)} more")
        if self.rewritten_count:
            out.append(f"rewritten by the store, value kept: {self.rewritten_count}")
            out += [f"  {a}\n    → {b}" for a, b in self.rewritten]
            if self.rewritten_count > len(self.rewritten):
                out.append(f"  … and {self.rewritten_count - len(self.rewritten)} more")
        return "\n".join(out) + "\n"


def _relabelled(graph: NTriples, labels: dict[str, str]) -> list[bytes]:
    """The lines of ``graph`` with each blank node named by ``labels`` (see :func:`_bnode_labels`)."""
    if not labels:
        return graph.lines
    nodes = {label: ox.BlankNode(colour) for label, colour in labels.items()}

    def relabel(term):
        return nodes[term.value] if type(term) is ox.BlankNode else term

    out = []
    for line in graph.lines:
        if b"_:" in line:
            t = next(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
            line = ox.serialize([ox.Triple(relabel(t.subject), t.predicate, relabel(t.object))],
                                format=ox.RdfFormat.N_TRIPLES)
        out.append(line)
    return out


def _canonical_lines(lines: list[bytes]) -> dict[str, str]:
    """Canonical N-Triples (see :func:`canonical`) → the line as it was, for ``lines``."""
    triples = NTriples(lines).triples()
    return {f"{t.subject} {t.predicate} {canonical(t.object)} .": line.decode("utf-8").rstrip("\n")
            for line, t in zip(lines, triples)}


def compare(sent: NTriples, received: NTriples, limit: int = 20) -> RoundTrip:
    """Every difference between two graphs: blank nodes matched by their surroundings, values compared canonically.

    Lines equal as written are matched as sets; only the rest is parsed and compared by value.
    """
    (sent_labels, sent_rounds), (got_labels, got_rounds) = _bnode_labels(sent), _bnode_labels(received)
    if sent_rounds < got_rounds:  # refine both alike, or equal surroundings get different labels
        sent_labels, _ = _bnode_labels(sent, got_rounds)
    elif got_rounds < sent_rounds:
        got_labels, _ = _bnode_labels(received, sent_rounds)
    sent_lines, got_lines = set(_relabelled(sent, sent_labels)), set(_relabelled(received, got_labels))
    sent_only, got_only = sorted(sent_lines - got_lines), sorted(got_lines - sent_lines)
    sent_canon, got_canon = _canonical_lines(sent_only), _canonical_lines(got_only)
    diff = RoundTrip(len(sent), len(received))
    for canon, line in sent_canon.items():
        if canon in got_canon:
            diff.rewritten_count += 1
            if len(diff.rewritten) < limit:
                diff.rewritten.append((line, got_canon[canon]))
        elif (canon + "\n").encode("utf-8") not in got_lines:  # the other form was also sent
            diff.missing_count += 1
            if len(diff.missing) < limit:
                diff.missing.append(line)
    for canon, line in got_canon.items():
        if canon not in sent_canon and (canon + "\n").encode("utf-8") not in sent_lines:
            diff.extra_count += 1
            if len(diff.extra) < limit:
                diff.extra.append(line)
    return diff

