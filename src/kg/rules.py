"""Derived triples: the ``construct-*.rq`` queries of ``queries/``, run in name order."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.errors import QueryError, Location

RULE_GLOB = "construct-*.rq"


def rule_files(queries_dir: Path) -> list[Path]:
    """The rule queries, sorted by name."""
    return sorted(queries_dir.glob(RULE_GLOB))


def apply_rules(graph: Graph, queries_dir: Path) -> int:
    """Add what each rule constructs to ``graph``; return the number of new triples."""
    before = len(graph)
    for path in rule_files(queries_dir):
        try:
            result = graph.query(path.read_text(encoding="utf-8"))
        except Exception as exc:  # rdflib raises parser errors of several types
            raise QueryError(f"rule cannot run: {exc}", Location(str(path)), "fix the query") from None
        for triple in result:
            graph.add(triple)
    return len(graph) - before
