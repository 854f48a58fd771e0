"""Validation results: one shape for SHACL results and the project's own checks."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from kg.errors import LoadError, LoadErrors, Location
from kg.messages import japanese
from kg.namespaces import DEFAULT_BASE, SH, bind

VIOLATION, WARNING, INFO = "Violation", "Warning", "Info"
SEVERITIES = {SH.Violation: VIOLATION, SH.Warning: WARNING, SH.Info: INFO}
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def severity_of(node) -> str:
    """A shape's ``sh:severity`` as a result carries it: Violation (the default), Warning, Info, or the
    IRI of a severity of the shapes' own (which blocks, as a violation does)."""
    return VIOLATION if node is None else SEVERITIES.get(node, str(node))
#: A source file that cannot be read as data: nothing of the run could be checked.
ERROR = "Error"
LOAD_ERROR = "kg:LoadError"


@dataclass(frozen=True)
class Result:
    """One finding about one focus node, with a bilingual message."""

    severity: str
    focus: Node | None  # None for a loading error: it concerns a place in a file, not a node
    path: Node | None
    value: Node | None
    message: dict[str, str]  # {"ja": …, "en": …}
    constraint: str  # a SHACL constraint component, or kg:… for the project's own checks
    shape: Node | None = None
    location: Location | None = None
    focus_label: str | None = None
    fix: dict[str, str] = field(default_factory=dict)  # {"ja": …, "en": …}, where a fix is known
    #: Why a value does not conform to a ``sh:node`` shape: a result nested under another (sh:detail),
    #: shown to people but not a result of the SHACL report itself.
    detail: bool = False


@dataclass
class Report:
    """All results of one validation run."""

    results: list[Result] = field(default_factory=list)

    @property
    def violations(self) -> list[Result]:
        """The results that block: sh:Violation, and severities of the shapes' own."""
        return [r for r in self.results if r.severity not in (WARNING, INFO, ERROR)]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == WARNING]

    @property
    def errors(self) -> list[Result]:
        return [r for r in self.results if r.severity == ERROR]

    @property
    def conforms(self) -> bool:
        return not self.violations and not self.errors

    def about(self, nodes) -> Report:
        """The results whose focus is one of ``nodes`` (IRIs), with every loading error."""
        wanted = {str(n) for n in nodes}
        return Report([r for r in self.results if r.focus is None or str(r.focus) in wanted])

    def only(self, files) -> Report:
        """The results located in ``files`` (paths), as checking those files alone reports."""
        wanted = {Path(f).resolve() for f in files}
        return Report([r for r in self.results if r.location and Path(r.location.file).resolve() in wanted])


def bilingual(text: str | None) -> dict[str, str]:
    """An English message of the package with its Japanese, where the catalogue has it."""
    if not text:
        return {}
    return {"ja": japanese(text) or text, "en": text}


def load_report(exc: LoadError) -> Report:
    """A report of every loading error of a run, each at its ``file:line``, in Japanese and English."""
    errors = exc.errors if isinstance(exc, LoadErrors) else [exc]
    return Report([Result(ERROR, None, None, None, bilingual(e.message), LOAD_ERROR, location=e.where,
                          fix=bilingual(e.fix)) for e in errors])


def merge_languages(report: Report) -> Report:
    """One result per finding: a check written once per message language (as shapes for
    engines that take one ``sh:message`` per SPARQL constraint are) reports once, in both."""
    results: list[Result] = []
    seen: dict[tuple, int] = {}
    for r in report.results:
        key = (r.severity, r.focus, r.path, r.value, r.shape, r.constraint)
        at = seen.get(key)
        if at is not None and not results[at].message.keys() & r.message.keys():
            results[at] = replace(results[at], message={**results[at].message, **r.message})
            continue
        seen[key] = len(results)
        results.append(r)
    return Report(results)


# --- report formats -----------------------------------------------------------

