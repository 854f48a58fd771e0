"""Logical constraint components: ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``."""

from __future__ import annotations


def _not(c, param, shape, v, stack) -> str:
    return "!" + c.conforms(param, v, stack)


def _and(c, param, shape, v, stack) -> str:
    exprs = [c.conforms(m, v, stack) for m in c.members(param)]
    return "(" + " && ".join(exprs) + ")" if exprs else "true"


def _or(c, param, shape, v, stack) -> str:
    exprs = [c.conforms(m, v, stack) for m in c.members(param)]
    return "(" + " || ".join(exprs) + ")" if exprs else "false"


def _xone(c, param, shape, v, stack) -> str:
    exprs = [c.conforms(m, v, stack) for m in c.members(param)]
    return "((" + " + ".join(f"IF({e}, 1, 0)" for e in exprs) + ") = 1)" if exprs else "false"


VALUES = {"not": _not, "and": _and, "or": _or, "xone": _xone}


def check(site) -> None:
    for name in VALUES:
        site.each_value(name)


def expressions(c, shape, f, path, stack) -> list[str]:
    return list(c.value_parts(shape, VALUES, f, path, stack))
