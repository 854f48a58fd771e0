"""Content negotiation as tables: media types, formats, file extensions and Accept parsing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kg.export import FORMATS

HTML = "html"

#: The media type each response format is sent with.
MEDIA_TYPES: dict[str, str] = {
    HTML: "text/html; charset=utf-8",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "ttl": FORMATS["ttl"].media_type + "; charset=utf-8",
    "nt": FORMATS["nt"].media_type,
    "jsonld": FORMATS["jsonld"].media_type,
    "rdfxml": FORMATS["rdfxml"].media_type,
    "text": "text/plain; charset=utf-8",
    "errjson": "application/json",
}

#: Media types a client may ask for → format, for SELECT and ASK results.
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/html": HTML,
}

#: Media types a client may ask for → format, for graphs (CONSTRUCT, DESCRIBE, resources).
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/turtle": "ttl",
    "text/n3": "ttl",
    "text/rdf+n3": "ttl",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/html": HTML,
}

#: File extensions (``/id/measure/x.ttl``) → format.
EXTENSIONS: dict[str, str] = {
    ".html": HTML,
    ".ttl": "ttl",
    ".nt": "nt",
    ".jsonld": "jsonld",
    ".rdf": "rdfxml",
}
FORMAT_EXTENSIONS: dict[str, str] = {fmt: ext for ext, fmt in EXTENSIONS.items()}

#: ``?format=`` values (as other endpoints name them) → format.
FORMAT_NAMES: dict[str, str] = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "html": HTML, "ttl": "ttl", "turtle": "ttl", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml", "rdf": "rdfxml", "xml-rdf": "rdfxml",
    "rdf+xml": "rdfxml", "n3": "ttl",  # Turtle is N3 too
}

#: What each kind of response offers, in the server's order of preference (first = default).
SELECT_OFFERS = ("json", "xml", "csv", "tsv", HTML)
GRAPH_OFFERS = ("ttl", "jsonld", "nt", "rdfxml", HTML)
PAGE_OFFERS = (HTML, "ttl", "jsonld", "nt", "rdfxml")
DATA_OFFERS = ("ttl", "jsonld", "nt", "rdfxml", HTML)
ERROR_OFFERS = ("text", "errjson", HTML)
_ERROR_TYPES = {"text/plain": "text", "application/json": "errjson", "text/html": HTML,
                "application/sparql-results+json": "errjson", "application/ld+json": "errjson"}


@dataclass(frozen=True)
class Range:
    """One media range of an Accept header, with its quality."""

    type: str
    subtype: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


@lru_cache(maxsize=256)
def parse_accept(header: str | None) -> tuple[Range, ...]:
    """The media ranges of an Accept header, best first; malformed parts are skipped."""
    if not header:
        return (Range("*", "*", 1.0, 0),)
    ranges = []
    for order, part in enumerate(header.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(Range(kind, sub, q, order))
    ranges.sort(key=lambda r: (-r.q, -r.specificity, r.order))
    return tuple(ranges)


@lru_cache(maxsize=512)
def negotiate(accept: str | None, offers: tuple[str, ...], table_name: str = "graph") -> str | None:
    """The format among ``offers`` the client prefers, or ``None`` if it accepts none of them.

    Each offer is scored by the range that decides its quality (:func:`_deciding_range`);
    ties go to the more specific range, then to the server's order of ``offers``.
    """
    table = TABLES[table_name]
    best, best_key = None, None
    ranges = parse_accept(accept)
    for index, fmt in enumerate(offers):
        match = _deciding_range(ranges, fmt, table)
        if match is None or match.q <= 0:
            continue
        key = (match.q, match.specificity, -index)
        if best_key is None or key > best_key:
            best, best_key = fmt, key
    return best


def _deciding_range(ranges: tuple[Range, ...], fmt: str, table: dict[str, str]) -> Range | None:
    """The range that gives ``fmt`` its quality (RFC 9110 §12.5.1): the most specific one matching
    the media type ``fmt`` is sent with, unless that is a wildcard and the client names another
    media type of ``fmt`` (``application/json``), whose best range then counts.

    Wildcards never match those other types: ``*/*`` must not undo ``text/turtle;q=0`` through
    ``application/x-turtle``, and ``text/*`` must not choose SPARQL XML through ``text/xml``.
    """
    sent = MEDIA_TYPES[fmt].split(";")[0]
    match = max((r for r in ranges if r.matches(sent)), key=lambda r: (r.specificity, -r.order), default=None)
    if match is not None and match.specificity == 2:
        return match
    named = [r for r in ranges if r.specificity == 2 and table.get(f"{r.type}/{r.subtype}") == fmt]
    return max(named, key=lambda r: r.q, default=match)


TABLES = {"select": RESULT_TYPES, "graph": GRAPH_TYPES, "error": _ERROR_TYPES}


def choose(accept: str | None, offers: tuple[str, ...], table_name: str = "graph",
           explicit: str | None = None, lenient: bool = False) -> str | None:
    """The response format: an explicit choice (extension or ``?format=``) wins over Accept.

    ``lenient``: an explicit choice that does not fit ``offers`` falls back to Accept, for
    clients that send a format hint with every query (SPARQLWrapper sends ``format=json``).
    """
    if explicit:
        key = explicit.lower().split(";")[0].strip()
        fmt = FORMAT_NAMES.get(key) or TABLES[table_name].get(key) or key
        if fmt in offers:
            return fmt
        if not lenient:
            return None
    return negotiate(accept, offers, table_name)


def split_extension(path: str) -> tuple[str, str | None]:
    """``("/id/x", "ttl")`` for ``/id/x.ttl``; the path unchanged and ``None`` without a known one."""
    dot = path.rfind(".")
    if dot > path.rfind("/"):
        fmt = EXTENSIONS.get(path[dot:].lower())
        if fmt:
            return path[:dot], fmt
    return path, None


def media_type(fmt: str) -> str:
    """The Content-Type header value of ``fmt``."""
    return MEDIA_TYPES[fmt]
