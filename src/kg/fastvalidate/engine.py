"""Running the checks on the store, and the report they make."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pyoxigraph as ox
from rdflib import Graph

from kg import identifiers
from kg.fastvalidate.compiler import Check, Compiler
from kg.fastvalidate.errors import UnsupportedDataError, UnsupportedShapeError
from kg.fastvalidate.results import labels, results
from kg.fastvalidate.sparql import SHAPES_GRAPH, prebind
from kg.fastvalidate.store import FastGraph, from_graph
from kg.load import SourceIndex
from kg.namespaces import LGDX
from kg.oxterms import to_ox, to_ox_triple, to_rdflib
from kg.report import Report, Result


def compile_shapes(shapes: Graph) -> list[Check]:
    """The checks of ``shapes``; raises ``UnsupportedShapeError`` on what is not implemented."""
    return Compiler(shapes).compile()


def validate(data: Graph | FastGraph, shapes: Graph, ontology: Graph | None = None,
             index: SourceIndex | None = None, workers: int | None = None,
             checks: list[Check] | None = None) -> Report:
    """Validate like ``kg.validate.validate``: same arguments, same report.

    ``data`` is an rdflib graph (copied into a store) or a ``FastGraph``. The checks run
    on ``workers`` threads (default: the number of cores, at most 4). ``checks``, those
    ``compile_shapes(shapes)`` gave, spare compiling the shapes again for each of many graphs.
    """
    fast = data if isinstance(data, FastGraph) else from_graph(data)
    if not fast.keeps_written:
        raise ValueError("this store was loaded without the literals as written: load it with keep_written=True")
    checks = checks if checks is not None else compile_shapes(shapes)
    store = fast.store
    # pySHACL validates the data with the ontology mixed in; do the same, then take it out again;
    # a query bound to $shapesGraph finds the shapes graph in a named graph of its own
    mixed = [q for q in (ox.Quad(*to_ox_triple(t)) for t in (ontology or ())) if q not in store]
    graph = ox.NamedNode(str(SHAPES_GRAPH))
    for shapes_graph in {id(c.shapes_graph): c.shapes_graph for c in checks if c.shapes_graph is not None}.values():
        mixed += [ox.Quad(*to_ox_triple(t), graph) for t in shapes_graph]
    store.extend(mixed)
    try:
        # checks compiled to the same queries (one SPARQL constraint per message language)
        # share one run
        groups: dict[tuple, list[Check]] = {}
        for check in checks:
            key = (tuple(check.queries), check.kind, check.prebound, tuple(sorted(check.bindings.items())))
            groups.setdefault(key, []).append(check)
        workers = workers or min(4, os.cpu_count() or 1)
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:  # pyoxigraph lets go of the GIL while querying
                batches = list(pool.map(lambda g: _run_group(fast, g), groups.values()))
        else:
            batches = [_run_group(fast, g) for g in groups.values()]
    finally:
        for quad in mixed:
            store.remove(quad)
    found = [r for batch in batches for r in batch]
    found += identifiers.check_graph(identifier_graph(fast))
    index = index or SourceIndex()
    names = labels(fast, {r.focus for r in found})
    located = [replace(r, location=index.locate(r.focus, r.path), focus_label=names.get(r.focus)) for r in found]
    located.sort(key=lambda r: (str(r.location.file) if r.location else "~",
                                r.location.line or 0 if r.location else 0, r.severity, str(r.focus)))
    return Report(located)


def _run_group(fast: FastGraph, checks: list[Check]) -> list[Result]:
    found = _rows(fast, checks[0])
    return [r for check in checks for r in results(fast, check, found, _run)]


def _run(fast: FastGraph, check: Check) -> list[Result]:
    return results(fast, check, _rows(fast, check), _run)


def _rows(fast: FastGraph, check: Check) -> list[dict]:
    """The distinct solutions of the check's queries (for a pre-bound query, of that query
    on each of them)."""
    if check.guards and (unsure := fast.unsure(check.guards)) is not None:
        raise UnsupportedDataError(f"{check.shape} compares values as the store holds them, but the data writes "
                                   f"{unsure}", fix="validate this data with pySHACL")
    rows, seen = [], set()
    for query in check.queries:
        for row in _solutions(fast, check, query):
            if len(check.queries) > 1 or check.kind == "sparql":  # a focus node may match two targets
                key = tuple(sorted((n, str(t)) for n, t in row.items()))
                if key in seen:
                    continue
                seen.add(key)
            rows.append(row)
    if check.prebound is None:
        return rows
    bound = {n: to_ox(t) for n, t in check.bindings.items()}
    out = []
    for row in rows:
        query, substitutions = prebind(check.prebound, {**bound, **{n: t for n, t in row.items() if t is not None}})
        if check.ask:
            if not _query(fast, check, query, substitutions):
                out.append(row)
        else:
            out += [{**bound, **found, "this": row["this"]} for found in _solutions(fast, check, query, substitutions)]
    return out


def _solutions(fast: FastGraph, check: Check, query: str, substitutions: dict | None = None) -> list[dict]:
    solutions = _query(fast, check, query, substitutions)
    names = [v.value for v in solutions.variables]
    rows = [dict(zip(names, solution)) for solution in solutions]
    del solutions  # pyoxigraph's result iterators must be dropped on the thread that made them
    return rows


def _query(fast: FastGraph, check: Check, query: str, substitutions: dict | None = None):
    try:
        return fast.store.query(query, substitutions=substitutions or None)
    except (SyntaxError, RuntimeError) as exc:
        raise UnsupportedShapeError(f"cannot run the query compiled from {check.shape}: {exc}\n{query}",
                                    fix="validate with pySHACL") from None


def identifier_graph(fast: FastGraph) -> Graph:
    """The national-identifier triples of the data, as the rdflib graph ``check_graph`` reads."""
    graph = Graph()
    query = (f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ <{LGDX.localGovernmentCode}> <{LGDX.corporateNumber}> "
             f"<{LGDX.eGovLawId}> }} ?s ?p ?o }}")
    for row in fast.store.query(query):
        graph.add((to_rdflib(row["s"]), to_rdflib(row["p"]), to_rdflib(row["o"])))
    return graph
