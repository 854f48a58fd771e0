"""Typed errors, each with its exit code and a message that names the place and the fix."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_CANNOT_LOAD = 2


@dataclass(frozen=True)
class Location:
    """A place in a source file: ``file:line``."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class KgError(Exception):
    """Base of the project's errors; ``exit_code`` is what the CLI returns."""

    exit_code = EXIT_CANNOT_LOAD

    def __init__(self, message: str, where: Location | None = None, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.fix = fix

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n  fix: {self.fix}" if self.fix else text


class LoadError(KgError):
    """A source file cannot be read as the project's data (exit 2)."""


class LoadErrors(LoadError):
    """Every loading error of one run, across all files (exit 2); ``errors`` in file order."""

    def __init__(self, errors: list[LoadError]):
        files = len({e.where.file for e in errors if e.where})
        super().__init__(f"{len(errors)} problem(s) in {files} file(s): nothing was checked")
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors) + f"\n{self.message}"


def raise_collected(errors: list[LoadError]) -> None:
    """Raise the errors of a run: the one error itself, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise LoadErrors(errors)


class DateError(LoadError):
    """A Japanese or ISO date that cannot be read or does not exist."""


class QueryError(KgError):
    """A query cannot be parsed, bound or run (exit 2)."""


class ViolationsError(KgError):
    """The data does not conform to the shapes (exit 1); ``report`` holds the results."""

    exit_code = EXIT_VIOLATIONS

    def __init__(self, message: str, report=None):
        super().__init__(message, fix="correct the data at the places the report names")
        self.report = report
