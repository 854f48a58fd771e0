"""Other constraint components: ``sh:closed``, ``sh:hasValue``, ``sh:in``."""

from __future__ import annotations

from rdflib import Literal, URIRef

from kg.fastvalidate.components.common import TARGETS
from kg.fastvalidate.errors import UnsupportedShapeError
from kg.fastvalidate.store import kept_types
from kg.fastvalidate.terms import exact_term, term
from kg.namespaces import SH


def _same(c, value) -> str:
    """``value`` for sameTerm: a literal the store may hold otherwise guards the check."""
    if isinstance(value, Literal) and value.datatype is not None and str(value.datatype) in kept_types():
        c.guard(str(value.datatype))
    return exact_term(value)


def _in(c, param, shape, v, stack) -> str:
    members = c.members(param)
    return "(" + " || ".join(f"sameTerm({v}, {_same(c, m)})" for m in members) + ")" if members else "false"


VALUES = {"in": _in}


def _allowed(c, shape) -> str:
    """The properties a closed shape allows, as a SPARQL list."""
    if c.g.value(shape, SH.path) is not None:
        raise UnsupportedShapeError(f"sh:closed on property shape {shape}", fix="validate with pySHACL")
    allowed = {p for prop in c.g.objects(shape, SH.property)
               for p in [c.g.value(prop, SH.path)] if isinstance(p, URIRef)}
    ignored = c.g.value(shape, SH.ignoredProperties)
    if ignored is not None:
        allowed |= set(c.members(ignored))
    return ", ".join(term(p) for p in sorted(allowed)) or "<urn:x-kg:none>"


def _closed(c, shape) -> bool:
    return c.g.value(shape, SH.closed) == Literal(True)


def check(site) -> None:
    site.each_value("in")
    for param in site.params("hasValue"):
        if site.is_property:
            site.add(f"SELECT DISTINCT ?this WHERE {{ {TARGETS} FILTER NOT EXISTS {{ ?this {site.path} ?value . "
                     f"FILTER (sameTerm(?value, {_same(site.compiler, param)})) }} }}", "hasValue", "focus")
        else:  # a node shape's hasValue result names no value
            site.add(f"SELECT DISTINCT ?this WHERE {{ {TARGETS} FILTER (!sameTerm(?this, {_same(site.compiler, param)})) }}",
                     "hasValue", "focus")
    if _closed(site.compiler, site.shape):
        site.add(f"SELECT DISTINCT ?this ?path ?value WHERE {{ {TARGETS} ?this ?path ?value . "
                 f"FILTER (?path NOT IN ({_allowed(site.compiler, site.shape)})) }}", "closed")


def expressions(c, shape, f, path, stack) -> list[str]:
    parts = list(c.value_parts(shape, VALUES, f, path, stack))
    for param in c.g.objects(shape, SH.hasValue):
        if path is None:
            parts.append(f"sameTerm({f}, {_same(c, param)})")
        else:
            x = c.var()
            parts.append(f"EXISTS {{ {f} {path} {x} . FILTER (sameTerm({x}, {_same(c, param)})) }}")
    if _closed(c, shape):
        p, o = c.var(), c.var()
        parts.append(f"NOT EXISTS {{ {f} {p} {o} . FILTER ({p} NOT IN ({_allowed(c, shape)})) }}")
    return parts
