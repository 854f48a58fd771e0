"""What the server knows besides the store: the dist folder's files, catalogue and ontology.

Loaded once at start-up in the server process; the store itself lives in the workers.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, PROV, SKOS, VOID

from kg import __version__
from kg.catalog import LICENSE
from kg.errors import LoadError, Location
from kg.export import FORMATS, dataset_iri
from kg.namespaces import DCAT3, DEFAULT_BASE, ELI, LGDX, PREFIXES, UNIT
from kg.query import GRAPH_FORMATS, NamedQuery, named_queries
from kg.serve.urls import Urls

#: Labels of the outside vocabulary terms the data uses (the ontology labels its own).
VOCAB_LABELS: dict[str, tuple[str, str]] = {str(k): v for k, v in {
    RDF.type: ("種別", "type"),
    RDFS.label: ("名称", "label"),
    RDFS.comment: ("説明", "comment"),
    RDFS.seeAlso: ("関連情報", "see also"),
    RDFS.subClassOf: ("上位クラス", "subclass of"),
    RDFS.subPropertyOf: ("上位プロパティ", "subproperty of"),
    RDFS.domain: ("定義域", "domain"),
    RDFS.range: ("値域", "range"),
    DCTERMS.title: ("タイトル", "title"),
    DCTERMS.description: ("説明", "description"),
    DCTERMS.identifier: ("識別子", "identifier"),
    DCTERMS.isPartOf: ("所属", "is part of"),
    DCTERMS.publisher: ("発行者", "publisher"),
    DCTERMS.issued: ("策定・公表日", "issued"),
    DCTERMS.modified: ("改訂日", "modified"),
    DCTERMS.spatial: ("地域", "spatial coverage"),
    DCTERMS.license: ("ライセンス", "license"),
    PROV.wasDerivedFrom: ("出典", "derived from"),
    SKOS.prefLabel: ("優先ラベル", "preferred label"),
    SKOS.altLabel: ("別名", "alternative label"),
    SKOS.hiddenLabel: ("原文表記", "hidden label"),
    SKOS.note: ("注記", "note"),
    SKOS.editorialNote: ("編集注記", "editorial note"),
    SKOS.definition: ("定義", "definition"),
    SKOS.notation: ("記号", "notation"),
    SKOS.inScheme: ("概念スキーム", "in scheme"),
    SKOS.topConceptOf: ("最上位概念（スキーム）", "top concept of"),
    SKOS.hasTopConcept: ("最上位概念", "has top concept"),
    SKOS.broader: ("上位概念", "broader"),
    SKOS.narrower: ("下位概念", "narrower"),
    SKOS.exactMatch: ("完全一致", "exact match"),
    SKOS.closeMatch: ("近似一致", "close match"),
    SKOS.broadMatch: ("広義一致", "broad match"),
    SKOS.narrowMatch: ("狭義一致", "narrow match"),
    OWL.sameAs: ("同一", "same as"),
    ORG.subOrganizationOf: ("上位組織", "sub-organisation of"),
    ELI.date_document: ("成立日", "date of the document"),
    ELI.date_publication: ("公布日", "date of publication"),
    ELI.first_date_entry_in_force: ("施行日", "first date of entry into force"),
    ELI.date_no_longer_in_force: ("失効日", "date no longer in force"),
    ELI.amends: ("改正対象", "amends"),
    ELI.repeals: ("廃止対象", "repeals"),
    SKOS.Concept: ("概念", "concept"),
    SKOS.ConceptScheme: ("概念スキーム", "concept scheme"),
    UNIT.NUM: ("個数", "number (count)"),
    UNIT.PERCENT: ("パーセント", "percent"),
    LICENSE: ("公共データ利用規約（第1.0版）", "Public Data License (Version 1.0)"),
}.items()}

#: Facets of the class listings: the properties whose values filter the members.
FACETS: dict[str, tuple[URIRef, ...]] = {
    "Measure": (LGDX.achievementStatus, LGDX.partOf, LGDX.direction, LGDX.goalType),
    "Policy": (DCTERMS.publisher,),
    "Plan": (DCTERMS.publisher,),
    "InformationSystem": (LGDX.operatedBy, LGDX.coversBusinessArea),
    "Observation": (LGDX.indicator,),
    "Event": (LGDX.involves,),
    "SourcePassage": (DCTERMS.isPartOf,),
    "Organization": (ORG.subOrganizationOf,),
    "skos:Concept": (SKOS.inScheme,),
}

#: Value columns of the class listings, after the name: what makes each member a row of data.
COLUMNS: dict[str, tuple[URIRef, ...]] = {
    "Observation": (LGDX.value, LGDX.unit, LGDX.observedOn),
    "Event": (LGDX.occurredOn, LGDX.periodStart, LGDX.periodEnd),
    "Law": (LGDX.lawNumber,),
}

#: Media types of the dist files, by extension (the RDF ones from the export table).
FILE_TYPES = {f.extension: f.media_type for f in FORMATS.values()} | {".json": "application/json"}


@dataclass(frozen=True)
class DistFile:
    """A file of the dist folder, as /download serves it."""

    name: str
    path: Path
    media_type: str
    size: int
    etag: str
    sha256: str  # hex, all 64 digits


@dataclass(frozen=True)
class Term:
    """A class or property of the ontology, as /ontology documents it."""

    iri: str
    name: str
    kind: str
    labels: dict[str, str]
    comments: dict[str, str]
    links: tuple[tuple[str, str], ...]  # (property IRI, object IRI or text)


@dataclass
class Site:
    """The dist folder as the server process knows it."""

    dist: Path
    base: str
    catalog: Graph
    ontology: Graph
    files: dict[str, DistFile]
    queries: dict[str, NamedQuery]
    digest: str
    last_modified: str
    urls: Urls = field(init=False)
    _rdf_cache: dict = field(default_factory=dict)
    _compact_cache: dict = field(default_factory=dict)
    store_triples: int | None = None
    #: The build's validation findings (its validation.json), by focus IRI.
    findings: dict[str, list[dict]] = field(default_factory=dict)

    def __post_init__(self):
        self.urls = Urls(self.base)
        whole = dataset_iri(self.base)  # the catalogue also lists each city's dataset
        self.dataset = whole if (whole, RDF.type, DCAT.Dataset) in self.catalog else next(
            (s for s in self.catalog.subjects(RDF.type, DCAT.Dataset)), None)
        self.terms = _terms(self.ontology)
        self.term_labels = {t.iri: t.labels for t in self.terms}
        self.classes = self._classes()

    # --- labels ---------------------------------------------------------------

    def term_label(self, iri: str) -> dict[str, str]:
        """Labels of an ontology or vocabulary term: ``{"ja": …, "en": …}`` (may be empty)."""
        if iri in self.term_labels:
            return self.term_labels[iri]
        if iri in VOCAB_LABELS:
            ja, en = VOCAB_LABELS[iri]
            return {"ja": ja, "en": en}
        return {}

    def compact(self, iri: str) -> str:
        """``prefix:local`` for an IRI in a known namespace, the path under the base, else the IRI."""
        found = self._compact_cache.get(iri)
        if found is None:
            found = iri[len(self.base):] if iri.startswith(self.base) else iri
            for prefix, ns in PREFIXES.items():
                if prefix != "id" and iri.startswith(str(ns)) and "/" not in iri[len(str(ns)):]:
                    found = f"{prefix}:{iri[len(str(ns)):]}"
                    break
            if len(self._compact_cache) < 100_000:
                self._compact_cache[iri] = found
        return found

    # --- catalogue ------------------------------------------------------------

    def literal(self, subject, predicate, lang: str | None = None) -> str | None:
        """A literal of the catalogue, in ``lang`` if given."""
        for value in self.catalog.objects(subject, predicate):
            if isinstance(value, Literal) and (lang is None or value.language == lang):
                return str(value)
        return None

    def about(self) -> dict:
        """The dataset's title, description, licence, dates and VoID figures, for the pages."""
        d = self.dataset
        licence = str(self.catalog.value(d, DCTERMS.license) or "")
        return {
            "iri": str(d) if d is not None else None,
            "title": {lang: self.literal(d, DCTERMS.title, lang) for lang in ("ja", "en")},
            "description": {lang: self.literal(d, DCTERMS.description, lang) for lang in ("ja", "en")},
            "license": licence,
            "license_labels": self.term_label(licence),
            "issued": self.literal(d, DCTERMS.issued),
            "version": self.literal(d, DCAT3.version),
            "triples": self.store_triples if self.store_triples is not None else self.void_stat(VOID.triples),
            "subjects": self.void_stat(VOID.distinctSubjects),
            "properties": self.void_stat(VOID.properties),
            "endpoint": str(self.catalog.value(d, VOID.sparqlEndpoint) or ""),
        }

    def void_stat(self, predicate) -> int | None:
        value = self.catalog.value(self.dataset, predicate)
        return int(value) if value is not None else None

    def _classes(self, counts: dict[str, int] | None = None) -> dict[str, dict]:
        """The classes with members, by URL name (``Measure``, ``skos:Concept``), from VoID or ``counts``."""
        if counts is None:
            counts = {}
            for part in self.catalog.objects(self.dataset, VOID.classPartition):
                cls = self.catalog.value(part, VOID["class"])
                if cls is not None:
                    counts[str(cls)] = int(self.catalog.value(part, VOID.entities) or 0)
        found = {}
        for cls, count in counts.items():
            name = self.class_name(cls)
            found[name] = {"iri": cls, "name": name, "count": count, "labels": self.term_label(cls)}
        return dict(sorted(found.items(), key=lambda kv: (not kv[1]["iri"].startswith(str(LGDX)), kv[0])))

    def use_store_statistics(self, triples: int, classes: dict[str, int]) -> None:
        """Figures counted in a remote store (``kg serve --store``) in place of the dist's VoID."""
        self.store_triples = triples
        self.classes = self._classes(classes)

    def class_name(self, iri: str) -> str:
        """The name of a class in /class/… URLs: the local name for the ontology's own."""
        return iri[len(str(LGDX)):] if iri.startswith(str(LGDX)) else self.compact(iri)

    def class_href(self, iri: str) -> str | None:
        """The listing of class ``iri`` (``/class/Measure``), or ``None`` where it has none: no members,
        or no name in a known namespace (a listing's name is one path segment)."""
        name = self.class_name(iri)
        return "/class/" + name if name in self.classes and "/" not in name else None

    def subclasses(self, iri: str) -> list[str]:
        """``iri`` and every class below it in the ontology."""
        out, todo = [], [URIRef(iri)]
        while todo:
            cls = todo.pop()
            if str(cls) not in out:
                out.append(str(cls))
                todo.extend(self.ontology.subjects(RDFS.subClassOf, cls))
        return out

    # --- RDF of the catalogue and ontology ------------------------------------

    def rdf(self, which: str, fmt: str) -> bytes:
        """``catalog.ttl`` or ``ontology.ttl`` in ``fmt``, converted once and kept."""
        key = (which, fmt)
        if key not in self._rdf_cache:
            source = self.files[which].path.read_bytes()
            if fmt == "ttl":
                content = source
            else:
                triples = [q.triple for q in ox.parse(source, format=ox.RdfFormat.TURTLE)]
                content = ox.serialize(triples, format=GRAPH_FORMATS[fmt])
            self._rdf_cache[key] = content
        return self._rdf_cache[key]


