"""Reads of the store for the pages: one resource, class listings, label search, query runs.

These run in the worker processes (``kg.serve.worker``); each takes the :class:`Data` and
plain arguments and returns plain Python data (tuples, dicts, bytes) for the page views.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import LGDX, PREFIXES
from kg.query import check_query, malformed, with_bindings
from kg.serve import negotiation as neg
from kg.serve.results import (TooManyResults, boolean_bytes, bounded_bytes, graph_bytes, limited, rows_of,
                              solutions_bytes, term_data)

RDF_TYPE = ox.NamedNode(str(PREFIXES["rdf"]) + "type")
RDFS_LABEL = ox.NamedNode(str(PREFIXES["rdfs"]) + "label")
SKOS = str(PREFIXES["skos"])
LABELS = (RDFS_LABEL, ox.NamedNode(SKOS + "prefLabel"))
SEARCHED = (*LABELS, ox.NamedNode(SKOS + "altLabel"), ox.NamedNode(SKOS + "hiddenLabel"),
            ox.NamedNode(str(PREFIXES["dcterms"]) + "title"))
DERIVED_FROM = ox.NamedNode(str(PREFIXES["prov"]) + "wasDerivedFrom")
IS_PART_OF = ox.NamedNode(str(PREFIXES["dcterms"]) + "isPartOf")
SECTION = ox.NamedNode(str(LGDX) + "section")
PART_OF = ox.NamedNode(str(LGDX) + "partOf")
ITEM_NUMBER = ox.NamedNode(str(LGDX) + "itemNumber")
ORDINAL = ox.NamedNode(str(LGDX) + "ordinal")
INCOMING_LIMIT = 500
_KATAKANA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}
XSD = str(PREFIXES["xsd"])
#: XSD number types whose literals the store may keep in another form
NUMBERS = {"decimal", "integer", "positiveInteger", "nonNegativeInteger", "negativeInteger",
           "nonPositiveInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
           "unsignedShort", "unsignedByte"}


@dataclass
class Data:
    """The store of one worker, with what the pages need besides it."""

    store: ox.Store
    base: str
    allowed_services: frozenset[str] = frozenset()
    max_results: int = 10_000
    prefixes: dict[str, str] = field(default_factory=dict)
    turtle_prefixes: dict[str, str] = field(default_factory=dict)
    _search_index: list | None = None
    _listings: dict = field(default_factory=dict)  # (classes, facets) → Listed
    _searches: dict = field(default_factory=dict)  # (normalised text, language) → ranked matches
    written: dict = field(default_factory=dict)  # stored triple → the number as the dump writes it

    @property
    def keeps_answers(self) -> bool:
        """Whether listings and searches may be kept: the embedded store does not change while it
        serves; a remote one may (``kg push``), so its answers are worked out each time."""
        return isinstance(self.store, ox.Store)

    def __post_init__(self):
        self.prefixes = {k: str(v) for k, v in PREFIXES.items()} | {"id": self.base}
        # Turtle output leaves instance IRIs whole: ``id:measure\/x`` would need an escaped slash
        self.turtle_prefixes = {k: v for k, v in self.prefixes.items() if k != "id"}


def load(path: str | None, base: str, allowed_services=(), max_results: int = 10_000,
         store: dict | None = None) -> Data:
    """A store holding the N-Triples dump at ``path``, or the remote ``store`` (its URL, graphs, timeout)."""
    if store is not None:
        from kg.remote import endpoint
        from kg.serve.remote_store import RemoteStore

        remote = RemoteStore(endpoint(store["url"], timeout=store["timeout"]), tuple(store["graphs"]), base=base)
        return Data(remote, base, frozenset(allowed_services), max_results)
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
    data = Data(store, base, frozenset(allowed_services), max_results)
    data.written = written_numbers(store, path)
    return data


def written_numbers(store: ox.Store, path: str) -> dict:
    """Numbers the store keeps in another form than the dump writes them, by stored triple.

    The store keeps literals by value: ``"1"^^xsd:positiveInteger`` comes back as an
    xsd:integer and ``"6594.0"`` as ``"6594"``. Resource pages and their RDF show the
    literal as the dump has it; SPARQL results get the store's form.
    """
    out = {}
    for t in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES):
        o = t.object
        if isinstance(o, ox.Literal) and o.datatype.value.startswith(XSD) and o.datatype.value[len(XSD):] in NUMBERS:
            for quad in store.quads_for_pattern(t.subject, t.predicate, None):
                if quad.object != o and _same_number(quad.object, o):
                    out[(t.subject, t.predicate, quad.object)] = o
    return out


def _same_number(stored, written: ox.Literal) -> bool:
    try:
        return isinstance(stored, ox.Literal) and Decimal(stored.value) == Decimal(written.value)
    except InvalidOperation:
        return False


def _as_written(data: Data, quad) -> ox.Triple:
    """``quad``'s triple with its object as the dump wrote it."""
    obj = data.written.get((quad.subject, quad.predicate, quad.object), quad.object)
    return ox.Triple(quad.subject, quad.predicate, obj)


