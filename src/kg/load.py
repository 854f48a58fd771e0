"""Source files → an rdflib graph, remembering the file and line of every node.

The data files are YAML (a list of resources keyed by the terms of ``kg.terms``)
and CSV plan tables (``PLAN.measures.csv``). RDF files (Turtle, N-Triples,
JSON-LD, RDF/XML) load too, so that another municipality's dump can be checked.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from kg import dates, limits
from kg.errors import DateError, LoadError, Location, raise_collected
from kg.namespaces import DEFAULT_BASE, KINDS, LGDX, PREFIXES, bind, iri, valid_slug
from kg.sourcelines import subject_lines
from kg.terms import DATATYPES, ID_KEY, TERMS, TYPE_KEY, Term

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

RDF_FORMATS = {
    ".ttl": "turtle", ".nt": "nt", ".n3": "n3", ".jsonld": "json-ld", ".json": "json-ld",
    ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".nq": "nquads", ".trig": "trig",
}
DATA_SUFFIXES = (".yaml", ".yml")
TABLE_SUFFIXES = (".measures.csv", ".measures.tsv")
#: Files in data/ that are documentation, not graph content.
SKIPPED_NAMES = {"open-questions.yaml", "README.md"}
#: Files in data/ that configure ``kg import`` rather than hold graph content.
IMPORT_MAPPING_SUFFIX = ".import.yaml"
CIRCLED = re.compile(r"(?=[\u2460-\u2473])")  # ① … ⑳ start a numbered sub-item


@dataclass
class SourceIndex:
    """Where each node and each (node, property) was written."""

    nodes: dict[URIRef, Location] = field(default_factory=dict)
    props: dict[tuple[URIRef, URIRef], Location] = field(default_factory=dict)

    def locate(self, focus, path=None) -> Location | None:
        """The most precise known place of ``focus`` (and ``path``)."""
        return self.props.get((focus, path)) or self.nodes.get(focus)

    def update(self, other: SourceIndex) -> None:
        self.nodes.update(other.nodes)
        self.props.update(other.props)


@dataclass
class Loaded:
    """A graph with the index of where its nodes came from."""

    graph: Graph
    index: SourceIndex


@dataclass
class _Pending:
    """A concept value to resolve once every file is loaded."""

    subject: URIRef
    term: Term
    value: str
    where: Location


@dataclass
class _Entry:
    """One resource as written: its id, classes and raw values, each with a place."""

    where: Location
    values: dict[str, tuple[object, Location]]


class _Builder:
    """Turns entries into triples; shared by the YAML and CSV readers."""

    def __init__(self, known_classes: set[URIRef] | None):
        self.graph = bind(Graph())
        self.index = SourceIndex()
        self.pending: list[_Pending] = []
        self.known_classes = known_classes
        #: The loading errors met so far: a run reports them all, not only the first.
        self.errors: list[LoadError] = []

    @contextmanager
    def collecting(self):
        """Record a loading error raised inside and go on with the next file, entry or row."""
        try:
            yield
        except LoadError as exc:
            self.errors.append(exc)

    def add(self, entry: _Entry) -> URIRef:
        values = dict(entry.values)
        if ID_KEY not in values:
            raise LoadError("resource has no `id`", entry.where,
                            "start each resource with `- id: KIND/SLUG`, e.g. `- id: measure/my-plan-01`")
        raw_id, id_where = values.pop(ID_KEY)
        subject = self._node_iri(raw_id, id_where)
        if subject in self.index.nodes:
            first = self.index.nodes[subject]
            raise LoadError(f"duplicate id `{raw_id}`: already defined at {first}", id_where,
                            "each resource is defined once: merge the two entries or give one another id")
        self.index.nodes[subject] = entry.where
        kind, _, slug = str(raw_id).partition("/")
        self.graph.add((subject, DCTERMS.identifier, Literal(slug)))
        if TYPE_KEY not in values:
            raise LoadError(f"`{raw_id}` has no `type`", entry.where,
                            "add `type:` with a class of the ontology, e.g. `type: Measure`")
        raw_types, type_where = values.pop(TYPE_KEY)
        for name in _as_list(raw_types):
            with self.collecting():
                self.graph.add((subject, RDF.type, self._class_iri(name, type_where)))
        for key, (raw, where) in values.items():
            with self.collecting():  # each key's problem is reported, not only the first
                self._add_value(subject, key, raw, where)
        return subject

    def _add_value(self, subject: URIRef, key: str, raw, where: Location) -> None:
        term = TERMS.get(key)
        if term is None:
            hint = difflib.get_close_matches(key, [*TERMS, ID_KEY, TYPE_KEY], n=1)
            raise LoadError(f"unknown key `{key}`", where,
                            f"did you mean `{hint[0]}`?" if hint else
                            "use a term of the JSON-LD context (data/README.md lists them)")
        self.index.props[(subject, term.iri)] = where
        for obj in self._objects(subject, term, raw, where):
            self.graph.add((subject, term.iri, obj))

    def _node_iri(self, raw, where: Location) -> URIRef:
        if not isinstance(raw, str) or raw.count("/") != 1:
            raise LoadError(f"bad id `{raw}`", where,
                            "write the id as KIND/SLUG, e.g. `law/428AC1000000103` or `org/132209`")
        kind, slug = raw.split("/")
        if kind not in KINDS:
            raise LoadError(f"unknown kind `{kind}` in id `{raw}`", where, f"use one of: {', '.join(KINDS)}")
        if not valid_slug(kind, slug):
            raise LoadError(f"bad slug `{slug}` in id `{raw}`", where,
                            "slugs are lowercase ASCII letters, digits and single hyphens, e.g. `it-plan-4`")
        return iri(kind, slug)

    def _class_iri(self, name, where: Location) -> URIRef:
        if not isinstance(name, str):
            raise LoadError(f"bad type `{name}`", where, "write a class name such as `Measure`")
        value = _expand(name, where) if ":" in name else LGDX[name]
        if self.known_classes is not None and value not in self.known_classes:
            hint = difflib.get_close_matches(name, sorted(_local(c) for c in self.known_classes), n=1)
            raise LoadError(f"unknown class `{name}`", where,
                            f"did you mean `{hint[0]}`?" if hint else "use a class of ontology/lgdx.ttl")
        return value

    def _objects(self, subject: URIRef, term: Term, raw, where: Location):
        if term.kind == "lang":
            yield from self._lang(term, raw, where)
            return
        items = _as_list(raw)
        if len(items) > 1 and not term.many:
            raise LoadError(f"`{term.name}` takes one value, got {len(items)}", where,
                            f"keep one value of `{term.name}`")
        for item in items:
            if isinstance(item, (dict, list)) or item is None:
                raise LoadError(f"`{term.name}` takes a plain value, got {_describe(item)}", where,
                                f"write `{term.name}: VALUE`")
            text = _clean(item)
            if term.scheme:
                self.pending.append(_Pending(subject, term, text, where))
            elif term.kind == "id":
                yield _reference(text, where)
            else:
                yield _literal(term, text, where)

    def _lang(self, term: Term, raw, where: Location):
        if term.many and isinstance(raw, list) and all(isinstance(item, dict) for item in raw):
            for item in raw:  # a list of {ja: …, en: …} pairs, one per value
                yield from self._lang(term, item, where)
            return
        if not isinstance(raw, dict):
            raise LoadError(f"`{term.name}` needs a language map, got {_describe(raw)}", where,
                            f"write `{term.name}: {{ja: …, en: …}}`")
        for lang, texts in raw.items():
            if (not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", lang)
                    or not limits.check_language(lang, where)):
                hint = ("a comma inside {…} starts a new entry: quote text that has commas, "
                        'e.g. `en: "A, B"`' if " " in str(lang) or texts is None
                        else "use a BCP 47 tag such as `ja` or `en`")
                raise LoadError(f"bad language tag `{lang}` in `{term.name}`", where, hint)
            items = _as_list(texts)
            if len(items) > 1 and not term.many:
                raise LoadError(f"`{term.name}` takes one `{lang}` text, got {len(items)}", where,
                                f"keep one `{lang}` text, or move the others to `altLabel` or `note`")
            for text in items:
                if not isinstance(text, str) or not _clean(text):
                    raise LoadError(f"empty or non-text `{lang}` value in `{term.name}`", where,
                                    "write the text, or remove the entry")
                yield Literal(_clean(text), lang=lang)

    def resolve_concepts(self) -> None:
        """Turn concept values (slug, notation or Japanese label) into concept IRIs."""
        lookup: dict[str, dict[str, URIRef]] = {}
        for item in self.pending:
            with self.collecting():
                self._resolve(item, lookup)

    def _resolve(self, item: _Pending, lookup: dict[str, dict[str, URIRef]]) -> None:
        scheme = item.term.scheme
        if scheme not in lookup:
            lookup[scheme] = self._scheme_lookup(scheme)
        concepts = lookup[scheme]
        concept = concepts.get(item.value)
        if concept is None:
            names = sorted({k for k in concepts if not k.startswith(("http", "concept/"))})
            raise LoadError(f"unknown {scheme} `{item.value}` in `{item.term.name}`", item.where,
                            f"use one of: {', '.join(names)}" if names else
                            f"define the concepts of scheme/{scheme} in data/vocab/")
        self.graph.add((item.subject, item.term.iri, concept))

    def _scheme_lookup(self, scheme: str) -> dict[str, URIRef]:
        names: dict[str, URIRef] = {}
        for concept in self.graph.subjects(SKOS.inScheme, iri("scheme", scheme)):
            names[str(concept)] = concept
            names[str(concept)[len(DEFAULT_BASE):]] = concept
            for prop in (RDFS.label, SKOS.altLabel, SKOS.notation):
                for label in self.graph.objects(concept, prop):
                    names[str(label)] = concept
        return names


def load_paths(paths: list[Path], known_classes: set[URIRef] | None = None) -> Loaded:
    """Load data files (YAML, CSV tables) and RDF files into one graph."""
    builder = _Builder(known_classes)
    for path in paths:
        with builder.collecting():
            _read(path, builder)
    builder.resolve_concepts()
    raise_collected(builder.errors)
    return Loaded(builder.graph, builder.index)


def _read(path: Path, builder: _Builder) -> None:
    name = path.name
    if name.endswith(TABLE_SUFFIXES):
        _read_table(path, builder)
    elif name.endswith(DATA_SUFFIXES):
        _read_yaml(path, builder)
    elif path.suffix in RDF_FORMATS:
        _read_rdf(path, builder)
    else:
        raise LoadError("cannot tell the format of this file", Location(str(path)),
                        "use .yaml, .measures.csv, .ttl, .nt, .jsonld or .rdf")


def data_files(folder: Path) -> list[Path]:
    """The data and RDF files below ``folder``, in a stable order (an unreadable folder is an error)."""
    found = [p for p in limits.walk_files(folder) if p.name not in SKIPPED_NAMES
             and (p.name.endswith(DATA_SUFFIXES + TABLE_SUFFIXES) or p.suffix in RDF_FORMATS)
             and not p.name.endswith(IMPORT_MAPPING_SUFFIX)]
    return sorted(_readable(p) for p in found)


def _readable(path: Path) -> Path:
    """``path`` relative to the current folder where it lies below it, for shorter messages."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