def load_site(dist: Path, queries_dir: Path | None = None, *, with_dump: bool = True) -> Site:
    """Read the dist folder written by ``kg build`` (without its kg.nt where a remote store holds the graph)."""
    dist = Path(dist)
    for name in ("kg.nt", "catalog.ttl", "ontology.ttl")[0 if with_dump else 1:]:
        if not (dist / name).is_file():
            raise LoadError(f"no {name} in the dist folder", Location(str(dist)),
                            "run `kg build` first, or pass the folder it wrote with --dist")
    catalog = Graph().parse(dist / "catalog.ttl", format="turtle")
    ontology = Graph().parse(dist / "ontology.ttl", format="turtle")
    base = next((str(v) for v in catalog.objects(None, VOID.uriSpace)), DEFAULT_BASE)
    files = {}
    for path in sorted(p for p in dist.rglob("*") if p.is_file() and not p.name.startswith(".")):
        name = path.relative_to(dist).as_posix()
        with path.open("rb") as f:
            sha = hashlib.file_digest(f, "sha256").hexdigest()
        media = FILE_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files[name] = DistFile(name, path, media, path.stat().st_size, f'"{sha[:32]}"', sha)
    catalog_bytes = (dist / "catalog.ttl").read_bytes()
    digest = hashlib.sha256(catalog_bytes + __version__.encode()).hexdigest()[:20]
    mtime = max((dist / n).stat().st_mtime for n in ("kg.nt", "catalog.ttl") if (dist / n).is_file())
    queries = named_queries(queries_dir) if queries_dir and queries_dir.is_dir() else {}
    return Site(dist, base, catalog, ontology, files, queries, digest, formatdate(mtime, usegmt=True),
                findings=_findings(dist / "validation.json"))


