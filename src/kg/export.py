"""Graphs → bytes: the dump formats, the JSON-LD context and framed JSON-LD."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from kg.errors import KgError, LoadError, Location
from kg.namespaces import DEFAULT_BASE, LGDX, bind
from kg.terms import context


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


def dump_context() -> dict:
    """The published JSON-LD context: the data files' context with full IRIs for ids."""
    ctx = context()
    ctx["@context"].pop("@base")
    return ctx


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


def framed(graph: Graph, frame: dict) -> bytes:
    """``graph`` framed by ``frame`` and compacted with the published context: plain JSON."""
    from pyld import jsonld  # only framing needs a full JSON-LD processor

    expanded = json.loads(_frame_input(graph, frame).serialize(format="json-ld"))
    doc = dict(frame)
    doc["@context"] = dump_context()["@context"]
    result = jsonld.frame(expanded, doc, {"omitGraph": False, "embed": "@once"})
    return _json(result)


def _frame_input(graph: Graph, frame: dict) -> Graph:
    """The part of ``graph`` a frame can reach: its class's nodes and what they link to.

    Framing cost grows fast with the input, so the processor gets only these triples.
    """
    from rdflib import RDF

    types = frame.get("@type", [])
    nodes = {s for t in (types if isinstance(types, list) else [types])
             for s in graph.subjects(RDF.type, URIRef(str(LGDX) + t))}
    linked = {o for n in nodes for o in graph.objects(n) if isinstance(o, URIRef)}
    part = Graph()
    for node in nodes | linked:
        for p, o in graph.predicate_objects(node):
            part.add((node, p, o))
    return part


def _json(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")
