"""Validation for large graphs: the project's SHACL shapes compiled to SPARQL on pyoxigraph.

pySHACL (``kg.validate``) stays the reference validator. This module reads the shapes
graph generically, turns every constraint the shapes use into SPARQL SELECTs (one per
targeted shape, constraint and target) and runs them on an in-memory pyoxigraph store
holding the data, with the ontology's triples added for the run (pySHACL mixes the
ontology into the data graph in the same way) and removed afterwards. Each distinct
row is one result, with the same focus node, path, value, severity, constraint
component (compacted as ``sh:…``), source shape and message as pySHACL reports through
``kg.validate``. The national identifier checks of ``kg.identifiers`` run as there.

Supported: targets (``sh:targetClass``, ``targetNode``, ``targetSubjectsOf``,
``targetObjectsOf``, implicit class targets, SHACL-AF ``sh:SPARQLTarget``), property
paths, and the Core constraints
``class``, ``datatype``, ``nodeKind``, ``minCount``, ``maxCount``, ``min/maxInclusive``,
``min/maxExclusive``, ``min/maxLength``, ``pattern`` (+ ``flags``), ``languageIn``,
``uniqueLang``, ``in``, ``hasValue``, ``equals``, ``disjoint``, ``lessThan``,
``lessThanOrEquals``, ``qualifiedValueShape`` with ``qualifiedMin/MaxCount``, ``node``,
``not``, ``and``, ``or``, ``xone``, ``closed``, and SHACL-SPARQL ``sh:sparql``
constraints with ``sh:select`` (``$this`` pre-bound by joining the focus nodes into the
query's top-level group). Anything else in the ``sh:`` namespace raises
``UnsupportedShapeError`` before a query runs, so the validator never under-reports
silently.

A pyoxigraph store keeps literals by value: it stores ``"5"^^xsd:positiveInteger`` as
``"5"^^xsd:integer`` and ``"1.50"`` as ``"1.5"``. The literals of the retyped datatypes
(and of ``xsd:integer``) are kept aside as written while loading
(``FastGraph.originals``); ``sh:datatype``, ``sh:pattern``, ``sh:in``, the length and the
range constraints decide those values in Python on the written literal with rdflib's
rules, as pySHACL does. Data where the store would merge two such literals (``"5"``
typed both ways on one subject and property) is refused with ``UnsupportedDataError``.
Known remaining differences, none of them in the project's shapes: inside nested shapes
(``sh:or`` …) and in SPARQL constraints values are compared as the store holds them;
patterns run as SPARQL ``REGEX`` (Rust regex rather than Python ``re``). Dumps are never
written from the store: ``serialize`` writes the triples as loaded.

Typical use::

    fast = load_files([Path("corpus.nt")])
    report = validate(fast, project.shapes, project.ontology)
    data = serialize(fast, "ttl")
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg import identifiers, limits
from kg.oxterms import to_ox, to_ox_triple, to_rdflib
from kg.errors import KgError, LoadError, Location
from kg.load import SourceIndex, parse_problem
from kg.namespaces import LGDX, PREFIXES, SH
from kg.report import Report, Result, severity_of

XSD_NS = str(XSD)


class UnsupportedShapeError(KgError):
    """The shapes use a SHACL feature this validator does not implement (use pySHACL)."""


class UnsupportedDataError(KgError):
    """The data holds something the store cannot keep apart (use pySHACL)."""


# --- loading -------------------------------------------------------------------

@cache
def _retyped() -> dict[str, str]:
    """Datatypes the store does not keep: ``{written: stored}`` (found by trying each)."""
    derived = ["positiveInteger", "nonNegativeInteger", "negativeInteger", "nonPositiveInteger",
               "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
               "unsignedByte", "integer", "decimal", "float", "double", "boolean", "date", "dateTime",
               "dateTimeStamp", "time", "gYear", "gYearMonth", "duration", "string", "anyURI"]
    samples = {"negativeInteger": "-5", "nonPositiveInteger": "-5", "decimal": "1.5", "float": "1.5",
               "double": "1.5", "boolean": "true", "date": "2021-03-01", "dateTime": "2021-03-01T00:00:00",
               "dateTimeStamp": "2021-03-01T00:00:00Z", "time": "10:00:00", "gYear": "2021",
               "gYearMonth": "2021-03", "duration": "P1Y", "string": "x", "anyURI": "http://example.org/"}
    store = ox.Store()
    subject = ox.NamedNode("urn:x-kg:probe")
    for name in derived:
        store.add(ox.Quad(subject, ox.NamedNode(f"urn:x-kg:probe:{name}"),
                          ox.Literal(samples.get(name, "5"), datatype=ox.NamedNode(XSD_NS + name))))
    out = {}
    for quad in store:
        name = quad.predicate.value.rsplit(":", 1)[1]
        if quad.object.datatype.value != XSD_NS + name:
            out[XSD_NS + name] = quad.object.datatype.value
    return out


def _kept_types() -> frozenset[str]:
    """Datatypes whose literals are kept as written while loading: the retyped ones and
    what they are retyped to (so that both sides of a merge are known)."""
    retyped = _retyped()
    return frozenset(retyped) | frozenset(retyped.values())


@dataclass
class FastGraph:
    """Data loaded into a pyoxigraph store, with what the store cannot keep."""

    store: ox.Store
    #: (subject, predicate) → literals as written, for the datatypes the store retypes.
    originals: dict[tuple, list[ox.Literal]] = field(default_factory=dict)
    #: Where the triples came from, for ``serialize``: file paths and triple lists.
    sources: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.store)

    def add(self, triples: Iterable[ox.Triple]) -> int:
        """Add triples (e.g. the build's derived ones); return how many were new."""
        before = len(self.store)
        kept = _kept_types()
        batch = list(triples)
        for t in batch:
            self.store.add(ox.Quad(t.subject, t.predicate, t.object))
            o = t.object
            if isinstance(o, ox.Literal) and o.datatype.value in kept:
                self.originals.setdefault((t.subject, t.predicate), []).append(o)
        self.sources.append(batch)
        self._check_merges()
        return len(self.store) - before

    def triples(self) -> Iterator[ox.Triple]:
        """The triples as loaded (literals as written), in load order."""
        for source in self.sources:
            if isinstance(source, tuple):
                path, fmt = source
                yield from ox.parse(path=path, format=fmt)
            else:
                yield from source

    def _check_merges(self) -> None:
        for (s, p), literals in self.originals.items():
            if len(literals) > 1:
                distinct = {(lit.value, lit.datatype.value) for lit in literals}  # a triple may repeat
                numbers = [n for n in (_number(ox.Literal(v, datatype=ox.NamedNode(d))) for v, d in distinct)
                           if n is not None]
                if len(numbers) != len(set(numbers)):
                    raise UnsupportedDataError(
                        f"{s} {p} has literals of equal value written differently "
                        f"({', '.join(str(lit) for lit in literals)}); the store keeps one of them",
                        fix="validate this data with pySHACL (kg validate without --engine fast)")


def _number(literal: ox.Literal):
    try:
        return int(literal.value.strip())
    except ValueError:
        return None


RDF_FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE,
               ".trig": ox.RdfFormat.TRIG, ".n3": ox.RdfFormat.N3, ".rdf": ox.RdfFormat.RDF_XML,
               ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML,
               ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD}


