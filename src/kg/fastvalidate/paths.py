"""SHACL property paths as SPARQL property paths."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from kg.fastvalidate.errors import UnsupportedShapeError
from kg.fastvalidate.terms import term
from kg.namespaces import SH

_KINDS = (RDF.first, SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath, SH.alternativePath)
_TEMPLATES = ((SH.inversePath, "(^{})"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
              (SH.zeroOrOnePath, "({})?"))


def sparql_path(g: Graph, node) -> str:
    """The SPARQL form of the path at ``node``; an ill-formed path is refused."""
    if isinstance(node, URIRef):
        return term(node)
    kinds = [p for p in _KINDS if (node, p, None) in g]
    if len(kinds) > 1:
        raise UnsupportedShapeError(f"property path {node} is ill-formed: it is at once "
                                    + " and ".join(k.n3(g.namespace_manager) for k in kinds),
                                    fix="give the path node one kind of path")
    if (node, RDF.first, None) in g:
        return "(" + "/".join(sparql_path(g, n) for n in Collection(g, node)) + ")"
    for predicate, template in _TEMPLATES:
        inner = g.value(node, predicate)
        if inner is not None:
            return template.format(sparql_path(g, inner))
    alternatives = g.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(g, n) for n in Collection(g, alternatives)) + ")"
    raise UnsupportedShapeError(f"unknown property path {node}")
