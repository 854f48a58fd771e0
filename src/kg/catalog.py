"""The dataset's self-description: DCAT (catalogue, distributions) and VoID (statistics)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, VOID, XSD

from kg import __version__
from kg.namespaces import DCAT3, DEFAULT_BASE, ONTOLOGY_IRI, SHAPES_IRI, SPDX, bind

RDF_TYPE = str(RDF.type)
LICENSE = URIRef("https://www.digital.go.jp/resources/open_data/public_data_license_v1.0")
TITLE = {
    "ja": "地方公共団体の情報化政策ナレッジグラフ（東大和市 第五次情報化推進計画 第2章）",
    "en": "Local-government digital policy knowledge graph (Higashiyamato City, fifth IT promotion plan, chapter 2)",
}
DESCRIPTION = {
    "ja": "東大和市第五次情報化推進計画第2章が述べる国・東京都・市の情報化政策、法律、施策、情報システム、"
          "情報技術とその活用場面を、出典箇所への参照付きでリンクトデータとして公開する。",
    "en": "The national, Tokyo and city IT policies, laws, measures, information systems and technologies "
          "described in chapter 2 of Higashiyamato City's fifth IT promotion plan, as linked data with "
          "references to the source passages.",
}


@dataclass(frozen=True)
class Dump:
    """A file written by the build: name, media type and content."""

    name: str
    media_type: str
    content: bytes
    #: The shapes graphs (IRIs) the file conforms to on its own, as published.
    conforms_to: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class FileDump:
    """A file the build wrote straight to disk: name, media type, size and SHA-256."""

    name: str
    media_type: str
    size: int
    sha256: str
    conforms_to: tuple[str, ...] = ()

    @classmethod
    def of(cls, folder: Path, name: str, media_type: str, conforms_to: tuple[str, ...] = ()) -> FileDump:
        with (folder / name).open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        return cls(name, media_type, (folder / name).stat().st_size, digest, conforms_to)


@dataclass
class Statistics:
    """What VoID says of a graph: counts, classes with an example each, vocabularies."""

    triples: int = 0
    subjects: int = 0
    properties: set = field(default_factory=set)
    classes: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)

    def add(self, subject: str, pairs: list[tuple[str, tuple]]) -> None:
        """Count one subject with its (predicate IRI, (kind, value, tag)) pairs, as ``kg.store`` reads them."""
        self.subjects += 1
        self.triples += len(pairs)
        self.properties.update(p for p, _ in pairs)
        for p, (_, o, _) in pairs:
            if p == RDF_TYPE:
                self.classes[o] += 1
                if o.startswith(ONTOLOGY_IRI) and not subject.startswith("_:") and \
                        (o not in self.examples or subject < self.examples[o]):
                    self.examples[o] = subject

    @classmethod
    def of(cls, graph: Graph) -> Statistics:
        stats = cls()
        for subject in set(graph.subjects()):
            stats.add(str(subject), [(str(p), ("", str(o), None)) for p, o in graph.predicate_objects(subject)])
        return stats


def site_root(base: str) -> str:
    """Where the published files live: the instance base without its ``id/`` segment."""
    return base[: -len("id/")] if base.endswith("/id/") else base


def catalog_graph(graph: Graph | Statistics, dumps: list[Dump | FileDump], base: str = DEFAULT_BASE,
                  issued: date | None = None, publisher: tuple[URIRef, dict[str, str]] | None = None) -> Graph:
    """DCAT and VoID describing ``graph`` (or its statistics) and its ``dumps``, as DCAT-AP 3
    asks (``tests/fixtures/dcat-ap``): every value of a class the profile names is typed so here,
    and ``publisher`` (an agent, the organisation that publishes the build, with its names by
    language) is the catalogue's and the dataset's publisher."""
    from kg.export import dataset_iri

    g = bind(Graph())
    g.bind("spdx", SPDX)
    dataset = dataset_iri(base)
    root = site_root(base)
    catalog = URIRef(f"{root}catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCAT.dataset, dataset))
    for lang, text in TITLE.items():
        g.add((catalog, DCTERMS.title, Literal(text, lang=lang)))
        g.add((dataset, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in DESCRIPTION.items():
        g.add((dataset, DCTERMS.description, Literal(text, lang=lang)))
        g.add((catalog, DCTERMS.description, Literal(text, lang=lang)))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((catalog, DCTERMS.license, LICENSE))
    g.add((LICENSE, RDF.type, DCTERMS.LicenseDocument))
    if publisher is not None:
        agent, names = publisher
        for node in (catalog, dataset):
            g.add((node, DCTERMS.publisher, agent))
        add_agent(g, agent, names)
    g.add((dataset, DCAT3.version, Literal(__version__)))
    g.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    g.add((URIRef(ONTOLOGY_IRI), RDF.type, DCTERMS.Standard))
    g.add((dataset, DCTERMS.issued, Literal(issued or date.today(), datatype=XSD.date)))
    for code in ("ja", "en"):
        language = URIRef(f"http://id.loc.gov/vocabulary/iso639-1/{code}")
        g.add((dataset, DCTERMS.language, language))
        g.add((language, RDF.type, DCTERMS.LinguisticSystem))
    g.add((dataset, VOID.uriSpace, Literal(base)))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(f"{root}sparql")))
    g.add((dataset, FOAF.homepage, URIRef(root)))

    for dump in dumps:
        add_distribution(g, dataset, dump, root)
    if any(dump.conforms_to for dump in dumps):
        g.add((URIRef(SHAPES_IRI), RDF.type, DCTERMS.Standard))
        g.add((URIRef(SHAPES_IRI), RDFS.isDefinedBy, URIRef(f"{root}download/shapes.ttl")))

    _void_statistics(g, dataset, graph if isinstance(graph, Statistics) else Statistics.of(graph))
    return g


def add_agent(g: Graph, agent: URIRef, names: dict[str, str]) -> None:
    """``agent`` as a FOAF agent with its names (by language), as DCAT-AP describes a publisher."""
    g.add((agent, RDF.type, FOAF.Agent))
    for lang, name in names.items():
        g.add((agent, FOAF.name, Literal(name, lang=lang)))


def add_distribution(g: Graph, dataset: URIRef, dump: Dump | FileDump, root: str) -> None:
    """``dump`` as a DCAT distribution of ``dataset`` (download URL, media type, size, SHA-256)."""
    dist = URIRef(f"{root}download/{dump.name}")
    g.add((dataset, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(dump.name)))
    g.add((dist, DCAT.downloadURL, dist))
    g.add((dist, DCAT.accessURL, dist))
    media_type = URIRef(f"https://www.iana.org/assignments/media-types/{dump.media_type}")
    g.add((dist, DCAT.mediaType, media_type))
    g.add((media_type, RDF.type, DCTERMS.MediaType))
    g.add((dist, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
    g.add((dist, DCTERMS.license, LICENSE))
    checksum = BNode()
    g.add((dist, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    if dump.media_type in ("text/turtle", "application/n-triples"):
        g.add((dataset, VOID.dataDump, dist))
    for shapes in dump.conforms_to:
        g.add((dist, DCTERMS.conformsTo, URIRef(shapes)))


def _void_statistics(g: Graph, dataset: URIRef, stats: Statistics) -> None:
    g.add((dataset, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(stats.subjects, datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(len(stats.properties), datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(stats.classes), datatype=XSD.integer)))
    for cls, count in sorted(stats.classes.items()):
        part = BNode()
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
        if cls in stats.examples:
            g.add((dataset, VOID.exampleResource, URIRef(stats.examples[cls])))
    vocabularies = {_namespace(p) for p in stats.properties} | {_namespace(c) for c in stats.classes}
    for vocab in sorted(vocabularies):
        g.add((dataset, VOID.vocabulary, URIRef(vocab)))


def _namespace(text: str) -> str:
    cut = max(text.rfind("#"), text.rfind("/"))
    return text[: cut + 1]