def load_files(paths: Iterable[Path]) -> FastGraph:
    """RDF files loaded into a new store (the format is told by the file extension)."""
    fast = FastGraph(ox.Store())
    for path in paths:
        path = Path(path)
        fmt = RDF_FORMATS.get(path.suffix)
        if fmt is None:
            raise LoadError("cannot tell the RDF format of this file", Location(str(path)),
                            f"use one of: {', '.join(RDF_FORMATS)}")
        limits.check_rdf(path)
        try:
            fast.store.bulk_load(path=str(path), format=fmt)
            kept = _kept_literals(path, fmt)
        except (SyntaxError, OSError) as exc:
            problem, line = parse_problem(exc)
            raise LoadError(f"cannot parse as {fmt.name}: {problem}", Location(str(path), line),
                            "check the file's syntax, e.g. with `rapper -c`") from None
        if any(isinstance(t.subject, ox.BlankNode) for t in kept):
            # the store renames blank nodes while bulk loading: load this file term by term
            fast.store.clear()
            return _load_terms([Path(p) for p in paths])
        for t in kept:
            fast.originals.setdefault((t.subject, t.predicate), []).append(t.object)
        fast.sources.append((str(path), fmt))
    fast._check_merges()
    return fast


def _kept_literals(path: Path, fmt: ox.RdfFormat) -> list[ox.Triple]:
    """The triples of ``path`` whose literal the store would retype."""
    kept = _kept_types()
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        # one statement per line: find the lines naming such a datatype, parse only them
        data = path.read_bytes()
        names = sorted({t[len(XSD_NS):] for t in kept}, key=len, reverse=True)
        finder = re.compile(rb"XMLSchema#(?:" + b"|".join(n.encode() for n in names) + rb")>")
        lines, last = [], -1
        for m in finder.finditer(data):
            start = data.rfind(b"\n", 0, m.start()) + 1
            if start == last:
                continue
            end = data.find(b"\n", m.end())
            lines.append(data[start:end if end >= 0 else len(data)])
            last = start
        found = ox.parse(b"\n".join(lines) + b"\n", format=fmt) if lines else []
    else:
        found = ox.parse(path=str(path), format=fmt)
    return [ox.Triple(t.subject, t.predicate, t.object) for t in found
            if isinstance(t.object, ox.Literal) and t.object.datatype.value in kept]


def _load_terms(paths: list[Path]) -> FastGraph:
    fast = FastGraph(ox.Store())
    for path in paths:
        fmt = RDF_FORMATS[path.suffix]
        fast.add(ox.parse(path=str(path), format=fmt))
    return fast


def from_graph(graph: Graph) -> FastGraph:
    """An rdflib graph copied into a new store."""
    fast = FastGraph(ox.Store())
    fast.add(to_ox_triple(t) for t in graph)
    return fast


# --- compiling the shapes -----------------------------------------------------

#: sh: predicates that hold no constraint, or that the compiler reads with another one.
_PASSIVE = {SH[n] for n in (
    "name", "description", "message", "severity", "order", "group", "defaultValue", "deactivated",
    "declare", "prefix", "namespace", "prefixes", "select", "property", "path", "flags",
    "inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath",
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target", "sparql",
    "qualifiedValueShapesDisjoint", "qualifiedMinCount", "qualifiedMaxCount", "ignoredProperties",
    "suggestedShapesGraph", "shapesGraph",
    # a validation report kept beside the shapes (as the W3C test suite keeps the expected one)
    "conforms", "result", "focusNode", "value", "resultPath", "sourceShape", "sourceConstraintComponent",
    "sourceConstraint", "resultSeverity", "resultMessage", "detail")}
#: sh: predicates that hold a constraint this module compiles.
_CONSTRAINTS = {SH[n] for n in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive",
    "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang",
    "in", "hasValue", "equals", "disjoint", "lessThan", "lessThanOrEquals", "qualifiedValueShape",
    "node", "not", "and", "or", "xone", "closed")}
#: Classes of the sh: namespace a shapes graph may type its nodes with.
_CLASSES = {SH[n] for n in ("NodeShape", "PropertyShape", "Shape", "SPARQLConstraint", "SPARQLTarget",
                            "PrefixDeclaration", "ValidationReport", "ValidationResult")}
_COMPONENT = {name: f"sh:{name[0].upper()}{name[1:]}ConstraintComponent" for name in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive",
    "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang",
    "in", "hasValue", "equals", "disjoint", "lessThan", "lessThanOrEquals", "node", "not", "and",
    "or", "xone", "closed")}
_RANGE = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_SUBCLASS = f"<{RDF.type}>/<{RDFS.subClassOf}>*"


#: Where a check's query takes the focus-node pattern (one query per target).
_TARGETS = "%%TARGETS%%"


@dataclass
class Check:
    """One compiled constraint: SELECTs (one per target) whose distinct rows are results."""

    queries: list[str]
    component: str
    shape: Node  # the shape holding the constraint (sh:sourceShape)
    severity: str
    messages: dict[str, str]
    path: Node | None  # sh:resultPath unless the row binds ?path
    kind: str = "value"  # how rows become results: value, focus, qualified, datatype, lexical, node, sparql
    datatype: URIRef | None = None
    min_count: int | None = None
    max_count: int | None = None
    node_shape: bool = False  # a node shape's own constraint: the value is the focus node
    compiler: object = None  # kind "node": compiles the nested shape for the details
    constraint: str = ""  # kind "lexical": the constraint's name, value and flags
    parameter: object = None
    flags: Node | None = None
    simple_path: URIRef | None = None  # the predicate when the path is one IRI


