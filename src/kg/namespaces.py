"""Every namespace, prefix and instance-IRI rule of the project, in one place."""

from __future__ import annotations

import os
import re

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, VOID, XSD

#: The default instance base; a deployer sets another with ``--base`` or ``KG_BASE``.
DEFAULT_BASE = "https://w3id.org/lgdx/id/"
ONTOLOGY_IRI = "https://w3id.org/lgdx/ontology"
#: The shapes graph of the rules the published data meets (shapes/violations.ttl); the
#: warnings' shapes are recommendations, which data may miss and still be published.
SHAPES_IRI = "https://w3id.org/lgdx/shapes/violations"

LGDX = Namespace(ONTOLOGY_IRI + "#")
ID = Namespace(DEFAULT_BASE)
ELI = Namespace("http://data.europa.eu/eli/ontology#")
IC = Namespace("http://imi.go.jp/ns/core/rdf#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
#: DCAT 3's terms (rdflib's DCAT is DCAT 2, a closed list without the versioning ones).
DCAT3 = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
WD = Namespace("http://www.wikidata.org/entity/")
ESTAT_SAC = Namespace("http://data.e-stat.go.jp/lod/sac/")
EGOV_LAW = Namespace("https://laws.e-gov.go.jp/law/")
UNIT = Namespace("http://qudt.org/vocab/unit/")

#: Prefixes bound in every graph, dump and query the project writes.
PREFIXES: dict[str, Namespace] = {
    "lgdx": LGDX,
    "id": ID,
    "eli": ELI,
    "dcterms": Namespace(str(DCTERMS)),
    "skos": Namespace(str(SKOS)),
    "prov": Namespace(str(PROV)),
    "org": Namespace(str(ORG)),
    "dcat": Namespace(str(DCAT)),
    "void": Namespace(str(VOID)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "schema": Namespace(str(SDO)),
    "m8g": Namespace("http://data.europa.eu/m8g/"),  # SEMIC Core Vocabularies (CPOV), as the ontology names them
    "sh": SH,
    "ic": IC,
    "wd": WD,
    "unit": UNIT,
}

#: Kinds of instance IRI: ``{base}{kind}/{slug}``.
KINDS = (
    "org", "law", "policy", "plan", "measure", "system", "technology", "usecase",
    "business-area", "event", "observation", "indicator", "source", "scheme", "concept",
)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# e-Gov law IDs keep their upper-case letters: they are the national identifier.
LAW_SLUG_RE = re.compile(r"^(?=.{15}$)[1-5][0-9]{2}(?:CONSTITUTION|[A-Z]+[0-9]+)$")


def base_from_env() -> str:
    """The instance base in force: ``KG_BASE`` if set, else the default."""
    return os.environ.get("KG_BASE") or DEFAULT_BASE


def bind(graph: Graph) -> Graph:
    """Bind the project's prefixes on ``graph`` and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def iri(kind: str, slug: str, base: str = DEFAULT_BASE) -> URIRef:
    """The instance IRI of ``slug`` of ``kind``."""
    return URIRef(f"{base}{kind}/{slug}")


def split_iri(value: str, base: str = DEFAULT_BASE) -> tuple[str, str] | None:
    """``(kind, slug)`` of an instance IRI under ``base``, or ``None``."""
    if not value.startswith(base):
        return None
    kind, _, slug = value[len(base):].partition("/")
    if kind not in KINDS or not slug or "/" in slug:
        return None
    return kind, slug


def valid_slug(kind: str, slug: str) -> bool:
    """Whether ``slug`` follows the IRI policy for ``kind``."""
    if kind == "law" and LAW_SLUG_RE.match(slug):
        return True
    return bool(SLUG_RE.match(slug))


def rebase(graph: Graph, base: str) -> Graph:
    """A copy of ``graph`` with every default-base IRI moved under ``base``."""
    if base == DEFAULT_BASE:
        return graph
    out = bind(Graph())
    out.bind("id", Namespace(base), override=True, replace=True)

    def move(term):
        if isinstance(term, URIRef) and term.startswith(DEFAULT_BASE):
            return URIRef(base + term[len(DEFAULT_BASE):])
        return term

    for s, p, o in graph:
        out.add((move(s), p, move(o) if not isinstance(o, Literal) else o))
    return out
