"""Targets: which shapes have focus nodes, and the SPARQL patterns that bind them to ``?this``."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from kg.fastvalidate.sparql import declared
from kg.fastvalidate.errors import UnsupportedShapeError
from kg.fastvalidate.store import kept_types, stored_forms
from kg.fastvalidate.terms import SUBCLASS, term
from kg.oxterms import to_ox
from kg.namespaces import SH

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def targeted_shapes(g: Graph) -> list:
    """The shapes with a target (implicit class targets included), in IRI order."""
    found = set()
    for p in _TARGETS:
        found |= set(g.subjects(p, None))
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in g.subjects(RDF.type, kind):
            if _is_class(g, shape):
                found.add(shape)
    return sorted(found, key=str)


def _is_class(g: Graph, shape) -> bool:
    return (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g


#: Focus nodes that are never literals (``focus_reach``).
SUBJECTS = "subjects"


def focus_reach(g: Graph, shape):
    """Where the focus nodes of ``shape`` are found: ``SUBJECTS`` for class and subjects-of targets
    and for target nodes (written in the shapes, so as written), the predicate of a single
    objects-of target, None for anything else."""
    objects = list(g.objects(shape, SH.targetObjectsOf))
    if (shape, SH.target, None) in g or len(objects) > 1:
        return None
    if objects:
        return objects[0] if not any(_targets_subjects(g, shape)) else None
    return SUBJECTS if any(_targets_subjects(g, shape)) else None


def _targets_subjects(g: Graph, shape):
    yield _is_class(g, shape)
    for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode):
        yield (shape, p, None) in g


def written_targets(g: Graph, shape) -> dict:
    """The literal target nodes of ``shape`` that a query reads in another form (``4.0`` as ``4``):
    the form the query gives → the literal as written. Two that a query would read as one are refused."""
    literals = [n for n in g.objects(shape, SH.targetNode)
                if isinstance(n, Literal) and n.datatype is not None and str(n.datatype) in kept_types()]
    out = {}
    for literal, stored in zip(literals, stored_forms([to_ox(n) for n in literals])):
        if stored in out:
            raise UnsupportedShapeError(f"the target nodes {out[stored].n3()} and {literal.n3()} of {shape} are one "
                                        "value to the store", fix="validate with pySHACL")
        out[stored] = literal
    return out


def target_patterns(g: Graph, shape, prefixes: set[tuple[str, str]]) -> list[str]:
    """Group patterns binding ?this to the focus nodes of ``shape``, one per target.

    Each is written inline (not as a sub-query) where it can be, so that the query
    planner starts from the focus nodes; rows are made distinct afterwards. The
    prefixes that SPARQL-based targets declare are added to ``prefixes``.
    """
    parts = []
    classes = list(g.objects(shape, SH.targetClass))
    if _is_class(g, shape):
        classes.append(shape)
    for c in classes:
        parts.append(f"?this {SUBCLASS} {term(c)} .")
    nodes = list(g.objects(shape, SH.targetNode))
    if nodes:
        parts.append(f"VALUES ?this {{ {' '.join(term(n) for n in nodes)} }}")
    for p in g.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{{ SELECT DISTINCT ?this WHERE {{ ?this {term(p)} ?fv_any }} }}")
    for p in g.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ SELECT DISTINCT ?this WHERE {{ ?fv_any {term(p)} ?this }} }}")
    for target in g.objects(shape, SH.target):  # SHACL-AF SPARQL-based targets
        select = str(g.value(target, SH.select)).strip()
        prefixes |= set(declared(g, target))
        parts.append(f"{{ {select} }}")
    return parts