class Compiler:
    """The shapes graph → ``Check``s. Raises ``UnsupportedShapeError`` on unknown features."""

    def __init__(self, shapes: Graph):
        self.g = shapes
        self._fresh = 0
        self._prefixes: set[tuple[str, str]] = set()
        self._check_vocabulary()

    # -- entry point --

    def compile(self) -> list[Check]:
        checks: list[Check] = []
        for shape in self._targeted_shapes():
            first = len(checks)
            checks += self.shape_and_properties(shape, self._targets(shape))
            if self._prefixes:  # what SPARQL-based targets declare
                prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self._prefixes))
                for check in checks[first:]:
                    check.queries = [prologue + q for q in check.queries]
                self._prefixes = set()
        return checks

    def _check_vocabulary(self) -> None:
        for s, p, o in self.g:
            if str(p).startswith(str(SH)) and p not in _PASSIVE and p not in _CONSTRAINTS:
                raise UnsupportedShapeError(
                    f"the shapes use {p.n3(self.g.namespace_manager)} (on {s.n3(self.g.namespace_manager)}),"
                    " which the fast validator does not implement",
                    fix="validate with pySHACL, or add this feature to kg.fastvalidate")
            if p == RDF.type and str(o).startswith(str(SH)) and o not in _CLASSES:
                raise UnsupportedShapeError(
                    f"the shapes declare a {o.n3(self.g.namespace_manager)}, which the fast validator "
                    "does not implement", fix="validate with pySHACL")
            if p == SH.qualifiedValueShapesDisjoint and o == Literal(True):
                raise UnsupportedShapeError("sh:qualifiedValueShapesDisjoint true is not implemented",
                                            fix="validate with pySHACL")
        for constraint in self.g.objects(None, SH.sparql):
            if (constraint, SH.select, None) not in self.g:
                raise UnsupportedShapeError(f"SPARQL constraint {constraint} has no sh:select",
                                            fix="validate with pySHACL")
        for target in self.g.objects(None, SH.target):
            if (target, RDF.type, SH.SPARQLTarget) not in self.g or (target, SH.select, None) not in self.g:
                raise UnsupportedShapeError(f"sh:target {target} is not a sh:SPARQLTarget with sh:select",
                                            fix="validate with pySHACL")

    def _targeted_shapes(self) -> list[Node]:
        found = set()
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            found |= set(self.g.subjects(p, None))
        for kind in (SH.NodeShape, SH.PropertyShape):
            for shape in self.g.subjects(RDF.type, kind):
                if (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, OWL.Class) in self.g:
                    found.add(shape)
        return sorted(found, key=str)

    def _deactivated(self, shape: Node) -> bool:
        return self.g.value(shape, SH.deactivated) == Literal(True)

    def _targets(self, shape: Node) -> list[str]:
        """Group patterns binding ?this to the focus nodes of ``shape``, one per target.

        Each is written inline (not as a sub-query) where it can be, so that the query
        planner starts from the focus nodes; rows are made distinct afterwards.
        """
        parts = []
        classes = list(self.g.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, OWL.Class) in self.g:
            classes.append(shape)
        for c in classes:
            parts.append(f"?this {_SUBCLASS} {_term(c)} .")
        nodes = list(self.g.objects(shape, SH.targetNode))
        if nodes:
            parts.append(f"VALUES ?this {{ {' '.join(_term(n) for n in nodes)} }}")
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ SELECT DISTINCT ?this WHERE {{ ?this {_term(p)} ?fv_any }} }}")
        for p in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ SELECT DISTINCT ?this WHERE {{ ?fv_any {_term(p)} ?this }} }}")
        for target in self.g.objects(shape, SH.target):  # SHACL-AF SPARQL-based targets
            select = str(self.g.value(target, SH.select)).strip()
            self._prefixes |= set(self._declared(target))
            parts.append(f"{{ {select} }}")
        return parts

    def shape_and_properties(self, shape: Node, targets: list[str]) -> list[Check]:
        """The checks of ``shape`` and of its property shapes, on the focus nodes of ``targets``."""
        if self._deactivated(shape):
            return []
        checks = self._shape_checks(shape, targets)
        for prop in self.g.objects(shape, SH.property):
            if self._deactivated(prop):
                continue
            if (prop, SH.property, None) in self.g:
                # its values are focus nodes once for each node that reaches them, which SHACL
                # reports as often (the suite's core/property/property-001): not done here
                raise UnsupportedShapeError(f"property shape {prop} has property shapes of its own",
                                            fix="validate with pySHACL, or give the values a sh:node shape")
            checks += self._shape_checks(prop, targets)
        return checks

    # -- one shape's own constraints, at the top level --

    def _shape_checks(self, shape: Node, targets_list: list[str]) -> list[Check]:
        g = self.g
        path_node = g.value(shape, SH.path)
        is_property = path_node is not None
        path = self.path(path_node) if is_property else None
        severity = severity_of(g.value(shape, SH.severity))
        messages = self._messages(shape)
        checks: list[Check] = []

        def add(query, name, kind="value", **extra):
            checks.append(Check([query.replace(_TARGETS, t) for t in targets_list], _COMPONENT.get(name, name),
                                shape, severity, messages, path_node, kind, node_shape=not is_property,
                                simple_path=path_node if isinstance(path_node, URIRef) else None, **extra))

        targets = _TARGETS

        values = f"?this {path} ?value ." if is_property else "BIND (?this AS ?value)"

        def value_check(name, expression, param=None):
            if name in _LEXICAL and is_property:
                # a literal the store retyped is decided in Python, on the literal as written
                add(f"SELECT DISTINCT ?this ?value WHERE {{ {targets} {values} FILTER (!({expression}) || "
                    f"(isLiteral(?value) && DATATYPE(?value) IN ({_kept_list()}))) }}", name, "lexical",
                    constraint=name, flags=g.value(shape, SH.flags),
                    parameter=list(Collection(g, param)) if name == "in" else param)
            elif name == "node":  # pySHACL also reports why the value does not conform (sh:detail)
                add(f"SELECT ?this ?value WHERE {{ {targets} {values} FILTER (!({expression})) }}", name, "node",
                    parameter=param, compiler=self)
            else:
                add(f"SELECT DISTINCT ?this ?value WHERE {{ {targets} {values} FILTER (!({expression})) }}", name)

        for name in ("class", "nodeKind", "pattern", "languageIn", "in", "minLength", "maxLength",
                     *_RANGE, "node", "not", "and", "or", "xone"):
            for param in g.objects(shape, SH[name]):
                value_check(name, self._value_expr(name, param, shape, "?value"), param)
        for param in g.objects(shape, SH.datatype):
            add(f"SELECT DISTINCT ?this ?value WHERE {{ {targets} {values} "
                f"FILTER (!({_datatype_prefilter(param)})) }}", "datatype", "datatype", datatype=param)
        if not is_property:
            for param in g.objects(shape, SH.hasValue):  # a node shape's hasValue result names no value
                add(f"SELECT DISTINCT ?this WHERE {{ {targets} FILTER (!sameTerm(?this, {_term(param)})) }}",
                    "hasValue", "focus")
            if g.value(shape, SH.closed) == Literal(True):
                checks += self._closed(shape, targets_list, severity, messages)
            for name in ("minCount", "maxCount", "uniqueLang", "equals", "disjoint", "lessThan",
                         "lessThanOrEquals", "qualifiedValueShape"):
                if g.value(shape, SH[name]) is not None:
                    raise UnsupportedShapeError(f"sh:{name} on node shape {shape} needs a sh:path",
                                                fix="move it into a property shape")
        else:
            for param in g.objects(shape, SH.minCount):
                n = _int(param)
                if n == 1:
                    add(f"SELECT DISTINCT ?this WHERE {{ {targets} FILTER NOT EXISTS {{ ?this {path} ?value }} }}",
                        "minCount", "focus")
                elif n > 1:
                    add(f"SELECT ?this WHERE {{ {targets} OPTIONAL {{ ?this {path} ?value }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})", "minCount", "focus")
            for param in g.objects(shape, SH.maxCount):
                if _int(param) == 1:  # two different values: cheaper than counting every focus node's
                    add(f"SELECT DISTINCT ?this WHERE {{ {targets} ?this {path} ?value . ?this {path} ?fv_other . "
                        "FILTER (!sameTerm(?value, ?fv_other)) }", "maxCount", "focus")
                else:
                    add(f"SELECT ?this WHERE {{ {targets} ?this {path} ?value }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {_int(param)})", "maxCount", "focus")
            for param in g.objects(shape, SH.hasValue):
                add(f"SELECT DISTINCT ?this WHERE {{ {targets} FILTER NOT EXISTS {{ ?this {path} ?value . "
                    f"FILTER (sameTerm(?value, {_term(param)})) }} }}", "hasValue", "focus")
            if g.value(shape, SH.uniqueLang) == Literal(True):
                add(f"SELECT DISTINCT ?this ?lang WHERE {{ {targets} ?this {path} ?a . ?this {path} ?b . "
                    "FILTER (!sameTerm(?a, ?b) && LANG(?a) != \"\" && LCASE(LANG(?a)) = LCASE(LANG(?b))) "
                    "BIND (LCASE(LANG(?a)) AS ?lang) }", "uniqueLang", "focus")
            for param in g.objects(shape, SH.equals):
                add(f"SELECT DISTINCT ?this ?value WHERE {{ {targets} {{ ?this {path} ?value . "
                    f"FILTER NOT EXISTS {{ ?this {_term(param)} ?value }} }} UNION {{ ?this {_term(param)} ?value . "
                    f"FILTER NOT EXISTS {{ ?this {path} ?value }} }} }}", "equals")
            for param in g.objects(shape, SH.disjoint):
                add(f"SELECT DISTINCT ?this ?value WHERE {{ {targets} ?this {path} ?value . "
                    f"?this {_term(param)} ?value }}", "disjoint")
            for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
                for param in g.objects(shape, SH[name]):
                    add(f"SELECT DISTINCT ?this ?value ?fv_other WHERE {{ {targets} ?this {path} ?value . "
                        f"?this {_term(param)} ?fv_other . FILTER (!({_compare('?value', op, '?fv_other')})) }}",
                        name)
            qualified = g.value(shape, SH.qualifiedValueShape)
            if qualified is not None:
                low, high = g.value(shape, SH.qualifiedMinCount), g.value(shape, SH.qualifiedMaxCount)
                low, high = (_int(low) if low is not None else None), (_int(high) if high is not None else None)
                having = " || ".join(c for c in (
                    f"COUNT(DISTINCT ?value) < {low}" if low is not None else "",
                    f"COUNT(DISTINCT ?value) > {high}" if high is not None else "") if c)
                if having:
                    add(f"SELECT ?this (COUNT(DISTINCT ?value) AS ?count) WHERE {{ {targets} OPTIONAL {{ "
                        f"?this {path} ?value . FILTER ({self.conforms(qualified, '?value')}) }} }} "
                        f"GROUP BY ?this HAVING ({having})", "sh:QualifiedValueShapeConstraintComponent", "qualified",
                        min_count=low, max_count=high)
        for constraint in g.objects(shape, SH.sparql):
            if not self._deactivated(constraint):
                checks.append(self._sparql(shape, constraint, targets_list, path_node, severity))
        return checks

    def _closed(self, shape, targets_list, severity, messages) -> list[Check]:
        allowed = {p for prop in self.g.objects(shape, SH.property)
                   for p in [self.g.value(prop, SH.path)] if isinstance(p, URIRef)}
        ignored = self.g.value(shape, SH.ignoredProperties)
        if ignored is not None:
            allowed |= set(Collection(self.g, ignored))
        allowed_list = ", ".join(_term(p) for p in sorted(allowed)) or "<urn:x-kg:none>"
        queries = [f"SELECT DISTINCT ?this ?path ?value WHERE {{ {t} ?this ?path ?value . "
                   f"FILTER (?path NOT IN ({allowed_list})) }}" for t in targets_list]
        return [Check(queries, "sh:ClosedConstraintComponent", shape, severity, messages, None, "value",
                      node_shape=True)]

    def _sparql(self, shape, constraint, targets_list, path_node, severity) -> Check:
        g = self.g
        text = str(g.value(constraint, SH.select))
        if len(re.findall(r"\bSELECT\b", text, re.IGNORECASE)) != 1:
            raise UnsupportedShapeError(f"SPARQL constraint {constraint} has a sub-query",
                                        fix="validate with pySHACL")
        _check_prebinding(text, constraint)
        if "$PATH" in text:
            if path_node is None:
                raise UnsupportedShapeError(f"$PATH in {constraint} outside a property shape")
            text = text.replace("$PATH", self.path(path_node))
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in self._declared(constraint)
                           if (p, ns) not in self._prefixes)
        brace = text.index("{")
        queries = [prefixes + text[:brace + 1] + f" {t} " + text[brace + 1:] for t in targets_list]
        messages = self._messages(shape)
        for lang, message in self._messages(constraint).items():
            messages.setdefault(lang, message)
        return Check(queries, "sh:SPARQLConstraintComponent", shape, severity, messages,
                     path_node, "sparql", node_shape=path_node is None)

    def _declared(self, constraint) -> list[tuple[str, str]]:
        out = []
        for holder in self.g.objects(constraint, SH.prefixes):
            for decl in self.g.objects(holder, SH.declare):
                out.append((str(self.g.value(decl, SH.prefix)), str(self.g.value(decl, SH.namespace))))
        return sorted(set(out))

    def _messages(self, node) -> dict[str, str]:
        out: dict[str, str] = {}
        for message in sorted(self.g.objects(node, SH.message), key=str):
            lang = message.language if isinstance(message, Literal) and message.language else "en"
            out.setdefault(lang, str(message))
        return out

    # -- paths and nested shapes --

    def path(self, node) -> str:
        g = self.g
        if isinstance(node, URIRef):
            return _term(node)
        kinds = [p for p in (RDF.first, SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath,
                             SH.alternativePath) if (node, p, None) in g]
        if len(kinds) > 1:
            raise UnsupportedShapeError(f"property path {node} is ill-formed: it is at once "
                                        + " and ".join(k.n3(g.namespace_manager) for k in kinds),
                                        fix="give the path node one kind of path")
        if (node, RDF.first, None) in g:
            return "(" + "/".join(self.path(n) for n in Collection(g, node)) + ")"
        for predicate, template in ((SH.inversePath, "(^{})"), (SH.zeroOrMorePath, "({})*"),
                                    (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
            inner = g.value(node, predicate)
            if inner is not None:
                return template.format(self.path(inner))
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(n) for n in Collection(g, alternatives)) + ")"
        raise UnsupportedShapeError(f"unknown property path {node}")

    def _var(self) -> str:
        self._fresh += 1
        return f"?fv{self._fresh}"

    def conforms(self, shape, v: str, stack: tuple = ()) -> str:
        """A SPARQL expression: whether the node in ``v`` conforms to ``shape``."""
        if shape in stack:
            raise UnsupportedShapeError(f"recursive shape {shape}", fix="validate with pySHACL")
        if self._deactivated(shape):
            return "true"
        g, stack = self.g, stack + (shape,)
        if g.value(shape, SH.sparql) is not None:
            raise UnsupportedShapeError(f"SPARQL constraint inside nested shape {shape}",
                                        fix="validate with pySHACL")
        path_node = g.value(shape, SH.path)
        parts = []
        if path_node is None:
            for name in ("class", "nodeKind", "pattern", "languageIn", "in", "minLength", "maxLength",
                         *_RANGE, "node", "not", "and", "or", "xone", "datatype"):
                for param in g.objects(shape, SH[name]):
                    parts.append(self._value_expr(name, param, shape, v, stack))
            for param in g.objects(shape, SH.hasValue):
                parts.append(f"sameTerm({v}, {_term(param)})")
            if g.value(shape, SH.closed) == Literal(True):
                raise UnsupportedShapeError(f"sh:closed inside nested shape {shape}")
        else:
            parts.append(self._property_conforms(shape, self.path(path_node), v, stack))
        for prop in g.objects(shape, SH.property):
            parts.append(self.conforms(prop, v, stack))
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def _property_conforms(self, shape, path: str, f: str, stack) -> str:
        g, parts = self.g, []
        for param in g.objects(shape, SH.minCount):
            if _int(param) > 0:
                parts.append(self._at_least(_int(param), f, path, "true"))
        for param in g.objects(shape, SH.maxCount):
            parts.append("!" + self._at_least(_int(param) + 1, f, path, "true"))
        for name in ("class", "nodeKind", "pattern", "languageIn", "in", "minLength", "maxLength",
                     *_RANGE, "node", "not", "and", "or", "xone", "datatype"):
            for param in g.objects(shape, SH[name]):
                x = self._var()
                parts.append(f"NOT EXISTS {{ {f} {path} {x} . "
                             f"FILTER (!({self._value_expr(name, param, shape, x, stack)})) }}")
        for param in g.objects(shape, SH.hasValue):
            x = self._var()
            parts.append(f"EXISTS {{ {f} {path} {x} . FILTER (sameTerm({x}, {_term(param)})) }}")
        if g.value(shape, SH.uniqueLang) == Literal(True):
            a, b = self._var(), self._var()
            parts.append(f"NOT EXISTS {{ {f} {path} {a} . {f} {path} {b} . FILTER (!sameTerm({a}, {b}) && "
                         f"LANG({a}) != \"\" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}")
        for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for param in g.objects(shape, SH[name]):
                a, b = self._var(), self._var()
                parts.append(f"NOT EXISTS {{ {f} {path} {a} . {f} {_term(param)} {b} . "
                             f"FILTER (!({_compare(a, op, b)})) }}")
        for param in g.objects(shape, SH.equals):
            a = self._var()
            parts.append(f"NOT EXISTS {{ {{ {f} {path} {a} . FILTER NOT EXISTS {{ {f} {_term(param)} {a} }} }} "
                         f"UNION {{ {f} {_term(param)} {a} . FILTER NOT EXISTS {{ {f} {path} {a} }} }} }}")
        for param in g.objects(shape, SH.disjoint):
            a = self._var()
            parts.append(f"NOT EXISTS {{ {f} {path} {a} . {f} {_term(param)} {a} }}")
        qualified = g.value(shape, SH.qualifiedValueShape)
        if qualified is not None:
            low, high = g.value(shape, SH.qualifiedMinCount), g.value(shape, SH.qualifiedMaxCount)
            probe = self._var()
            cond = self.conforms(qualified, probe, stack)
            if low is not None and _int(low) > 0:
                parts.append(self._at_least(_int(low), f, path, cond, probe))
            if high is not None:
                parts.append("!" + self._at_least(_int(high) + 1, f, path, cond, probe))
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def _at_least(self, n: int, f: str, path: str, condition: str, probe: str | None = None) -> str:
        """EXISTS n distinct values of ``path`` at ``f`` meeting ``condition`` (about ``probe``)."""
        if n > 4:
            raise UnsupportedShapeError(f"a count of {n} inside a nested shape",
                                        fix="validate with pySHACL")
        xs = [self._var() for _ in range(n)]
        triples = " ".join(f"{f} {path} {x} ." for x in xs)
        filters = [f"!sameTerm({a}, {b})" for i, a in enumerate(xs) for b in xs[i + 1:]]
        if condition != "true":
            filters += [condition.replace(probe, x) for x in xs]
        where = f" FILTER ({' && '.join(filters)})" if filters else ""
        return f"EXISTS {{ {triples}{where} }}"

    def _value_expr(self, name: str, param, shape, v: str, stack: tuple = ()) -> str:
        """A SPARQL expression: whether the value node in ``v`` meets constraint ``name``."""
        g = self.g
        if name == "class":
            return f"EXISTS {{ {v} {_SUBCLASS} {_term(param)} }}"
        if name == "datatype":
            return _datatype_expr(v, param)
        if name == "nodeKind":
            if param not in _NODE_KINDS:
                raise UnsupportedShapeError(f"unknown sh:nodeKind {param}")
            return _NODE_KINDS[param].format(v=v)
        if name == "pattern":
            flags = "".join(f for f in "im" if f in str(g.value(shape, SH.flags) or "").lower())
            regex = f"REGEX(STR({v}), {_string(str(param))}" + (f", {_string(flags)})" if flags else ")")
            return f"(!isBlank({v}) && {regex})"
        if name == "languageIn":
            tags = [str(t).lower() for t in Collection(g, param)]
            if "*" in tags:
                return f"(isLiteral({v}) && LANG({v}) != \"\")"
            listed = ", ".join(_string(t) for t in tags)
            return (f"(isLiteral({v}) && LANG({v}) != \"\" && (LCASE(LANG({v})) IN ({listed}) || "
                    f"REPLACE(LCASE(LANG({v})), \"-.*$\", \"\") IN ({listed})))")
        if name == "in":
            members = list(Collection(g, param))
            return "(" + " || ".join(f"sameTerm({v}, {_term(m)})" for m in members) + ")" if members else "false"
        if name in ("minLength", "maxLength"):
            if name == "minLength" and _int(param) == 0:
                return "true"
            op = ">=" if name == "minLength" else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {_int(param)})"
        if name in _RANGE:
            return f"COALESCE({v} {_RANGE[name]} {_term(param)}, false)"
        if name == "node":
            return self.conforms(param, v, stack)
        if name == "not":
            return "!" + self.conforms(param, v, stack)
        members = list(Collection(g, param))
        exprs = [self.conforms(m, v, stack) for m in members]
        if name == "and":
            return "(" + " && ".join(exprs) + ")" if exprs else "true"
        if name == "or":
            return "(" + " || ".join(exprs) + ")" if exprs else "false"
        if name == "xone":
            return "((" + " + ".join(f"IF({e}, 1, 0)" for e in exprs) + ") = 1)" if exprs else "false"
        raise UnsupportedShapeError(f"sh:{name} is not implemented")


