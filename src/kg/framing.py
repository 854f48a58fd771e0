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

    def iri(self, value: str) -> str:
        """A node's IRI as published (under the build's base), or its blank-node label."""
        if self.base != DEFAULT_BASE and value.startswith(DEFAULT_BASE):
            return self.base + value[len(DEFAULT_BASE):]
        return value

    def node(self, subject: str, pairs: list[tuple[str, tuple]]) -> dict:
        """The compacted node object: ``id``, ``type``, then a key per property in first-seen order.

        ``pairs`` are (predicate IRI, object) as ``kg.store.read_line`` gives them.
        """
        out: dict = {"id": self.iri(subject)}
        grouped: dict[str, tuple[Key | None, list]] = {}
        types = []
        for p, o in pairs:
            kind, value, tag = o
            if p == RDF_TYPE and kind == "iri":
                types.append(self.compact_iri(value, vocab=True))
                continue
            key = self.keys.get(p)
            if key is not None and _FITS[key.kind](key, kind, tag):
                if key.kind == "lang":
                    short = (tag, value)
                elif key.kind == "id" or key.kind == "typed" or (kind == "typed" and tag == XSD_STRING):
                    short = self.iri(value) if kind == "iri" else value
                else:
                    short = self._value(o)
                entry = grouped.get(key.name)
                if entry is None:
                    entry = grouped[key.name] = (key, [])
                entry[1].append(short)
            else:
                grouped.setdefault(self.compact_iri(p), (None, []))[1].append(self._value(o))
        if types:
            out["type"] = types
        for name, (key, values) in grouped.items():
            out[name] = _shape(key, values)
        return out

    def _value(self, o: tuple) -> object:
        kind, value, tag = o
        if kind == "iri":
            return {"@id": self.iri(value)}
        if kind == "bnode":
            return {"@id": value}
        if kind == "lang":
            return {"@value": value, "@language": tag}
        if tag == XSD_STRING:
            return value
        return {"@value": value, "@type": self.compact_iri(tag)}


#: Whether an object (kind, tag) is written under a key of each kind rather than under its IRI.
_FITS = {
    "id": lambda key, kind, tag: kind in ("iri", "bnode"),
    "lang": lambda key, kind, tag: kind == "lang",
    "typed": lambda key, kind, tag: kind == "typed" and tag == key.datatype,
    "plain": lambda key, kind, tag: True,
}


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
        self.by_type: dict[str, list[Frame]] = {}
        for frame in frames:
            for t in frame.types:
                self.by_type.setdefault(t, []).append(frame)
        self.shown = set().union(*(f.embedded_keys() for f in frames)) | {"id", "type"}
        #: what an embedded node may show, by IRI: its type and the keys of the embedding frames
        self.embeddable: dict[str, dict] = {}
        self._embedded_cache: dict[tuple[int, str], dict] = {}

    def add(self, node: dict) -> None:
        """Take one compacted node: a record of the frames whose class it has, and embeddable."""
        chosen = {id(f): f for t in node.get("type", ()) for f in self.by_type.get(t, ())}
        for frame in chosen.values():
            self.records[frame.name].append(_select(node, frame))
        self.embeddable[node["id"]] = {k: v for k, v in node.items() if k in self.shown}

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
        """The node ``iri`` as ``frame`` embeds it: built once, shared by every record citing it."""
        cached = self._embedded_cache.get((id(frame), iri))
        if cached is None:
            node = self.embeddable.get(iri, {"id": iri})
            cached = self._embedded_cache[(id(frame), iri)] = self._embed(_select(node, frame), frame)
        return cached


def _select(node: dict, frame: Frame) -> dict:
    """The node's ``id``, ``type`` and the frame's keys, in the frame's order."""
    out = {k: node[k] for k in ("id", "type") if k in node}
    out.update((k, node[k]) for k in frame.keys if k in node)
    return out


def write_document(context: dict, nodes, handle: IO[str]) -> None:
    """A JSON-LD document ``{"@context": …, "@graph": [nodes]}``, one node to a line."""
    handle.write('{"@context": ')
    handle.write(json.dumps(context["@context"], ensure_ascii=False, indent=2))
    handle.write(',\n"@graph": [')
    first = True
    for node in nodes:
        handle.write("\n" if first else ",\n")
        handle.write(json.dumps(node, ensure_ascii=False, separators=(",", ":")))
        first = False
    handle.write("\n]}\n")


def load_frames(frames_dir: Path, compactor: Compactor, names: list[str] | None = None) -> list[Frame]:
    """The frames ``names`` (default: every frame of ``frames_dir``), by file stem."""
    from kg.export import frame_names, load_frame

    return [Frame.parse(name, load_frame(frames_dir, name), compactor) for name in names or frame_names(frames_dir)]
