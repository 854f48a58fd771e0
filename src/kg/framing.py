"""JSON-LD written by the project itself: nodes compacted with the published context, framed per class.

The build streams the graph's triples, grouped by subject, through ``Compactor.node``
(one JSON object per node, as a JSON-LD processor compacts it with ``context.jsonld``)
and ``Framer`` (the records of each frame in ``ontology/frames/``). Each key has one JSON
shape, the one the context gives it: a list for ``type`` and many-valued terms, one value
otherwise; a language map per language-tagged term. PyLD, a full JSON-LD processor, is the
tests' oracle: it frames the same graph with the published frame and context to the same data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.namespaces import DEFAULT_BASE

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Key:
    """A term of the context as the writer uses it: its name, what values it takes, how many."""

    name: str
    kind: str  # "id", "lang", "typed" (one datatype) or "plain"
    many: bool
    datatype: str | None = None


class Compactor:
    """Compacts nodes (lists of predicate-object pairs) with a JSON-LD context."""

    def __init__(self, context: dict, base: str = DEFAULT_BASE):
        ctx = context["@context"]
        self.base = base
        self.vocab = ctx.get("@vocab", "")
        self.prefixes = sorted(((k, v) for k, v in ctx.items() if isinstance(v, str)
                                and not k.startswith("@") and not v.startswith("@")),
                               key=lambda item: -len(item[1]))
        self.terms = set(ctx)
        self.keys: dict[str, Key] = {}
        for name, entry in ctx.items():
            if not isinstance(entry, dict) or entry.get("@id", "@").startswith("@"):
                continue
            containers = entry.get("@container", [])
            containers = containers if isinstance(containers, list) else [containers]
            typed = entry.get("@type")
            kind = ("id" if typed == "@id" else "lang" if "@language" in containers
                    else "typed" if typed else "plain")
            datatype = self.expand(typed) if kind == "typed" else None
            self.keys[self.expand(entry["@id"])] = Key(name, kind, "@set" in containers, datatype)

    def expand(self, value: str) -> str:
        prefix, sep, local = value.partition(":")
        for name, namespace in self.prefixes:
            if sep and name == prefix:
                return namespace + local
        return value

    def compact_iri(self, iri: str, vocab: bool = False) -> str:
        """``iri`` as a class name (``vocab``: relative to ``@vocab``) or ``prefix:local``."""
        if vocab and iri.startswith(self.vocab) and iri[len(self.vocab):] not in self.terms:
            return iri[len(self.vocab):]
        for name, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{name}:{iri[len(namespace):]}"
        return iri

    def iri(self, term) -> str:
        """A node's IRI as published (under the build's base), or its blank-node label."""
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        value = term.value
        if self.base != DEFAULT_BASE and value.startswith(DEFAULT_BASE):
            return self.base + value[len(DEFAULT_BASE):]
        return value

    def node(self, subject, pairs) -> dict:
        """The compacted node object: ``id``, ``type``, then a key per property in first-seen order."""
        out: dict = {"id": self.iri(subject)}
        types = [self.compact_iri(o.value, vocab=True) for p, o in pairs
                 if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)]
        if types:
            out["type"] = types
        grouped: dict[str, tuple[Key | None, list]] = {}
        for p, o in pairs:
            if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
                continue
            key = self.keys.get(p.value)
            if key is not None and _fits(key, o):
                grouped.setdefault(key.name, (key, []))[1].append(self._short(key, o))
            else:
                grouped.setdefault(self.compact_iri(p.value), (None, []))[1].append(self._value(o))
        for name, (key, values) in grouped.items():
            out[name] = _shape(key, values)
        return out

    def _short(self, key: Key, o):
        if key.kind == "id":
            return self.iri(o)
        if key.kind == "lang":
            return (o.language, o.value)
        if key.kind == "typed":
            return o.value
        return o.value if isinstance(o, ox.Literal) and o.datatype.value == XSD_STRING else self._value(o)

    def _value(self, o):
        if not isinstance(o, ox.Literal):
            return {"@id": self.iri(o)}
        if o.language:
            return {"@value": o.value, "@language": o.language}
        if o.datatype.value == XSD_STRING:
            return o.value
        return {"@value": o.value, "@type": self.compact_iri(o.datatype.value)}


def _fits(key: Key, o) -> bool:
    if key.kind == "id":
        return not isinstance(o, ox.Literal)
    if key.kind == "lang":
        return isinstance(o, ox.Literal) and bool(o.language)
    if key.kind == "typed":
        return isinstance(o, ox.Literal) and not o.language and o.datatype.value == key.datatype
    return True


def _shape(key: Key | None, values: list):
    if key is not None and key.kind == "lang":
        texts: dict[str, list[str]] = {}
        for lang, text in values:
            texts.setdefault(lang, []).append(text)
        return {lang: (t if key.many or len(t) > 1 else t[0]) for lang, t in texts.items()}
    if key is not None and key.many:
        return values
    return values[0] if len(values) == 1 else values


# --- frames ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    """A frame of ``ontology/frames``: the class(es) it selects and, per key, how values appear."""

    name: str
    types: tuple[str, ...]
    #: key → ``None`` (the value as it is, a node as its IRI) or the frame of an embedded node
    keys: dict[str, Frame | None]
    document: dict

    @classmethod
    def parse(cls, name: str, doc: dict, compactor: Compactor) -> Frame:
        """The frame ``doc``; its keys are terms, or IRIs (``rdfs:label``) where a term is a language map."""
        types = doc.get("@type", ())
        keys = {}
        for key, sub in doc.items():
            if key.startswith("@"):
                continue
            term = compactor.keys.get(compactor.expand(key))
            embedded = isinstance(sub, dict) and sub.get("@embed") == "@always"
            keys[term.name if term else key] = cls.parse(key, sub, compactor) if embedded else None
        return cls(name, tuple(types if isinstance(types, list) else [types]), keys, doc)

    def embedded_keys(self) -> set[str]:
        """Every key an embedded node of this frame shows (at any depth)."""
        out: set[str] = set()
        for sub in self.keys.values():
            if sub is not None:
                out |= set(sub.keys) | sub.embedded_keys()
        return out


class Framer:
    """Collects, from nodes streamed once, the records of each frame, then writes them."""

    def __init__(self, frames: list[Frame], compactor: Compactor):
        self.frames = frames
        self.compactor = compactor
        self.records: dict[str, list[dict]] = {f.name: [] for f in frames}
        self.shown = set().union(*(f.embedded_keys() for f in frames)) if frames else set()
        #: what an embedded node may show, by IRI: its type and the keys of the embedding frames
        self.embeddable: dict[str, dict] = {}

    def add(self, node: dict) -> None:
        """Take one compacted node: a record of the frames whose class it has, and embeddable."""
        types = node.get("type", ())
        for frame in self.frames:
            if any(t in frame.types for t in types):
                self.records[frame.name].append(_select(node, frame))
        part = {k: v for k, v in node.items() if k in self.shown or k in ("id", "type")}
        self.embeddable[node["id"]] = part

    def write(self, frame: Frame, context: dict, handle: IO[str]) -> None:
        """The framed dump of ``frame``: the context, then one record per node of its class."""
        records = (self._embed(r, frame) for r in sorted(self.records[frame.name], key=lambda r: r["id"]))
        write_document(context, records, handle)

    def _embed(self, record: dict, frame: Frame) -> dict:
        out = dict(record)
        for key, sub in frame.keys.items():
            if sub is None or key not in out:
                continue
            value = out[key]
            if isinstance(value, list):
                out[key] = [self._embedded(v, sub) for v in value]
            else:
                out[key] = self._embedded(value, sub)
        return out

    def _embedded(self, iri: str, frame: Frame) -> dict:
        node = self.embeddable.get(iri, {"id": iri})
        return self._embed(_select(node, frame), frame)


def _select(node: dict, frame: Frame) -> dict:
    """The node's ``id``, ``type`` and the frame's keys, in the frame's order."""
    out = {k: node[k] for k in ("id", "type") if k in node}
    out.update((k, node[k]) for k in frame.keys if k in node)
    return out


def write_document(context: dict, nodes, handle: IO[str]) -> None:
    """A JSON-LD document ``{"@context": …, "@graph": [nodes]}``, one node at a time."""
    handle.write('{\n  "@context": ')
    handle.write(_indented(context["@context"], 2))
    handle.write(',\n  "@graph": [')
    first = True
    for node in nodes:
        handle.write("\n    " if first else ",\n    ")
        handle.write(_indented(node, 4))
        first = False
    handle.write("\n  ]\n}\n" if not first else "]\n}\n")


def _indented(value, depth: int) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + " " * depth)


def load_frames(frames_dir: Path, compactor: Compactor, names: list[str] | None = None) -> list[Frame]:
    """The frames ``names`` (default: every frame of ``frames_dir``), by file stem."""
    from kg.export import frame_names, load_frame

    return [Frame.parse(name, load_frame(frames_dir, name), compactor) for name in names or frame_names(frames_dir)]
