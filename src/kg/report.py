"""Validation results: one shape for SHACL results and the project's own checks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib.term import Node

from kg.errors import LoadError, LoadErrors, Location
from kg.messages import japanese

VIOLATION, WARNING, INFO = "Violation", "Warning", "Info"
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
    def errors(self) -> list[Result]:
        return [r for r in self.results if r.severity == ERROR]

    @property
    def conforms(self) -> bool:
        return not self.violations and not self.errors

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
