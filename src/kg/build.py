"""``kg build``: data → store → rules → validation → every published file, replaced atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from kg.catalog import Dump, FileDump, Statistics, catalog_graph
from kg.cities import CityDump, add_city_datasets, city_dumps
from kg.errors import KgError, ViolationsError
from kg.export import FORMATS, dataset_iri, dump_context
from kg.forked import Forked
from kg.framing import Compactor, Framer, load_frames, write_document
from kg.load import data_files
from kg.namespaces import DEFAULT_BASE, SHAPES_IRI, rebase
from kg.progress import Progress
from kg.project import Project
from kg.quality import add_quality, report_dumps
from kg.report import Report, merge_languages
from kg.rules import run_rules
from kg.store import load_data, subjects, turtle, write_ntriples, write_turtle

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

JSONLD = FORMATS["jsonld"].media_type
SCHEMA = "application/schema+json"


@dataclass
class BuildResult:
    """What a build wrote, and the validation report it passed."""

    out: Path
    files: list[str]
    triples: int
    report: Report


def build(project: Project, out: Path, base: str = DEFAULT_BASE,
          log: Callable[[str], None] = lambda _: None, engine: str = "fast",
          progress: Progress | None = None, publisher: str | None = None) -> BuildResult:
    """Load, validate and write everything to ``out``; on violations write nothing. ``publisher``
    (an organisation of the data, by IRI) publishes the catalogue; by default the local government
    of the one city the data holds, if it holds one."""
    progress = progress or Progress(False)
    with progress.stage("load") as stage:
        fast, loaded = load_data(data_files(project.data_dir), project.classes())
        stage.count = len(fast)
    log(f"loaded {len(fast)} triples from {project.data_dir}")
    with progress.stage("rules") as stage:
        derived = run_rules(fast.store, project.queries_dir, project.ontology)
        fast.add(derived)
        _add_about(loaded, derived)
        stage.count = len(derived)
    agent = _agent(fast, publisher, base) if publisher else None
    with staged(out) as folder:
        # the files are written in a child process while this one validates the store; they
        # are published only if the data conforms
        writing = Forked(lambda: write_dumps(project, fast, loaded, folder, base, progress))
        try:
            report = _validate(fast, loaded.index, project.shapes, engine, progress)
        except BaseException:
            writing.cancel()
            raise
        if not report.conforms:
            writing.cancel()
            raise ViolationsError(f"{len(report.violations)} violation(s): nothing written to {out}", report)
        with progress.stage("report") as stage:
            reports = report_dumps(report, project.root, base)
            for doc in reports:
                (folder / doc.name).write_bytes(doc.content)
            stage.count, stage.unit = len(report.results), "results"
        with progress.stage("waiting for the dumps"):
            triples, dumps, stats, cities = writing.result()
        log(f"validated: {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
        dumps += reports
        with progress.stage("catalogue"):
            orgs = {str(c.org) for c in cities if c.org is not None}
            if agent is None and len(orgs) == 1:  # by default, the one city's local government
                agent = _agent(fast, orgs.pop(), base)
            if agent is None:
                log("the catalogue names no publisher: give --publisher (DCAT-AP portals require one)")
            catalog = catalog_graph(stats, [d for d in dumps if not d.name.startswith("frames/")], base,
                                    publisher=agent)
            add_quality(catalog, dataset_iri(base), report, base)
            add_city_datasets(catalog, cities, rebase(loaded.graph, base), base)
            (folder / "catalog.ttl").write_bytes(turtle(catalog))
        files = [d.name for d in dumps] + [c.dump.name for c in cities] + ["catalog.ttl"]
        log(f"wrote {len(files)} files to {out}")
    return BuildResult(out, files, triples, report)


def _agent(fast, iri: str, base: str) -> tuple[URIRef, dict[str, str]]:
    """The organisation ``iri`` of the data, as the catalogue's publisher: its IRI and its names."""
    stored = DEFAULT_BASE + iri[len(base):] if iri.startswith(base) else iri
    rows = fast.store.query(f"SELECT ?name WHERE {{ <{stored}> <{RDFS_LABEL}> ?name FILTER (LANG(?name) != \"\") }}")
    names = {row["name"].language: row["name"].value for row in rows}
    if not names:
        raise KgError(f"the publisher {iri} is not an organisation of the data with a name",
                      fix="give --publisher an organisation of data/ (e.g. org/132209)")
    return URIRef(iri), names