#: What SHACL forbids in a SPARQL-based constraint, since $this is pre-bound (SHACL 5.3.1).
_FORBIDDEN = re.compile(r"\b(MINUS|VALUES|SERVICE)\b|\bAS\s+[?$]this\b", re.IGNORECASE)
_UNBOUND = re.compile(r"[?$](shapesGraph|currentShape)\b")
_GROUP_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\s]*>|#[^\n]*|'
                           r"\b(?:NOT\s+)?EXISTS\s*\{|\bOPTIONAL\s*\{|\bFILTER\b|\bBIND\b|[{}]|[?$]this\b",
                           re.IGNORECASE)


def _check_prebinding(text: str, constraint) -> None:
    """Refuse a SPARQL constraint whose meaning needs what this engine does not do.

    The engine joins the focus nodes into the query's top-level group instead of substituting
    them (pre-binding). That is the same wherever ``$this`` is bound by the group it is in, or
    seen from it (EXISTS, OPTIONAL); a FILTER or BIND that reads ``$this`` inside a nested group
    or a UNION branch would see it unbound, so such a query is refused, as are the keywords
    SHACL forbids with pre-binding and the variables this engine does not bind.
    """
    where = f"SPARQL constraint {constraint}"
    if (m := _FORBIDDEN.search(text)) is not None:
        raise UnsupportedShapeError(f"{where} uses {m.group(0)}, which SHACL does not allow with a pre-bound $this",
                                    fix="rewrite the query without it")
    if (m := _UNBOUND.search(text)) is not None:
        raise UnsupportedShapeError(f"{where} uses ${m.group(1)}, which the fast engine does not bind",
                                    fix="validate with pySHACL")
    groups: list[str] = []  # the kind of each open group: plain, seen (EXISTS, OPTIONAL)
    reading = False  # inside a FILTER or BIND expression
    for m in _GROUP_TOKENS.finditer(text):
        token = m.group(0).upper()
        if token[0] in "\"'<#":
            continue
        if token.endswith("{"):
            groups.append("seen" if token != "{" else "plain")
            reading = False
        elif token == "}":
            if groups:
                groups.pop()
            reading = False
        elif token in ("FILTER", "BIND"):
            reading = True
        elif reading and len(groups) > 1 and "plain" in groups[1:]:
            raise UnsupportedShapeError(f"{where} reads $this in a FILTER or BIND inside a nested group, where "
                                        "the fast engine would see it unbound", fix="validate with pySHACL")