# --- YAML -------------------------------------------------------------------

def _read_yaml(path: Path, builder: _Builder) -> None:
    text = _read_text(path)
    limits.check_yaml_text(text, path)  # before the composer makes an object of every node
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem_mark", None)
        start = getattr(exc, "context_mark", None) or problem  # where the broken construct began
        detail = getattr(exc, "problem", None) or str(exc)
        if problem and start is not problem and problem.line != start.line:
            detail += f" (noticed at line {problem.line + 1})"
        raise LoadError(f"malformed YAML: {detail}", Location(str(path), start.line + 1 if start else None),
                        "check indentation, colons, brackets and quotes from this line on") from None
    if root is None:
        return
    limits.check_yaml(root, path)  # before any value is built: nesting and alias bombs
    if not isinstance(root, yaml.SequenceNode):
        raise LoadError("a data file must be a list of resources", _where(path, root),
                        "start each resource with `- id: KIND/SLUG`")
    for node in root.value:
        with builder.collecting():
            _read_entry(path, node, builder)


def _read_entry(path: Path, node, builder: _Builder) -> None:
    if not isinstance(node, yaml.MappingNode):
        raise LoadError(f"a resource must be a mapping, got {_describe(_plain(node, path))}",
                        _where(path, node), "write `- id: KIND/SLUG` followed by `key: value` lines")
    values: dict[str, tuple[object, Location]] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        where = _where(path, key_node)
        if not isinstance(key, str):
            raise LoadError("a key must be plain text", where, "write `key: value`")
        if key in values:
            raise LoadError(f"duplicate key `{key}` (first at line {values[key][1].line})", where,
                            f"keep one `{key}`; a key with several values takes a list")
        values[key] = (_plain(value_node, path), where)
    builder.add(_Entry(_where(path, node), values))


