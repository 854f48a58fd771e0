"""Query results → bytes, counting rows and triples so that a size limit can stop them.

SELECT results are written here rather than by pyoxigraph's serialiser so that the
count is known row by row; graphs go through pyoxigraph with a counting generator.
"""

from __future__ import annotations

import csv
import io
import json
from json.encoder import encode_basestring as _quote
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query import SELECT_FORMATS, serialize_graph

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
TURTLE_PREFIXES = {k: str(v) for k, v in PREFIXES.items() if k != "id"}


class TooManyResults(Exception):
    """A result has more rows or triples than the server's limit."""

    def __init__(self, limit: int, what: str):
        super().__init__(f"the result has more than {limit:,} {what}")
        self.limit = limit


def limited(items, limit: int, what: str):
    """Yield ``items``, raising :class:`TooManyResults` at item ``limit + 1``."""
    for count, item in enumerate(items, 1):
        if count > limit:
            raise TooManyResults(limit, what)
        yield item


def rows_of(solutions: ox.QuerySolutions, limit: int) -> tuple[list[str], list[tuple]]:
    """Variable names and rows (tuples of terms or ``None``), at most ``limit`` rows."""
    names = [v.value for v in solutions.variables]
    return names, [tuple(s) for s in limited(solutions, limit, "rows")]


def boolean_bytes(value: bool, fmt: str) -> bytes:
    """An ASK result in ``fmt`` (json xml csv tsv)."""
    text = "true" if value else "false"
    if fmt == "json":
        return b'{"head":{},"boolean":' + text.encode() + b"}"
    if fmt == "xml":
        return (b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                b"<head/><boolean>" + text.encode() + b"</boolean></sparql>\n")
    return text.encode() + b"\n"


def bounded_bytes(solutions: ox.QuerySolutions, fmt: str, limit: int) -> bytes:
    """SELECT results known to hold at most ``limit + 1`` rows, written by pyoxigraph.

    A cheap upper bound on the rows is checked first; they are counted exactly only when
    that bound passes the limit.
    """
    content = solutions.serialize(format=SELECT_FORMATS[fmt])
    if rows_at_most(content, fmt) > limit and count_rows(content, fmt) > limit:
        raise TooManyResults(limit, "rows")
    return content


def rows_at_most(content: bytes, fmt: str) -> int:
    """An upper bound on the rows: every JSON row opens a brace, every CSV/TSV row ends a line."""
    if fmt == "json":
        return content.count(b"{")
    if fmt == "xml":
        return count_rows(content, fmt)
    return content.count(b"\n")


def count_rows(content: bytes, fmt: str) -> int:
    """The number of rows of SELECT results in ``fmt``."""
    if fmt == "tsv":  # newlines inside terms are escaped: one line per row
        return content.count(b"\n") - 1
    if fmt == "xml":  # "<" is escaped in text: every "<result" starts a row
        return content.count(b"<result>") + content.count(b"<result/>")
    if fmt == "json":
        return len(json.loads(content)["results"]["bindings"])
    return sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8"), newline=""))) - 1


def solutions_bytes(names: list[str], rows: list[tuple], fmt: str) -> bytes:
    """SELECT results in ``fmt`` (json xml csv tsv), per the W3C result formats."""
    return _WRITERS[fmt](names, rows)


def _json_term(term) -> str:
    """One term as a JSON results object, written directly (``encode_basestring`` escapes)."""
    if isinstance(term, ox.NamedNode):
        return '{"type":"uri","value":' + _quote(term.value) + "}"
    if isinstance(term, ox.Literal):
        if term.language:
            return '{"type":"literal","value":' + _quote(term.value) + ',"xml:lang":' + _quote(term.language) + "}"
        datatype = term.datatype.value
        if datatype != XSD_STRING:
            return '{"type":"literal","value":' + _quote(term.value) + ',"datatype":' + _quote(datatype) + "}"
        return '{"type":"literal","value":' + _quote(term.value) + "}"
    if isinstance(term, ox.BlankNode):
        return '{"type":"bnode","value":' + _quote(term.value) + "}"
    return ('{"type":"triple","value":{"subject":' + _json_term(term.subject) + ',"predicate":'
            + _json_term(term.predicate) + ',"object":' + _json_term(term.object) + "}}")


def _json(names, rows) -> bytes:
    keys = [_quote(n) + ":" for n in names]
    cache: dict = {}  # results repeat their terms (a plan, a label, a predicate) from row to row

    def cell(key: str, term) -> str:
        text = cache.get(term)
        if text is None:
            text = cache[term] = _json_term(term)
        return key + text

    body = ",".join("{" + ",".join([cell(k, t) for k, t in zip(keys, row) if t is not None]) + "}"
                    for row in rows)
    head = '{"head":{"vars":[' + ",".join(_quote(n) for n in names) + ']},"results":{"bindings":['
    return (head + body + "]}}").encode("utf-8")


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>")


def _xml(names, rows) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f"<variable name={quoteattr(n)}/>" for n in names]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                for n, t in zip(names, row) if t is not None]
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode("utf-8")


def _csv_cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    elif isinstance(term, (ox.NamedNode, ox.Literal)):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(names, rows) -> bytes:
    lines = [",".join(names)] + [",".join(_csv_cell(t) for t in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _tsv(names, rows) -> bytes:
    # str() of a pyoxigraph term is its N-Triples form, escapes included: what TSV asks for.
    lines = ["\t".join("?" + n for n in names)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


_WRITERS = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}


def graph_bytes(triples, fmt: str, limit: int, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in ``fmt`` (ttl nt jsonld rdfxml), raising past ``limit`` of them."""
    return serialize_graph(limited(triples, limit, "triples"), fmt, prefixes or TURTLE_PREFIXES)


def term_data(term) -> tuple | None:
    """A term as plain data for pages: ``("uri", iri)``, ``("literal", text, lang, datatype)`` …"""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.language, term.datatype.value)
    return ("triple", str(term))
