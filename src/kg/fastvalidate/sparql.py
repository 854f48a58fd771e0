"""SHACL-SPARQL: SPARQL-based constraints (``sh:sparql``) and SPARQL-based constraint
components (``sh:ConstraintComponent`` with ``sh:parameter`` and validators).

A constraint whose query only reads ``$this`` where the query's top-level group binds or
sees it is run once, with the focus nodes joined into that group: fast on large graphs.
Any other query (``$this`` read in a nested group or a sub-query, ``$currentShape``,
``$shapesGraph``) and every validator of a constraint component run once per focus node
(an ASK validator once per value node) with the variables pre-bound by substitution, as
SHACL defines pre-binding. What SHACL forbids with pre-binding (MINUS, VALUES, SERVICE,
``AS $this``) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.fastvalidate.components.common import TARGETS
from kg.fastvalidate.errors import UnsupportedShapeError
from kg.namespaces import SH
from kg.sparql import Token, is_punct, is_word, tokens

#: The named graph that holds the shapes graph while a query bound to $shapesGraph runs.
SHAPES_GRAPH = URIRef("urn:x-kg:shapes-graph")

#: What SHACL forbids in a query with pre-bound variables (SHACL 5.3.1), besides ``AS $this``.
_FORBIDDEN = ("MINUS", "VALUES", "SERVICE")
_SHAPE_VARIABLES = ("shapesGraph", "currentShape")


#: The tokens of a query, read once: a pre-bound query is written anew for every focus node.
_tokens = lru_cache(maxsize=512)(tokens)


def _uses(code: list[Token], names) -> bool:
    return any(t.kind == "var" and t.text[1:] in names for t in code)


def prebind(text: str, values: dict) -> tuple[str, dict]:
    """``text`` with the variables of ``values`` (name → pyoxigraph term) pre-bound, as SHACL
    defines pre-binding: each occurrence replaced by the value (in a projection, as
    ``(value AS ?name)``; ``bound(?name)`` is true). A blank node cannot be written into a
    query: it is returned as a substitution for the store to make instead."""
    written = {n: str(t) for n, t in values.items() if not isinstance(t, ox.BlankNode)}
    code = _tokens(text)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the text
    projecting, depth, selects = False, 0, 0
    for i, t in enumerate(code):
        if is_word(t, "SELECT"):
            projecting, depth, selects = True, 0, selects + 1
        elif is_word(t, "WHERE") or is_punct(t, "{"):
            projecting = False
        elif is_punct(t, "("):
            depth += 1
        elif is_punct(t, ")"):
            depth -= 1
        elif t.kind == "var" and t.text[1:] in written:
            name, value = t.text[1:], written[t.text[1:]]
            if 2 <= i < len(code) - 1 and is_word(code[i - 2], "BOUND") and is_punct(code[i - 1], "(") \
                    and is_punct(code[i + 1], ")"):
                edits.append((code[i - 2].start, code[i + 1].end, "(true)"))
                continue
            if projecting and depth == 0:  # a sub-query's under a name of its own, not to clash with the query's
                value = f"({value} AS ?{name}{'' if selects == 1 else f'_prebound{selects}'})"
            edits.append((t.start, t.end, value))
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text, {ox.Variable(n): t for n, t in values.items() if isinstance(t, ox.BlankNode)}


def declared(g: Graph, node) -> list[tuple[str, str]]:
    """The prefixes ``node`` declares through ``sh:prefixes`` (and the ``owl:imports`` of the holders
    that the shapes graph itself holds: nothing is fetched)."""
    out, seen = set(), set()
    todo = list(g.objects(node, SH.prefixes))
    while todo:
        holder = todo.pop()
        if holder in seen:
            continue
        seen.add(holder)
        todo += list(g.objects(holder, OWL.imports))
        for decl in g.objects(holder, SH.declare):
            out.add((str(g.value(decl, SH.prefix)), str(g.value(decl, SH.namespace))))
    return sorted(out)


def _joinable(text: str, where: str) -> bool:
    """Whether the query means the same with the focus nodes joined into its top-level group.

    That holds wherever ``$this`` is bound by the group it is in, or seen from it (EXISTS,
    OPTIONAL); not for a FILTER or BIND reading ``$this`` inside a nested group or a UNION
    branch, nor for a sub-query or the shape variables. Refuses what SHACL forbids.
    """
    code = tokens(text)
    for i, t in enumerate(code):
        bound_this = is_word(t, "AS") and i + 1 < len(code) and code[i + 1].kind == "var" and code[i + 1].text[1:] == "this"
        if is_word(t, *_FORBIDDEN) or bound_this:
            raise UnsupportedShapeError(f"{where} uses {'AS $this' if bound_this else t.text.upper()}, which SHACL "
                                        "does not allow with a pre-bound $this", fix="rewrite the query without it")
    selects = [i for i, t in enumerate(code) if is_word(t, "SELECT")]
    for i in selects[1:]:
        projection = []
        for t in code[i + 1:]:
            if is_word(t, "WHERE") or is_punct(t, "{"):
                break
            projection.append(t)
        everything = any(is_punct(t, "*") for t in projection[:2])  # SELECT [DISTINCT] *
        if everything or not _uses(projection, ("this",)):
            raise UnsupportedShapeError(f"{where} has a sub-query that does not return $this, which SHACL "
                                        "does not allow with a pre-bound $this", fix="project $this in the sub-query")
    if _uses(code, _SHAPE_VARIABLES) or len(selects) != 1:
        return False
    groups: list[str] = []  # the kind of each open group: plain, seen (EXISTS, OPTIONAL)
    reading = False  # inside a FILTER or BIND expression
    for i, t in enumerate(code):
        if is_punct(t, "{"):
            groups.append("seen" if i and is_word(code[i - 1], "EXISTS", "OPTIONAL") else "plain")
            reading = False
        elif is_punct(t, "}"):
            if groups:
                groups.pop()
            reading = False
        elif is_word(t, "FILTER", "BIND"):
            reading = True
        elif reading and t.kind == "var" and t.text[1:] == "this" and len(groups) > 1 and "plain" in groups[1:]:
            return False
    return True


def _prebound(site, text: str, bindings: dict, name: str, messages: dict, ask: bool = False) -> None:
    """A check run once per focus node (per value node for an ASK) with ``bindings`` pre-bound."""
    extra = {}
    if _uses(tokens(text), _SHAPE_VARIABLES):
        bindings = {**bindings, "currentShape": site.shape, "shapesGraph": SHAPES_GRAPH}
        extra["shapes_graph"] = site.compiler.g
    select = f"SELECT DISTINCT ?this ?value WHERE {{ {TARGETS} {site.values} }}" if ask else \
        f"SELECT DISTINCT ?this WHERE {{ {TARGETS} }}"
    site.add(select, name, "sparql", messages, prebound=text, bindings=bindings, ask=ask, **extra)


def _with_path(site, text: str, where: str) -> str:
    if "$PATH" in text:
        if not site.is_property:
            raise UnsupportedShapeError(f"$PATH in {where} outside a property shape")
        text = text.replace("$PATH", site.path)
    return text


def _prologue(site, node) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in declared(site.compiler.g, node)
                   if (p, ns) not in site.compiler.prefixes)


def constraint_checks(site) -> None:
    """The checks of the shape's ``sh:sparql`` constraints."""
    c = site.compiler
    for constraint in site.params("sparql"):
        if c.deactivated(constraint):
            continue
        where = f"SPARQL constraint {constraint}"
        text = _with_path(site, str(c.g.value(constraint, SH.select)), where)
        messages = dict(site.messages)
        for lang, message in c.messages(constraint).items():
            messages.setdefault(lang, message)
        prologue = _prologue(site, constraint)
        if _joinable(text, where):
            brace = text.index("{")
            site.add(prologue + text[:brace + 1] + f" {TARGETS} " + text[brace + 1:], "sh:SPARQLConstraintComponent",
                     "sparql", messages)
        else:
            _prebound(site, prologue + text, {}, "sh:SPARQLConstraintComponent", messages)


