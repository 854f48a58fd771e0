"""What an input file may ask of kg: the limits of the input contract, checked before the work they protect.

Every file a stranger can hand kg (YAML, CSV, Turtle, N-Triples, JSON-LD, RDF/XML) passes
through here before a parser builds anything from it: its size, the nesting depth, the
size of one literal, the entries of a data file, YAML aliases (count and what they expand
to), and no outside reads on the file's behalf (JSON-LD ``@context``/``@import`` by URL or
file, XML DOCTYPEs and entities). Each check is one pass over the text (read at most once into memory) that keeps
only counters, so a hostile file costs time in proportion to its size. A breach is a
``LoadError`` naming the file, the line and the ``--max-*`` option that raises the limit.

The limits in force are set per command (``using``); ``current()`` is what the checks read.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.parsers import expat

import yaml

from kg.errors import LoadError, Location

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

@dataclass(frozen=True)
class Limits:
    """The most one input file may hold; the README's table lists them."""

    file_size: int = 1 << 30       #: bytes of one file (a 3M-triple N-Triples dump is ~510 MB)
    literal: int = 1 << 20         #: bytes of one literal, string or line of N-Triples
    depth: int = 64                #: nesting of YAML, JSON, XML elements and Turtle brackets
    entries: int = 5_000           #: resources of one YAML file, rows of one table
    aliases: int = 1_000           #: YAML aliases (`*name`) in one file

    @property
    def yaml_nodes(self) -> int:
        """Values of one YAML file, aliases expanded: 20 a resource (a hand-written one holds about 8)."""
        return 20 * self.entries


_current: ContextVar[Limits] = ContextVar("limits", default=Limits())


def current() -> Limits:
    """The limits in force."""
    return _current.get()


@contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Run the block with ``limits`` in force."""
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


class InputWarning(UserWarning):
    """Something in an input file that works but is likely a mistake (shown as ``warning:``)."""


def size_text(n: int) -> str:
    """``n`` bytes for people: 1 GiB, 512 KiB, 300 B."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << (shift - 4)) == 0:
            return f"{n / (1 << shift):g} {unit}"
    return f"{n} B"


def parse_size(text: str) -> int:
    """``"64M"``, ``"1G"``, ``"512k"`` or plain bytes → bytes."""
    m = re.fullmatch(r"\s*([0-9]+)\s*([kKmMgG]?)i?[bB]?\s*", text)
    if not m:
        raise ValueError(f"`{text}` is not a size: write bytes or e.g. 64M, 1G")
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2).lower()]


def _breach(what: str, where: Location, option: str) -> LoadError:
    return LoadError(what, where, f"if the file is meant to be this way, raise the limit with {option}")


# --- files ---------------------------------------------------------------------

