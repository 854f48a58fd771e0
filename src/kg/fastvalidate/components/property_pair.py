"""Property pair constraint components: ``sh:equals``, ``sh:disjoint``, ``sh:lessThan``,
``sh:lessThanOrEquals``. On a node shape, the value node is the focus node itself."""

from __future__ import annotations

from kg.fastvalidate.components.common import TARGETS, needs_path
from kg.fastvalidate.terms import compare, term
from kg.namespaces import SH

VALUES: dict = {}
_ORDER = (("lessThan", "<"), ("lessThanOrEquals", "<="))


def check(site) -> None:
    path, g = site.path, site.compiler.g
    needs_path(g, site.shape, [name for name, _ in _ORDER], path)
    for param in site.params("equals"):
        p = term(param)
        if site.is_property:
            site.add(f"SELECT DISTINCT ?this ?value WHERE {{ {TARGETS} {{ ?this {path} ?value . "
                     f"FILTER NOT EXISTS {{ ?this {p} ?value }} }} UNION {{ ?this {p} ?value . "
                     f"FILTER NOT EXISTS {{ ?this {path} ?value }} }} }}", "equals")
        else:  # the focus node is the one value: each other value of the property, and the focus if missing
            site.add(f"SELECT DISTINCT ?this ?value WHERE {{ {TARGETS} ?this {p} ?value . "
                     "FILTER (!sameTerm(?value, ?this)) }", "equals")
            site.add(f"SELECT DISTINCT ?this ?value WHERE {{ {TARGETS} FILTER NOT EXISTS {{ ?this {p} ?this }} "
                     "BIND (?this AS ?value) }", "equals")
    for param in site.params("disjoint"):
        site.add(f"SELECT DISTINCT ?this ?value WHERE {{ {TARGETS} {site.values} ?this {term(param)} ?value }}",
                 "disjoint")
    for name, op in _ORDER:
        for param in site.params(name):
            site.add(f"SELECT DISTINCT ?this ?value ?fv_other WHERE {{ {TARGETS} ?this {path} ?value . "
                     f"?this {term(param)} ?fv_other . FILTER (!({compare('?value', op, '?fv_other')})) }}", name)


def expressions(c, shape, f, path, stack) -> list[str]:
    g, parts = c.g, []
    needs_path(g, shape, [name for name, _ in _ORDER], path)
    for param in g.objects(shape, SH.equals):
        a = c.var()
        if path is None:
            parts.append(f"(NOT EXISTS {{ {f} {term(param)} {a} . FILTER (!sameTerm({a}, {f})) }} && "
                         f"EXISTS {{ {f} {term(param)} {f} }})")
        else:
            parts.append(f"NOT EXISTS {{ {{ {f} {path} {a} . FILTER NOT EXISTS {{ {f} {term(param)} {a} }} }} "
                         f"UNION {{ {f} {term(param)} {a} . FILTER NOT EXISTS {{ {f} {path} {a} }} }} }}")
    for param in g.objects(shape, SH.disjoint):
        if path is None:
            parts.append(f"NOT EXISTS {{ {f} {term(param)} {f} }}")
        else:
            a = c.var()
            parts.append(f"NOT EXISTS {{ {f} {path} {a} . {f} {term(param)} {a} }}")
    for name, op in _ORDER:
        for param in g.objects(shape, SH[name]):
            a, b = c.var(), c.var()
            parts.append(f"NOT EXISTS {{ {f} {path} {a} . {f} {term(param)} {b} . "
                         f"FILTER (!({compare(a, op, b)})) }}")
    return parts
