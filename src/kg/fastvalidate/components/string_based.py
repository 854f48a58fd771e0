"""String-based constraint components: ``sh:minLength``, ``maxLength``, ``pattern``,
``languageIn``, ``uniqueLang``."""

from __future__ import annotations

from functools import partial

from rdflib import Literal

from kg.fastvalidate.components.common import TARGETS, needs_path
from kg.fastvalidate.store import LEXICAL_FORM
from kg.fastvalidate.terms import integer, string
from kg.namespaces import SH


def _length(name, c, param, shape, v, stack) -> str:
    if name == "minLength" and integer(param) == 0:
        return "true"
    c.guard(LEXICAL_FORM)
    op = ">=" if name == "minLength" else "<="
    return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {integer(param)})"


def _pattern(c, param, shape, v, stack) -> str:
    c.guard(LEXICAL_FORM)
    flags = "".join(f for f in "im" if f in str(c.g.value(shape, SH.flags) or "").lower())
    regex = f"REGEX(STR({v}), {string(str(param))}" + (f", {string(flags)})" if flags else ")")
    return f"(!isBlank({v}) && {regex})"


def _language_in(c, param, shape, v, stack) -> str:
    tags = [str(t).lower() for t in c.members(param)]
    if "*" in tags:
        return f"(isLiteral({v}) && LANG({v}) != \"\")"
    listed = ", ".join(string(t) for t in tags)
    return (f"(isLiteral({v}) && LANG({v}) != \"\" && (LCASE(LANG({v})) IN ({listed}) || "
            f"REPLACE(LCASE(LANG({v})), \"-.*$\", \"\") IN ({listed})))")


VALUES = {"minLength": partial(_length, "minLength"), "maxLength": partial(_length, "maxLength"),
          "pattern": _pattern, "languageIn": _language_in}


def _unique(shape, g) -> bool:
    return g.value(shape, SH.uniqueLang) == Literal(True)


def check(site) -> None:
    for name in ("pattern", "languageIn", "minLength", "maxLength"):
        site.each_value(name)
    needs_path(site.compiler.g, site.shape, ["uniqueLang"], site.path)
    if _unique(site.shape, site.compiler.g):
        site.add(f"SELECT DISTINCT ?this ?lang WHERE {{ {TARGETS} ?this {site.path} ?a . ?this {site.path} ?b . "
                 "FILTER (!sameTerm(?a, ?b) && LANG(?a) != \"\" && LCASE(LANG(?a)) = LCASE(LANG(?b))) "
                 "BIND (LCASE(LANG(?a)) AS ?lang) }", "uniqueLang", "focus")


def expressions(c, shape, f, path, stack) -> list[str]:
    parts = list(c.value_parts(shape, VALUES, f, path, stack))
    needs_path(c.g, shape, ["uniqueLang"], path)
    if _unique(shape, c.g):
        a, b = c.var(), c.var()
        parts.append(f"NOT EXISTS {{ {f} {path} {a} . {f} {path} {b} . FILTER (!sameTerm({a}, {b}) && "
                     f"LANG({a}) != \"\" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}")
    return parts