# --- SPARQL-based constraint components -------------------------------------------------------

@dataclass(frozen=True)
class Component:
    iri: URIRef
    parameters: tuple[tuple[URIRef, str, bool], ...]  # (path, variable name, optional)


def custom_components(g: Graph) -> list[Component]:
    """The SPARQL-based constraint components the shapes graph declares (subclasses included)."""
    classes = set(g.transitive_subjects(RDFS.subClassOf, SH.ConstraintComponent))
    found = []
    for iri in sorted({c for cls in classes for c in g.subjects(RDF.type, cls)}, key=str):
        parameters = []
        for parameter in g.objects(iri, SH.parameter):
            path = g.value(parameter, SH.path)
            if not isinstance(path, URIRef):
                raise UnsupportedShapeError(f"a parameter of {iri} has no IRI for sh:path")
            name = re.split(r"[#/:]", str(path))[-1]
            parameters.append((path, name, g.value(parameter, SH.optional) == Literal(True)))
        found.append(Component(iri, tuple(sorted(parameters))))
    return found


def applies(g: Graph, shape, component: Component) -> bool:
    """Whether ``shape`` has a value for each required parameter of ``component``."""
    required = [p for p, _, optional in component.parameters if not optional]
    return bool(required) and all(g.value(shape, p) is not None for p in required)


def _validator(g: Graph, component: Component, is_property: bool):
    specific = SH.propertyValidator if is_property else SH.nodeValidator
    return g.value(component.iri, specific) or g.value(component.iri, SH.validator)


def component_checks(site, components: list[Component]) -> None:
    """The checks of the shape's SPARQL-based constraint components, one per combination of values
    of their parameters. A component without a validator for this kind of shape is ignored."""
    c, g = site.compiler, site.compiler.g
    for component in components:
        validator = _validator(g, component, site.is_property)
        if validator is None or not applies(g, site.shape, component):
            continue
        ask = g.value(validator, SH.ask)
        where = f"the validator of {component.iri}"
        text = ask if ask is not None else g.value(validator, SH.select)
        if text is None:
            raise UnsupportedShapeError(f"{where} has neither sh:ask nor sh:select", fix="validate with pySHACL")
        text = _with_path(site, str(text), where)
        _joinable(text, where)  # refuses what SHACL forbids
        messages = dict(site.messages)
        for lang, message in c.messages(validator).items():
            messages.setdefault(lang, message)
        names = [(name, list(g.objects(site.shape, path)) or [None]) for path, name, _ in component.parameters]
        for values in product(*(v for _, v in names)):
            bindings = {name: value for (name, _), value in zip(names, values) if value is not None}
            _prebound(site, _prologue(site, validator) + text, bindings, str(component.iri), messages,
                      ask=ask is not None)
