"""The W3C SHACL test suite (``fixtures/shacl-suite``): its cases, and each engine's outcome on them.

A case is a ``sht:Validate`` entry of a manifest: a data graph, a shapes graph and the expected
report (or ``sht:Failure``: the shapes must be refused). An engine's report is compared with the
expected one as the suite intends, result by result, on focus node, path, value, source shape,
constraint component and severity (messages are free); blank nodes are compared by what they
are (a path's structure, a shape's own triples). An outcome is ``pass``, ``refused`` (the engine
said it cannot check these shapes) or ``wrong``.

    python tests/shacl_suite.py        # every case's outcome with both engines
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import Namespace

HERE = Path(__file__).resolve().parent
SUITE = HERE / "fixtures" / "shacl-suite"
BASE = "http://suite.invalid/"  # the base the files are read against: their relative IRIs name the suite's files
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SEVERITY = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}


@dataclass(frozen=True)
class Case:
    name: str  # core/node/minInclusive-001
    file: Path
    data: Path
    shapes: Path
    node: URIRef  # the entry in its manifest

    def graphs(self) -> tuple[Graph, Graph, Graph]:
        """The manifest's graph, the data graph and the shapes graph (one object where they are one file)."""
        loaded: dict[Path, Graph] = {}
        rdflib.NORMALIZE_LITERALS = False  # literals as written: "1"^^xsd:boolean is not "true"^^xsd:boolean
        try:
            for path in (self.file, self.data, self.shapes):
                if path not in loaded:
                    loaded[path] = Graph().parse(path, format="turtle", publicID=_public_id(path))
        finally:
            rdflib.NORMALIZE_LITERALS = True
        return loaded[self.file], loaded[self.data], loaded[self.shapes]


def _public_id(path: Path) -> str:
    """The base the suite's files are written against (their ``ex:`` names use it)."""
    return BASE + path.relative_to(SUITE).as_posix()


def cases() -> list[Case]:
    """Every ``sht:Validate`` case of the suite's manifests, in manifest order."""
    found: list[Case] = []
    _collect(SUITE / "manifest.ttl", found)
    return found


def _collect(manifest: Path, found: list[Case]) -> None:
    g = Graph().parse(manifest, format="turtle", publicID=_public_id(manifest))
    for top in g.subjects(RDF.type, MF.Manifest):
        for include in g.objects(top, MF.include):
            _collect(SUITE / str(include)[len(BASE):], found)
        entries = g.value(top, MF.entries)
        for entry in Collection(g, entries) if entries is not None else []:
            if (entry, RDF.type, SHT.Validate) not in g:
                continue
            action = g.value(entry, MF.action)
            data = SUITE / str(g.value(action, SHT.dataGraph))[len(BASE):]
            shapes = SUITE / str(g.value(action, SHT.shapesGraph))[len(BASE):]
            name = manifest.parent.relative_to(SUITE).as_posix() + "/" + str(entry).rsplit("/", 1)[-1]
            found.append(Case(name, manifest, data, shapes, entry))


# --- comparing reports ------------------------------------------------------------------

def expected(case: Case, manifest: Graph) -> Counter | None:
    """The expected results (``None`` where the shapes must be refused)."""
    result = manifest.value(manifest.value(case.node, MF.result) and case.node, MF.result)
    if result == SHT.Failure:
        return None
    return Counter(_key(manifest, (manifest.value(r, p) for p in _PROPS)) for r in manifest.objects(result, SH.result))


_PROPS = (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.sourceConstraintComponent, SH.resultSeverity)


def actual(report, shapes: Graph, data: Graph) -> Counter:
    """An engine's results in the same form (``report`` is a ``kg.report.Report``)."""
    out = Counter()
    for r in (r for r in report.results if not r.detail):
        component = SH[r.constraint.split(":", 1)[1]] if r.constraint.startswith("sh:") else URIRef(r.constraint)
        out[_key(shapes, (r.focus, r.path, r.value, r.shape, component, SEVERITY.get(r.severity) or URIRef(r.severity)), data)] += 1
    return out


def _key(graph: Graph, terms, data: Graph | None = None) -> tuple:
    return tuple(_canonical(t, graph, data) for t in terms)


def _canonical(term, graph: Graph, data: Graph | None = None, seen: frozenset = frozenset()):
    """A term comparable across graphs: literals by value, blank nodes by their own triples."""
    if isinstance(term, Literal):  # by value; markup (rdf:HTML, rdf:XMLLiteral) by its text
        value = str(term) if term.value is None or term.datatype in (RDF.HTML, RDF.XMLLiteral) else term.value
        return ("literal", value, term.datatype, term.language)
    if not isinstance(term, BNode):
        return term
    if term in seen:
        return ("cycle",)
    for g in (graph, data):
        if g is not None and (term, None, None) in g:
            return ("bnode", tuple(sorted(
                (str(p), repr(_canonical(o, g, None, seen | {term}))) for p, o in g.predicate_objects(term))))
    return ("bnode", ())


# --- running ------------------------------------------------------------------------------

def outcome(case: Case, engine: str) -> tuple[str, str]:
    """``(pass | refused | wrong, detail)`` of ``engine`` (``fast`` or ``pyshacl``) on ``case``."""
    from kg.errors import KgError

    manifest, data, shapes = case.graphs()
    want = expected(case, manifest)
    try:
        report = _validate(engine, data, shapes)
    except KgError as exc:
        if want is None:
            return "pass", "refused, as expected"
        return "refused", str(exc).splitlines()[0]
    except Exception as exc:  # noqa: BLE001 - pySHACL's own refusals have no common type
        if want is None:
            return "pass", "refused, as expected"
        return ("refused" if engine == "pyshacl" else "wrong"), f"{type(exc).__name__}: {exc}"
    if want is None:
        return "wrong", "the shapes should have been refused"
    got = actual(report, shapes, data)
    if got == want:
        return "pass", ""
    return "wrong", f"missing {dict(want - got)}; extra {dict(got - want)}"


def _validate(engine: str, data: Graph, shapes: Graph):
    if engine == "fast":
        from kg.fastvalidate import validate
    else:
        from kg.validate import validate
    return validate(data, shapes, Graph())


if __name__ == "__main__":
    import logging

    logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # the suite's ill-typed literals, on purpose
    engines = sys.argv[1:] or ["fast", "pyshacl"]
    for engine in engines:
        tally = Counter()
        for case in cases():
            verdict, detail = outcome(case, engine)
            tally[verdict] += 1
            if verdict != "pass":
                print(f"{engine:8} {verdict:8} {case.name}: {detail[:300]}")
        print(f"{engine}: {dict(tally)} of {sum(tally.values())}")
