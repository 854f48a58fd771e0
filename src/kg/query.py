"""Named queries, parameter binding as RDF terms, the safety check, and result formats."""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from xml.parsers import expat
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg import dates
from kg.errors import DateError, KgError, Location, QueryError
from kg.namespaces import DEFAULT_BASE, PREFIXES
from kg.rules import RULE_GLOB
from kg.sparql import dataset_clause, query_form, service_calls, with_bindings, with_prefixes

HEADER = re.compile(r"^#\s*([\w-]+)\s*:\s*(.*)$")
PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>iri|string|ja|en|integer|decimal|date)"
                   r"(?:\s*=\s*(?P<default>\S+))?\s*(?:(?:--|—)\s*(?P<text>.*))?$")
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass(frozen=True)
class Param:
    """A query parameter: a variable bound to an RDF term before the query runs."""

    name: str
    type: str
    default: str | None
    text: str


@dataclass(frozen=True)
class NamedQuery:
    """A query file of ``queries/`` with its header: title, description, parameters."""

    name: str
    path: Path
    title: str
    title_en: str
    description: str
    description_en: str
    params: tuple[Param, ...]
    text: str = field(repr=False)


def parse_named(path: Path) -> NamedQuery:
    """Read a query file and its header comment."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        m = HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key == "param":
            p = PARAM.match(value)
            if not p:
                raise QueryError(f"bad parameter line `{value}`", Location(str(path), number),
                                 "write `# param: NAME TYPE [= DEFAULT] -- description`, TYPE one of "
                                 "iri string ja en integer decimal date")
            params.append(Param(p["name"], p["type"], p["default"], (p["text"] or "").strip()))
        else:
            meta[key] = value
    if "title" not in meta:
        raise QueryError("query has no `# title:` line", Location(str(path), 1),
                         "start the file with `# title: …` and `# description: …`")
    return NamedQuery(path.stem, path, meta["title"], meta.get("title-en", meta["title"]),
                      meta.get("description", ""), meta.get("description-en", meta.get("description", "")),
                      tuple(params), text)


def named_queries(queries_dir: Path) -> dict[str, NamedQuery]:
    """The named queries (not the build's rules), by name."""
    rules = {p.name for p in queries_dir.glob(RULE_GLOB)}
    return {p.stem: parse_named(p) for p in sorted(queries_dir.glob("*.rq")) if p.name not in rules}


def find_query(queries_dir: Path, name_or_file: str) -> NamedQuery:
    """A named query by name, or a query file by path."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse_named(path)
    known = named_queries(queries_dir)
    if name_or_file not in known:
        hints = difflib.get_close_matches(name_or_file, list(known), n=3, cutoff=0.5)
        raise QueryError(f"no query named `{name_or_file}`", Location(str(queries_dir)),
                         (f"did you mean {' or '.join(f'`{h}`' for h in hints)}? " if hints else "")
                         + "`kg queries` lists them; or give the path of a .rq file")
    return known[name_or_file]


# --- binding ------------------------------------------------------------------

def bind_params(query: NamedQuery, given: dict[str, str], base: str = DEFAULT_BASE) -> dict[str, ox.Term]:
    """The RDF term of each parameter, from ``given`` text or the default."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise QueryError(f"unknown parameter(s): {', '.join(unknown)}", Location(str(query.path)),
                         f"this query takes: {', '.join(declared) or 'no parameters'}")
    terms = {}
    for p in query.params:
        value = given.get(p.name, p.default)
        if value is None:
            raise QueryError(f"parameter `{p.name}` is required", Location(str(query.path)),
                             f"add `--param {p.name}=…` ({p.text or p.type})")
        terms[p.name] = term_of(p, value, base)
    return terms


def term_of(param: Param, value: str, base: str = DEFAULT_BASE) -> ox.Term:
    """``value`` as the RDF term of ``param``'s type: never pasted into query text."""
    try:
        if param.type == "iri":
            return ox.NamedNode(_expand_iri(value, base))
        if param.type in ("ja", "en"):
            return ox.Literal(value, language=param.type)
        if param.type == "string":
            return ox.Literal(value)
        if param.type == "integer":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        if param.type == "decimal":
            float(value)
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "decimal"))
        literal = dates.parse(value).literal()  # date
        return ox.Literal(str(literal), datatype=ox.NamedNode(str(literal.datatype)))
    except (ValueError, DateError) as exc:
        raise QueryError(f"parameter `{param.name}`: `{value}` is not a valid {param.type}: {exc}",
                         fix=f"give {param.text or 'a value of type ' + param.type}") from None


