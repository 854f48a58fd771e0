"""RDF files: size, literal sizes, nesting and outside references, each in one pass before a parser runs."""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from kg.errors import LoadError, Location
from kg.limits.contract import breach, check_file, current, size_text
from kg.limits.values import check_iri, valid_iri


def check_rdf(path: Path) -> None:
    """Size, literal size, nesting and outside references of an RDF file, before parsing it."""
    check_file(path)
    suffix = path.suffix
    if suffix in (".nt", ".nq"):
        _check_lines(path)
    elif suffix in (".jsonld", ".json"):
        _check_json(path.read_bytes(), path)
    elif suffix in (".rdf", ".owl", ".xml"):
        _check_xml(path)
    else:
        _check_turtle(path.read_bytes(), path)


def _line(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _literal_breach(path: Path, line: int, what: str = "literal") -> LoadError:
    limit = current().literal
    return breach(f"{what} longer than the limit of {size_text(limit)}", Location(str(path), line),
                   "--max-literal")


def _depth_breach(path: Path, line: int) -> LoadError:
    return breach(f"nested deeper than {current().depth} levels", Location(str(path), line), "--max-depth")


def _check_lines(path: Path) -> None:
    """N-Triples and N-Quads: one statement a line, so no line may be longer than a literal.

    A line of at least ``cap`` bytes holds a whole aligned block of ``cap // 2`` bytes without
    a newline: only such blocks are looked at closer (the searching done in C).
    """
    cap = current().literal + 1
    half = max(1, cap // 2)
    with open(path, "rb") as handle:
        if path.stat().st_size == 0:
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            for block in range(0, len(data), half):
                if data.find(b"\n", block, block + half) >= 0:
                    continue
                start = data.rfind(b"\n", 0, block) + 1
                end = data.find(b"\n", start)
                if (end if end >= 0 else len(data)) - start >= cap:
                    raise _literal_breach(path, data[:start].count(b"\n") + 1, "line")


_LONG_STRINGS = (rb'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
                 rb"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''")
_SHORT_STRINGS = rb'"(?!"")[^"\\\n]*(?:\\.[^"\\\n]*)*"' rb"|'(?!'')[^'\\\n]*(?:\\.[^'\\\n]*)*'"
#: Long strings, brackets, and runs of everything else (IRIs, short strings and comments taken
#: whole, so that brackets and quotes inside them do not count): few matches, the work done in C.
_TURTLE_TOKENS = re.compile(_LONG_STRINGS + rb"|(?:[^\"'<#\[\](){}]++|<[^>\s]*+>|" + _SHORT_STRINGS
                            + rb"|#[^\n]*+)++|[\[\](){}]|.", re.S)  # possessive: no backtracking state
#: Terms of one line: strings, IRIs and names (an IRI or a prefixed name is bounded like a literal).
_TERMS = re.compile(_LONG_STRINGS + b"|" + _SHORT_STRINGS + rb"|<[^>\s]*>|[^\s\"'<>]+")
_OPEN, _CLOSE = frozenset(b"[({"), frozenset(b"])}")


def _check_turtle(data: bytes, path: Path) -> None:
    """Turtle, TriG and N3: bracket nesting, literal and IRI sizes.

    A short string, an IRI or a name lies on one line, so only a line longer than the limit
    can hold one past it: such lines are searched term by term; long (triple-quoted) strings
    are measured.
    """
    limits = current()
    depth = 0
    for m in _TURTLE_TOKENS.finditer(data):
        first = data[m.start()]
        if first in _OPEN:
            depth += 1
            if depth > limits.depth:
                raise _depth_breach(path, _line(data, m.start()))
        elif first in _CLOSE:
            depth -= 1
        elif m.end() - m.start() > limits.literal and data.startswith((b'"""', b"'''"), m.start()):
            raise _literal_breach(path, _line(data, m.start()))
    for number, line in _long_lines(data, limits.literal):
        if any(t.end() - t.start() > limits.literal for t in _TERMS.finditer(line)):
            raise _literal_breach(path, number, "literal or IRI")


def _long_lines(data: bytes, limit: int, chunk: int = 16 << 20) -> Iterator[tuple[int, bytes]]:
    """The lines of ``data`` longer than ``limit``, with their numbers (split a chunk at a time)."""
    number, pending = 1, []  # the pieces of the line that runs on past the chunk read
    for start in range(0, len(data), chunk):
        lines = data[start:start + chunk].split(b"\n")
        pending.append(lines[0])
        if len(lines) == 1:
            continue
        complete, pending = [b"".join(pending), *lines[1:-1]], [lines[-1]]
        for offset, line in enumerate(complete):
            if len(line) > limit:
                yield number + offset, line
        number += len(complete)
    last = b"".join(pending)
    if len(last) > limit:
        yield number, last


_JSON_STRING = rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_OUTSIDE_KEYS = ("@context", "@import")
_IRI_KEYS = ("@id", "@type", "@vocab", "@base")
#: Characters no IRI reference holds (RFC 3987): a value holding one is not an IRI, relative or compact.
_NOT_IRI = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f-\x9f]')


def _json_run() -> bytes:
    """Runs of JSON that need no look, matched whole in C: pairs of a plain key (no escapes, none
    of the keys above) and a string, number, literal or flat object or array of those, and pairs
    of an IRI key and a value of plain IRI characters. A run holds at most two levels of nesting."""
    plain_key = rb'"(?!@(?:context|import|id|type|vocab|base)")[^"\\]*+"\s*+:\s*+'
    iri_pair = rb'"@(?:id|type|vocab|base)"\s*+:\s*+"[^"\\\x00-\x20<>{}|^`\x7f\xc2]*+"'
    scalar = _JSON_STRING + rb"|[-+.0-9eE]++|true|false|null"
    flat_pairs = rb"(?:\s++|,|" + plain_key + rb"(?:" + scalar + rb")|" + iri_pair + rb")*+"
    flat_object = rb"\{" + flat_pairs + rb"\}"
    flat_array = rb"\[(?:\s++|,|" + scalar + rb"|" + flat_object + rb")*+\]"
    value = scalar + rb"|" + flat_object + rb"|" + flat_array
    return rb"(?:\s++|,|" + plain_key + rb"(?:" + value + rb")|" + iri_pair + rb")++"


_JSON_TOKENS = re.compile(rb"(?P<run>" + _json_run() + rb")|(?P<open>[\[{])|(?P<close>[\]}])|(?P<key>"
                          + _JSON_STRING + rb")\s*+:\s*+|(?P<string>" + _JSON_STRING + rb")", re.S)
_JSON_STRINGS = re.compile(_JSON_STRING, re.S)


def _check_json(data: bytes, path: Path) -> None:
    """JSON-LD: nesting, string sizes, IRIs, and no context or import read from a URL or a file.

    JSON-LD processors fetch a ``@context`` given as a string (alone, in an array, in a
    property- or type-scoped context) and every ``@import``; kg never reads them on a
    file's behalf, so such a document is refused before any parser sees it. An ``@id``
    that is no IRI would be dropped by one parser and kept by another: it is refused too.
    """
    limits = current()
    stack: list[str | None] = []  # open containers: the key owning an array, None for an object
    key: str | None = None        # the key whose value comes next
    for m in _JSON_TOKENS.finditer(data):
        kind, start = m.lastgroup, m.start()
        if kind == "run":
            if len(stack) + 2 > limits.depth and len(stack) + _json_depth(m.group()) > limits.depth:
                raise _depth_breach(path, _line(data, start))
            if m.end() - start > limits.literal:
                for s in _JSON_STRINGS.finditer(data, start, m.end()):
                    if s.end() - s.start() > limits.literal:
                        raise _literal_breach(path, _line(data, s.start()), "string")
        elif kind == "open":
            stack.append((key or (stack[-1] if stack else None)) if data[start] == ord("[") else None)
            if len(stack) > limits.depth:
                raise _depth_breach(path, _line(data, start))
        elif kind == "close":
            if stack:
                stack.pop()
        elif m.end(kind) - m.start(kind) > limits.literal:
            raise _literal_breach(path, _line(data, start), "string")
        elif kind == "key":
            key = _json_string(m.group("key"))
            continue
        else:
            owner = key or (stack[-1] if stack else None)
            if owner in _OUTSIDE_KEYS:
                raise _outside_context(_json_string(m.group()), Location(str(path), _line(data, start)))
            if owner in _IRI_KEYS and _NOT_IRI.search(value := _json_string(m.group())):
                check_iri(value, Location(str(path), _line(data, start)))
        key = None


def _json_depth(run: bytes) -> int:
    """The deepest nesting inside a run (strings left out)."""
    depth = deepest = 0
    for c in _JSON_STRINGS.sub(b"", run):
        if c in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in b"]}":
            depth -= 1
    return deepest


def _json_string(token: bytes) -> str:
    try:
        return json.loads(token) if b"\\" in token else token[1:-1].decode("utf-8", "replace")
    except ValueError:
        return token[1:-1].decode("utf-8", "replace")


def _outside_context(reference: str, where: Location) -> LoadError:
    return LoadError(
        f"the JSON-LD context `{reference}` would be read from outside the file; kg reads no "
        "context by URL or from disk on a file's behalf", where,
        f"inline the context: replace \"{reference}\" by the object under \"@context\" in that "
        "document (download it yourself and paste it), then validate again")


def _check_xml(path: Path) -> None:
    """RDF/XML: no DOCTYPE (so no entities to expand or fetch), nesting and text sizes, by expat."""
    limits = current()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True  # text in few calls
    state = {"depth": 0, "text": 0}

    def here() -> Location:
        return Location(str(path), parser.CurrentLineNumber)

    def doctype(*_):
        raise LoadError("the file declares a DOCTYPE; kg expands no XML entities and reads no DTD", here(),
                        "remove the <!DOCTYPE …> declaration and write the entities' text out")

    def start(_name, attributes):
        state["depth"] += 1
        state["text"] = 0
        if state["depth"] > limits.depth:
            raise _depth_breach(path, parser.CurrentLineNumber)
        if any(len(v) > limits.literal for v in attributes.values()):
            raise _literal_breach(path, parser.CurrentLineNumber, "attribute")

    def end(_name):
        state["depth"] -= 1
        state["text"] = 0

    def text(data):
        state["text"] += len(data)
        if state["text"] > limits.literal:
            raise _literal_breach(path, parser.CurrentLineNumber)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        with open(path, "rb") as handle:
            parser.ParseFile(handle)
    except expat.ExpatError as exc:
        raise LoadError(f"malformed XML: {expat.ErrorString(exc.code)}", Location(str(path), exc.lineno),
                        "check the file's syntax, e.g. with `rapper -i rdfxml -c`") from None


def check_graph_iris(graph, path: Path) -> None:
    """Every IRI of an rdflib graph parsed from ``path`` is valid by RFC 3987 (rdflib keeps bad ones)."""
    from rdflib import URIRef

    for term in {t for triple in graph for t in triple if isinstance(t, URIRef)}:
        if not valid_iri(str(term)):
            written = path.read_bytes().find(str(term).encode("utf-8"))
            line = _line(path.read_bytes(), written) if written >= 0 else None
            check_iri(str(term), Location(str(path), line))