def _compact(graph: Graph, node) -> str:
    if node is None:
        return ""
    if isinstance(node, Literal):
        return node.n3()
    if str(node).startswith(DEFAULT_BASE):
        return str(node)[len(DEFAULT_BASE):]  # as a clerk writes it in data/: org/132209
    try:
        return graph.namespace_manager.normalizeUri(node)
    except Exception:  # blank nodes and IRIs without a prefix
        return node.n3()


def report_text(report: Report, lang: str = "ja") -> str:
    """The report for people: the verdict and the count of each file first, then each finding
    grouped by file (``file:line``, focus label, constraint, message and fix, ``lang`` first)."""
    nm = bind(Graph())
    verdict = summary(report)
    lines: list[str] = [verdict]
    per_file = Counter((r.location.file if r.location else "(no file)", r.severity) for r in report.results)
    for where in dict.fromkeys(f for f, _ in per_file):
        counts = ", ".join(f"{per_file[where, s]} {noun}" for s, noun in COUNTED.items() if per_file[where, s])
        lines.append(f"  {where}: {counts}")
    current = object()
    for r in report.results:
        where = r.location.file if r.location else "(no file)"
        if where != current:
            lines.append(f"\n{where}")
            current = where
        line = f":{r.location.line}" if r.location and r.location.line else ""
        focus = _compact(nm, r.focus) + (f" 「{r.focus_label}」" if r.focus_label else "")
        lines.append(f"  {where}{line}: {r.severity}" + (f": {focus}" if focus else ""))
        if r.path is not None:
            lines.append(f"    property: {_compact(nm, r.path)}" + (f"  value: {_compact(nm, r.value)}"
                                                                     if r.value is not None else ""))
        if r.constraint != LOAD_ERROR:
            lines.append(f"    constraint: {r.constraint}")
        for code in dict.fromkeys((lang, "ja", "en")):
            if code in r.message:
                lines.append(f"    {code}: {r.message[code]}")
                if code in r.fix:
                    lines.append(f"      {FIX_LABEL[code]}: {r.fix[code]}")
    if len(report.results) > 1:
        lines.append(f"\n{verdict}")
    return "\n".join(lines) + "\n"


COUNTED = {ERROR: "error(s)", VIOLATION: "violation(s)", WARNING: "warning(s)", INFO: "note(s)"}
FIX_LABEL = {"ja": "直し方", "en": "fix"}


def summary(report: Report) -> str:
    """The verdict of ``report`` in one line."""
    if report.errors:
        files = len({r.location.file for r in report.errors if r.location})
        return (f"Cannot load: {len(report.errors)} problem(s) in {files} file(s) "
                f"/ 読み込めません: {files} 個のファイルに {len(report.errors)} 件の問題")
    infos = len(report.results) - len(report.violations) - len(report.warnings)
    counts = f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s), {infos} note(s)"
    return f"{'Conforms' if report.conforms else 'Does not conform'}: {counts}"


def report_json(report: Report) -> str:
    """The report as JSON for programs."""
    nm = bind(Graph())
    return json.dumps({
        "conforms": report.conforms,
        "errors": len(report.errors),
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "results": [{
            "severity": r.severity,
            "file": r.location.file if r.location else None,
            "line": r.location.line if r.location else None,
            "focus": None if r.focus is None else str(r.focus),
            "focusLabel": r.focus_label,
            "path": _compact(nm, r.path) or None,
            "value": None if r.value is None else str(r.value),
            "constraint": r.constraint,
            "shape": str(r.shape) if isinstance(r.shape, URIRef) else None,
            "message": r.message,
            "fix": r.fix or None,
            "detail": r.detail,
        } for r in report.results],
    }, ensure_ascii=False, indent=2) + "\n"


