"""Rows of the compiled queries → validation results, as pySHACL reports them through ``kg.validate``."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDFS, SKOS

from kg.fastvalidate.datatypes import datatype_conforms, lexical_conforms
from kg.fastvalidate.errors import UnsupportedDataError, UnsupportedShapeError
from kg.fastvalidate.store import FastGraph, kept_types
from kg.oxterms import to_ox, to_rdflib
from kg.report import Result


def results(fast: FastGraph, check, rows: list[dict], run) -> list[Result]:
    """The results of ``check`` from its ``rows`` (``run(fast, check)`` runs a nested shape's checks)."""
    messages = check.messages or {"en": _GENERIC.get(check.component, check.component)}

    def result(focus, value=None, path=check.path, component=check.component, text=None):
        if focus in check.written_focus:  # a literal target node, as the shapes write it
            if check.node_shape and value is not None and to_ox(value) == focus:
                value = check.written_focus[focus]
            focus = to_ox(check.written_focus[focus])
        return Result(check.severity, to_rdflib(focus), path, value, dict(text or messages), component,
                      check.shape)

    out = []
    if check.kind == "value":
        for row in rows:
            path = to_rdflib(row["path"]) if row.get("path") is not None else check.path
            out.append(result(row["this"], to_rdflib(written(fast, check, row["this"], row["value"])), path))
    elif check.kind == "focus":
        out = [result(row["this"]) for row in rows]
    elif check.kind == "qualified":
        for row in rows:
            count = int(row["count"].value)
            if check.max_count is not None and count > check.max_count:
                out.append(result(row["this"], component="sh:QualifiedMaxCountConstraintComponent"))
            if check.min_count is not None and count < check.min_count:
                out.append(result(row["this"], component="sh:QualifiedMinCountConstraintComponent"))
    elif check.kind == "nested":
        # sh:node: a result for each value that does not conform, and the value's own results
        # against the node shape nested under it (sh:detail), as pySHACL reports them;
        # sh:property (of a property shape): the value's results, once per focus node reaching it
        reaching = Counter()
        for row in rows:
            if check.constraint == "node":
                out.append(result(row["this"], to_rdflib(row["value"])))
            reaching[row["value"]] += 1
        if reaching:
            if any(isinstance(v, ox.BlankNode) for v in reaching):
                raise UnsupportedShapeError(f"sh:{check.constraint} {check.parameter} on blank nodes",
                                            fix="validate with pySHACL")
            values = f"VALUES ?this {{ {' '.join(str(v) for v in reaching)} }}"
            inner = check.compiler.shape_and_properties(check.parameter, [values])
            for found in (r for c in inner for r in run(fast, c)):
                found = replace(found, detail=True) if check.constraint == "node" else found
                out += [found] * reaching[to_ox(found.focus)]
    elif check.kind == "lexical":
        for row in rows:
            value = row["value"]
            if isinstance(value, ox.Literal) and value.datatype.value in kept_types():
                as_written = to_rdflib(written(fast, check, row["this"], value))
                if lexical_conforms(check.constraint, as_written, check.parameter, check.flags):
                    continue
                out.append(result(row["this"], as_written))
            else:
                out.append(result(row["this"], to_rdflib(value)))
    elif check.kind == "datatype":
        verdicts: dict = {}
        for row in rows:
            as_written = written(fast, check, row["this"], row["value"])
            if as_written not in verdicts:
                verdicts[as_written] = datatype_conforms(to_rdflib(as_written), check.datatype)
            if not verdicts[as_written]:
                out.append(result(row["this"], to_rdflib(as_written)))
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


def written(fast: FastGraph, check, focus, value):
    """The value as written in the data (the store may have retyped it)."""
    if not isinstance(value, ox.Literal) or value.datatype.value not in kept_types() or not fast.originals:
        return value
    if check.simple_path is None:  # where the value was written is not known: it is unambiguous or refused
        if value in fast.rewritten() and check.kind in ("datatype", "lexical"):
            raise UnsupportedDataError(
                f"{check.shape} decides {value} on the literal as written, but the data writes it as "
                f"{', '.join(sorted(map(str, fast.rewritten()[value])))}, which the store keeps as one value, "
                "and only a one-property path tells which was written where", fix="validate with pySHACL")
        return value
    forms = fast.rewritten().get(value, ())
    for literal in fast.originals.get((focus, ox.NamedNode(str(check.simple_path))), ()):
        if literal == value or literal in forms:
            return literal
    return value


def labels(fast: FastGraph, nodes: set) -> dict:
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