def _term(node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShapeError(f"a blank node ({node}) where the shapes need an IRI or a literal")


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _int(node) -> int:
    if not isinstance(node, Literal) or not isinstance(node.toPython(), int):
        raise UnsupportedShapeError(f"{node} is not an integer")
    return int(node.toPython())


def _compare(a: str, op: str, b: str) -> str:
    """``a op b`` as pySHACL compares: IRIs and strings by their text, else by value."""
    text = f"(isIRI({a}) || isIRI({b}) || LANG({a}) != \"\" || LANG({b}) != \"\")"
    return f"COALESCE(IF({text}, STR({a}) {op} STR({b}), {a} {op} {b}), false)"


#: Datatypes rdflib reads into Python values (and may find ill-typed).
_CONVERTED = {XSD_NS + n for n in (
    "time", "date", "dateTime", "duration", "dayTimeDuration", "yearMonthDuration", "hexBinary",
    "boolean", "decimal", "integer", "nonPositiveInteger", "long", "nonNegativeInteger",
    "negativeInteger", "int", "unsignedLong", "positiveInteger", "short", "unsignedInt", "byte",
    "unsignedShort", "unsignedByte", "float", "double", "base64Binary")}
#: Of those, the ones the store checks too (so a cast tells a valid literal).
_STORE_CHECKED = {XSD_NS + n for n in ("time", "date", "dateTime", "duration", "dayTimeDuration",
                                        "yearMonthDuration", "boolean", "decimal", "integer",
                                        "float", "double")}


def _datatype_expr(v: str, datatype) -> str:
    """Whether ``v`` has ``datatype`` (nested shapes, decided in SPARQL alone)."""
    dt = str(datatype)
    if dt in _kept_types():
        raise UnsupportedShapeError(
            f"sh:datatype {datatype.n3()} inside a nested shape: the store does not keep this datatype",
            fix="put the datatype constraint in a property shape")
    if dt == str(RDF.langString):
        return f"(isLiteral({v}) && LANG({v}) != \"\")"
    if dt in _STORE_CHECKED:
        return f"(isLiteral({v}) && DATATYPE({v}) = <{dt}> && COALESCE(sameTerm(<{dt}>(STR({v})), {v}), false))"
    if dt in _CONVERTED:
        raise UnsupportedShapeError(f"sh:datatype {datatype.n3()} inside a nested shape is not implemented")
    return f"(isLiteral({v}) && DATATYPE({v}) = <{dt}>)"


def _datatype_prefilter(datatype) -> str:
    """Rows that certainly pass ``sh:datatype`` (the rest are decided in Python)."""
    dt = str(datatype)
    if dt == str(RDF.langString):
        return "isLiteral(?value) && LANG(?value) != \"\""
    if dt in _kept_types():
        return "false"
    if dt in _STORE_CHECKED:
        return (f"isLiteral(?value) && DATATYPE(?value) = <{dt}> && "
                f"COALESCE(sameTerm(<{dt}>(STR(?value)), ?value), false)")
    if dt in _CONVERTED:
        return "false"
    return f"isLiteral(?value) && DATATYPE(?value) = <{dt}>"


#: Constraints whose verdict depends on a literal's written form or datatype.
_LEXICAL = {"pattern", "minLength", "maxLength", "in", *_RANGE}


def _kept_list() -> str:
    return ", ".join(f"<{t}>" for t in sorted(_kept_types()))


def lexical_conforms(name: str, value: Node, param: Node, flags: Node | None = None) -> bool:
    """pySHACL's test of constraint ``name`` on an rdflib term (for literals the store retyped)."""
    if name == "in":
        return value in set(param)
    if isinstance(value, BNode):
        return name == "minLength" and int(param) == 0
    if isinstance(value, Literal) and value.value is not None and value.datatype in (None, RDF.langString, XSD.string):
        text = str(value.value)
    else:
        text = str(value)
    if name == "pattern":
        wanted = str(flags or "").lower()
        options = (re.I if "i" in wanted else 0) | (re.M if "m" in wanted else 0)
        return re.search(str(param), text, options) is not None
    if name == "minLength":
        return len(text) >= int(param)
    if name == "maxLength":
        return len(text) <= int(param)
    if not isinstance(value, Literal):
        return False
    if isinstance(param.value, str) != isinstance(value.value, str):
        return False
    exact = (int, Decimal)
    if all(isinstance(lit.value, exact) and not isinstance(lit.value, bool) and lit.ill_typed is not True
           for lit in (value, param)):
        order = (value.value > param.value) - (value.value < param.value)  # as pySHACL orders numbers
    else:
        from pyshacl.rdfutil.compare import compare_literal  # other retyped literals: pySHACL's own order

        try:
            order = compare_literal(value, param)
        except (TypeError, NotImplementedError):
            return False
    return {"minInclusive": order >= 0, "maxInclusive": order <= 0,
            "minExclusive": order > 0, "maxExclusive": order < 0}[name]


def datatype_conforms(value: Node, datatype: URIRef) -> bool:
    """pySHACL's ``sh:datatype`` test on an rdflib term (rdflib decides ill-typed literals)."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        return value.ill_typed is not True and _python_value_fits(value, datatype)
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype and value.datatype is not None:
        return True
    if value.datatype is None and value.language is None and datatype == XSD.string:
        return _python_value_fits(value, datatype)
    if datatype == RDF.langString and value.language:
        return _python_value_fits(value, datatype)
    return False


def _python_value_fits(value: Literal, datatype: URIRef) -> bool:
    import datetime
    from decimal import Decimal

    py = value.value
    checks = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
              XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: datetime.date, XSD.time: datetime.time,
              XSD.dateTime: datetime.datetime}
    wanted = checks.get(datatype)
    return True if wanted is None else isinstance(py, wanted)


# --- running ------------------------------------------------------------------

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
    checks = checks if checks is not None else compile_shapes(shapes)
    store = fast.store
    # pySHACL validates the data with the ontology mixed in; do the same, then take it out again
    mixed = [q for q in (ox.Quad(*to_ox_triple(t)) for t in (ontology or ())) if q not in store]
    store.extend(mixed)
    try:
        # checks compiled to the same queries (one SPARQL constraint per message language)
        # share one run
        groups: dict[tuple, list[Check]] = {}
        for check in checks:
            groups.setdefault((tuple(check.queries), check.kind), []).append(check)
        workers = workers or min(4, os.cpu_count() or 1)
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:  # pyoxigraph lets go of the GIL while querying
                batches = list(pool.map(lambda g: _run_group(fast, g), groups.values()))
        else:
            batches = [_run_group(fast, g) for g in groups.values()]
    finally:
        for quad in mixed:
            store.remove(quad)
    results = [r for batch in batches for r in batch]
    results += identifiers.check_graph(identifier_graph(fast))
    index = index or SourceIndex()
    labels = _labels(fast, {r.focus for r in results})
    located = [replace(r, location=index.locate(r.focus, r.path), focus_label=labels.get(r.focus)) for r in results]
    located.sort(key=lambda r: (str(r.location.file) if r.location else "~",
                                r.location.line or 0 if r.location else 0, r.severity, str(r.focus)))
    return Report(located)


def _run_group(fast: FastGraph, checks: list[Check]) -> list[Result]:
    rows = _rows(fast, checks[0])
    return [r for check in checks for r in _results(fast, check, rows)]


def _run(fast: FastGraph, check: Check) -> list[Result]:
    return _results(fast, check, _rows(fast, check))


def _rows(fast: FastGraph, check: Check) -> list[dict]:
    """The distinct solutions of the check's queries."""
    rows, seen = [], set()
    for query in check.queries:
        try:
            solutions = fast.store.query(query)
        except SyntaxError as exc:
            raise UnsupportedShapeError(f"cannot run the query compiled from {check.shape}: {exc}\n{query}",
                                        fix="validate with pySHACL") from None
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            row = tuple(solution)
            if len(check.queries) > 1 or check.kind == "sparql":  # a focus node may match two targets
                key = tuple(str(t) for t in row)
                if key in seen:
                    continue
                seen.add(key)
            rows.append(dict(zip(names, row)))
        del solutions  # pyoxigraph's result iterators must be dropped on the thread that made them
    return rows


def _results(fast: FastGraph, check: Check, rows: list[dict]) -> list[Result]:
    messages = check.messages or {"en": _GENERIC.get(check.component, check.component)}

    def result(focus, value=None, path=check.path, component=check.component, text=None):
        return Result(check.severity, to_rdflib(focus), path, value, dict(text or messages), component,
                      check.shape)

    out = []
    if check.kind == "value":
        for row in rows:
            path = to_rdflib(row["path"]) if row.get("path") is not None else check.path
            out.append(result(row["this"], to_rdflib(_written(fast, check, row["this"], row["value"])), path))
    elif check.kind == "focus":
        out = [result(row["this"]) for row in rows]
    elif check.kind == "qualified":
        for row in rows:
            count = int(row["count"].value)
            if check.max_count is not None and count > check.max_count:
                out.append(result(row["this"], component="sh:QualifiedMaxCountConstraintComponent"))
            if check.min_count is not None and count < check.min_count:
                out.append(result(row["this"], component="sh:QualifiedMinCountConstraintComponent"))
    elif check.kind == "node":
        # kg.validate reads every sh:ValidationResult of pySHACL's report, and pySHACL nests
        # the results of the value against the sh:node shape under the result (sh:detail)
        failing = Counter()
        for row in rows:
            out.append(result(row["this"], to_rdflib(row["value"])))
            failing[row["value"]] += 1
        if failing:
            if any(isinstance(v, ox.BlankNode) for v in failing):
                raise UnsupportedShapeError(f"sh:node {check.parameter} on blank nodes", fix="validate with pySHACL")
            values = f"VALUES ?this {{ {' '.join(str(v) for v in failing)} }}"
            inner = check.compiler.shape_and_properties(check.parameter, [values])
            for detail in (replace(r, detail=True) for c in inner for r in _run(fast, c)):
                out += [detail] * failing[to_ox(detail.focus)]
    elif check.kind == "lexical":
        for row in rows:
            value = row["value"]
            if isinstance(value, ox.Literal) and value.datatype.value in _kept_types():
                written = to_rdflib(_written(fast, check, row["this"], value))
                if lexical_conforms(check.constraint, written, check.parameter, check.flags):
                    continue
                out.append(result(row["this"], written))
            else:
                out.append(result(row["this"], to_rdflib(value)))
    elif check.kind == "datatype":
        verdicts: dict = {}
        for row in rows:
            written = _written(fast, check, row["this"], row["value"])
            if written not in verdicts:
                verdicts[written] = datatype_conforms(to_rdflib(written), check.datatype)
            if not verdicts[written]:
                out.append(result(row["this"], to_rdflib(written)))
    elif check.kind == "sparql":
        for row in rows:
            bound = {n: t for n, t in row.items() if t is not None}
            focus = bound.get("this")
            value = to_rdflib(bound["value"]) if "value" in bound else (
                to_rdflib(focus) if check.node_shape else None)
            path = to_rdflib(bound["path"]) if "path" in bound else check.path
            values = {n: str(to_rdflib(t)) for n, t in bound.items()}
            out.append(result(focus, value, path,
                              text={lang: _fill(text, values) for lang, text in messages.items()}))
    return out


_GENERIC = {
    "sh:MinCountConstraintComponent": "Less values than sh:minCount",
    "sh:MaxCountConstraintComponent": "More values than sh:maxCount",
    "sh:DatatypeConstraintComponent": "Value is not a literal of the sh:datatype",
    "sh:ClassConstraintComponent": "Value is not an instance of the sh:class",
    "sh:SPARQLConstraintComponent": "The SPARQL constraint selected this node",
}


def _fill(template: str, values: dict[str, str]) -> str:
    for name, text in values.items():
        template = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _: text, template)
    return template