def absent_iris(query: NamedQuery, bindings: dict[str, ox.Term], store: ox.Store,
                base: str = DEFAULT_BASE) -> list[str]:
    """A warning for each IRI parameter whose value the store does not mention, naming the
    resources nearest to it by id or label (a misspelt id otherwise gives no rows, silently)."""
    warnings = []
    for p in query.params:
        term = bindings.get(p.name)
        if p.type != "iri" or not isinstance(term, ox.NamedNode):
            continue
        if store.query(f"ASK {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} }}"):
            continue
        written = term.value[len(base):] if term.value.startswith(base) else term.value
        # the resources of the same kind (plan/…) are the candidates, or all if there is no kind
        kind = written.split("/", 1)[0] + "/" if term.value.startswith(base) and "/" in written else ""
        under = f"FILTER (STRSTARTS(STR(?s), {json.dumps(base + kind)}))"
        names: dict[str, str] = {}
        for row in store.query(f"SELECT DISTINCT ?s WHERE {{ ?s a ?class . {under} }}"):
            names[row["s"].value[len(base):]] = row["s"].value
        labels: dict[str, str] = {}
        for row in store.query(f"SELECT ?s ?l WHERE {{ ?s <{RDFS_LABEL}> ?l . {under} }} ORDER BY ?s"):
            names.setdefault(row["l"].value, row["s"].value)
            if row["l"].language == "ja" or row["s"].value not in labels:
                labels[row["s"].value] = row["l"].value
        near = difflib.get_close_matches(written, list(names), n=3, cutoff=0.4)
        shown = dict.fromkeys(f"{names[n][len(base):]} 「{labels.get(names[n], '')}」" for n in near)
        warnings.append(f"--param {p.name}: `{written}` is not in the graph, so the query finds nothing "
                        f"about it" + (f"; nearest: {', '.join(shown)}" if shown else ""))
    return warnings


def _expand_iri(value: str, base: str) -> str:
    if re.match(r"^https?://", value):
        return value
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and prefix != "id":
        return str(PREFIXES[prefix]) + local
    if re.fullmatch(r"[a-z-]+/[A-Za-z0-9-]+", value):
        return base + value
    raise ValueError("write KIND/SLUG, a prefixed name or an http(s) IRI")


# --- safety -------------------------------------------------------------------

#: Only a query that says one of these (or escapes one) can call an endpoint or name a dataset.
_RISKY = re.compile(r"service|from|\\u", re.IGNORECASE)


