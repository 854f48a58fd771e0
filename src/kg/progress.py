"""Progress of long commands: one line per stage with its count, time and rate."""

from __future__ import annotations

import resource
import sys
import time
from contextlib import contextmanager
from typing import IO


def peak_memory_mib() -> float:
    """The peak resident memory of this process, or of a child it waited for if that was more
    (a build writes its files in one), so far, in MiB (Linux counts in KiB)."""
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class Stage:
    """What a stage reports once done: how many of what it handled."""

    def __init__(self):
        self.count: int | None = None
        self.unit = "triples"


class Progress:
    """Prints a line as each stage ends; silent unless ``enabled`` (and with the peak memory if ``verbose``)."""

    def __init__(self, enabled: bool, verbose: bool = False, stream: IO[str] | None = None):
        self.enabled = enabled or verbose
        self.verbose = verbose
        self.stream = stream or sys.stderr

    @classmethod
    def for_terminal(cls, quiet: bool, verbose: bool, stream: IO[str] | None = None) -> Progress:
        """On a terminal unless ``quiet``; always with ``verbose``."""
        stream = stream or sys.stderr
        return cls(not quiet and stream.isatty(), verbose, stream)

    @contextmanager
    def stage(self, name: str):
        """Time the ``with`` block; the block may set ``stage.count`` (and ``stage.unit``)."""
        stage = Stage()
        started = time.perf_counter()
        yield stage
        if not self.enabled:
            return
        seconds = time.perf_counter() - started
        line = f"{name:<10} {seconds:6.2f} s"
        if stage.count is not None:
            line += f"  {stage.count:>11,} {stage.unit}"
            if seconds > 0:
                line += f"  {stage.count / seconds:>12,.0f}/s"
        if self.verbose:
            line += f"  peak {peak_memory_mib():,.0f} MiB"
        print(line, file=self.stream, flush=True)