def check_file(path: Path) -> None:
    """``path`` is a readable regular file within the size limit (checked before reading it)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe or a device would block or never end
            raise LoadError("cannot read: not a regular file", Location(str(path)), "give a file")
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror}", Location(str(path)),
                        "check the path and that the file can be read") from None
    size, limit = info.st_size, current().file_size
    if size > limit:
        raise _breach(f"file of {size_text(size)} is larger than the limit of {size_text(limit)}",
                      Location(str(path)), "--max-file-size")


def walk_files(folder: Path) -> Iterator[Path]:
    """Every file below ``folder`` (each folder's in name order); a folder that cannot be read
    is an error naming it, where ``Path.rglob`` would pass over it without a word."""
    def refuse(exc: OSError):
        raise LoadError(f"cannot read folder: {exc.strerror}", Location(exc.filename or str(folder)),
                        "make the folder readable, or move it out of data/") from None

    for root, dirs, files in os.walk(folder, onerror=refuse):
        dirs.sort()
        for name in files:
            yield Path(root) / name


# --- YAML ----------------------------------------------------------------------

#: Bytes that can end or open a YAML node: a file with fewer of them holds fewer nodes.
_YAML_MARKS = (b",", b"[", b"{", b":", b"-", b"\n", b"?", b"*")


def check_yaml_text(text: str, path: Path) -> None:
    """The number of nodes of a YAML text, before the composer builds one object for each.

    Counting the bytes that can mark a node bounds the count; only a text over the limit by
    that count has its nodes counted exactly, from the parser's events (none kept).
    """
    limit = current().yaml_nodes
    data = text.encode("utf-8")
    if sum(data.count(mark) for mark in _YAML_MARKS) < limit:
        return
    nodes = 0
    try:
        for event in yaml.parse(text, Loader=_YAML_LOADER):
            if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent, yaml.AliasEvent)):
                nodes += 1
                if nodes > limit:
                    raise _nodes_breach(Location(str(path), event.start_mark.line + 1))
    except yaml.YAMLError:
        return  # malformed: the composer reports it, with its line


def _nodes_breach(where: Location) -> LoadError:
    limits = current()
    return _breach(f"YAML file of more than {limits.yaml_nodes:,} values (aliases expanded): at most "
                   f"{limits.yaml_nodes // limits.entries} a resource for {limits.entries:,} resources",
                   where, "--max-entries, or split the file")


def check_yaml(root: yaml.Node, path: Path) -> None:
    """Entries, nesting, aliases, alias expansion and scalar sizes of a composed YAML document.

    The composer makes one node of an anchor however often it is aliased, so the tree it
    returns is small; turning the nodes into values copies a node at every alias, which is
    what an alias bomb relies on. This walk counts what that copying would make, without
    copying, and finds an alias inside its own anchor (a cycle) before anything recurses.
    """
    limits = current()
    if isinstance(root, yaml.SequenceNode) and len(root.value) > limits.entries:
        raise _breach(f"more than {limits.entries:,} resources in one file",
                      Location(str(path), root.value[limits.entries].start_mark.line + 1),
                      "--max-entries, or split the file")
    sizes: dict[int, int] = {}     # node → nodes it stands for once expanded
    expanded, aliases = 1, 0
    path_ids: set[int] = {id(root)}  # the nodes on the way down to the current one
    stack = [(root, _children(root))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            path_ids.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in _children(node))
            continue
        alias = id(child) in sizes or id(child) in path_ids
        # an alias is the anchored node itself, marked where the anchor is: name the collection holding it
        where = Location(str(path), (node if alias else child).start_mark.line + 1)
        if id(child) in path_ids:
            raise LoadError("an alias lies inside its own anchor", where,
                            "an alias cannot contain itself: write the value out")
        expanded += sizes.get(id(child), 1)
        if expanded > limits.yaml_nodes:
            raise _nodes_breach(where)
        if alias:
            aliases += 1
            if aliases > limits.aliases:
                raise LoadError(f"more than {limits.aliases:,} YAML aliases in one file", where,
                                "write the values out instead of repeating anchors (`&name`/`*name`)")
            continue
        if isinstance(child, yaml.ScalarNode):
            if len(child.value) * 4 > limits.literal and len(child.value.encode("utf-8")) > limits.literal:
                raise _breach(f"text longer than the limit of {size_text(limits.literal)}", where,
                              "--max-literal")
            sizes[id(child)] = 1
            continue
        if len(stack) >= limits.depth:
            raise _breach(f"YAML nested deeper than {limits.depth} levels", where, "--max-depth")
        path_ids.add(id(child))
        stack.append((child, _children(child)))


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return iter(node.value)
    if isinstance(node, yaml.MappingNode):
        return (n for pair in node.value for n in pair)
    return iter(())


def check_table(lines: list[str], path: Path) -> None:
    """A plan table has at most ``entries`` rows (counted as lines, before any row is read)."""
    limit = current().entries
    if len(lines) > limit + 1:
        raise _breach(f"more than {limit:,} rows in one table", Location(str(path), limit + 2),
                      "--max-entries, or split the plan's table")


# --- IRIs (RFC 3987) ---------------------------------------------------------------

@cache  # compiling the character classes takes ~80 ms: only once an IRI is checked
def _iri_pattern() -> re.Pattern:
    """RFC 3987's ``IRI`` rule (section 2.2) as a regular expression; IPv6 hosts go to ``ipaddress``."""
    ucschar = ("\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
               + "".join(f"{chr(p)}-{chr(p + 0xfffd)}" for p in range(0x10000, 0xe0000, 0x10000))
               + "\U000e1000-\U000efffd")
    iprivate = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
    unreserved = rf"A-Za-z0-9\-._~{ucschar}"
    sub_delims = r"!$&'()*+,;="
    pct = r"%[0-9A-Fa-f]{2}"
    ipchar = rf"(?:[{unreserved}{sub_delims}:@]|{pct})"
    segments = rf"(?:/{ipchar}*)*"
    authority = (rf"(?:(?:[{unreserved}{sub_delims}:]|{pct})*@)?"
                 rf"(?P<host>\[[^\]]*\]|(?:[{unreserved}{sub_delims}]|{pct})*)(?::[0-9]*)?")
    hier = rf"(?://{authority}{segments}|/(?:{ipchar}+{segments})?|{ipchar}+{segments}|)"
    query = rf"(?:\?(?:{ipchar}|[/?{iprivate}])*)?"
    fragment = rf"(?:\#(?:{ipchar}|[/?])*)?"
    return re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{hier}{query}{fragment}")


def valid_iri(text: str) -> bool:
    """``text`` is an absolute IRI by RFC 3987."""
    m = _iri_pattern().fullmatch(text)
    if m is None:
        return False
    host = m.group("host") or ""
    if host.startswith("["):
        inner = host[1:-1]
        if re.fullmatch(r"v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+", inner):
            return True
        try:
            ipaddress.IPv6Address(inner)
        except ValueError:
            return False
    return True


def check_iri(text: str, where: Location) -> str:
    """``text`` if it is an IRI by RFC 3987; else an error naming the first character at fault."""
    if valid_iri(text):
        return text
    bad = next((c for c in text if c in '"<>{}|\\^` ' or ord(c) < 0x21), None)
    detail = f": `{bad}` may not appear in an IRI" if bad else ""
    raise LoadError(f"`{text[:200]}` is not a valid IRI (RFC 3987){detail}", where,
                    "write a full IRI such as `https://example.org/path`; encode other characters "
                    "as %XX (e.g. a space as %20, `\"` as %22)")


# --- language tags (BCP 47) ----------------------------------------------------------

def check_language(tag: str, where: Location) -> bool:
    """Whether ``tag`` is a well-formed BCP 47 tag; one whose subtags are not in the IANA
    registry (``zz``, ``qq``) is kept with an ``InputWarning``."""
    import langcodes  # its registry takes a quarter of a second to load: only when a tag is read

    try:
        langcodes.Language.get(tag, normalize=False)
    except (ValueError, langcodes.tag_parser.LanguageTagError):
        return False
    if not langcodes.tag_is_valid(tag):
        warnings.warn(InputWarning(f"{where}: language tag `{tag}` is not in the IANA language subtag "
                                   "registry; did you mean `ja` or `en`?"), stacklevel=2)
    return True


# --- RDF files -----------------------------------------------------------------------

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
    return _breach(f"{what} longer than the limit of {size_text(limit)}", Location(str(path), line),
                   "--max-literal")


def _depth_breach(path: Path, line: int) -> LoadError:
    return _breach(f"nested deeper than {current().depth} levels", Location(str(path), line), "--max-depth")


def _check_lines(path: Path) -> None:
    """N-Triples and N-Quads: one statement a line, so no line may be longer than a literal."""
    cap = current().literal + 1
    with open(path, "rb") as handle:
        for number, line in enumerate(iter(lambda: handle.readline(cap), b""), 1):
            if len(line) == cap and not line.endswith(b"\n"):
                raise _literal_breach(path, number, "line")


_LONG_STRINGS = (rb'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
                 rb"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''")
_SHORT_STRINGS = rb'"(?!"")[^"\\\n]*(?:\\.[^"\\\n]*)*"' rb"|'(?!'')[^'\\\n]*(?:\\.[^'\\\n]*)*'"
#: Long strings, brackets, and runs of everything else (IRIs, short strings and comments taken
#: whole, so that brackets and quotes inside them do not count): few matches, the work done in C.
_TURTLE_TOKENS = re.compile(_LONG_STRINGS + rb"|(?:[^\"'<#\[\](){}]++|<[^>\s]*+>|" + _SHORT_STRINGS
                            + rb"|#[^\n]*+)++|[\[\](){}]|.", re.S)  # possessive: no backtracking state
_STRINGS = re.compile(_LONG_STRINGS + b"|" + _SHORT_STRINGS)
_OPEN, _CLOSE = frozenset(b"[({"), frozenset(b"])}")


def _check_turtle(data: bytes, path: Path) -> None:
    """Turtle, TriG and N3: bracket nesting and literal sizes.

    A short string lies on one line, so only a line longer than the limit can hold one past
    it: such lines are searched string by string; long (triple-quoted) strings are measured.
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
        if any(s.end() - s.start() > limits.literal for s in _STRINGS.finditer(line)):
            raise _literal_breach(path, number)


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