def report_triples(report: Report, base: str = DEFAULT_BASE) -> Iterator:
    """The report as a SHACL validation report, as pyoxigraph triples (IRIs of the default base
    moved under ``base``): the report node's first, then each result's, so that a Turtle writer
    groups them."""
    import pyoxigraph as ox

    from kg.oxterms import to_ox
    from kg.store import rebase

    def node(term):
        return rebase(to_ox(term), base)

    sh, a = str(SH), ox.NamedNode(str(RDF.type))
    p = {name: ox.NamedNode(sh + name) for name in (
        "result", "focusNode", "resultPath", "value", "resultMessage", "sourceShape", "resultSeverity",
        "sourceConstraintComponent")}
    note, comment = ox.NamedNode(str(SKOS.note)), ox.NamedNode(str(RDFS.comment))
    severity = {v: ox.NamedNode(str(k)) for k, v in SEVERITIES.items()}
    results = [(ox.BlankNode(), r) for r in report.results if not r.detail]
    root = ox.BlankNode()
    yield ox.Triple(root, a, ox.NamedNode(sh + "ValidationReport"))
    yield ox.Triple(root, ox.NamedNode(sh + "conforms"),
                    ox.Literal(str(report.conforms).lower(), datatype=ox.NamedNode(str(XSD_BOOLEAN))))
    for n, _ in results:
        yield ox.Triple(root, p["result"], n)
    for n, r in results:
        yield ox.Triple(n, a, ox.NamedNode(sh + "ValidationResult"))
        # a loading error stops the run as a violation does; a custom severity is the shapes' IRI
        yield ox.Triple(n, p["resultSeverity"], severity.get(VIOLATION if r.severity == ERROR else r.severity)
                        or ox.NamedNode(r.severity))
        if r.focus is not None:
            yield ox.Triple(n, p["focusNode"], node(r.focus))
        elif r.location:  # a loading error: its focus is the file that cannot be read
            yield ox.Triple(n, p["focusNode"], ox.NamedNode(Path(r.location.file).resolve().as_uri()))
        if r.path is not None:
            yield ox.Triple(n, p["resultPath"], node(r.path))
        if r.value is not None:
            yield ox.Triple(n, p["value"], node(r.value))
        for lang, text in r.message.items():
            yield ox.Triple(n, p["resultMessage"], ox.Literal(text, language=lang))
        for lang, text in r.fix.items():
            yield ox.Triple(n, note, ox.Literal(text, language=lang))
        if r.shape is not None:
            yield ox.Triple(n, p["sourceShape"], node(r.shape))
        component = _component_iri(r.constraint)
        if component is not None:
            yield ox.Triple(n, p["sourceConstraintComponent"], ox.NamedNode(component))
        if r.location:
            yield ox.Triple(n, comment, ox.Literal(str(r.location)))


def _component_iri(constraint: str) -> str | None:
    """The IRI of a result's constraint component: ``sh:…``, or the IRI of one the shapes declare."""
    if "://" in constraint:
        return constraint
    if constraint.startswith("sh:"):
        return str(SH) + constraint[3:]
    return None


def report_graph(report: Report) -> Graph:
    """The report as a SHACL validation report graph (Turtle for RDF tools)."""
    from kg.oxterms import to_rdflib

    g = bind(Graph())
    for t in report_triples(report):
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


def failure_text(report: Report, lang: str = "ja", verbose: bool = False) -> str:
    """A failed run's report: the violations in full, then the other findings counted by shape
    (with ``verbose``, every finding in full)."""
    if verbose:
        return report_text(report, lang)
    blocking = Report([r for r in report.results if r.severity in (ERROR, VIOLATION)])
    others = [r for r in report.results if r.severity not in (ERROR, VIOLATION)]
    text = report_text(blocking, lang)
    if not others:
        return text
    counts = Counter((r.severity, str(r.shape).rsplit("#", 1)[-1] if isinstance(r.shape, URIRef) else r.constraint)
                     for r in others)
    lines = [f"\n{len(others)} other finding(s) from {len(counts)} shape(s), not shown "
             f"/ ほかに {len(counts)} 個のシェイプから {len(others)} 件 (--verbose ですべて表示):"]
    lines += [f"  {n:>6} {severity}: {shape}" for (severity, shape), n in counts.most_common()]
    lines.append(f"\n{summary(report)}")
    return text + "\n".join(lines) + "\n"