# --- labels -------------------------------------------------------------------

def labels_of(data: Data, iri: str) -> dict[str, str]:
    """The labels of ``iri`` by language (``""`` for a label without one); first one wins."""
    node = ox.NamedNode(iri)
    out: dict[str, str] = {}
    for predicate in LABELS:
        for quad in data.store.quads_for_pattern(node, predicate, None):
            if isinstance(quad.object, ox.Literal):
                out.setdefault(quad.object.language or "", quad.object.value)
    return out


def labels(data: Data, iris) -> dict[str, dict[str, str]]:
    """Labels of each IRI in ``iris`` that has one."""
    found = {}
    for iri in set(iris):
        got = labels_of(data, iri)
        if got:
            found[iri] = got
    return found


# --- one resource -------------------------------------------------------------

def resolve(data: Data, candidates: list[str]) -> str | None:
    """The first of ``candidates`` the store mentions as subject or object."""
    for iri in candidates:
        node = ox.NamedNode(iri)
        if next(data.store.quads_for_pattern(node, None, None), None) is not None:
            return iri
        if next(data.store.quads_for_pattern(None, None, node), None) is not None:
            return iri
    return None


def entity(data: Data, candidates: list[str]) -> dict | None:
    """Everything the page of a resource shows, or ``None`` if the store does not know it."""
    prefetch = getattr(data.store, "prefetch", None)
    if prefetch is not None:  # a remote store: what follows is read in one round trip
        prefetch(ox.NamedNode(candidates[0]), DERIVED_FROM)
    iri = resolve(data, candidates)
    if iri is None:
        return None
    node = ox.NamedNode(iri)
    props: dict[str, list] = {}
    bnodes: dict[str, dict[str, list]] = {}
    linked: set[str] = set()
    for quad in data.store.quads_for_pattern(node, None, None):
        value = _as_written(data, quad).object
        props.setdefault(quad.predicate.value, []).append(term_data(value))
        if isinstance(value, ox.NamedNode):
            linked.add(value.value)
        elif isinstance(value, ox.BlankNode):
            nested = bnodes.setdefault(value.value, {})
            for inner in data.store.quads_for_pattern(value, None, None):
                nested.setdefault(inner.predicate.value, []).append(term_data(_as_written(data, inner).object))
                if isinstance(inner.object, ox.NamedNode):
                    linked.add(inner.object.value)
    incoming: dict[str, list[str]] = {}
    total_incoming = 0
    for quad in data.store.quads_for_pattern(None, None, node):
        total_incoming += 1
        if total_incoming <= INCOMING_LIMIT and isinstance(quad.subject, ox.NamedNode):
            incoming.setdefault(quad.predicate.value, []).append(quad.subject.value)
            linked.add(quad.subject.value)
    sources = [passage(data, t[1]) for t in props.get(DERIVED_FROM.value, []) if t[0] == "uri"]
    return {
        "iri": iri,
        "labels": labels_of(data, iri),
        "types": [t[1] for t in props.get(RDF_TYPE.value, []) if t[0] == "uri"],
        "props": props,
        "bnodes": bnodes,
        "incoming": incoming,
        "incoming_total": total_incoming,
        "sources": sources,
        "linked_labels": labels(data, linked),
    }


def passage(data: Data, iri: str) -> dict:
    """A source passage: its section, labels and the document it is part of."""
    node = ox.NamedNode(iri)
    section = next((q.object.value for q in data.store.quads_for_pattern(node, SECTION, None)), None)
    document = next((q.object.value for q in data.store.quads_for_pattern(node, IS_PART_OF, None)
                     if isinstance(q.object, ox.NamedNode)), None)
    return {"iri": iri, "section": section, "labels": labels_of(data, iri), "document": document,
            "document_labels": labels_of(data, document) if document else {}}


