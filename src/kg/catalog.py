"""The dataset's self-description: DCAT (catalogue, distributions) and VoID (statistics)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, VOID, XSD

from kg import __version__
from kg.namespaces import DEFAULT_BASE, ONTOLOGY_IRI, SHAPES_IRI, SPDX, bind

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


def site_root(base: str) -> str:
    """Where the published files live: the instance base without its ``id/`` segment."""
    return base[: -len("id/")] if base.endswith("/id/") else base


def catalog_graph(graph: Graph, dumps: list[Dump], base: str = DEFAULT_BASE,
                  issued: date | None = None) -> Graph:
    """DCAT and VoID describing ``graph`` and its ``dumps``."""
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
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((catalog, DCTERMS.license, LICENSE))
    g.add((dataset, DCTERMS.hasVersion, Literal(__version__)))
    g.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    g.add((dataset, DCTERMS.issued, Literal(issued or date.today(), datatype=XSD.date)))
    g.add((dataset, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/ja")))
    g.add((dataset, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/en")))
    g.add((dataset, VOID.uriSpace, Literal(base)))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(f"{root}sparql")))
    g.add((dataset, FOAF.homepage, URIRef(root)))

    for dump in dumps:
        add_distribution(g, dataset, dump, root)
    if any(dump.conforms_to for dump in dumps):
        g.add((URIRef(SHAPES_IRI), RDF.type, DCTERMS.Standard))
        g.add((URIRef(SHAPES_IRI), RDFS.isDefinedBy, URIRef(f"{root}download/shapes.ttl")))

    _void_statistics(g, dataset, graph)
    return g


def add_distribution(g: Graph, dataset: URIRef, dump: Dump, root: str) -> None:
    """``dump`` as a DCAT distribution of ``dataset`` (download URL, media type, size, SHA-256)."""
    dist = URIRef(f"{root}download/{dump.name}")
    g.add((dataset, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(dump.name)))
    g.add((dist, DCAT.downloadURL, dist))
    g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{dump.media_type}")))
    g.add((dist, DCAT.byteSize, Literal(len(dump.content), datatype=XSD.nonNegativeInteger)))
    g.add((dist, DCTERMS.license, LICENSE))
    checksum = BNode()
    g.add((dist, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(hashlib.sha256(dump.content).hexdigest(), datatype=XSD.hexBinary)))
    if dump.media_type in ("text/turtle", "application/n-triples"):
        g.add((dataset, VOID.dataDump, dist))
    for shapes in dump.conforms_to:
        g.add((dist, DCTERMS.conformsTo, URIRef(shapes)))


def _void_statistics(g: Graph, dataset: URIRef, graph: Graph) -> None:
    g.add((dataset, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(len(set(graph.subjects())), datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(len(set(graph.predicates())), datatype=XSD.integer)))
    classes = Counter(o for o in graph.objects(None, RDF.type))
    g.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for cls, count in sorted(classes.items()):
        part = BNode()
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
        if str(cls).startswith(ONTOLOGY_IRI):
            g.add((dataset, VOID.exampleResource, min(graph.subjects(RDF.type, cls))))
    vocabularies = {_namespace(p) for p in graph.predicates()} | {_namespace(c) for c in classes}
    for vocab in sorted(vocabularies):
        g.add((dataset, VOID.vocabulary, URIRef(vocab)))


def _namespace(value: URIRef) -> str:
    text = str(value)
    cut = max(text.rfind("#"), text.rfind("/"))
    return text[: cut + 1]
