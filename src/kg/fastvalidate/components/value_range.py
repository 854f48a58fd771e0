"""Value range constraint components: ``sh:minInclusive``, ``maxInclusive``, ``minExclusive``,
``maxExclusive``."""

from __future__ import annotations

from functools import partial

from kg.fastvalidate.terms import RANGE, term


def _range(name, c, param, shape, v, stack) -> str:
    return f"COALESCE({v} {RANGE[name]} {term(param)}, false)"


VALUES = {name: partial(_range, name) for name in RANGE}


def check(site) -> None:
    for name in RANGE:
        site.each_value(name)


def expressions(c, shape, f, path, stack) -> list[str]:
    return list(c.value_parts(shape, VALUES, f, path, stack))