def _plain(node, path: Path):
    """A composed YAML node as plain Python, every scalar kept as text (no YAML 1.1 guessing)."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":null") and not node.style and node.value in ("", "~", "null"):
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n, path) for n in node.value]
    out = {}
    for k, v in node.value:
        key = k.value if isinstance(k, yaml.ScalarNode) else None
        if key in out:
            raise LoadError(f"duplicate key `{key}`", _where(path, k), f"keep one `{key}`")
        out[key] = _plain(v, path)
    return out


def _where(path: Path, node) -> Location:
    return Location(str(path), node.start_mark.line + 1)


# --- CSV plan tables ---------------------------------------------------------

#: Column heading → (term, how the cell is read). A heading may also end with the key.
COLUMNS = {
    "項番": ("itemNumber", "one"),
    "項目": ("label.ja", "one"),
    "内容": ("description.ja", "one"),
    "取組目標": ("goalType", "one"),
    "取組内容": ("progressNote.ja", "circled"),
    "達成状況": ("achievementStatus", "one"),
    "今後の方向性": ("direction", "one"),
    "項目(英語)": ("label.en", "one"),
    "内容(英語)": ("description.en", "one"),
    "関連システム": ("concernsSystem", "words"),
    "関連技術": ("concernsTechnology", "words"),
    "出典": ("derivedFrom", "words"),
    "注記": ("note.ja", "lines"),
    "目標時期": ("targetDate", "one"),
}
REQUIRED_COLUMNS = ("項番", "項目", "内容", "取組目標", "取組内容", "達成状況", "今後の方向性", "出典")


def _column_key(heading: str) -> str | None:
    heading = unicodedata.normalize("NFKC", heading).strip()
    if heading in COLUMNS:
        return heading
    # e.g. "令和3年度までの取組内容" as municipalities publish it
    return next((key for key in COLUMNS if heading.endswith(key) and len(key) > 2), None)


def _read_table(path: Path, builder: _Builder) -> None:
    plan_slug = path.name.rsplit(".measures.", 1)[0]
    if not valid_slug("plan", plan_slug):
        raise LoadError(f"`{plan_slug}` is not a valid plan slug", Location(str(path)),
                        "name the file PLAN-SLUG.measures.csv, e.g. my-city-it-plan-4.measures.csv")
    delimiter = "\t" if path.suffix == ".tsv" else ","
    lines = _read_text(path).splitlines(keepends=True)
    limits.check_table(lines, path)
    csv.field_size_limit(limits.current().literal)  # a cell is a literal: the same limit
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise LoadError("empty table", Location(str(path), 1), "the first row names the columns") from None
    except csv.Error as exc:
        raise LoadError(f"malformed CSV: {exc}", Location(str(path), 1), "check the quotes") from None
    keys = [_column_key(h) for h in header]
    unknown = [h for h, k in zip(header, keys) if k is None]
    if unknown:
        raise LoadError(f"unknown column(s): {', '.join(unknown)}", Location(str(path), 1),
                        f"columns are: {', '.join(COLUMNS)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in keys]
    if missing:
        raise LoadError(f"missing column(s): {', '.join(missing)}", Location(str(path), 1),
                        "add them to the first row")
    seen: dict[int, int] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise LoadError(f"malformed CSV: {exc}", Location(str(path), reader.line_num),
                            "check the quotes of this row") from None
        line = reader.line_num
        where = Location(str(path), line)
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(keys):
            raise LoadError(f"row has {len(row)} cells, the header has {len(keys)}", where,
                            "quote cells that contain commas; every row has one cell per column")
        with builder.collecting():
            cells = {k: c.strip() for k, c in zip(keys, row)}
            number = _integer(cells["項番"], "項番", where, positive=True)
            if number in seen:
                raise LoadError(f"duplicate 項番 {number} (first at line {seen[number]})", where,
                                "give each item its own number")
            seen[number] = line
            builder.add(_Entry(where, _row_values(plan_slug, number, cells, where)))


def _row_values(plan_slug: str, number: int, cells: dict[str, str], where: Location):
    values: dict[str, tuple[object, Location]] = {
        ID_KEY: (f"measure/{plan_slug}-{number:02d}", where),
        TYPE_KEY: ("Measure", where),
        "partOf": (f"plan/{plan_slug}", where),
    }
    for key, cell in cells.items():
        if not cell:
            continue
        target, how = COLUMNS[key]
        name, _, lang = target.partition(".")
        if how == "circled":
            value = [part.strip() for part in CIRCLED.split(cell) if part.strip()]
        elif how == "words":
            value = cell.split()
        elif how == "lines":
            value = [part.strip() for part in cell.splitlines() if part.strip()]
        else:
            value = cell
        if lang:
            current = values.get(name, ({}, where))[0]
            current[lang] = value
            value = current
        values[name] = (value, where)
    return values


# --- RDF files ---------------------------------------------------------------

def _read_rdf(path: Path, builder: _Builder) -> None:
    limits.check_rdf(path)
    graph = Graph()
    try:
        graph.parse(path, format=RDF_FORMATS[path.suffix])
    except Exception as exc:  # rdflib's parsers raise many types; all mean "cannot load"
        problem, line = parse_problem(exc)
        raise LoadError(f"cannot parse as {RDF_FORMATS[path.suffix]}: {problem}", Location(str(path), line),
                        "check the file's syntax, e.g. with `rapper -c`") from None
    limits.check_graph_iris(graph, path)
    for triple in graph:
        builder.graph.add(triple)
    for subject, where in subject_lines(path, set(graph.subjects())).items():
        builder.index.nodes.setdefault(subject, where)


def parse_problem(exc: Exception) -> tuple[str, int | None]:
    """An rdflib parser's error as a sentence and a line number, without the parser's internals."""
    why = getattr(exc, "_why", None)
    if why is not None and isinstance(getattr(exc, "lines", None), int):  # the Turtle/N3 parser
        text = exc._str.decode("utf-8", "replace") if isinstance(exc._str, bytes) else str(exc._str)
        line = exc.lines + 1
        written = text.splitlines()[exc.lines].strip() if exc.lines < len(text.splitlines()) else ""
        return (f"{why}, in `{written[:120]}`" if written else str(why)), line
    if isinstance(exc, SyntaxError) and exc.msg:  # pyoxigraph's parsers
        return exc.msg[:300], exc.lineno
    line = getattr(exc, "line", None)
    return str(exc).strip().splitlines()[0][:300], line if isinstance(line, int) else None


# --- values ------------------------------------------------------------------

def _read_text(path: Path) -> str:
    limits.check_file(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 text (byte {exc.start})", Location(str(path)),
                        "save the file as UTF-8 (Excel: 'CSV UTF-8')") from None
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror}", Location(str(path)), "check the path") from None


def _as_list(raw) -> list:
    return raw if isinstance(raw, list) else [raw]


def _clean(text) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def _describe(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else f"`{value}`"


def _local(value: URIRef) -> str:
    text = str(value)
    if text.startswith(str(LGDX)):
        return text[len(str(LGDX)):]
    for prefix, ns in PREFIXES.items():
        if text.startswith(str(ns)):
            return f"{prefix}:{text[len(str(ns)):]}"
    return text


def _expand(name: str, where: Location) -> URIRef:
    prefix, _, local = name.partition(":")
    if prefix in ("http", "https"):
        return URIRef(limits.check_iri(name, where))
    ns = PREFIXES.get(prefix)
    if ns is None or prefix == "id":
        raise LoadError(f"unknown prefix `{prefix}:` in `{name}`", where,
                        f"use one of: {', '.join(p for p in PREFIXES if p != 'id')}, or a full https:// IRI")
    return URIRef(limits.check_iri(str(ns) + local, where))


def _reference(text: str, where: Location) -> URIRef:
    kind = text.split("/", 1)[0]
    if kind in KINDS and ":" not in text:
        slug = text[len(kind) + 1:]
        if "/" in slug or not valid_slug(kind, slug):
            raise LoadError(f"bad reference `{text}`", where, "write KIND/SLUG, e.g. `org/132209`")
        return iri(kind, slug)
    if ":" in text and " " not in text:
        return _expand(text, where)
    raise LoadError(f"bad reference `{text}`", where,
                    "write KIND/SLUG (e.g. `plan/higashiyamato-it-plan-4`), a prefixed name or an https:// IRI")


def _literal(term: Term, text: str, where: Location) -> Literal:
    if term.kind == "string":
        return Literal(text)
    if term.kind in ("integer", "positiveInteger"):
        return Literal(_integer(text, term.name, where, term.kind == "positiveInteger"),
                       datatype=DATATYPES[term.kind])
    if term.kind == "decimal":
        try:
            value = Decimal(unicodedata.normalize("NFKC", text).replace(",", ""))
        except InvalidOperation:
            raise LoadError(f"`{term.name}` must be a number, got `{text}`", where,
                            "write digits with an optional decimal point, e.g. 0.4 or 39.9") from None
        if not value.is_finite():
            raise LoadError(f"`{term.name}` must be a finite number", where, "write a plain number")
        return Literal(canonical_decimal(value), datatype=DATATYPES["decimal"])
    try:
        parsed = dates.parse(text)
        if term.kind == "date-start":
            return Literal(parsed.start)
        if term.kind == "date-end":
            return Literal(parsed.end)
        return parsed.literal()
    except DateError as exc:
        raise DateError(f"`{term.name}`: {exc.message}", where, exc.fix) from None


def canonical_decimal(value: Decimal) -> str:
    """The canonical xsd:decimal form (``6594.0``, ``0.4``): Turtle writers and stores keep it as is."""
    text = format(value.normalize() if value else Decimal(0), "f")
    return text if "." in text else text + ".0"


def _integer(text: str, name: str, where: Location, positive: bool) -> int:
    normal = unicodedata.normalize("NFKC", text).replace(",", "")
    if not re.fullmatch(r"[+-]?[0-9]+", normal) or (positive and int(normal) < 1):
        kind = "a whole number of 1 or more" if positive else "a whole number"
        raise LoadError(f"`{name}` must be {kind}, got `{text}`", where, f"write {kind}, e.g. 3")
    return int(normal)