def _findings(path: Path) -> dict[str, list[dict]]:
    """The results of the build's report by focus IRI (none for a dist written before reports were)."""
    if not path.is_file():
        return {}
    try:
        results = json.loads(path.read_text(encoding="utf-8"))["results"]
    except (ValueError, KeyError, TypeError) as exc:
        raise LoadError(f"cannot read the validation report: {exc}", Location(str(path)),
                        "build the dist again with `kg build`") from None
    out: dict[str, list[dict]] = {}
    for r in results:
        if r.get("focus"):
            out.setdefault(r["focus"], []).append(r)
    return out


_TERM_KINDS = ((OWL.Class, "class"), (OWL.ObjectProperty, "object"), (OWL.DatatypeProperty, "datatype"),
               (OWL.AnnotationProperty, "annotation"), (RDF.Property, "property"), (RDFS.Datatype, "datatype-def"))
_SHOWN = (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass,
          OWL.inverseOf, SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)


def _terms(ontology: Graph) -> list[Term]:
    """The ontology's own terms, classes first, each with labels, comments and links."""
    out, seen = [], set()
    for cls, kind in _TERM_KINDS:
        for subject in sorted(ontology.subjects(RDF.type, cls)):
            if not isinstance(subject, URIRef) or not str(subject).startswith(str(LGDX)) or subject in seen:
                continue
            seen.add(subject)
            labels = {v.language or "": str(v) for v in ontology.objects(subject, RDFS.label)}
            comments = {v.language or "": str(v) for v in ontology.objects(subject, RDFS.comment)}
            links = tuple((str(p), str(o)) for p in _SHOWN for o in sorted(ontology.objects(subject, p))
                          if isinstance(o, (URIRef, Literal)))
            out.append(Term(str(subject), str(subject)[len(str(LGDX)):], kind, labels, comments, links))
    return out

