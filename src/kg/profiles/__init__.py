"""Profiles: one resource, or the whole graph, in another vocabulary (ELI, schema.org, the IMI core vocabulary).

Each profile is derived from the ontology's mappings by the CONSTRUCT queries beside this
file: ``mapped.rq`` (shared: the classes and properties the ontology maps to the profile's
vocabulary), then one query per profile that builds the view from those and adds what the
ontology cannot map (names given with RDFS, SKOS and Dublin Core). A resource has a view in a
profile when it gets a class of that vocabulary; the project's own vocabulary is the default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg import export
from kg.errors import KgError
from kg.namespaces import ONTOLOGY_IRI, PREFIXES, bind
from kg.oxterms import to_ox_triple, to_rdflib
from kg.query import HEADER
from kg.sparql import with_bindings

HERE = Path(__file__).parent
DEFAULT = "lgdx"
#: The ``_profile`` token that asks for the list of a resource's profiles (W3C conneg-by-profile, QSA).
ALTERNATES = "alt"
ONTOLOGY_GRAPH = ox.NamedNode(ONTOLOGY_IRI)
MAPPED_GRAPH = ox.NamedNode("urn:x-kg:mapped")


@dataclass(frozen=True)
class Profile:
    """A vocabulary a resource may be answered in: its token (``?_profile=``), URI, title and queries."""

    token: str
    uri: str
    title: str
    description: str
    vocabulary: str | None = None  # the namespace of its terms; None for the default profile
    text: str = field(default="", repr=False)  # the CONSTRUCT that builds its view from the mapped terms

    @property
    def context(self) -> dict:
        """The JSON-LD context of its views: the vocabulary as ``@vocab``."""
        return {"@vocab": self.vocabulary or str(PREFIXES["lgdx"]), "xsd": str(PREFIXES["xsd"])}


def _parse(path: Path) -> Profile:
    meta: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = HEADER.match(line)
        if not line.startswith("#"):
            break
        if m:
            meta[m.group(1).lower()] = m.group(2).strip()
        elif line.startswith("#   ") and "description" in meta:
            meta["description"] += " " + line[1:].strip()
    return Profile(path.stem, meta["profile"], meta["title"], meta.get("description", ""), meta["vocabulary"],
                   path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def profiles() -> dict[str, Profile]:
    """Every profile by token, the default first."""
    own = Profile(DEFAULT, ONTOLOGY_IRI, "lgdx (the project's own vocabulary)",
                  "Every triple as published, in the project's ontology and the vocabularies it reuses.")
    found = {p.stem: _parse(p) for p in sorted(HERE.glob("*.rq")) if p.stem != "mapped"}
    return {DEFAULT: own} | found


def find(token_or_uri: str) -> Profile | None:
    """The profile a token (``eli``) or a URI (``http://data.europa.eu/eli/ontology``) names."""
    known = profiles()
    if token_or_uri in known:
        return known[token_or_uri]
    return next((p for p in known.values() if p.uri == token_or_uri.strip("<>")), None)


def named(token_or_uri: str) -> Profile:
    """The profile ``token_or_uri`` names; an error listing the profiles if none does."""
    found = find(token_or_uri)
    if found is None:
        raise KgError(f"no profile `{token_or_uri}`",
                      fix=f"use one of: {', '.join(f'{p.token} ({p.uri})' for p in profiles().values())}")
    return found


_ACCEPT_PROFILE = re.compile(r"\s*<([^>]*)>\s*((?:;[^,]*)?)")


def from_accept_profile(header: str | None, available: list[Profile]) -> Profile | None:
    """The best of ``available`` by an ``Accept-Profile`` header (``<uri>;q=0.9, <uri>``), or None."""
    if not header:
        return None
    best, best_q = None, 0.0
    for m in _ACCEPT_PROFILE.finditer(header):
        q = 1.0
        qm = re.search(r"q\s*=\s*([0-9.]+)", m.group(2))
        if qm:
            try:
                q = float(qm.group(1))
            except ValueError:
                continue
        profile = next((p for p in available if p.uri == m.group(1)), None)
        if profile is not None and q > best_q:
            best, best_q = profile, q
    return best


# --- views --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _mapped_query(vocabulary: str) -> str:
    """``mapped.rq`` with ``?vocabulary`` bound (read and bound once per vocabulary)."""
    return with_bindings((HERE / "mapped.rq").read_text(encoding="utf-8"), {"vocabulary": ox.NamedNode(vocabulary)})


#: The ontology's statements that map a term to another vocabulary's (what ``mapped.rq`` follows).
MAPPINGS = frozenset(str(PREFIXES[p]) + n for p, n in (
    ("rdfs", "subClassOf"), ("rdfs", "subPropertyOf"), ("owl", "equivalentClass"), ("owl", "equivalentProperty"),
    ("skos", "exactMatch"), ("skos", "closeMatch"), ("skos", "broadMatch")))
_mapping_quads: dict[int, tuple[Graph, list[ox.Quad]]] = {}


def _mappings(ontology: Graph) -> list[ox.Quad]:
    """The mapping statements of ``ontology`` as quads of its named graph, converted once per ontology."""
    kept = _mapping_quads.get(id(ontology))
    if kept is None or kept[0] is not ontology:
        quads = [ox.Quad(*to_ox_triple(t), ONTOLOGY_GRAPH) for t in ontology if str(t[1]) in MAPPINGS]
        kept = _mapping_quads[id(ontology)] = (ontology, quads)
    return kept[1]


def _store(triples, ontology: Graph) -> ox.Store:
    """A store with ``triples`` in the default graph and the ontology's mappings in its own named graph."""
    store = ox.Store()
    store.extend(ox.Quad(*t) for t in triples)
    store.extend(_mappings(ontology))
    return store


def view(profile: Profile, triples, ontology: Graph) -> list[ox.Triple]:
    """``triples`` in ``profile``; the default profile returns them as they are.

    ``mapped.rq`` finds the terms of the profile's vocabulary the ontology maps the data to;
    the profile's own query then builds the view from those (in the graph ``urn:x-kg:mapped``)
    and the data, for the subjects that got a class of the vocabulary.
    """
    triples = [ox.Triple(t.subject, t.predicate, t.object) for t in triples]
    if profile.vocabulary is None:
        return triples
    store = _store(triples, ontology)
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    store.extend([ox.Quad(*t, MAPPED_GRAPH) for t in store.query(_mapped_query(profile.vocabulary), prefixes=prefixes)])
    return list(store.query(profile.text, prefixes=prefixes))


def available(triples, ontology: Graph) -> list[Profile]:
    """The profiles ``triples`` (one resource's) have a view in: the default, then those that type it."""
    triples = list(triples)
    return [p for p in profiles().values() if p.vocabulary is None or view(p, triples, ontology)]


def graph_view(profile: Profile, graph: Graph, ontology: Graph) -> Graph:
    """The whole of ``graph`` in ``profile``, as an rdflib graph (for ``kg export --profile``)."""
    return to_graph(view(profile, (to_ox_triple(t) for t in graph), ontology))


def to_graph(triples, prefixes: bool = True) -> Graph:
    """pyoxigraph triples as an rdflib graph, with the project's prefixes unless ``prefixes`` is
    false (JSON-LD compacted with a profile's context needs none, and binding them is slow)."""
    out = Graph()
    for t in triples:
        out.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return bind(out) if prefixes else out


def serialize(graph: Graph, fmt: str, profile: Profile, base: str) -> bytes:
    """A view in ``fmt`` (a dump format): JSON-LD compacted with the profile's own context."""
    if fmt == "jsonld" and profile.vocabulary is not None:
        return graph.serialize(format="json-ld", context=profile.context, auto_compact=True, encoding="utf-8")
    return export.serialize(graph, fmt, base)
