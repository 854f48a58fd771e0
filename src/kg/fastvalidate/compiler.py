"""The shapes graph → ``Check``s: SPARQL queries whose rows are validation results.

The compiler walks the targeted shapes and their property shapes (``Site``: one shape at
the top level, where rows become results) and asks each family of constraint components
(one module each, as in ``components``) for its checks; a shape nested in another
(``sh:node``, ``sh:or`` …) becomes a SPARQL expression (``Compiler.conforms``) instead.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.fastvalidate import components, sparql
from kg.fastvalidate.components.common import TARGETS
from kg.fastvalidate.datatypes import LEXICAL, kept_list
from kg.fastvalidate.errors import UnsupportedShapeError
from kg.fastvalidate.paths import sparql_path
from kg.fastvalidate.targets import SUBJECTS, focus_reach, target_patterns, targeted_shapes, written_targets
from kg.fastvalidate.vocabulary import COMPONENT, check_vocabulary
from kg.namespaces import SH
from kg.report import severity_of

@dataclass
class Check:
    """One compiled constraint: SELECTs (one per target) whose distinct rows are results."""

    queries: list[str]
    component: str
    shape: Node  # the shape holding the constraint (sh:sourceShape)
    severity: str
    messages: dict[str, str]
    path: Node | None  # sh:resultPath unless the row binds ?path
    kind: str = "value"  # how rows become results: value, focus, qualified, datatype, lexical, nested, sparql
    datatype: URIRef | None = None
    min_count: int | None = None
    max_count: int | None = None
    node_shape: bool = False  # a node shape's own constraint: the value is the focus node
    compiler: object = None  # kind "nested": compiles the nested shape for its results
    constraint: str = ""  # kind "lexical": the constraint's name, value and flags
    parameter: object = None
    flags: Node | None = None
    simple_path: URIRef | None = None  # the predicate when the path is one IRI
    #: kind "sparql" with a pre-bound query: run once per row of ``queries`` with $this
    #: (and $value, for an ASK) substituted, and the ``bindings`` (parameters, $currentShape)
    prebound: str | None = None
    ask: bool = False
    bindings: dict = field(default_factory=dict)
    shapes_graph: Graph | None = None  # bound to $shapesGraph
    #: literal focus nodes as the query gives them → as the shapes write them (``targets.written_targets``)
    written_focus: dict = field(default_factory=dict)
    #: what the check compares in SPARQL as the store holds it: ``(datatype or LEXICAL_FORM,
    #: the predicate whose objects are compared, or None for any)``; the check is refused on
    #: data that has literals there that the store rewrote so (``FastGraph.unsure``)
    guards: frozenset[tuple] = frozenset()


@dataclass
class Site:
    """A shape compiled at the top level: its focus nodes, its path, and the checks made of it."""

    compiler: Compiler
    shape: Node
    targets: list[str]
    written_focus: dict = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    def __post_init__(self):
        g = self.compiler.g
        self.path_node = g.value(self.shape, SH.path)
        self.path = sparql_path(g, self.path_node) if self.path_node is not None else None
        self.severity = severity_of(g.value(self.shape, SH.severity))
        self.messages = self.compiler.messages(self.shape)
        if self.is_property:
            self.reach = self.path_node if isinstance(self.path_node, URIRef) else None
        else:
            self.reach = focus_reach(g, self.shape)

    @property
    def is_property(self) -> bool:
        return self.path_node is not None

    @property
    def values(self) -> str:
        """The pattern binding ?value to the value nodes of ?this."""
        return f"?this {self.path} ?value ." if self.is_property else "BIND (?this AS ?value)"

    def params(self, name: str) -> list:
        return list(self.compiler.g.objects(self.shape, SH[name]))

    def add(self, query: str, name: str, kind: str = "value", messages: dict | None = None, **extra) -> Check:
        """A check of ``query`` (``TARGETS`` stands for each target's pattern)."""
        check = Check([query.replace(TARGETS, t) for t in self.targets], COMPONENT.get(name, name), self.shape,
                      self.severity, self.messages if messages is None else messages, self.path_node, kind,
                      node_shape=not self.is_property, guards=self.compiler.take_guards(),
                      written_focus=self.written_focus,
                      simple_path=self.path_node if isinstance(self.path_node, URIRef) else None, **extra)
        self.checks.append(check)
        return check

    def each_value(self, name: str) -> None:
        """Checks that each value node meets every ``sh:<name>`` of the shape."""
        c, g = self.compiler, self.compiler.g
        for param in self.params(name):
            expression = c.value_expr(name, param, self.shape, "?value")
            where = f"{TARGETS} {self.values}"
            if name in LEXICAL and self.is_property:
                # a literal the store rewrote is decided in Python, on the literal as written
                c.take_guards()
                self.add(f"SELECT DISTINCT ?this ?value WHERE {{ {where} FILTER (!({expression}) || "
                         f"(isLiteral(?value) && DATATYPE(?value) IN ({kept_list()}))) }}", name, "lexical",
                         constraint=name, flags=g.value(self.shape, SH.flags),
                         parameter=c.members(param) if name == "in" else param)
            else:
                self.add(f"SELECT DISTINCT ?this ?value WHERE {{ {where} FILTER (!({expression})) }}", name)


class Compiler:
    """The shapes graph → ``Check``s. Raises ``UnsupportedShapeError`` on unknown features."""

    def __init__(self, shapes: Graph):
        self.g = shapes
        self._fresh = 0
        self._guards: set[tuple] = set()
        self.reach = None
        self.prefixes: set[tuple[str, str]] = set()
        check_vocabulary(shapes)
        self.custom = sparql.custom_components(shapes)

    def compile(self) -> list[Check]:
        checks: list[Check] = []
        for shape in targeted_shapes(self.g):
            first = len(checks)
            checks += self.shape_and_properties(shape, target_patterns(self.g, shape, self.prefixes),
                                                written_targets(self.g, shape))
            if self.prefixes:  # what SPARQL-based targets declare
                prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self.prefixes))
                for check in checks[first:]:
                    check.queries = [prologue + q for q in check.queries]
                    if check.prebound is not None:
                        check.prebound = prologue + check.prebound
                self.prefixes = set()
        return checks

    def shape_and_properties(self, shape: Node, targets: list[str], written_focus: dict | None = None) -> list[Check]:
        """The checks of ``shape`` and of its property shapes, on the focus nodes of ``targets``."""
        if self.deactivated(shape):
            return []
        site = Site(self, shape, targets, written_focus or {})
        with self.reaching(site.reach):
            for family in components.FAMILIES:
                family.check(site)
        sparql.constraint_checks(site)
        sparql.component_checks(site, self.custom)
        checks = site.checks
        if not site.is_property:  # a property shape's own property shapes are checked on its values
            for prop in self.g.objects(shape, SH.property):
                checks += self.shape_and_properties(prop, targets, written_focus)
        return checks

    # -- reading the shapes graph --

    def deactivated(self, shape: Node) -> bool:
        return self.g.value(shape, SH.deactivated) == Literal(True)

    def messages(self, node) -> dict[str, str]:
        out: dict[str, str] = {}
        for message in sorted(self.g.objects(node, SH.message), key=str):
            lang = message.language if isinstance(message, Literal) and message.language else "en"
            out.setdefault(lang, str(message))
        return out

    def members(self, node) -> list:
        """The members of the RDF list at ``node``."""
        return list(Collection(self.g, node))

    def guard(self, what: str) -> None:
        """The check being compiled compares ``what`` (a datatype, or ``LEXICAL_FORM``) of the value
        nodes as the store holds them: exact unless the data has literals there the store rewrote so."""
        if self.reach != SUBJECTS:
            self._guards.add((what, self.reach))

    def take_guards(self) -> frozenset[tuple]:
        taken, self._guards = frozenset(self._guards), set()
        return taken

    @contextmanager
    def reaching(self, reach):
        """Compile for value nodes that are the objects of ``reach`` (a predicate), are never literals
        (``SUBJECTS``), or may be anything (None)."""
        before, self.reach = self.reach, reach
        try:
            yield
        finally:
            self.reach = before

    def var(self) -> str:
        """A fresh SPARQL variable."""
        self._fresh += 1
        return f"?fv{self._fresh}"

    # -- nested shapes, as SPARQL expressions --

    def conforms(self, shape, v: str, stack: tuple = ()) -> str:
        """A SPARQL expression: whether the node in ``v`` conforms to ``shape``."""
        if shape in stack:
            raise UnsupportedShapeError(f"recursive shape {shape}", fix="validate with pySHACL")
        if self.deactivated(shape):
            return "true"
        if self.g.value(shape, SH.sparql) is not None or any(
                sparql.applies(self.g, shape, c) for c in self.custom):
            raise UnsupportedShapeError(f"SPARQL-based constraint inside nested shape {shape}",
                                        fix="validate with pySHACL")
        path_node = self.g.value(shape, SH.path)
        path = sparql_path(self.g, path_node) if path_node is not None else None
        reach = self.reach if path_node is None else path_node if isinstance(path_node, URIRef) else None
        with self.reaching(reach):
            parts = [part for family in components.FAMILIES
                     for part in family.expressions(self, shape, v, path, stack + (shape,))]
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def value_parts(self, shape, names, f: str, path: str | None, stack: tuple):
        """Expressions: each value node of ``f`` (``f`` itself, or those ``path`` reaches) meets
        every ``sh:<name>`` of ``shape``, for each name."""
        for name in names:
            for param in self.g.objects(shape, SH[name]):
                if path is None:
                    yield self.value_expr(name, param, shape, f, stack)
                else:
                    x = self.var()
                    yield (f"NOT EXISTS {{ {f} {path} {x} . "
                           f"FILTER (!({self.value_expr(name, param, shape, x, stack)})) }}")

    def value_expr(self, name: str, param, shape, v: str, stack: tuple = ()) -> str:
        """A SPARQL expression: whether the value node in ``v`` meets constraint ``name``."""
        return components.VALUE_EXPRESSIONS[name](self, param, shape, v, stack)
