"""``kg validate``: which files to check, in what context, with progress, as one report.

A data file (YAML, CSV table) is checked as part of the whole project, so that its
references to the other files resolve; the report keeps only its own findings. RDF files
(another municipality's dump) are checked alone. Loading errors become the report too, all
of them at once, so that every format (text, JSON, Turtle) carries them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from kg.errors import LoadError
from kg.load import RDF_FORMATS, data_files
from kg.project import Project
from kg.report import Report, load_report


def check(project: Project, files: list[Path], engine: str = "pyshacl",
          log: Callable[[str], None] = lambda _: None) -> Report:
    """The report of ``files`` (the project's data/ when none are given)."""
    started = time.perf_counter()
    rdf_only = bool(files) and all(f.suffix in RDF_FORMATS for f in files)
    try:
        if rdf_only and engine == "fast":
            log(f"loading {len(files)} RDF file(s) into the embedded store …")
            report = project.validate_rdf(files, log)
        else:
            paths = files if rdf_only else _in_context(project, files)
            around = f" ({len(files)} named, with the rest of the project)" if files and not rdf_only else ""
            log(f"loading {len(paths)} file(s){around} …")
            loaded = project.load(paths)
            log(f"loaded {len(loaded.graph)} triples in {time.perf_counter() - started:.1f} s; "
                f"checking them with {engine} …")
            report = project.validate(loaded, engine)
    except LoadError as exc:
        report = load_report(exc)
        if files and report.only(files).results:
            return report.only(files)
        return report
    log(f"checked in {time.perf_counter() - started:.1f} s")
    return report.only(files) if files and not rdf_only else report


def _in_context(project: Project, files: list[Path]) -> list[Path]:
    """The project's data files with ``files`` among them (each once), in a stable order."""
    paths = data_files(project.data_dir)
    known = {p.resolve() for p in paths}
    return paths + [f for f in files if f.resolve() not in known]
