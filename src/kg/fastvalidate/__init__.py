"""Validation for large graphs: SHACL shapes compiled to SPARQL on pyoxigraph.

pySHACL (``kg.validate``) stays the reference validator. This package reads the shapes
graph generically, turns every constraint the shapes use into SPARQL SELECTs (one per
targeted shape, constraint and target) and runs them on an in-memory pyoxigraph store
holding the data, with the ontology's triples added for the run (pySHACL mixes the
ontology into the data graph in the same way) and removed afterwards. Each distinct
row is one result, with the same focus node, path, value, severity, constraint
component (compacted as ``sh:…``), source shape and message as pySHACL reports through
``kg.validate``. The national identifier checks of ``kg.identifiers`` run as there.

Where to find what:

- ``store``: the data in the store (loading, literals the store retypes, rules, dumps);
- ``vocabulary``: the ``sh:`` terms implemented, and the refusal of the others;
- ``targets``: focus nodes (``sh:targetClass``, ``targetNode``, ``targetSubjectsOf``,
  ``targetObjectsOf``, implicit class targets, SHACL-AF ``sh:SPARQLTarget``);
- ``paths``: property paths;
- ``compiler``: shapes → checks, nested shapes → SPARQL expressions;
- ``components``: the Core constraint components, one module per family;
- ``datatypes``: ``sh:datatype`` and the constraints decided on the literal as written;
- ``sparql``: SPARQL-based constraints and constraint components, and pre-binding;
- ``engine``: running the checks; ``results``: their rows as the report's results.

A pyoxigraph store keeps literals by value (``"1.50"^^xsd:decimal`` as ``"1.5"``,
``"5"^^xsd:positiveInteger`` as ``"5"^^xsd:integer``). Such literals are kept aside as
written while loading; a top-level constraint that depends on the written form decides them
in Python, on the literal as written, with rdflib's rules as pySHACL does. A constraint
decided in SPARQL inside a nested shape (``sh:or`` …) is guarded instead: it is refused on
data that has such a literal where it would compare one.

Anything the engine cannot decide exactly raises ``UnsupportedShapeError`` (or, for data,
``UnsupportedDataError``) before a result is reported, so it never under-reports silently;
the W3C SHACL test suite runs in the project's tests to hold it to that.

Typical use::

    fast = load_files([Path("corpus.nt")])
    report = validate(fast, project.shapes, project.ontology)
    data = serialize(fast, "ttl")
"""

from kg.fastvalidate.compiler import Check, Compiler
from kg.fastvalidate.datatypes import datatype_conforms, lexical_conforms
from kg.fastvalidate.engine import compile_shapes, identifier_graph, validate
from kg.fastvalidate.errors import UnsupportedDataError, UnsupportedShapeError
from kg.fastvalidate.store import (OX_FORMATS, RDF_FORMATS, FastGraph, apply_rules, from_graph, load_files,
                                   serialize, serialize_triples)

__all__ = ["Check", "Compiler", "FastGraph", "OX_FORMATS", "RDF_FORMATS", "UnsupportedDataError",
           "UnsupportedShapeError", "apply_rules", "compile_shapes", "datatype_conforms", "from_graph",
           "identifier_graph", "lexical_conforms", "load_files", "serialize", "serialize_triples", "validate"]