def describe(data: Data, candidates: list[str], fmt: str) -> tuple[str, bytes] | None:
    """The triples about a resource (its blank nodes followed) in ``fmt``, or ``None``."""
    found = description(data, candidates)
    if found is None:
        return None
    iri, triples = found
    return iri, graph_bytes(triples, fmt, len(triples), data.turtle_prefixes)


def description(data: Data, candidates: list[str]) -> tuple[str, list[ox.Triple]] | None:
    """The IRI of a resource and the triples about it (its blank nodes followed), as written; or ``None``."""
    iri = resolve(data, candidates)
    if iri is None:
        return None
    triples, seen, todo = [], set(), [ox.NamedNode(iri)]
    while todo:
        subject = todo.pop()
        for quad in data.store.quads_for_pattern(subject, None, None):
            triples.append(_as_written(data, quad))
            if isinstance(quad.object, ox.BlankNode) and quad.object not in seen:
                seen.add(quad.object)
                todo.append(quad.object)
    return iri, triples


# --- class listings -----------------------------------------------------------

def _members(data: Data, cls: str) -> list[str]:
    """The IRIs typed ``cls`` directly."""
    return [q.subject.value for q in data.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(cls))
            if isinstance(q.subject, ox.NamedNode)]


def class_sizes(data: Data) -> dict[str, int]:
    """The number of members of each class (typed with it directly), as VoID counts them."""
    rows = data.store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    return {row["c"].value: int(row["n"].value) for row in rows if isinstance(row["c"], ox.NamedNode)}


def class_counts(data: Data, groups: dict[str, list[str]]) -> dict[str, int]:
    """The number of distinct members of each group of classes (a class and its subclasses), by name."""
    out = {}
    for name, classes in groups.items():  # counted in the store: no member list crosses to Python
        values = " ".join(f"<{c}>" for c in classes)
        rows = data.store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ {values} }} ?s a ?c . "
                                "FILTER (isIRI(?s)) }")
        out[name] = next(int(row["n"].value) for row in rows)
    return out


#: Searches whose answers a worker keeps.
SEARCHES_KEPT = 256
#: Values a facet of a class listing shows at most (besides the one selected).
FACET_VALUES = 50


@dataclass
class Listed:
    """The members of a group of classes, once per graph (the store does not change): in their own
    order, with their facet values; and the answers to the filters asked so far."""

    order: list[str]
    values: dict[str, dict[str, list[str]]]
    by_class: list[tuple[str, int]]
    answers: dict = field(default_factory=dict)  # filters → (matching members, facet counts)

    #: Filter combinations kept at most (each answer holds a list of members).
    KEPT = 256


def _listed(data: Data, classes: list[str], facets: list[str]) -> Listed:
    key = (tuple(classes), tuple(facets))
    listed = data._listings.get(key)
    if listed is None:
        members: dict[str, None] = {}
        by_class = []
        for cls in classes:
            direct = _members(data, cls)
            members.update(dict.fromkeys(direct))
            if direct:
                by_class.append((cls, len(direct)))
        values = {}
        for member in members:
            node = ox.NamedNode(member)
            values[member] = {p: [q.object.value for q in data.store.quads_for_pattern(node, ox.NamedNode(p), None)
                                  if isinstance(q.object, ox.NamedNode)] for p in facets}
        listed = Listed(sorted(members, key=lambda m: _sort_key(data, m)), values, by_class)
        if data.keeps_answers:
            data._listings[key] = listed
    return listed