def _written(fast: FastGraph, check: Check, focus, value):
    """The value as written in the data (the store may have retyped it)."""
    if not isinstance(value, ox.Literal) or value.datatype.value not in _kept_types() or not fast.originals:
        return value
    if check.simple_path is None:
        if check.kind == "datatype":
            raise UnsupportedShapeError(
                f"sh:datatype on the path of {check.shape}: the store retypes {value.datatype.value} "
                "literals, and only a one-property path tells where one was written", fix="validate with pySHACL")
        return value
    written = fast.originals.get((focus, ox.NamedNode(str(check.simple_path))), ())
    number = _number(value)
    for literal in written:
        if (_number(literal) == number) if number is not None else literal == value:
            return literal
    return value


def identifier_graph(fast: FastGraph) -> Graph:
    """The national-identifier triples of the data, as the rdflib graph ``check_graph`` reads."""
    graph = Graph()
    query = (f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ <{LGDX.localGovernmentCode}> <{LGDX.corporateNumber}> "
             f"<{LGDX.eGovLawId}> }} ?s ?p ?o }}")
    for row in fast.store.query(query):
        graph.add((to_rdflib(row["s"]), to_rdflib(row["p"]), to_rdflib(row["o"])))
    return graph


def _labels(fast: FastGraph, nodes: set) -> dict:
    """``kg.validate.label_of`` for each node: a Japanese rdfs:label first, else skos:prefLabel."""
    out = {}
    label, pref = ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(SKOS.prefLabel))
    for node in nodes:
        if not isinstance(node, URIRef):
            continue
        subject = ox.NamedNode(str(node))
        labels = [q.object for q in fast.store.quads_for_pattern(subject, label, None, ox.DefaultGraph())] or \
            [q.object for q in fast.store.quads_for_pattern(subject, pref, None, ox.DefaultGraph())]
        chosen = next((lab for lang in ("ja", "en", None) for lab in labels
                       if isinstance(lab, ox.Literal) and (lab.language or None) == lang), None)
        out[node] = (chosen or labels[0]).value if labels else None
    return out


