"""Graphs → bytes: the dump formats, the JSON-LD context, the frames and ``kg export``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from kg.errors import KgError, LoadError, Location
from kg.namespaces import DEFAULT_BASE, bind
from kg.terms import TERMS, context


@dataclass(frozen=True)
class Format:
    """One RDF serialisation: rdflib's name for it, its media type and file extension."""

    name: str
    rdflib: str
    media_type: str
    extension: str


#: Every dump format, by the name the CLI takes.
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("ttl", "turtle", "text/turtle", ".ttl"),
    Format("nt", "nt", "application/n-triples", ".nt"),
    Format("jsonld", "json-ld", "application/ld+json", ".jsonld"),
    Format("nq", "nquads", "application/n-quads", ".nq"),
    Format("rdfxml", "xml", "application/rdf+xml", ".rdf"),
)}


def dataset_iri(base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of the published dataset (also the named graph of N-Quads dumps)."""
    return URIRef(f"{base}dataset/kg")


#: Terms for the properties the build derives or writes itself (the data files do not take them).
PUBLISHED_TERMS = {
    "identifier": {"@id": "dcterms:identifier"},
    "prefLabel": {"@id": "skos:prefLabel", "@container": "@language"},
    "hasTopConcept": {"@id": "skos:hasTopConcept", "@type": "@id", "@container": "@set"},
}


def dump_context() -> dict:
    """The published JSON-LD context: the data files' context with full IRIs for ids.

    Every key has one JSON shape: ``type`` and many-valued terms are always lists (a
    language map of a many-valued term holds a list per language), the others one value.
    """
    ctx = context()["@context"]
    ctx.pop("@base")
    ctx["type"] = {"@id": "@type", "@container": "@set"}
    for term in TERMS.values():
        if term.many and term.kind == "lang":
            ctx[term.name]["@container"] = ["@language", "@set"]
    ctx.update(PUBLISHED_TERMS)
    return {"@context": ctx}


def serialize(graph: Graph, fmt: str, base: str = DEFAULT_BASE) -> bytes:
    """``graph`` in format ``fmt`` (a key of ``FORMATS``)."""
    spec = FORMATS[fmt]
    if fmt == "nq":
        ds = Dataset()
        named = ds.graph(dataset_iri(base))
        for triple in graph:
            named.add(triple)
        return ds.serialize(format="nquads", encoding="utf-8")
    if fmt == "jsonld":
        return _json(json.loads(graph.serialize(format="json-ld", context=dump_context()["@context"],
                                                auto_compact=True)))
    return bind(graph).serialize(format=spec.rdflib, encoding="utf-8")


# --- frames -------------------------------------------------------------------

def frame_names(frames_dir: Path) -> list[str]:
    """The classes that have a frame, by file stem (``measure``, ``law`` …)."""
    return sorted(p.name.removesuffix(".frame.jsonld") for p in frames_dir.glob("*.frame.jsonld"))


def load_frame(frames_dir: Path, name: str) -> dict:
    """The frame document for ``name``."""
    path = frames_dir / f"{name}.frame.jsonld"
    if not path.is_file():
        raise KgError(f"no frame for `{name}`", Location(str(frames_dir)),
                      f"choose one of: {', '.join(frame_names(frames_dir)) or '(none)'}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LoadError(f"malformed JSON: {exc.msg}", Location(str(path), exc.lineno), "fix the frame") from None


def framed(project, frame: str, base: str = DEFAULT_BASE) -> bytes:
    """The framed dump of the class ``frame`` of the project's graph with its derived triples
    (not validated), written as ``kg build`` writes ``kg-FRAME.framed.jsonld``."""
    import io

    from kg.framing import Compactor, Framer, load_frames
    from kg.store import subjects

    frames_dir = project.ontology_dir / "frames"
    load_frame(frames_dir, frame)  # an unknown frame is an error before any work
    context = dump_context()
    compactor = Compactor(context, base)
    (chosen,) = load_frames(frames_dir, compactor, [frame])
    framer = Framer([chosen], compactor)
    with _sorted_ntriples(project, base) as ntriples:
        for subject, pairs in subjects(ntriples):
            framer.add(compactor.node(subject, pairs))
    handle = io.StringIO()
    framer.write(chosen, context, handle)
    return handle.getvalue().encode("utf-8")


def dump(project, fmt: str, base: str = DEFAULT_BASE) -> bytes:
    """The project's graph with its derived triples (not validated) in ``fmt``, read into the
    embedded store and written as ``kg build`` writes its dumps (N-Triples sorted, Turtle with the
    project's prefixes, JSON-LD compacted one node to a line): fast on large data."""
    import io

    import pyoxigraph as ox

    from kg.fastvalidate import serialize_triples
    from kg.framing import Compactor, write_document
    from kg.store import prefixes, subjects, write_turtle

    with _sorted_ntriples(project, base) as ntriples:
        if fmt == "nt":
            return ntriples.read_bytes()
        if fmt == "ttl":
            write_turtle(ntriples, ntriples.with_suffix(".ttl"))
            return ntriples.with_suffix(".ttl").read_bytes()
        if fmt == "jsonld":
            compactor, handle = Compactor(dump_context(), base), io.StringIO()
            write_document(dump_context(), (compactor.node(s, pairs) for s, pairs in subjects(ntriples)), handle)
            return handle.getvalue().encode("utf-8")
        triples = ox.parse(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES)
        return serialize_triples(triples, fmt, base, prefixes())


@contextmanager
def _sorted_ntriples(project, base: str) -> Iterator[Path]:
    """The project's graph with its derived triples as a sorted N-Triples file, for as long as the block runs."""
    import tempfile

    from kg.store import write_ntriples

    with tempfile.TemporaryDirectory() as tmp:
        ntriples = Path(tmp) / "kg.nt"
        write_ntriples(project.store(), ntriples, base)
        yield ntriples


def _json(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")