def listing(data: Data, classes: list[str], facets: list[str], filters: dict[str, str],
            offset: int = 0, limit: int = 100, columns: tuple[str, ...] = ()) -> dict:
    """Members of ``classes`` matching ``filters`` ({property: value}), with facet counts, and the
    values of ``columns`` (as written, as :func:`term_data`) for the members shown.

    ``by_class`` counts the members typed with each class directly, as ``?s a <class>`` does;
    ``total`` counts each member once. Every value in ``filters`` stays among the facet values,
    with 0 when nothing else selected has it, so it can be unselected. The members, their order
    and facet values are read once per worker; each combination of filters is worked out once
    (on the embedded store: a remote store may change, so there each listing is worked out anew).
    """
    listed = _listed(data, classes, facets)
    values = listed.values
    asked = tuple(sorted(filters.items()))
    answer = listed.answers.get(asked)
    if answer is None:
        def passes(member: str, skip: str | None = None) -> bool:
            return all(value in values[member][prop] for prop, value in filters.items() if prop != skip)

        counts = {}
        for prop in facets:
            counter = Counter(v for m in listed.order if passes(m, prop) for v in set(values[m][prop]))
            if prop in filters:
                counter.setdefault(filters[prop], 0)
            counts[prop] = _facet_order(data, counter)
        if len(listed.answers) >= Listed.KEPT:
            listed.answers.clear()
        answer = listed.answers[asked] = ([m for m in listed.order if passes(m)], counts)
    matching, counts = answer
    page = matching[offset: offset + limit]
    # a facet shows its first values (a national graph has thousands of plans) and those selected
    shown_counts = {p: [(v, n) for i, (v, n) in enumerate(c) if i < FACET_VALUES or filters.get(p) == v]
                    for p, c in counts.items()}
    shown = set(page) | {v for prop in shown_counts.values() for v, _ in prop} | {
        v for m in page for prop in facets for v in values[m][prop]}
    return {
        "total": len(values),
        "by_class": listed.by_class,
        "matching": len(matching),
        "items": [(m, {p: values[m][p] for p in facets}, _column_values(data, m, columns)) for m in page],
        "facets": shown_counts,
        "facets_more": {p: len(counts[p]) - len(shown_counts[p]) for p in facets},
        "labels": labels(data, shown),
    }


def _column_values(data: Data, iri: str, columns: tuple[str, ...]) -> dict[str, list[tuple]]:
    node = ox.NamedNode(iri)
    return {p: [term_data(_as_written(data, q).object) for q in data.store.quads_for_pattern(node, ox.NamedNode(p), None)]
            for p in columns}


def _facet_order(data: Data, counter: Counter) -> list[tuple[str, int]]:
    """Facet values in their own order when each has one (plans: first, second …), else most used first."""
    if all(_rank(data, v) < math.inf for v in counter):
        return sorted(counter.items(), key=lambda kv: (_rank(data, kv[0]), kv[0]))
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _rank(data: Data, iri: str) -> float:
    """``lgdx:ordinal`` of ``iri`` (the third plan: 3), or infinity: things without one go last."""
    value = next((q.object.value for q in data.store.quads_for_pattern(ox.NamedNode(iri), ORDINAL, None)), "")
    return int(value) if value.isdigit() else math.inf


def _sort_key(data: Data, iri: str) -> tuple:
    """Members in their own order: by plan (its ordinal), own ordinal, item number, then label."""
    node = ox.NamedNode(iri)
    plan = next((q.object.value for q in data.store.quads_for_pattern(node, PART_OF, None)), "")
    number = next((q.object.value for q in data.store.quads_for_pattern(node, ITEM_NUMBER, None)), "0")
    label = labels_of(data, iri)
    return (_rank(data, plan) if plan else 0, plan, _rank(data, iri), int(number) if number.isdigit() else 0,
            label.get("ja") or label.get("en") or iri)


# --- search -------------------------------------------------------------------

