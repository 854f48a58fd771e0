"""``kg build``: data → validated graph → every published file, replaced atomically."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.catalog import Dump, catalog_graph
from kg.cities import add_city_datasets, city_dumps
from kg.errors import ViolationsError
from kg.export import FORMATS, dump_context, frame_names, framed, load_frame, serialize
from kg.namespaces import DEFAULT_BASE, SHAPES_IRI, rebase
from kg.project import Project
from kg.report import Report

#: The dumps of the whole graph, by file name and format.
DUMPS = {"kg.ttl": "ttl", "kg.nt": "nt", "kg.jsonld": "jsonld"}


@dataclass
class BuildResult:
    """What a build wrote, and the validation report it passed."""

    out: Path
    files: list[str]
    triples: int
    report: Report


def build(project: Project, out: Path, base: str = DEFAULT_BASE,
          log: Callable[[str], None] = lambda _: None, engine: str = "fast") -> BuildResult:
    """Load, validate and write everything to ``out``; on violations write nothing."""
    loaded = project.load()
    log(f"loaded {len(loaded.graph)} triples from {project.data_dir}")
    graph = rebase(loaded.graph, base)
    frames_dir = project.ontology_dir / "frames"
    names = frame_names(frames_dir)
    # Framing (PyLD) is the slowest part of rendering: two forked processes frame while this
    # one validates; their work is thrown away if validation fails.
    with _forked(framed_dumps, [(graph, frames_dir, names[i::2]) for i in range(2)]) as pending:
        report = project.validate(loaded, engine)
        log(f"validated: {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
        if not report.conforms:
            raise ViolationsError(f"{len(report.violations)} violation(s): nothing written to {out}", report)
        dumps = render(project, graph, base) + [d for part in pending() for d in part]
    catalog = catalog_graph(graph, [d for d in dumps if not d.name.startswith("frames/")], base)
    cities = city_dumps(loaded, project.data_dir, base)  # each city's folder: a dump and a dataset of its own
    add_city_datasets(catalog, cities, graph, base)
    dumps += [c.dump for c in cities] + [Dump("catalog.ttl", "text/turtle", serialize(catalog, "ttl"))]
    log(f"serialised {len(dumps)} files")
    write_atomically(out, {d.name: d.content for d in dumps})
    log(f"wrote {len(dumps)} files to {out}")
    return BuildResult(out, [d.name for d in dumps], len(loaded.graph), report)


def render(project: Project, graph: Graph, base: str) -> list[Dump]:
    """The dumps of ``graph`` (IRIs already under ``base``), ontology, shapes and context."""
    dumps = [Dump(name, FORMATS[fmt].media_type, serialize(graph, fmt, base), (SHAPES_IRI,))
             for name, fmt in DUMPS.items()]
    dumps.append(Dump("ontology.ttl", "text/turtle", serialize(rebase(project.ontology, base), "ttl")))
    dumps.append(Dump("shapes.ttl", "text/turtle", serialize(rebase(project.shapes, base), "ttl")))
    dumps.append(Dump("context.jsonld", "application/ld+json", _json(dump_context())))
    return dumps


def framed_dumps(graph: Graph, frames_dir: Path, names: list[str]) -> list[Dump]:
    """The frames ``names`` and the framed dump of ``graph`` for each."""
    dumps = []
    for name in names:
        frame = load_frame(frames_dir, name)
        dumps.append(Dump(f"frames/{name}.frame.jsonld", "application/ld+json", _json(frame)))
        dumps.append(Dump(f"kg-{name}.framed.jsonld", "application/ld+json", framed(graph, frame)))
    return dumps


@contextmanager
def _forked(function, calls: list[tuple]):
    """Run ``function(*args)`` for each of ``calls`` in forked processes; yield a call that
    waits for their results, in order. Where fork is not available they run here, when asked."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: [function(*args) for args in calls]
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(calls), mp_context=context) as pool:
        futures = [pool.submit(function, *args) for args in calls]
        try:
            yield lambda: [f.result() for f in futures]
        finally:
            for future in futures:
                future.cancel()


def write_atomically(out: Path, files: dict[str, bytes]) -> None:
    """Replace the folder ``out`` with ``files`` in one step: readers see old or new, never half."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp's 700 would keep a web server out
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_file_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 600 would keep other readers out
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _umask() -> int:
    """The process's umask (read by setting it, then put back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _json(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

