"""A remote SPARQL 1.1 store read through the part of pyoxigraph's ``Store`` that the pages use.

``kg serve --store URL`` puts one of these where a worker would hold its in-memory store, so the
same page code, dereferencing and ``/sparql`` run over a store that can outgrow one machine
(Virtuoso, Fuseki, Oxigraph server …). Queries are parsed here first (against an empty store, so a
malformed query fails as it would locally, and the safety checks of ``kg.query`` have already run
on it); results come back as pyoxigraph's own result objects.

Blank nodes cannot be asked about by name in a remote store; ``kg push`` sends them as skolem IRIs
under ``{base}genid/``, and the triple patterns give those back as blank nodes (and take them as
such), so a resource's nested blank nodes show as they do from the dump.

A page asks many small questions (a resource's triples, then each neighbour's labels). A request
for a resource's triples therefore fetches its neighbours' labels in the same round trip, and
what one page learnt is kept until the worker's next request (:meth:`RemoteStore.forget`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import httpx
import pyoxigraph as ox

from kg.namespaces import DEFAULT_BASE
from kg.ntriples import genid
from kg.remote import Endpoint, check_response, connect
from kg.remote import RemoteError as RemoteError  # re-exported: what a failing store raises

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
LABELS = frozenset({RDFS_LABEL, SKOS_PREF})
SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples"
#: Rows asked for at first where a caller may read only the beginning (a resource's incoming links).
FIRST_PAGE = 1000
_ASK_LIMIT = re.compile(r"\s+LIMIT\s+0*[1-9]\d*\s*$", re.IGNORECASE)


class RemoteStore:
    """The read side of ``pyoxigraph.Store`` over a SPARQL endpoint: ``query``, ``quads_for_pattern``, ``len``."""

    def __init__(self, ep: Endpoint, graphs: tuple[str, ...] = (), client: httpx.Client | None = None,
                 base: str = DEFAULT_BASE):
        self.ep = ep
        self.graphs = graphs
        self.genid = genid(base)
        self.client = client or connect(ep)
        self._empty = ox.Store()
        self._patterns: dict[tuple, list[ox.Quad]] = {}
        self._labels: dict[ox.NamedNode, dict[str, list[ox.Literal]]] = {}
        self._cut: set = set()  # resources whose incoming triples are too many for one answer

    # --- the pages' cache -----------------------------------------------------------------

    def forget(self) -> None:
        """Drop what earlier requests learnt: each request sees the store as it is now."""
        self._patterns.clear()
        self._labels.clear()
        self._cut.clear()

    # --- SPARQL ---------------------------------------------------------------------------

    def query(self, query: str, *, prefixes: dict[str, str] | None = None):
        """A query's result, as ``Store.query`` gives it; ``SyntaxError`` for a malformed query."""
        local = self._empty.query(query, prefixes=prefixes)  # parses it, and tells its form
        text = _prologue(prefixes) + query
        if isinstance(local, ox.QueryTriples):
            body = self._post(text, GRAPH_ACCEPT)
            held = ox.Store()
            held.bulk_load(body, format=ox.RdfFormat.N_TRIPLES)
            return held.query("CONSTRUCT WHERE { ?s ?p ?o }")
        if isinstance(local, ox.QueryBoolean):  # some stores (Virtuoso) refuse ASK … LIMIT n, a no-op for n > 0
            text = _ASK_LIMIT.sub("", text)
        return ox.parse_query_results(self._post(text, SELECT_ACCEPT), format=ox.QueryResultsFormat.JSON)

    def _post(self, text: str, accept: str) -> bytes:
        data = {"query": text}
        if self.graphs:
            data["default-graph-uri"] = list(self.graphs)
        try:
            response = self.client.post(self.ep.query, data=data, headers={"Accept": accept})
        except httpx.TimeoutException:
            raise RemoteError(f"the store at {self.ep.query} did not answer within {self.ep.timeout:g} s",
                              fix="try again; the store may be busy") from None
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot reach the store at {self.ep.query}: {exc}",
                              fix="check that the store is running (kg serve --store URL)") from None
        return check_response(response, "query").content

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(next(iter(rows))["n"].value)

    # --- triple patterns ------------------------------------------------------------------

    def quads_for_pattern(self, subject, predicate, object, graph_name=None) -> Iterator[ox.Quad]:
        """The triples matching a pattern (``None`` is a wildcard), in the default graph."""
        subject, object = self._skolem(subject), self._skolem(object)
        key = (subject, predicate, object)
        if any(isinstance(t, ox.BlankNode) for t in key):
            return iter([])  # a store names its own blank nodes anew in every answer
        if key in self._patterns:
            return iter(self._patterns[key])
        if subject is not None and object is None:  # a resource's own triples are few: all of them, once
            if predicate is not None and predicate.value in LABELS and subject in self._labels:
                return iter([self._quad(subject, predicate, o) for o in self._labels[subject].get(predicate.value, [])])
            outgoing = self._patterns.get((subject, None, None))
            if outgoing is None:
                outgoing = self._neighbourhood(subject, None)
            return iter([q for q in outgoing if predicate is None or q.predicate == predicate])
        if predicate is None and subject is None and object is not None:
            if object in self._cut:  # known to be many: read in pages, as the caller goes
                return self._matching(None, None, object)
            return iter(self._neighbourhood(None, object))
        return self._matching(subject, predicate, object)

    def _neighbourhood(self, subject, object) -> list[ox.Quad]:
        """A resource's outgoing (or incoming) triples, with the labels of the resources at their other end."""
        other = "?s" if subject is None else "?o"
        anchor = subject if subject is not None else object
        rows = self.query(f"SELECT {other} ?p ?lp ?l WHERE {{ {_side(anchor, subject is not None, other)} }}")
        kept = self._keep(anchor, subject is not None, ((row[other[1:]], row) for row in rows))
        return kept if kept is not None else list(self._matching(None, None, object))

    def prefetch(self, subject: ox.NamedNode, follow: ox.NamedNode) -> None:
        """What a resource's page reads, in one round trip instead of one per question: its own
        triples, its incoming ones (a first page), and the triples of its blank nodes and of the
        resources it names by ``follow`` (its sources), each with the labels of what they link to.
        A store spends more on each request than on such a query."""
        follows = (f"SELECT ?m ?p ?y WHERE {{ {_term(subject)} ?q ?m . ?m ?p ?y "
                   f"FILTER(?q = {_term(follow)} || STRSTARTS(STR(?m), STR(<{self.genid}>))) }}")
        rows = list(self.query(
            f"SELECT ?o ?s ?m ?y ?p ?lp ?l WHERE {{ {{ {_side(subject, True, '?o')} }} UNION "
            f"{{ {_side(subject, False, '?s')} }} UNION {{ {{ {follows} }} {_labels_of('?y')} }} }}"))
        self._keep(subject, True, ((row["o"], row) for row in rows if row["o"] is not None))
        self._keep(subject, False, ((row["s"], row) for row in rows if row["s"] is not None))
        linked: dict[ox.NamedNode, list] = {}
        for row in rows:
            if row["m"] is not None:
                linked.setdefault(row["m"], []).append((row["y"], row))
        for node, found in linked.items():
            self._keep(node, True, found)

    def _keep(self, anchor, outgoing: bool, rows) -> list[ox.Quad] | None:
        """The triples of ``anchor`` (outgoing, or incoming) from ``(node at the other end, row)``
        pairs, each row with the node's labels (``lp``, ``l``), kept for later reads; ``None`` for
        incoming ones cut short at the first page."""
        quads, seen = [], set()
        for node, row in rows:  # (the labels are kept by the skolem IRI, as the pattern key holds it)
            triple = (anchor, row["p"], node) if outgoing else (node, row["p"], anchor)
            if triple not in seen:
                seen.add(triple)
                quads.append(self._quad(*triple))
            if isinstance(node, ox.NamedNode):
                labels = self._labels.setdefault(node, {})
                if row["lp"] is not None and row["l"] not in labels.setdefault(row["lp"].value, []):
                    labels[row["lp"].value].append(row["l"])
        if not outgoing and len(quads) >= FIRST_PAGE * 4:  # cut short: the rest on demand
            self._cut.add(anchor)
            return None
        if outgoing:  # every label of the resource itself is among its own triples
            own = self._labels.setdefault(anchor, {})
            for label in LABELS:
                own[label] = [row.object for row in quads if row.predicate.value == label]
        self._patterns[(anchor, None, None) if outgoing else (None, None, anchor)] = quads
        return quads

    def _matching(self, subject, predicate, object) -> Iterator[ox.Quad]:
        """Matches read lazily: a first page, then (only if the caller reads on) all of them."""
        names = [("s", subject), ("p", predicate), ("o", object)]
        free = [f"?{n}" for n, t in names if t is None]
        pattern = " ".join(f"?{n}" if t is None else _term(t) for n, t in names)

        def quad(row) -> ox.Quad:
            return self._quad(*(row[n] if t is None else t for n, t in names))

        if not free:
            found = bool(self.query(f"ASK {{ {pattern} }}"))
            return iter([self._quad(subject, predicate, object)] if found else [])
        select = f"SELECT DISTINCT {' '.join(free)} WHERE {{ {pattern} }}"
        first = [quad(row) for row in self.query(f"{select} LIMIT {FIRST_PAGE}")]
        if len(first) < FIRST_PAGE:
            return iter(first)
        seen = set(first)
        rest = (q for q in (quad(row) for row in self.query(select)) if q not in seen)
        return itertools.chain(first, rest)

    def _skolem(self, term):
        """A blank node this store gave out, as the skolem IRI the store holds."""
        if type(term) is ox.BlankNode and term.value.startswith("sk-"):
            return ox.NamedNode(self.genid + term.value[3:])
        return term

    def _quad(self, s, p, o) -> ox.Quad:
        return ox.Quad(self._blank(s), p, self._blank(o))

    def _blank(self, term):
        """A skolem IRI as the blank node it stands for (named so that :meth:`_skolem` finds it again)."""
        if type(term) is ox.NamedNode and term.value.startswith(self.genid):
            label = term.value[len(self.genid):]
            if re.fullmatch(r"[A-Za-z0-9_.-]*", label) and not label.endswith("."):
                return ox.BlankNode("sk-" + label)
        return term


def _side(anchor, outgoing: bool, other: str) -> str:
    """The pattern of ``anchor``'s outgoing (or incoming: a first page) triples, the node at the
    other end named ``other``, with that node's labels."""
    pattern = f"{_term(anchor)} ?p {other}" if outgoing else f"{other} ?p {_term(anchor)}"
    limit = "" if outgoing else f"LIMIT {FIRST_PAGE * 4}"
    return f"{{ SELECT {other} ?p WHERE {{ {pattern} }} {limit} }} {_labels_of(other)}"


def _labels_of(node: str) -> str:
    return f"OPTIONAL {{ {node} ?lp ?l FILTER(?lp IN (<{RDFS_LABEL}>, <{SKOS_PREF}>)) }}"


def _term(term) -> str:
    """A term as SPARQL writes it."""
    return str(term)


def _prologue(prefixes: dict[str, str] | None) -> str:
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items())
