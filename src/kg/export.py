"""Graphs → bytes: the dump formats, the JSON-LD context, the frames and ``kg export``."""

from __future__ import annotations

import json
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


def export(project, fmt: str, frame: str | None = None, base: str = DEFAULT_BASE) -> bytes:
    """The project's graph with its derived triples (not validated) in ``fmt`` (a key of
    ``FORMATS``), or with ``frame`` the framed dump of that class, written as ``kg build`` does."""
    import io
    import tempfile

    import pyoxigraph as ox

    from kg.framing import Compactor, Framer, load_frames, write_document
    from kg.load import data_files
    from kg.rules import run_rules
    from kg.store import load_data, prefixes, subjects, write_ntriples

    frames_dir = project.ontology_dir / "frames"
    if frame is not None:
        load_frame(frames_dir, frame)  # an unknown frame is an error before any work
    fast, _ = load_data(data_files(project.data_dir), project.classes())
    fast.add(run_rules(fast.store, project.queries_dir))
    with tempfile.TemporaryDirectory() as tmp:
        ntriples = Path(tmp) / "kg.nt"
        write_ntriples(fast, ntriples, base)
        del fast
        if frame is None and fmt == "nt":
            return ntriples.read_bytes()
        if frame is None and fmt != "jsonld":
            triples = ox.parse(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES)
            if fmt == "nq":
                graph = ox.NamedNode(str(dataset_iri(base)))
                return ox.serialize((ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples),
                                    format=ox.RdfFormat.N_QUADS)
            kind = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.RDF_XML
            return ox.serialize(triples, format=kind, prefixes=prefixes(base))
        context = dump_context()
        compactor = Compactor(context, base)
        handle = io.StringIO()
        if frame is None:
            write_document(context, (compactor.node(s, pairs) for s, pairs in subjects(ntriples)), handle)
        else:
            (chosen,) = load_frames(frames_dir, compactor, [frame])
            framer = Framer([chosen], compactor)
            for s, pairs in subjects(ntriples):
                framer.add(compactor.node(s, pairs))
            framer.write(chosen, context, handle)
        return handle.getvalue().encode("utf-8")


def _json(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")
