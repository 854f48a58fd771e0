"""Derived triples: the ``construct-*.rq`` queries of ``queries/``, run in name order."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.errors import Location, QueryError
from kg.oxterms import to_rdflib

RULE_GLOB = "construct-*.rq"


def rule_files(queries_dir: Path) -> list[Path]:
    """The rule queries, sorted by name."""
    return sorted(queries_dir.glob(RULE_GLOB))


def apply_rules(graph: Graph, queries_dir: Path) -> int:
    """Add what each rule constructs to ``graph``; return the number of new triples.

    The rules run on the embedded pyoxigraph store (rdflib's SPARQL engine is far slower);
    each rule sees what the rules before it derived.
    """
    import pyoxigraph as ox

    from kg.query import store_of

    paths = rule_files(queries_dir)
    if not paths:
        return 0
    before = len(graph)
    store = store_of(graph)
    for path in paths:
        try:
            triples = list(store.query(path.read_text(encoding="utf-8")))
        except (SyntaxError, OSError) as exc:
            raise QueryError(f"rule cannot run: {exc}", Location(str(path)), "fix the query") from None
        for triple in triples:
            store.add(ox.Quad(triple.subject, triple.predicate, triple.object))
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return len(graph) - before
