"""The ontology file: it parses, declares every contract class and every lgdx: term."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as rdfns
from rdflib.namespace import ORG, OWL, PROV, RDF, RDFS, SKOS

from kg.namespaces import DQV, ELI, LGDX, ONTOLOGY_IRI
from kg.terms import DATATYPES, TERMS

ONTOLOGY_FILE = Path(__file__).resolve().parents[1] / "ontology" / "lgdx.ttl"
ONTOLOGY = URIRef(ONTOLOGY_IRI)

#: The classes of the data model contract, plus the source document.
CLASSES = (
    "Organization", "LocalGovernment", "Law", "Policy", "Plan", "Measure",
    "InformationSystem", "Technology", "UseCase", "BusinessArea", "Event",
    "Indicator", "Observation", "SourcePassage", "SourceDocument",
)

#: Subclass axioms the contract requires.
SUBCLASS_OF = (
    ("Organization", ORG.Organization),
    ("LocalGovernment", LGDX.Organization),
    ("Law", ELI.LegalResource),
    ("Plan", LGDX.Policy),
    ("Technology", SKOS.Concept),
    ("BusinessArea", SKOS.Concept),
    ("SourcePassage", PROV.Entity),
    ("SourceDocument", PROV.Entity),
)

LGDX_TERMS = [t for t in TERMS.values() if t.iri.startswith(str(LGDX))]
OBJECT_KINDS = {"id"}
DATE_KINDS = {"date"}
PERIOD_KINDS = {"date-start", "date-end"}

DECLARATION_TYPES = {
    OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype,
    DQV.Metric, DQV.Dimension,  # the quality metrics of the published validation report
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def _langs(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str | None]:
    return [o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)]


def _is_object_kind(kind: str) -> bool:
    return kind in OBJECT_KINDS or kind.startswith("concept:")


def test_file_parses(graph):
    assert len(graph) > 0


def test_ontology_header(graph):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    version = graph.value(ONTOLOGY, OWL.versionIRI)
    assert isinstance(version, URIRef)
    assert str(version).startswith(ONTOLOGY_IRI + "/")
    assert graph.value(ONTOLOGY, OWL.versionInfo) is not None
    assert str(version).endswith("/" + str(graph.value(ONTOLOGY, OWL.versionInfo)))


@pytest.mark.parametrize("name", CLASSES)
def test_class_declared_with_labels_and_comments(graph, name):
    cls = LGDX[name]
    assert (cls, RDF.type, OWL.Class) in graph
    assert sorted(_langs(graph, cls, RDFS.label)) == ["en", "ja"]
    assert {"ja", "en"} <= set(_langs(graph, cls, RDFS.comment))


@pytest.mark.parametrize(("name", "parent"), SUBCLASS_OF)
def test_contract_subclass(graph, name, parent):
    assert (LGDX[name], RDFS.subClassOf, parent) in graph


def test_terms_table_has_lgdx_terms():
    assert len(LGDX_TERMS) > 30


@pytest.mark.parametrize("term", LGDX_TERMS, ids=lambda t: t.name)
def test_property_declared(graph, term):
    kind = OWL.ObjectProperty if _is_object_kind(term.kind) else OWL.DatatypeProperty
    assert (term.iri, RDF.type, kind) in graph, f"{term.name} is not an {kind}"
    assert sorted(_langs(graph, term.iri, RDFS.label)) == ["en", "ja"]
    assert {"ja", "en"} <= set(_langs(graph, term.iri, RDFS.comment))
    assert graph.value(term.iri, RDFS.domain) is not None
    assert len(list(graph.objects(term.iri, RDFS.range))) == 1


@pytest.mark.parametrize("term", LGDX_TERMS, ids=lambda t: t.name)
def test_property_range_matches_kind(graph, term):
    range_ = graph.value(term.iri, RDFS.range)
    if term.scheme:
        assert range_ == SKOS.Concept
    elif term.kind in DATATYPES:
        assert range_ == DATATYPES[term.kind]
    elif term.kind == "lang":
        assert range_ == RDF.langString
    elif term.kind in DATE_KINDS:
        assert range_ == LGDX.DateValue
    elif term.kind in PERIOD_KINDS:
        assert range_ == rdfns.XSD.date
    else:
        assert term.kind == "id"
        assert not (isinstance(range_, URIRef) and range_.startswith(str(rdfns.XSD)))


def test_date_value_is_union_of_date_precisions(graph):
    assert (LGDX.DateValue, RDF.type, RDFS.Datatype) in graph
    union = graph.value(graph.value(LGDX.DateValue, OWL.equivalentClass), OWL.unionOf)
    assert set(graph.items(union)) == {rdfns.XSD.date, rdfns.XSD.gYearMonth, rdfns.XSD.gYear}


def test_every_lgdx_term_used_is_declared(graph):
    declared = {
        s for s, o in graph.subject_objects(RDF.type)
        if isinstance(s, URIRef) and o in DECLARATION_TYPES
    }
    used = {
        node for triple in graph for node in triple
        if isinstance(node, URIRef) and node.startswith(str(LGDX))
    }
    assert used - declared == set()


def test_every_declared_property_is_in_terms_table(graph):
    known = {t.iri for t in LGDX_TERMS}
    declared = {
        s for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in graph.subjects(RDF.type, kind) if s.startswith(str(LGDX))
    }
    assert declared - known == set()


def test_outside_terms_are_not_redeclared(graph):
    own = str(LGDX)
    for s, o in graph.subject_objects(RDF.type):
        if o in DECLARATION_TYPES and not isinstance(s, BNode):
            assert s.startswith(own), f"{s} is declared here but belongs to another vocabulary"
