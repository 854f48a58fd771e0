"""Derived triples: the ``construct-*.rq`` queries of ``queries/``, run in name order.

The rules query the data as the default graph; the ontology, where given, is beside it as
the named graph ``ONTOLOGY_GRAPH`` (so that a rule can follow the class hierarchy) and
never part of what a rule adds to.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from rdflib import Graph

from kg.errors import Location, QueryError
from kg.oxterms import to_rdflib

RULE_GLOB = "construct-*.rq"
#: The named graph holding the ontology while the rules run.
ONTOLOGY_GRAPH = "urn:kg:ontology"


def rule_files(queries_dir: Path) -> list[Path]:
    """The rule queries, sorted by name."""
    return sorted(queries_dir.glob(RULE_GLOB))


@contextmanager
def ontology_beside(store, ontology: Graph | None):
    """``store`` with ``ontology`` as the named graph the rules read it from, while in use."""
    import pyoxigraph as ox

    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    if ontology is not None and len(ontology):
        store.bulk_load(ontology.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=graph)
    try:
        yield store
    finally:
        store.remove_graph(graph)


def apply_rules(graph: Graph, queries_dir: Path, ontology: Graph | None = None) -> int:
    """Add what each rule derives to the rdflib ``graph``; return the number of new triples.

    The rules run on the embedded pyoxigraph store (rdflib's SPARQL engine is far slower);
    each rule sees what the rules before it derived, and ``ontology`` as a named graph.
    """
    from kg.query import store_of

    if not rule_files(queries_dir):
        return 0
    added = run_rules(store_of(graph), queries_dir, ontology)
    for t in added:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return len(added)


#: Where each rule's new triples are gathered before they join the default graph.
DERIVED_GRAPH = "urn:x-kg:derived"
_CONSTRUCT = re.compile(r"\bCONSTRUCT\s*\{", re.IGNORECASE)
_COMMENT = re.compile(r"(?m)^[ \t]*#[^\n]*")
_MODIFIERS = re.compile(r"\b(LIMIT|OFFSET|ORDER\s+BY)\b", re.IGNORECASE)


def as_update(text: str, where: Location) -> str:
    """A rule ``CONSTRUCT { T } WHERE { P }`` as the update ``INSERT { GRAPH <derived> { T } } WHERE { P }``."""
    code = _COMMENT.sub(lambda m: " " * len(m.group()), text)  # same offsets, comments blanked
    start = _CONSTRUCT.search(code)
    if start is None or _MODIFIERS.search(code):
        raise QueryError("a rule is `CONSTRUCT { TEMPLATE } WHERE { PATTERN }`", where,
                         "write the template in braces after CONSTRUCT, without LIMIT, OFFSET or ORDER BY")
    depth, end = 0, start.end() - 1
    for end in range(start.end() - 1, len(text)):
        depth += {"{": 1, "}": -1}.get(code[end], 0)
        if depth == 0:
            break
    template = text[start.end():end]
    return f"{text[:start.start()]}INSERT {{ GRAPH <{DERIVED_GRAPH}> {{{template}}} }}{text[end + 1:]}"


def run_rules(store, queries_dir: Path, ontology: Graph | None = None) -> list:
    """Run each rule as SPARQL Update on the pyoxigraph ``store`` (its default graph, with
    ``ontology`` beside it); return the triples the rules added, in rule order. Each rule
    sees what the rules before it derived."""
    import pyoxigraph as ox

    derived = ox.NamedNode(DERIVED_GRAPH)
    added = []
    with ontology_beside(store, ontology):
        for path in rule_files(queries_dir):
            where = Location(str(path))
            try:
                store.update(as_update(path.read_text(encoding="utf-8"), where))
            except (SyntaxError, OSError) as exc:
                raise QueryError(f"rule cannot run: {exc}", where, "fix the query") from None
            new = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in store.quads_for_pattern(None, None, None, derived)
                   if ox.Quad(q.subject, q.predicate, q.object) not in store]
            store.clear_graph(derived)
            store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in new)
            added += new
    return added