def normalise(text: str) -> str:
    """Text as search compares it: NFKC (full-width → half-width), case-folded, katakana as hiragana."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_KATAKANA)


def searched_labels(data: Data) -> list:
    if data._search_index is None:
        entries = []
        for predicate in SEARCHED:
            for quad in data.store.quads_for_pattern(None, predicate, None):
                if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                    text = quad.object.value
                    entries.append((normalise(text), quad.subject.value, text, quad.object.language or ""))
        data._search_index = entries
    return data._search_index


def search(data: Data, query: str, lang: str | None = None, offset: int = 0, limit: int = 50) -> dict:
    """Resources whose labels contain ``query``: exact matches first, then prefixes, then shorter labels.

    ``total`` counts every match; ``items`` holds those from ``offset``, ``limit`` at most.
    """
    needle = normalise(query.strip())
    if not needle:
        return {"total": 0, "items": [], "labels": {}}
    ranked = data._searches.get((needle, lang))
    if ranked is None:  # each search is worked out once (the store does not change), a few hundred kept
        best: dict[str, tuple] = {}
        for norm, iri, text, language in searched_labels(data):
            if lang and language != lang:
                continue
            at = norm.find(needle)
            if at < 0:
                continue
            rank = (0 if norm == needle else 1 if at == 0 else 2, len(norm), text)
            if iri not in best or rank < best[iri][0]:
                best[iri] = (rank, text, language)
        ranked = sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))
        if len(data._searches) >= SEARCHES_KEPT:
            data._searches.clear()
        if data.keeps_answers:
            data._searches[(needle, lang)] = ranked
    items = []
    for iri, (_, text, language) in ranked[offset: offset + limit]:
        types = [q.object.value for q in data.store.quads_for_pattern(ox.NamedNode(iri), RDF_TYPE, None)]
        items.append({"iri": iri, "matched": text, "lang": language, "types": types})
    return {"total": len(ranked), "items": items, "labels": labels(data, [i["iri"] for i in items])}


# --- queries ------------------------------------------------------------------

_OWN_LIMIT = re.compile(r"\bLIMIT\s+(\d+)(?:\s+OFFSET\s+\d+)?\s*$", re.IGNORECASE)


def _execute(data: Data, text: str, bindings: dict | None) -> tuple:
    """The query's result, and whether a SELECT result is known to stay within the row limit.

    A SELECT whose last clause is ``LIMIT n`` (n within the limit) is bounded as written;
    otherwise ``LIMIT max+1`` is appended when the grammar allows it (the outermost solution
    modifier, so the rows and their order are those of the query). A bounded result can be
    written by pyoxigraph's own serialisers, counting its rows only when it is large.
    """
    check_query(text, data.allowed_services)
    text = with_bindings(text, bindings or {})
    last_line = text.rstrip().rsplit("\n", 1)[-1]
    own = _OWN_LIMIT.search(last_line) if "#" not in last_line else None
    if own and int(own.group(1)) <= data.max_results:
        result = _run(data, text)
        return result, isinstance(result, ox.QuerySolutions)
    try:
        result = data.store.query(f"{text}\nLIMIT {data.max_results + 1}", prefixes=data.prefixes)
    except SyntaxError:  # a LIMIT or VALUES already ends the query, or it is malformed
        return _run(data, text), False
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        return result, True
    return _run(data, text), False  # CONSTRUCT/DESCRIBE: a LIMIT would cut solutions, not triples


def _run(data: Data, text: str):
    try:
        return data.store.query(text, prefixes=data.prefixes)
    except SyntaxError as exc:
        raise malformed(text, exc) from None


def sparql(data: Data, text: str, accept: str | None, explicit: str | None = None,
           bindings: dict | None = None, lenient: bool = False) -> tuple:
    """Run a query and serialise its result in the format the client asked for.

    Returns ``("bytes", fmt, content)``, ``("table", …)`` for HTML, or ``("406", offers)``.
    """
    result, bounded = _execute(data, text, bindings)
    graph = isinstance(result, ox.QueryTriples)
    offers = neg.GRAPH_OFFERS if graph else neg.SELECT_OFFERS
    fmt = neg.choose(accept, offers, "graph" if graph else "select", explicit, lenient)
    if fmt is None:
        return ("406", offers)
    try:
        if fmt == neg.HTML:
            return table(data, result)
        if isinstance(result, ox.QueryBoolean):
            return ("bytes", fmt, boolean_bytes(bool(result), fmt))
        if graph:
            return ("bytes", fmt, graph_bytes(result, fmt, data.max_results, data.turtle_prefixes))
        if bounded:
            return ("bytes", fmt, bounded_bytes(result, fmt, data.max_results))
        names, rows = rows_of(result, data.max_results)
        return ("bytes", fmt, solutions_bytes(names, rows, fmt))
    except OSError as exc:  # raised while evaluating lazily, e.g. by a SERVICE call
        raise QueryError(f"query failed: {exc}") from None


def table(data: Data, result) -> tuple:
    """A result as rows of plain terms for an HTML table, with the labels of its IRIs."""
    if isinstance(result, ox.QueryBoolean):
        return ("table", "ask", ["boolean"], [(("literal", str(bool(result)).lower(), None, None),)], {})
    if isinstance(result, ox.QueryTriples):
        names = ["subject", "predicate", "object"]
        rows = [(term_data(t.subject), term_data(t.predicate), term_data(t.object))
                for t in limited(result, data.max_results, "triples")]
        kind = "graph"
    else:
        names, raw = rows_of(result, data.max_results)
        rows = [tuple(term_data(t) for t in row) for row in raw]
        kind = "select"
    iris = {cell[1] for row in rows for cell in row if cell and cell[0] == "uri"}
    return ("table", kind, names, rows, labels(data, iris))


#: The operations a worker runs, by name.
OPERATIONS = {f.__name__: f for f in (entity, describe, class_sizes, class_counts, listing, search, sparql, labels)}

__all__ = ["Data", "OPERATIONS", "TooManyResults", "load"]
