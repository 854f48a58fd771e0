"""Value type constraint components: ``sh:class``, ``sh:datatype``, ``sh:nodeKind``."""

from __future__ import annotations

from kg.fastvalidate.components.common import TARGETS
from kg.fastvalidate.datatypes import datatype_expr, datatype_prefilter
from kg.fastvalidate.errors import UnsupportedShapeError
from kg.fastvalidate.store import retyped_types
from kg.fastvalidate.terms import NODE_KINDS, SUBCLASS, term


def _class(c, param, shape, v, stack) -> str:
    return f"EXISTS {{ {v} {SUBCLASS} {term(param)} }}"


def _datatype(c, param, shape, v, stack) -> str:
    if str(param) in retyped_types():
        c.guard(str(param))
    return datatype_expr(v, param)


def _node_kind(c, param, shape, v, stack) -> str:
    if param not in NODE_KINDS:
        raise UnsupportedShapeError(f"unknown sh:nodeKind {param}")
    return NODE_KINDS[param].format(v=v)


VALUES = {"class": _class, "datatype": _datatype, "nodeKind": _node_kind}


def check(site) -> None:
    site.each_value("class")
    site.each_value("nodeKind")
    for param in site.params("datatype"):  # decided in Python where the store may have retyped the literal
        site.add(f"SELECT DISTINCT ?this ?value WHERE {{ {TARGETS} {site.values} "
                 f"FILTER (!({datatype_prefilter(param)})) }}", "datatype", "datatype", datatype=param)


def expressions(c, shape, f, path, stack) -> list[str]:
    return list(c.value_parts(shape, VALUES, f, path, stack))
