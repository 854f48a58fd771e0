"""Derived triples: the ``construct-*.rq`` queries of ``queries/``, run in name order.

The rules query the data as the default graph; the ontology, where given, is beside it as
the named graph ``ONTOLOGY_GRAPH`` (so that a rule can follow the class hierarchy) and
never part of what a rule adds to.
"""

from __future__ import annotations

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
    """Add what each rule constructs to ``graph``; return the number of new triples.

    The rules run on the embedded pyoxigraph store (rdflib's SPARQL engine is far slower);
    each rule sees what the rules before it derived, and ``ontology`` as a named graph.
    """
    import pyoxigraph as ox

    from kg.query import store_of

    paths = rule_files(queries_dir)
    if not paths:
        return 0
    before = len(graph)
    with ontology_beside(store_of(graph), ontology) as store:
        for path in paths:
            try:
                triples = list(store.query(path.read_text(encoding="utf-8")))
            except (SyntaxError, OSError) as exc:
                raise QueryError(f"rule cannot run: {exc}", Location(str(path)), "fix the query") from None
            for triple in triples:
                store.add(ox.Quad(triple.subject, triple.predicate, triple.object))
                graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return len(graph) - before
