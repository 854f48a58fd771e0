"""Cardinality constraint components: ``sh:minCount``, ``sh:maxCount``."""

from __future__ import annotations

import re

from kg.fastvalidate.components.common import TARGETS, needs_path
from kg.fastvalidate.errors import UnsupportedShapeError
from kg.fastvalidate.terms import integer
from kg.namespaces import SH

VALUES: dict = {}


def check(site) -> None:
    needs_path(site.compiler.g, site.shape, ["minCount", "maxCount"], site.path)
    path = site.path
    for param in site.params("minCount"):
        n = integer(param)
        if n == 1:
            site.add(f"SELECT DISTINCT ?this WHERE {{ {TARGETS} FILTER NOT EXISTS {{ ?this {path} ?value }} }}",
                     "minCount", "focus")
        elif n > 1:
            site.add(f"SELECT ?this WHERE {{ {TARGETS} OPTIONAL {{ ?this {path} ?value }} }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})", "minCount", "focus")
    for param in site.params("maxCount"):
        if integer(param) == 1:  # two different values: cheaper than counting every focus node's
            site.add(f"SELECT DISTINCT ?this WHERE {{ {TARGETS} ?this {path} ?value . ?this {path} ?fv_other . "
                     "FILTER (!sameTerm(?value, ?fv_other)) }", "maxCount", "focus")
        else:
            site.add(f"SELECT ?this WHERE {{ {TARGETS} ?this {path} ?value }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {integer(param)})", "maxCount", "focus")


def expressions(c, shape, f, path, stack) -> list[str]:
    needs_path(c.g, shape, ["minCount", "maxCount"], path)
    parts = []
    for param in c.g.objects(shape, SH.minCount):
        if integer(param) > 0:
            parts.append(at_least(c, integer(param), f, path, "true"))
    for param in c.g.objects(shape, SH.maxCount):
        parts.append("!" + at_least(c, integer(param) + 1, f, path, "true"))
    return parts


def at_least(c, n: int, f: str, path: str, condition: str, probe: str | None = None) -> str:
    """EXISTS n distinct values of ``path`` at ``f`` meeting ``condition`` (about ``probe``)."""
    if n > 4:
        raise UnsupportedShapeError(f"a count of {n} inside a nested shape", fix="validate with pySHACL")
    xs = [c.var() for _ in range(n)]
    triples = " ".join(f"{f} {path} {x} ." for x in xs)
    filters = [f"!sameTerm({a}, {b})" for i, a in enumerate(xs) for b in xs[i + 1:]]
    if condition != "true":
        filters += [re.sub(re.escape(probe) + r"\b", x, condition) for x in xs]
    where = f" FILTER ({' && '.join(filters)})" if filters else ""
    return f"EXISTS {{ {triples}{where} }}"
