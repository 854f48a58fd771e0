"""``sh:datatype`` and the constraints that depend on how a literal is written.

The store retypes some literals (``kg.fastvalidate.store``): those are decided in Python on
the literal as written, with rdflib's rules, as pySHACL decides them; the rest in SPARQL.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from kg.fastvalidate.errors import UnsupportedShapeError
from kg.fastvalidate.store import XSD_NS, kept_types, retyped_types
from kg.fastvalidate.terms import RANGE

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


def datatype_expr(v: str, datatype) -> str:
    """Whether ``v`` has ``datatype`` (nested shapes, decided in SPARQL alone).

    For a datatype the store retypes (or retypes others to), the expression is exact only on
    data where no literal was retyped from or to it: the caller guards the check with it
    (``Compiler.guard``). A literal the store still holds in a datatype it retypes is ill-typed."""
    dt = str(datatype)
    if dt in retyped_types() and dt not in _STORE_CHECKED:
        return "false"
    if dt == str(RDF.langString):
        return f"(isLiteral({v}) && LANG({v}) != \"\")"
    if dt in _STORE_CHECKED:
        return f"(isLiteral({v}) && DATATYPE({v}) = <{dt}> && COALESCE(sameTerm(<{dt}>(STR({v})), {v}), false))"
    if dt in _CONVERTED:
        raise UnsupportedShapeError(f"sh:datatype {datatype.n3()} inside a nested shape is not implemented")
    return f"(isLiteral({v}) && DATATYPE({v}) = <{dt}>)"


def datatype_prefilter(datatype) -> str:
    """Rows that certainly pass ``sh:datatype`` (the rest are decided in Python)."""
    dt = str(datatype)
    if dt == str(RDF.langString):
        return "isLiteral(?value) && LANG(?value) != \"\""
    if dt in retyped_types():
        return "false"
    if dt in _STORE_CHECKED:
        return (f"isLiteral(?value) && DATATYPE(?value) = <{dt}> && "
                f"COALESCE(sameTerm(<{dt}>(STR(?value)), ?value), false)")
    if dt in _CONVERTED:
        return "false"
    return f"isLiteral(?value) && DATATYPE(?value) = <{dt}>"


#: Constraints whose verdict depends on a literal's written form or datatype.
LEXICAL = {"pattern", "minLength", "maxLength", "in", *RANGE}


def kept_list() -> str:
    return ", ".join(f"<{t}>" for t in sorted(kept_types()))


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
    py = value.value
    checks = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
              XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: datetime.date, XSD.time: datetime.time,
              XSD.dateTime: datetime.datetime}
    wanted = checks.get(datatype)
    return True if wanted is None else isinstance(py, wanted)
