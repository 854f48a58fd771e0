"""RDF terms and comparisons written into the compiled SPARQL."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.fastvalidate.errors import UnsupportedShapeError
from kg.fastvalidate.store import kept_types, stored_forms
from kg.namespaces import SH
from kg.oxterms import to_ox

#: The instances of a class, through rdfs:subClassOf (``sh:class``, class targets).
SUBCLASS = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
RANGE = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


def term(node) -> str:
    """An IRI or a literal of the shapes graph, as SPARQL writes it (a literal by its value)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShapeError(f"a blank node ({node}) where the shapes need an IRI or a literal")


def exact_term(node) -> str:
    """``term(node)`` for a comparison of terms (sameTerm, VALUES): a literal the store would read
    as another (``"05"^^xsd:integer`` as ``5``) is refused, since the query could not tell them apart."""
    if isinstance(node, Literal) and node.datatype is not None and str(node.datatype) in kept_types():
        written = to_ox(node)
        stored = stored_forms([written])[0]
        if stored != written:
            raise UnsupportedShapeError(f"the shapes write {node.n3()}, which the store reads as {stored}",
                                        fix="write the literal in its canonical form, or validate with pySHACL")
    return term(node)


def string(text: str) -> str:
    """A SPARQL string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def integer(node) -> int:
    if not isinstance(node, Literal) or not isinstance(node.toPython(), int):
        raise UnsupportedShapeError(f"{node} is not an integer")
    return int(node.toPython())


def compare(a: str, op: str, b: str) -> str:
    """``a op b`` as pySHACL compares: IRIs and strings by their text, else by value."""
    text = f"(isIRI({a}) || isIRI({b}) || LANG({a}) != \"\" || LANG({b}) != \"\")"
    return f"COALESCE(IF({text}, STR({a}) {op} STR({b}), {a} {op} {b}), false)"
