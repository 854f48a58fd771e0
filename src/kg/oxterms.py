"""Terms between rdflib (building, pySHACL) and pyoxigraph (queries, scale): one conversion each way."""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_ox(term):
    """An rdflib term as pyoxigraph's."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", str(term)))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def to_ox_triple(triple) -> ox.Triple:
    s, p, o = triple
    return ox.Triple(to_ox(s), to_ox(p), to_ox(o))


def to_rdflib(term) -> Node | None:
    """A pyoxigraph term as rdflib's (plain strings without an explicit datatype)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
