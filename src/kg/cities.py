"""Many cities in one project: each city's folder of data/ as a dump and a dataset of its own.

A city folder is a folder of data/ with a ``city.yaml`` (``kg init`` writes one); its resources
are those defined in the files below it. The national, Tokyo, technology and vocabulary layers
are shared and belong to no city.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDFS, VOID

from kg.catalog import LICENSE, Dump, add_agent, add_distribution, site_root
from kg.export import dataset_iri
from kg.load import Loaded
from kg.namespaces import DEFAULT_BASE, LGDX, PREFIXES
from kg.oxterms import to_ox_triple

CITY_FILE = "city.yaml"


@dataclass
class CityDump:
    """One city's resources: its folder, its local government, and the dump of its triples."""

    slug: str
    org: URIRef | None
    dump: Dump
    triples: int


def city_folders(data_dir: Path) -> list[Path]:
    """The folders of ``data_dir`` that hold a city (a ``city.yaml``), in name order."""
    return sorted(p.parent for p in data_dir.glob(f"*/{CITY_FILE}"))


def city_dumps(loaded: Loaded, data_dir: Path, base: str) -> list[CityDump]:
    """A Turtle dump per city folder: every triple about a resource defined in it, IRIs under ``base``."""
    folders = {folder.name: folder.resolve() for folder in city_folders(data_dir)}
    by_city: dict[str, set] = {slug: set() for slug in folders}
    for node, where in loaded.index.nodes.items():
        parents = Path(where.file).resolve().parents
        slug = next((s for s, folder in folders.items() if folder in parents), None)
        if slug is not None:
            by_city[slug].add(node)
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()} | {"id": base}
    found = []
    for slug, nodes in by_city.items():
        triples = [to_ox_triple(_moved(t, base)) for node in sorted(nodes)
                   for t in sorted(loaded.graph.triples((node, None, None)))]
        # pyoxigraph writes Turtle many times faster than rdflib: this runs once per city
        content = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        org = next((n for n in nodes if (n, RDF.type, LGDX.LocalGovernment) in loaded.graph), None)
        found.append(CityDump(slug, _move(org, base) if org is not None else None,
                              Dump(f"cities/{slug}.ttl", "text/turtle", content), len(triples)))
    return found


def _move(term, base: str):
    """``term`` under ``base`` if it is an IRI under the default base."""
    if isinstance(term, URIRef) and term.startswith(DEFAULT_BASE):
        return URIRef(base + term[len(DEFAULT_BASE):])
    return term


def _moved(triple, base: str):
    s, p, o = triple
    return _move(s, base), p, _move(o, base)


def add_city_datasets(catalog: Graph, cities: list[CityDump], graph: Graph, base: str) -> None:
    """Each city as a DCAT dataset, a VoID subset of the whole, with its dump as distribution."""
    whole = dataset_iri(base)
    root = site_root(base)
    for city in cities:
        dataset = URIRef(f"{base}dataset/{city.slug}")
        catalog.add((whole, VOID.subset, dataset))
        catalog.add((URIRef(f"{root}catalog"), DCAT.dataset, dataset))
        catalog.add((dataset, RDF.type, DCAT.Dataset))
        catalog.add((dataset, RDF.type, VOID.Dataset))
        catalog.add((dataset, VOID.triples, Literal(city.triples)))
        catalog.add((dataset, DCTERMS.license, LICENSE))
        names = {lang: str(label) for label in graph.objects(city.org, RDFS.label)
                 for lang in [getattr(label, "language", None)] if lang} if city.org else {}
        ja, en = names.get("ja", city.slug), names.get("en", city.slug)
        catalog.add((dataset, DCTERMS.title, Literal(f"{ja}のデータ", lang="ja")))
        catalog.add((dataset, DCTERMS.title, Literal(f"Data of {en}", lang="en")))
        catalog.add((dataset, DCTERMS.description, Literal(
            f"{ja}の情報化計画とその個別計画、情報システム、指標などのデータ。", lang="ja")))
        catalog.add((dataset, DCTERMS.description, Literal(
            f"The IT plans of {en} with their measures, information systems, indicators and related data.",
            lang="en")))
        if city.org is not None:
            catalog.add((dataset, DCTERMS.publisher, city.org))
            add_agent(catalog, city.org, names)
            for area in graph.objects(city.org, DCTERMS.spatial):
                catalog.add((dataset, DCTERMS.spatial, area))
                catalog.add((area, RDF.type, DCTERMS.Location))
        add_distribution(catalog, dataset, city.dump, root)
