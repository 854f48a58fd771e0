"""Shape-based constraint components: ``sh:node``, ``sh:property``, ``sh:qualifiedValueShape``
(with ``sh:qualifiedMinCount``, ``qualifiedMaxCount``, ``qualifiedValueShapesDisjoint``)."""

from __future__ import annotations

from rdflib import Literal

from kg.fastvalidate.components.cardinality import at_least
from kg.fastvalidate.components.common import TARGETS, needs_path
from kg.fastvalidate.terms import integer
from kg.namespaces import SH


def _conforms(c, param, shape, v, stack) -> str:
    return c.conforms(param, v, stack)


VALUES = {"node": _conforms, "property": _conforms}


def check(site) -> None:
    c = site.compiler
    for param in site.params("node"):
        # the value's own results against the node shape are reported too (sh:detail), as pySHACL does
        site.add(f"SELECT ?this ?value WHERE {{ {TARGETS} {site.values} "
                 f"FILTER (!({c.value_expr('node', param, site.shape, '?value')})) }}",
                 "node", "nested", parameter=param, compiler=c, constraint="node")
    if site.is_property:
        # a property shape's own property shapes: its value nodes are their focus nodes, once for each
        # focus node that reaches them (a node shape's property shapes are compiled as the shape's own)
        for param in site.params("property"):
            if not c.deactivated(param):
                site.add(f"SELECT DISTINCT ?this ?value WHERE {{ {TARGETS} {site.values} }}", "property",
                         "nested", parameter=param, compiler=c, constraint="property")
    needs_path(c.g, site.shape, ["qualifiedValueShape"], site.path)
    for qualified in site.params("qualifiedValueShape"):
        low, high = _bounds(c, site.shape)
        having = " || ".join(h for h in (f"COUNT(DISTINCT ?value) < {low}" if low is not None else "",
                                         f"COUNT(DISTINCT ?value) > {high}" if high is not None else "") if h)
        if having:
            site.add(f"SELECT ?this (COUNT(DISTINCT ?value) AS ?count) WHERE {{ {TARGETS} OPTIONAL {{ "
                     f"?this {site.path} ?value . FILTER ({_qualifies(c, site.shape, qualified, '?value', ())}) }} }} "
                     f"GROUP BY ?this HAVING ({having})", "sh:QualifiedValueShapeConstraintComponent",
                     "qualified", min_count=low, max_count=high)


def expressions(c, shape, f, path, stack) -> list[str]:
    parts = list(c.value_parts(shape, VALUES, f, path, stack))
    needs_path(c.g, shape, ["qualifiedValueShape"], path)
    for qualified in c.g.objects(shape, SH.qualifiedValueShape):
        low, high = _bounds(c, shape)
        probe = c.var()
        condition = _qualifies(c, shape, qualified, probe, stack)
        if low is not None and low > 0:
            parts.append(at_least(c, low, f, path, condition, probe))
        if high is not None:
            parts.append("!" + at_least(c, high + 1, f, path, condition, probe))
    return parts


def _bounds(c, shape) -> tuple[int | None, int | None]:
    low, high = c.g.value(shape, SH.qualifiedMinCount), c.g.value(shape, SH.qualifiedMaxCount)
    return (integer(low) if low is not None else None), (integer(high) if high is not None else None)


def _qualifies(c, shape, qualified, v: str, stack) -> str:
    """Whether ``v`` counts: it conforms to the qualified shape and, where the qualified value shapes
    are disjoint, to none of the sibling shapes (those of the other property shapes of its parents)."""
    condition = c.conforms(qualified, v, stack)
    if c.g.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
        siblings = {s for parent in c.g.subjects(SH.property, shape) for prop in c.g.objects(parent, SH.property)
                    for s in c.g.objects(prop, SH.qualifiedValueShape)} - {qualified}
        for sibling in sorted(siblings, key=str):
            condition += " && !" + c.conforms(sibling, v, stack)
    return condition
