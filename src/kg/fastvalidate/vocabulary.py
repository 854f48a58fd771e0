"""The ``sh:`` terms of a shapes graph: what the engine implements, and what it refuses.

A shapes graph that uses a SHACL term the engine does not implement is refused before a
query runs, so that the engine never under-reports silently. A term of the ``sh:``
namespace that SHACL does not define (such as ``sh:nodeShape``) has no meaning in SHACL
and is ignored, as other engines ignore it.
"""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDF

from kg.fastvalidate.errors import UnsupportedShapeError
from kg.namespaces import SH

#: Every term the SHACL vocabulary (https://www.w3.org/ns/shacl.ttl, SHACL-AF's included) defines.
SHACL_TERMS = frozenset("""
AbstractResult AndConstraintComponent BlankNode BlankNodeOrIRI BlankNodeOrLiteral
ClassConstraintComponent ClosedConstraintComponent ConstraintComponent DatatypeConstraintComponent
DisjointConstraintComponent EqualsConstraintComponent ExpressionConstraintComponent Function
HasValueConstraintComponent IRI IRIOrLiteral InConstraintComponent Info JSConstraint
JSConstraintComponent JSExecutable JSFunction JSLibrary JSRule JSTarget JSTargetType JSValidator
LanguageInConstraintComponent LessThanConstraintComponent LessThanOrEqualsConstraintComponent
Literal MaxCountConstraintComponent MaxExclusiveConstraintComponent MaxInclusiveConstraintComponent
MaxLengthConstraintComponent MinCountConstraintComponent MinExclusiveConstraintComponent
MinInclusiveConstraintComponent MinLengthConstraintComponent NodeConstraintComponent NodeKind
NodeKindConstraintComponent NodeShape NotConstraintComponent OrConstraintComponent Parameter
Parameterizable PatternConstraintComponent PrefixDeclaration PropertyConstraintComponent
PropertyGroup PropertyShape QualifiedMaxCountConstraintComponent
QualifiedMinCountConstraintComponent ResultAnnotation Rule SPARQLAskExecutable SPARQLAskValidator
SPARQLConstraint SPARQLConstraintComponent SPARQLConstructExecutable SPARQLExecutable SPARQLFunction
SPARQLRule SPARQLSelectExecutable SPARQLSelectValidator SPARQLTarget SPARQLTargetType
SPARQLUpdateExecutable Severity Shape Target TargetType TripleRule UniqueLangConstraintComponent
ValidationReport ValidationResult Validator Violation Warning XoneConstraintComponent
alternativePath and annotationProperty annotationValue annotationVarName ask class closed condition
conforms construct datatype deactivated declare defaultValue description detail disjoint entailment
equals expression filterShape flags focusNode group hasValue ignoredProperties in intersection
inversePath js jsFunctionName jsLibrary jsLibraryURL labelTemplate languageIn lessThan
lessThanOrEquals maxCount maxExclusive maxInclusive maxLength message minCount minExclusive
minInclusive minLength name namespace node nodeKind nodeValidator nodes not object oneOrMorePath
optional or order parameter path pattern predicate prefix prefixes property propertyValidator
qualifiedMaxCount qualifiedMinCount qualifiedValueShape qualifiedValueShapesDisjoint result
resultAnnotation resultMessage resultPath resultSeverity returnType rule select severity shapesGraph
shapesGraphWellFormed sourceConstraint sourceConstraintComponent sourceShape sparql subject
suggestedShapesGraph target targetClass targetNode targetObjectsOf targetSubjectsOf this union
uniqueLang update validator value xone zeroOrMorePath zeroOrOnePath
""".split())

#: sh: predicates that hold no constraint, or that the compiler reads with another one.
PASSIVE = {SH[n] for n in (
    "name", "description", "message", "severity", "order", "group", "defaultValue", "deactivated",
    "declare", "prefix", "namespace", "prefixes", "select", "ask", "property", "path", "flags",
    "inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath",
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target", "sparql",
    "qualifiedValueShapesDisjoint", "qualifiedMinCount", "qualifiedMaxCount", "ignoredProperties",
    "suggestedShapesGraph", "shapesGraph", "shapesGraphWellFormed",
    # SPARQL-based constraint components
    "parameter", "optional", "validator", "nodeValidator", "propertyValidator", "labelTemplate",
    # a validation report kept beside the shapes (as the W3C test suite keeps the expected one)
    "conforms", "result", "focusNode", "value", "resultPath", "sourceShape", "sourceConstraintComponent",
    "sourceConstraint", "resultSeverity", "resultMessage", "detail")}
#: sh: predicates that hold a constraint this engine compiles.
CONSTRAINTS = {SH[n] for n in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive",
    "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang",
    "in", "hasValue", "equals", "disjoint", "lessThan", "lessThanOrEquals", "qualifiedValueShape",
    "node", "not", "and", "or", "xone", "closed")}
#: Classes of the sh: namespace a shapes graph may type its nodes with.
CLASSES = {SH[n] for n in (
    "NodeShape", "PropertyShape", "Shape", "SPARQLConstraint", "SPARQLTarget", "PrefixDeclaration",
    "ValidationReport", "ValidationResult", "AbstractResult", "ConstraintComponent", "Parameter",
    "Parameterizable", "Validator", "SPARQLAskValidator", "SPARQLSelectValidator", "SPARQLExecutable",
    "SPARQLAskExecutable", "SPARQLSelectExecutable", "PropertyGroup", "Severity", "NodeKind")}
#: sh:sourceConstraintComponent of each Core constraint, by its parameter.
COMPONENT = {name: f"sh:{name[0].upper()}{name[1:]}ConstraintComponent" for name in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive",
    "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang",
    "in", "hasValue", "equals", "disjoint", "lessThan", "lessThanOrEquals", "node", "not", "and",
    "or", "xone", "closed", "property")}


def _is_shacl(term) -> bool:
    return str(term).startswith(str(SH)) and str(term)[len(str(SH)):] in SHACL_TERMS


def check_vocabulary(g: Graph) -> None:
    """Refuse the shapes graph if it uses a SHACL term the engine does not implement."""
    for s, p, o in g:
        if _is_shacl(p) and p not in PASSIVE and p not in CONSTRAINTS:
            raise UnsupportedShapeError(
                f"the shapes use {p.n3(g.namespace_manager)} (on {s.n3(g.namespace_manager)}),"
                " which the fast validator does not implement",
                fix="validate with pySHACL, or add this feature to kg.fastvalidate")
        if p == RDF.type and _is_shacl(o) and o not in CLASSES:
            raise UnsupportedShapeError(
                f"the shapes declare a {o.n3(g.namespace_manager)}, which the fast validator "
                "does not implement", fix="validate with pySHACL")
    for constraint in g.objects(None, SH.sparql):
        if (constraint, SH.select, None) not in g:
            raise UnsupportedShapeError(f"SPARQL constraint {constraint} has no sh:select",
                                        fix="validate with pySHACL")
    for target in g.objects(None, SH.target):
        if (target, RDF.type, SH.SPARQLTarget) not in g or (target, SH.select, None) not in g:
            raise UnsupportedShapeError(f"sh:target {target} is not a sh:SPARQLTarget with sh:select",
                                        fix="validate with pySHACL")
