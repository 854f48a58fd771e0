"""Validation results: one shape for SHACL results and the project's own checks."""

from __future__ import annotations

from dataclasses import dataclass, field

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
