"""The server's settings: where the dist folder is and the limits that keep it safe."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_workers() -> int:
    """Query workers: one per core plus the one kept for the pages; three at least, five at most."""
    return max(3, min(5, (os.cpu_count() or 2) + 1))


@dataclass(frozen=True)
class Settings:
    """Everything ``kg serve`` takes."""

    dist: Path = Path("dist")
    queries_dir: Path | None = None
    allowed_services: frozenset[str] = frozenset()
    timeout: float = 10.0
    max_results: int = 10_000
    max_body: int = 1_000_000
    workers: int = field(default_factory=default_workers)
    #: A remote SPARQL store to read instead of the embedded one (``kg serve --store``), and its
    #: graphs to read as the default graph (none: the store's own default, e.g. all graphs on Virtuoso).
    store: str | None = None
    store_graphs: tuple[str, ...] = ()
    #: Pages for a static web host (``kg publish``): no links to what only a server answers (the
    #: SPARQL endpoint, the query page, facet filters), pages numbered by path, search in the page.
    static: bool = False
