"""Validation results: one shape for SHACL results and the project's own checks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rdflib.term import Node

from kg.errors import Location

VIOLATION, WARNING, INFO = "Violation", "Warning", "Info"


@dataclass(frozen=True)
class Result:
    """One finding about one focus node, with a bilingual message."""

    severity: str
    focus: Node
    path: Node | None
    value: Node | None
    message: dict[str, str]  # {"ja": …, "en": …}
    constraint: str  # a SHACL constraint component, or kg:… for the project's own checks
    shape: Node | None = None
    location: Location | None = None
    focus_label: str | None = None


@dataclass
class Report:
    """All results of one validation run."""

    results: list[Result] = field(default_factory=list)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == VIOLATION]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == WARNING]

    @property
    def conforms(self) -> bool:
        return not self.violations


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