def _add_about(loaded, derived: list) -> None:
    """The derived triples about the YAML/CSV nodes, added to their rdflib graph (for the cities' dumps)."""
    from kg.oxterms import to_rdflib

    for t in derived:
        subject = to_rdflib(t.subject)
        if subject in loaded.index.nodes:
            loaded.graph.add((subject, to_rdflib(t.predicate), to_rdflib(t.object)))


def _validate(fast, index, shapes, engine: str, progress: Progress) -> Report:
    """The report of the data on its own, as published (the rules wrote the superclass types)."""
    with progress.stage("validate") as stage:
        if engine == "fast":
            from kg.fastvalidate import validate

            report = merge_languages(validate(fast, shapes, None, index))
        else:
            report = merge_languages(_pyshacl(fast, index, shapes))
        stage.count, stage.unit = len(report.results), "results"
    return report


def _pyshacl(fast, index, shapes) -> Report:
    """The reference validator, which reads an rdflib graph."""
    from rdflib import Graph

    from kg.oxterms import to_rdflib
    from kg.validate import validate

    graph = Graph()
    for t in fast.triples():
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return validate(graph, shapes, None, index)


def write_dumps(project: Project, fast, loaded, folder: Path, base: str,
                progress: Progress) -> tuple[int, list[Dump | FileDump], Statistics, list[CityDump]]:
    """Every file but the catalogue: N-Triples, Turtle, JSON-LD, framed dumps and their schemas,
    ontology, shapes, context and each city's dump; with what the catalogue says of them."""
    from kg.framed_schema import frame_schema

    with progress.stage("N-Triples") as stage:
        triples = stage.count = write_ntriples(fast, folder / "kg.nt", base)
    with progress.stage("Turtle"):
        write_turtle(folder / "kg.nt", folder / "kg.ttl")
    context = dump_context()
    compactor = Compactor(context, base)
    frames = load_frames(project.ontology_dir / "frames", compactor)
    framer, stats = Framer(frames, compactor), Statistics()
    with progress.stage("JSON-LD") as stage, (folder / "kg.jsonld").open("w", encoding="utf-8") as handle:
        write_document(context, _nodes(folder / "kg.nt", compactor, framer, stats), handle)
        stage.count, stage.unit = stats.subjects, "nodes"
    files = [FileDump.of(folder, name, media_type, (SHAPES_IRI,)) for name, media_type in (
        ("kg.ttl", FORMATS["ttl"].media_type), ("kg.nt", FORMATS["nt"].media_type), ("kg.jsonld", JSONLD))]
    framed_docs = []
    with progress.stage("framed") as stage:
        for frame in frames:
            name = f"kg-{frame.name}.framed.jsonld"
            with (folder / name).open("w", encoding="utf-8") as handle:
                framer.write(frame, context, handle)
            files.append(FileDump.of(folder, name, JSONLD))
            framed_docs += [
                Dump(f"kg-{frame.name}.framed.schema.json", SCHEMA, _json(frame_schema(frame, context, base))),
                Dump(f"frames/{frame.name}.frame.jsonld", JSONLD, _json(frame.document)),
            ]
        stage.count, stage.unit = sum(len(r) for r in framer.records.values()), "records"
    docs = [
        Dump("ontology.ttl", "text/turtle", turtle(rebase(project.ontology, base))),
        Dump("shapes.ttl", "text/turtle", turtle(rebase(project.shapes, base))),
        Dump("context.jsonld", JSONLD, _json(context)),
        *framed_docs,
    ]
    cities = city_dumps(loaded, project.data_dir, base)  # each city's folder: a dump and a dataset of its own
    for doc in [*docs, *(c.dump for c in cities)]:
        path = folder / doc.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(doc.content)
    return triples, files + docs, stats, cities


def _nodes(ntriples: Path, compactor: Compactor, framer: Framer, stats: Statistics) -> Iterator[dict]:
    """Each subject of the sorted ``ntriples`` compacted, handed to the framer and counted."""
    for subject, pairs in subjects(ntriples):
        node = compactor.node(subject, pairs)
        framer.add(node)
        stats.add(node["id"], pairs)
        yield node


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A new folder to write into that replaces ``out`` in one step when the block ends
    without error: readers see the old folder or the new one, never half of it."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp's 700 would keep a web server out
        yield staging
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


def write_atomically(out: Path, files: dict[str, bytes]) -> None:
    """Replace the folder ``out`` with ``files`` in one step: readers see old or new, never half."""
    with staged(out) as staging:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


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