def _parsed_services_and_datasets(text: str) -> tuple[list[str], list[str]]:
    """SERVICE endpoints and FROM / FROM NAMED IRIs as rdflib's SPARQL parser finds them.

    The project's prefixes that the query uses without declaring are declared for the parse,
    as :func:`run` gives them to pyoxigraph. A text rdflib cannot parse is refused.
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(with_prefixes(text))
        algebra = translateQuery(parsed).algebra
    except Exception as exc:  # pyparsing and rdflib raise several types for bad queries
        raise QueryError(f"malformed query: {exc}", fix="check the SPARQL syntax") from None
    services: list[str] = []

    def walk(node):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            services.append(str(node.get("term")))
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(algebra)
    query = parsed[1]
    clauses = query["datasetClause"] if "datasetClause" in query else []  # CompValue.get is not dict.get
    return services, [str(clause[k]) for clause in clauses for k in ("default", "named") if k in clause]


def service_not_allowed(iri: str) -> QueryError:
    """The error for a SERVICE call to an endpoint the operator did not allow."""
    return QueryError(f"SERVICE <{iri}> is not allowed", fix=(
        "federated queries may only call endpoints the operator allows (--allow-service URL)"))


def check_query(text: str, allowed_services: frozenset[str] = frozenset()) -> None:
    """Refuse SERVICE to endpoints not allowed, and FROM / FROM NAMED with any IRI.

    Two readings must both find nothing to refuse: the query's tokens (:mod:`kg.sparql`, which
    names what it refuses as written, and knows an update) and rdflib's SPARQL parser, whose
    grammar is the standard's; a text rdflib cannot parse is refused. Neither is pyoxigraph's
    own parser, so each covers what the other might read differently.
    """
    if not _RISKY.search(text):
        return
    query_form(text)  # an update is refused here, whatever it says
    for iri in [call.iri for call in service_calls(text)]:
        if iri not in allowed_services:
            raise service_not_allowed(iri)
    clause = dataset_clause(text)
    if clause:
        raise QueryError(f"{clause} is not allowed", fix="query the graph as it is, without FROM / FROM NAMED")
    services, datasets = _parsed_services_and_datasets(text)
    refused = [iri for iri in services if iri not in allowed_services]
    if refused:
        raise service_not_allowed(refused[0])
    if datasets:
        raise QueryError(f"FROM <{datasets[0]}> is not allowed", fix="query the graph as it is, without FROM / FROM NAMED")


def malformed(text: str, exc: SyntaxError) -> QueryError:
    """The error for a query pyoxigraph cannot parse; an update says it is one."""
    try:
        query_form(text)
    except QueryError as error:
        if not error.message.startswith("malformed"):
            return error
    return QueryError(f"malformed query: {exc}", fix="check the SPARQL syntax")


# --- running ------------------------------------------------------------------

def store_of(graph: Graph) -> ox.Store:
    """An in-memory pyoxigraph store holding ``graph``."""
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def run(store: ox.Store, text: str, bindings: dict[str, ox.Term] | None = None,
        allowed_services: frozenset[str] = frozenset()):
    """Run a query on ``store``: solutions, triples or a boolean, as pyoxigraph returns them."""
    check_query(text, allowed_services)
    text = with_bindings(text, bindings or {})
    try:
        return store.query(text, prefixes={k: str(v) for k, v in PREFIXES.items()})
    except SyntaxError as exc:
        raise malformed(text, exc) from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from None


# --- formats ------------------------------------------------------------------

SELECT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
OUTPUT_FORMATS = ("table", *SELECT_FORMATS, *GRAPH_FORMATS)


def format_result(result, fmt: str) -> bytes:
    """A query result in ``fmt``: ``table`` for people, the standard formats for programs."""
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            return b"true\n" if bool(result) else b"false\n"
        if fmt in ("json", "xml", "csv", "tsv"):
            return result.serialize(format=SELECT_FORMATS[fmt])
    elif isinstance(result, ox.QueryTriples):
        if fmt == "table":
            fmt = "ttl"
        if fmt in GRAPH_FORMATS:
            return serialize_graph(result, fmt, {k: str(v) for k, v in PREFIXES.items()})
    else:
        if fmt == "table":
            return table(result).encode("utf-8")
        if fmt in SELECT_FORMATS:
            return result.serialize(format=SELECT_FORMATS[fmt])
    kind = "SELECT/ASK" if not isinstance(result, ox.QueryTriples) else "CONSTRUCT/DESCRIBE"
    allowed = ("table", *SELECT_FORMATS) if kind == "SELECT/ASK" else ("table", *GRAPH_FORMATS)
    raise KgError(f"format `{fmt}` does not fit a {kind} result", fix=f"use one of: {', '.join(allowed)}")


def serialize_graph(triples, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """``triples`` in ``fmt`` (a key of :data:`GRAPH_FORMATS`; ``prefixes`` are used by Turtle).

    Not every graph can be written as RDF/XML: a predicate must end in an XML name, which
    ``<http://example.org/p/123>`` does not. pyoxigraph then writes XML that is not
    well-formed, so RDF/XML output is checked, and such a graph is an error.
    """
    kwargs = {"prefixes": prefixes} if fmt == "ttl" and prefixes else {}
    content = ox.serialize(triples, format=GRAPH_FORMATS[fmt], **kwargs)
    if fmt == "rdfxml":
        try:
            expat.ParserCreate(namespace_separator=" ").Parse(content, True)
        except expat.ExpatError:
            raise QueryError("this result cannot be written as RDF/XML: a predicate does not end in an XML name "
                             "(for example, it ends in a digit or a slash)",
                             fix="ask for Turtle, N-Triples or JSON-LD") from None
    return content


def compact(term) -> str:
    """A term as people read it: prefixed name, plain literal text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        value = term.value
        for prefix, ns in PREFIXES.items():
            if value.startswith(str(ns)) and re.fullmatch(r"[\w.-]*", value[len(str(ns)):]):
                return f"{prefix}:{value[len(str(ns)):]}"
        return f"<{value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def table(solutions) -> str:
    """SELECT results as an aligned text table (East Asian wide characters count double)."""
    names = [v.value for v in solutions.variables]
    rows = [[compact(s[n]) for n in names] for s in solutions]
    widths = [max([_width(n)] + [_width(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