# --- the fast pipeline's other steps -----------------------------------------------

def apply_rules(fast: FastGraph, queries_dir: Path, ontology: Graph | None = None) -> int:
    """``kg.rules.apply_rules`` on the store: each ``construct-*.rq`` in name order."""
    from kg.errors import QueryError
    from kg.rules import ontology_beside, rule_files

    added = 0
    with ontology_beside(fast.store, ontology):
        for path in rule_files(queries_dir):
            try:
                triples = list(fast.store.query(path.read_text(encoding="utf-8")))
            except (SyntaxError, OSError) as exc:
                raise QueryError(f"rule cannot run: {exc}", Location(str(path)), "fix the query") from None
            added += fast.add(triples)
    return added


#: Dump formats pyoxigraph writes, by the names of ``kg.export.FORMATS``.
OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
              "nq": ox.RdfFormat.N_QUADS, "rdfxml": ox.RdfFormat.RDF_XML}


def serialize(fast: FastGraph, fmt: str) -> bytes:
    """The data as loaded (literals as written) in ``fmt``, written by pyoxigraph.

    Turtle groups consecutive statements about one subject and uses the project's
    prefixes; JSON-LD is pyoxigraph's flat expanded form (no context, no framing).
    """
    if fmt not in OX_FORMATS:
        raise KgError(f"unknown format `{fmt}`", fix=f"use one of: {', '.join(OX_FORMATS)}")
    triples = fast.triples()
    if fmt == "nq":
        from kg.export import dataset_iri

        graph = ox.NamedNode(str(dataset_iri()))
        return ox.serialize((ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples),
                            format=OX_FORMATS[fmt])
    kwargs = {"prefixes": {p: str(ns) for p, ns in PREFIXES.items()}} if fmt in ("ttl", "rdfxml") else {}
    return ox.serialize(triples, format=OX_FORMATS[fmt], **kwargs)
