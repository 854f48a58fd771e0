"""The SHACL shapes: well-formed, bilingual, and catching each kind of fault on the right node."""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from kg.namespaces import DEFAULT_BASE, ELI, KINDS, LGDX, SH, rebase
from kg.terms import TERMS
from kg.validate import template_language

ROOT = Path(__file__).resolve().parents[1]
SHAPES = {"violations": ROOT / "shapes" / "violations.ttl", "warnings": ROOT / "shapes" / "warnings.ttl"}
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"

ID = DEFAULT_BASE
PREFIXES = f"""
PREFIX dcterms: <{DCTERMS}>
PREFIX eli: <{ELI}>
PREFIX lgdx: <{LGDX}>
PREFIX prov: <{PROV}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
BASE <{ID}>
"""

# Constraint parameters that a node shape can hold itself (its results carry the
# node shape's sh:message); sh:property and sh:sparql carry their own.
NODE_LEVEL = (SH["or"], SH["and"], SH["not"], SH.xone, SH["class"], SH.datatype, SH.nodeKind,
              SH["in"], SH.hasValue, SH.pattern, SH.closed, SH.node)


def load(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> dict[str, Graph]:
    return {name: load(path) for name, path in SHAPES.items()}


@pytest.fixture(scope="module")
def all_shapes(shapes) -> Graph:
    graph = Graph()
    for part in shapes.values():
        graph += part
    return graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load(FIXTURES / "ontology.ttl")


@pytest.fixture
def valid() -> Graph:
    return load(FIXTURES / "valid.ttl")


def validate(data: Graph, shapes: Graph, ontology: Graph) -> set[tuple]:
    """The results as ``(severity, focus, path, value, messages, component)`` tuples.

    ``messages`` is ``((lang, text), ...)``; ``component`` the constraint component's
    local name without ``ConstraintComponent`` (``MinCount``, ``SPARQL`` ...).
    """
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True
    )
    # a SPARQL check is written once per message language: its results count as one
    found: dict[tuple, set] = {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        constraint = report.value(result, SH.sourceConstraint)
        key = (
            report.value(result, SH.resultSeverity),
            report.value(result, SH.focusNode),
            report.value(result, SH.resultPath),
            report.value(result, SH.value),
            str(report.value(result, SH.sourceConstraintComponent)),
            report.value(result, SH.sourceShape),
        )
        found.setdefault(key, set()).update(
            (m.language or template_language(shapes, constraint, str(m)), str(m))
            for m in report.objects(result, SH.resultMessage)
        )
    return {(severity, focus, path, value, tuple(sorted(messages)),
             component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent"))
            for (severity, focus, path, value, component, _), messages in found.items()}


def of(results: set[tuple], severity: URIRef) -> set[tuple]:
    return {r for r in results if r[0] == severity}


def node(path: str) -> URIRef:
    return URIRef(ID + path)


def property_shapes(graph: Graph) -> set:
    found = set(graph.objects(None, SH.property)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    return {s for s in found if (s, SH.path, None) in graph}


def node_shapes(graph: Graph) -> set:
    return set(graph.subjects(RDF.type, SH.NodeShape))


def sparql_constraints(graph: Graph) -> set:
    return set(graph.objects(None, SH.sparql))


def languages(graph: Graph, subject, predicate) -> list[str]:
    return sorted((o.language or "") for o in graph.objects(subject, predicate))


# --- the shape files themselves -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_file_parses_and_has_shapes(shapes, name):
    graph = shapes[name]
    assert node_shapes(graph)
    assert property_shapes(graph)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_property_shape_has_a_name_and_a_message_in_japanese_and_english(shapes, name):
    graph = shapes[name]
    for shape in property_shapes(graph):
        where = f"property shape on {graph.value(shape, SH.path)} in {name}"
        assert languages(graph, shape, SH.message) == ["en", "ja"], where
        assert languages(graph, shape, SH.name) == ["en", "ja"], where


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_node_shape_has_a_label_in_japanese_and_english(shapes, name):
    graph = shapes[name]
    for shape in node_shapes(graph):
        assert str(shape).startswith("https://w3id.org/lgdx/shapes#"), shape
        assert str(shape).endswith("Shape"), shape
        assert languages(graph, shape, RDFS.label) == ["en", "ja"], shape


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_node_level_and_sparql_constraints_have_messages_in_japanese_and_english(shapes, name):
    graph = shapes[name]
    for shape in node_shapes(graph):
        if any((shape, p, None) in graph for p in NODE_LEVEL):
            assert languages(graph, shape, SH.message) == ["en", "ja"], shape
    checks: dict[tuple, list[str]] = {}
    for constraint in sparql_constraints(graph):
        # one message per SPARQL constraint (Apache Jena takes no more); each check is
        # written once per language, the copies running the same query on the same shape
        assert len(languages(graph, constraint, SH.message)) == 1, constraint
        shape = graph.value(predicate=SH.sparql, object=constraint)
        key = (shape, str(graph.value(constraint, SH.select)))
        checks.setdefault(key, []).extend(languages(graph, constraint, SH.message))
    for (shape, _), langs in checks.items():
        assert sorted(langs) == ["en", "ja"], shape


@pytest.mark.parametrize(("name", "allowed"), [
    ("violations", {SH.Violation}),
    ("warnings", {SH.Warning, SH.Info}),
])
def test_every_shape_states_its_severity(shapes, name, allowed):
    graph = shapes[name]
    for shape in node_shapes(graph) | property_shapes(graph):
        severities = set(graph.objects(shape, SH.severity))
        assert len(severities) == 1 and severities <= allowed, (shape, severities)


def test_node_shapes_of_the_two_files_do_not_share_names(shapes):
    assert not node_shapes(shapes["violations"]) & node_shapes(shapes["warnings"])


def test_every_sparql_constraint_declares_its_prefixes(shapes):
    graph = shapes["violations"]
    declared = {
        str(graph.value(d, SH.prefix))
        for ontology in graph.objects(None, SH.prefixes)
        for d in graph.objects(ontology, SH.declare)
    }
    for constraint in sparql_constraints(graph) | set(graph.objects(None, SH.target)):
        query = str(graph.value(constraint, SH.select))
        used = set(re.findall(r"\b([a-z]+):[A-Za-z_]", query))
        assert used <= declared, (constraint, used - declared)


def reference_queries(graph: Graph) -> list[str]:
    shape = URIRef("https://w3id.org/lgdx/shapes#ReferenceShape")
    target = graph.value(shape, SH.target)
    constraint = graph.value(shape, SH.sparql)
    return [str(graph.value(target, SH.select)), str(graph.value(constraint, SH.select))]


def test_reference_target_lists_every_reference_term(shapes):
    graph = shapes["violations"]
    target_query = reference_queries(graph)[0]
    values = re.search(r"VALUES \?path \{(.*?)\}", target_query, re.DOTALL).group(1).split()
    prefixes = {str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
                for d in graph.objects(None, SH.declare)}
    listed = {URIRef(prefixes[v.split(":")[0]] + v.split(":")[1]) for v in values}
    references = {t.iri for t in TERMS.values() if t.kind == "id" or t.scheme}
    assert listed == references


def test_sparql_queries_know_every_kind_of_instance(shapes):
    """Queries that recognise ``{base}{kind}/{slug}`` list exactly the kinds of the IRI policy."""
    graph = shapes["violations"]
    queries = [str(q) for q in graph.objects(None, SH.select)]
    alternations = [a for q in queries for a in re.findall(r"\(((?:[a-z-]+\|)+[a-z-]+)\)/", q)]
    assert len(alternations) >= 5
    for alternation in alternations:
        assert set(alternation.split("|")) == set(KINDS)


def test_shapes_with_sparql_constraints_have_no_message_of_their_own(shapes):
    """pySHACL adds a node shape's messages to every result of its SPARQL constraints."""
    graph = shapes["violations"]
    for shape in set(graph.subjects(SH.sparql, None)):
        assert (shape, SH.message, None) not in graph, shape


def test_concept_lists_name_every_concept_of_the_schemes(shapes):
    """The sh:in lists of the measure shape match data/vocab/schemes.yaml."""
    import yaml

    vocab = yaml.safe_load((ROOT / "data" / "vocab" / "schemes.yaml").read_text(encoding="utf-8"))
    graph = shapes["violations"]
    for term in ("goalType", "achievementStatus", "direction"):
        expected = {
            node(entry["id"]) for entry in vocab
            if entry.get("inScheme") == f"scheme/{TERMS[term].scheme}"
        }
        shape = next(s for s in property_shapes(graph) if graph.value(s, SH.path) == TERMS[term].iri)
        listed = set(Collection(graph, graph.value(shape, SH["in"])))
        assert listed == expected, term


# --- the valid fixture ----------------------------------------------------------------


def test_valid_fixture_has_no_violations(valid, all_shapes, ontology):
    results = validate(valid, all_shapes, ontology)
    assert of(results, SH.Violation) == set()


def test_valid_fixture_covers_every_contract_class(valid):
    classes = {"LocalGovernment", "Law", "Plan", "Measure", "Technology", "UseCase",
               "Indicator", "Observation", "SourcePassage", "SourceDocument", "BusinessArea"}
    present = {str(c).removeprefix(str(LGDX)) for c in valid.objects(None, RDF.type)}
    assert classes <= present
    assert len(set(valid.subjects(RDF.type, LGDX.Measure))) == 2


# --- one fault at a time --------------------------------------------------------------

M1 = "measure/higashiyamato-it-plan-4-01"
M2 = "measure/higashiyamato-it-plan-4-02"
PLAN = "plan/higashiyamato-it-plan-4"
LAW = "law/428AC1000000103"
TECH = "technology/rpa"
CITY = "org/132209"
OBS = "observation/higashiyamato-it-plan-4-achievement-rate"
PASSAGE = "source/plan-5-ch2-s4-2"
AREA = "business-area/resident-registry"


def drop_language(subject: str, predicate: str, lang: str) -> str:
    """An update that deletes the ``lang`` values of ``predicate`` on ``subject``."""
    return (f"DELETE {{ <{subject}> {predicate} ?v }} "
            f'WHERE {{ <{subject}> {predicate} ?v FILTER(lang(?v) = "{lang}") }}')

# (case, SPARQL update on the valid fixture, focus node, result path, constraint component)
VIOLATIONS = [
    ("label without @en",
     drop_language(M1, "rdfs:label", "en"), M1, RDFS.label, "QualifiedMinCount"),
    ("second @ja label",
     f'INSERT DATA {{ <{M1}> rdfs:label "RPA導入"@ja }}', M1, RDFS.label, "UniqueLang"),
    ("label without @ja on a concept",
     'DELETE WHERE { <concept/direction-continue> rdfs:label "継続"@ja }',
     "concept/direction-continue", RDFS.label, "QualifiedMinCount"),
    ("label without language",
     f'INSERT DATA {{ <{CITY}> rdfs:label "Higashiyamato" }}', CITY, RDFS.label, "Datatype"),
    ("label with a stray space",
     f'DELETE DATA {{ <{LAW}> rdfs:label "官民データ活用推進基本法"@ja }} ;'
     f'INSERT DATA {{ <{LAW}> rdfs:label "官民データ活用推進基本法 "@ja }}', LAW, RDFS.label, "Pattern"),
    ("label on a passage missing",
     drop_language(PASSAGE, "rdfs:label", "ja"), PASSAGE, RDFS.label, "QualifiedMinCount"),
    ("identifier missing",
     f"DELETE WHERE {{ <{TECH}> dcterms:identifier ?i }}", TECH, DCTERMS.identifier, "MinCount"),
    ("identifier upper case",
     f'DELETE WHERE {{ <{PLAN}> dcterms:identifier ?i }} ;'
     f'INSERT DATA {{ <{PLAN}> dcterms:identifier "Higashiyamato-IT-Plan-4" }}', PLAN, DCTERMS.identifier, "Pattern"),
    ("identifier differs from the slug",
     f'DELETE WHERE {{ <{M2}> dcterms:identifier ?i }} ;'
     f'INSERT DATA {{ <{M2}> dcterms:identifier "higashiyamato-it-plan-4-2" }}', M2, DCTERMS.identifier, "SPARQL"),
    ("derivedFrom missing",
     f"DELETE WHERE {{ <{M2}> prov:wasDerivedFrom ?s }}", M2, PROV.wasDerivedFrom, "MinCount"),
    ("derivedFrom not a passage",
     f"INSERT DATA {{ <{PLAN}> prov:wasDerivedFrom <{LAW}> }}", PLAN, PROV.wasDerivedFrom, "Class"),
    ("derivedFrom missing on a business area outside the standard scheme",
     f"DELETE WHERE {{ <{AREA}> skos:inScheme ?s }}", AREA, PROV.wasDerivedFrom, "MinCount"),
    ("item number not a positive integer",
     f'DELETE WHERE {{ <{M2}> lgdx:itemNumber ?n }} ;'
     f'INSERT DATA {{ <{M2}> lgdx:itemNumber "2" }}', M2, LGDX.itemNumber, "Datatype"),
    ("item number zero",
     f'DELETE WHERE {{ <{M2}> lgdx:itemNumber ?n }} ;'
     f'INSERT DATA {{ <{M2}> lgdx:itemNumber "0"^^xsd:positiveInteger }}', M2, LGDX.itemNumber, "MinInclusive"),
    ("item number used twice in one plan",
     f'DELETE WHERE {{ <{M2}> lgdx:itemNumber ?n }} ;'
     f'INSERT DATA {{ <{M2}> lgdx:itemNumber "1"^^xsd:positiveInteger }}', M2, LGDX.itemNumber, "SPARQL"),
    ("unknown achievement status",
     f'DELETE WHERE {{ <{M1}> lgdx:achievementStatus ?s }} ;'
     f'INSERT DATA {{ <{M1}> lgdx:achievementStatus <concept/direction-completed> }}',
     M1, LGDX.achievementStatus, "In"),
    ("two goal types",
     f"INSERT DATA {{ <{M1}> lgdx:goalType <concept/goal-type-study> }}", M1, LGDX.goalType, "MaxCount"),
    ("progress note in English",
     f'INSERT DATA {{ <{M1}> lgdx:progressNote "Selected the tasks"@en }}', M1, LGDX.progressNote, "LanguageIn"),
    ("measure without partOf",
     f"DELETE WHERE {{ <{M1}> lgdx:partOf ?p }}", M1, LGDX.partOf, "MinCount"),
    ("measure part of a law",
     f'DELETE WHERE {{ <{M2}> lgdx:partOf ?p }} ;'
     f"INSERT DATA {{ <{M2}> lgdx:partOf <{LAW}> }}", M2, LGDX.partOf, "Class"),
    ("dangling reference",
     f"INSERT DATA {{ <{M1}> lgdx:concernsSystem <system/core-sytems> }}", M1, LGDX.concernsSystem, "SPARQL"),
    ("dangling derivedFrom",
     f"INSERT DATA {{ <{CITY}> prov:wasDerivedFrom <source/plan-5-ch2-s9-9> }}", CITY, PROV.wasDerivedFrom, "SPARQL"),
    ("concernsTechnology not a technology",
     f"INSERT DATA {{ <{M2}> lgdx:concernsTechnology <{PLAN}> }}", M2, LGDX.concernsTechnology, "Class"),
    ("bad eGovLawId pattern",
     f'DELETE WHERE {{ <{LAW}> lgdx:eGovLawId ?i }} ;'
     f'INSERT DATA {{ <{LAW}> lgdx:eGovLawId "428ac1000000103" }}', LAW, LGDX.eGovLawId, "Pattern"),
    ("eGovLawId differs from the id",
     f'DELETE WHERE {{ <{LAW}> lgdx:eGovLawId ?i }} ;'
     f'INSERT DATA {{ <{LAW}> lgdx:eGovLawId "428AC1000000104" }}', LAW, LGDX.eGovLawId, "SPARQL"),
    ("law number in the wrong form",
     f'DELETE WHERE {{ <{LAW}> lgdx:lawNumber ?n }} ;'
     f'INSERT DATA {{ <{LAW}> lgdx:lawNumber "法律第103号" }}', LAW, LGDX.lawNumber, "Pattern"),
    ("law date as text",
     f'DELETE WHERE {{ <{LAW}> eli:first_date_entry_in_force ?d }} ;'
     f'INSERT DATA {{ <{LAW}> eli:first_date_entry_in_force "平成28年12月" }}',
     LAW, ELI.first_date_entry_in_force, "Or"),
    ("amends a plan",
     f"INSERT DATA {{ <{LAW}> eli:amends <{PLAN}> }}", LAW, ELI.amends, "Class"),
    ("basedOn a measure",
     f"INSERT DATA {{ <{PLAN}> lgdx:basedOn <{M1}> }}", PLAN, LGDX.basedOn, "Or"),
    ("publisher not an organisation",
     f"INSERT DATA {{ <{PLAN}> dcterms:publisher <{LAW}> }}", PLAN, DCTERMS.publisher, "Class"),
    ("periodStart after periodEnd",
     f'DELETE WHERE {{ <{PLAN}> lgdx:periodStart ?d }} ;'
     f'INSERT DATA {{ <{PLAN}> lgdx:periodStart "2022-04-01"^^xsd:date }}', PLAN, LGDX.periodStart, "LessThanOrEquals"),
    ("periodEnd as a year",
     f'DELETE WHERE {{ <{PLAN}> lgdx:periodEnd ?d }} ;'
     f'INSERT DATA {{ <{PLAN}> lgdx:periodEnd "2021"^^xsd:gYear }}', PLAN, LGDX.periodEnd, "Datatype"),
    ("achievementRate 1.5",
     f'DELETE WHERE {{ <{PLAN}> lgdx:achievementRate ?r }} ;'
     f'INSERT DATA {{ <{PLAN}> lgdx:achievementRate "1.5"^^xsd:decimal }}', PLAN, LGDX.achievementRate, "MaxInclusive"),
    ("achievementRate as a percentage",
     f'DELETE WHERE {{ <{PLAN}> lgdx:achievementRate ?r }} ;'
     f'INSERT DATA {{ <{PLAN}> lgdx:achievementRate "40%" }}', PLAN, LGDX.achievementRate, "Datatype"),
    ("ordinal zero",
     f'DELETE WHERE {{ <{PLAN}> lgdx:ordinal ?o }} ;'
     f'INSERT DATA {{ <{PLAN}> lgdx:ordinal "0"^^xsd:integer }}', PLAN, LGDX.ordinal, "Datatype"),
    ("technology without English prefLabel",
     drop_language(TECH, "skos:prefLabel", "en"), TECH, SKOS.prefLabel, "QualifiedMinCount"),
    ("technology without definition",
     f"DELETE WHERE {{ <{TECH}> skos:definition ?d }}", TECH, SKOS.definition, "QualifiedMinCount"),
    ("use case that is not a UseCase",
     f"INSERT DATA {{ <{TECH}> lgdx:hasUseCase <{M1}> }}", TECH, LGDX.hasUseCase, "Class"),
    ("observation value as text",
     f'DELETE WHERE {{ <{OBS}> lgdx:value ?v }} ;'
     f'INSERT DATA {{ <{OBS}> lgdx:value "約4割" }}', OBS, LGDX.value, "Datatype"),
    ("observation without date",
     f"DELETE WHERE {{ <{OBS}> lgdx:observedOn ?d }}", OBS, LGDX.observedOn, "MinCount"),
    ("observation with two indicators",
     f"INSERT DATA {{ <{OBS}> lgdx:indicator <{PLAN}> }}", OBS, LGDX.indicator, "MaxCount"),
    ("observation unit as text",
     f'DELETE WHERE {{ <{OBS}> lgdx:unit ?u }} ;'
     f'INSERT DATA {{ <{OBS}> lgdx:unit "%" }}', OBS, LGDX.unit, "NodeKind"),
    ("local government code of five digits",
     f'DELETE WHERE {{ <{CITY}> lgdx:localGovernmentCode ?c }} ;'
     f'INSERT DATA {{ <{CITY}> lgdx:localGovernmentCode "13220" }}', CITY, LGDX.localGovernmentCode, "Pattern"),
    ("local government code differs from the id",
     f'DELETE WHERE {{ <{CITY}> lgdx:localGovernmentCode ?c }} ;'
     f'INSERT DATA {{ <{CITY}> lgdx:localGovernmentCode "132012" }}', CITY, LGDX.localGovernmentCode, "SPARQL"),
    ("corporate number of twelve digits",
     f'DELETE WHERE {{ <{CITY}> lgdx:corporateNumber ?c }} ;'
     f'INSERT DATA {{ <{CITY}> lgdx:corporateNumber "000020132209" }}', CITY, LGDX.corporateNumber, "Pattern"),
    ("passage without section",
     f"DELETE WHERE {{ <{PASSAGE}> lgdx:section ?s }}", PASSAGE, LGDX.section, "MinCount"),
    ("passage part of a law",
     f'DELETE WHERE {{ <{PASSAGE}> dcterms:isPartOf ?d }} ;'
     f"INSERT DATA {{ <{PASSAGE}> dcterms:isPartOf <{LAW}> }}", PASSAGE, DCTERMS.isPartOf, "Class"),
    ("two Japanese descriptions",
     f'INSERT DATA {{ <{M1}> dcterms:description "別の説明。"@ja }}', M1, DCTERMS.description, "UniqueLang"),
]


@pytest.mark.parametrize(("update", "focus", "path", "component"), [case[1:] for case in VIOLATIONS],
                         ids=[case[0] for case in VIOLATIONS])
def test_violation_is_reported_on_the_focus_node_and_path(
    valid, all_shapes, ontology, update, focus, path, component
):
    valid.update(PREFIXES + update)
    violations = of(validate(valid, all_shapes, ontology), SH.Violation)
    hits = [r for r in violations if r[1] == node(focus) and r[2] == path and r[5] == component]
    assert hits, sorted((str(r[1]), str(r[2]), r[5]) for r in violations)
    for hit in hits:
        assert [lang for lang, _ in hit[4]] == ["en", "ja"], hit


WARNINGS = [
    ("law without Japanese description",
     f'DELETE WHERE {{ <{LAW}> dcterms:description ?d }}', LAW, DCTERMS.description, SH.Warning, "QualifiedMinCount"),
    ("measure without English description",
     "", M1, DCTERMS.description, SH.Info, "QualifiedMinCount"),
    ("plan without periodEnd",
     f"DELETE WHERE {{ <{PLAN}> lgdx:periodEnd ?d }}", PLAN, LGDX.periodEnd, SH.Warning, "MinCount"),
    ("law without eGovLawId",
     f"DELETE WHERE {{ <{LAW}> lgdx:eGovLawId ?i }}", LAW, LGDX.eGovLawId, SH.Warning, "MinCount"),
    ("law without e-Gov page",
     f"DELETE WHERE {{ <{LAW}> rdfs:seeAlso ?p }}", LAW, RDFS.seeAlso, SH.Warning, "QualifiedMinCount"),
    ("technology without use case",
     f"DELETE WHERE {{ <{TECH}> lgdx:hasUseCase ?u }}", TECH, LGDX.hasUseCase, SH.Warning, "MinCount"),
    ("technology without exactMatch",
     "", TECH, SKOS.exactMatch, SH.Warning, "MinCount"),
    ("measure without achievement status",
     f"DELETE WHERE {{ <{M2}> lgdx:achievementStatus ?s }}", M2, LGDX.achievementStatus, SH.Warning, "MinCount"),
    ("measure without direction",
     f"DELETE WHERE {{ <{M2}> lgdx:direction ?s }}", M2, LGDX.direction, SH.Warning, "MinCount"),
    ("organisation without sameAs or exactMatch",
     "", CITY, None, SH.Warning, "Or"),
    ("local government without e-Stat area",
     f"DELETE WHERE {{ <{CITY}> dcterms:spatial ?a }}", CITY, DCTERMS.spatial, SH.Warning, "QualifiedMinCount"),
    ("observation without unit",
     f"DELETE WHERE {{ <{OBS}> lgdx:unit ?u }}", OBS, LGDX.unit, SH.Warning, "MinCount"),
    ("letter-spaced label",
     f'DELETE DATA {{ <{PASSAGE}> rdfs:label "(2) Status and future direction of the measures of the fourth plan"@en }} ;'
     f'INSERT DATA {{ <{PASSAGE}> rdfs:label "(2) I C T trends"@en }}', PASSAGE, RDFS.label, SH.Warning, "Not"),
]


@pytest.mark.parametrize(("update", "focus", "path", "severity", "component"), [case[1:] for case in WARNINGS],
                         ids=[case[0] for case in WARNINGS])
def test_recommendation_is_reported_without_a_violation(
    valid, shapes, ontology, update, focus, path, severity, component
):
    if update:
        valid.update(PREFIXES + update)
    results = validate(valid, shapes["warnings"], ontology)
    assert of(results, SH.Violation) == set()
    hits = [r for r in of(results, severity) if r[1] == node(focus) and r[2] == path and r[5] == component]
    assert hits, sorted((str(r[0]), str(r[1]), str(r[2]), r[5]) for r in results)
    for hit in hits:
        assert [lang for lang, _ in hit[4]] == ["en", "ja"], hit


def test_valid_fixture_gets_no_warning_where_a_recommendation_is_met(valid, shapes, ontology):
    results = of(validate(valid, shapes["warnings"], ontology), SH.Warning)
    met = {(node(LAW), LGDX.eGovLawId), (node(PLAN), LGDX.periodStart), (node(TECH), LGDX.hasUseCase),
           (node(CITY), DCTERMS.spatial), (node(PASSAGE), RDFS.label)}
    assert {(r[1], r[2]) for r in results} & met == set()


# --- messages and bases ---------------------------------------------------------------


def test_dangling_reference_message_names_the_missing_id(valid, all_shapes, ontology):
    valid.update(PREFIXES + f"INSERT DATA {{ <{M1}> lgdx:concernsSystem <system/core-sytems> }}")
    violations = of(validate(valid, all_shapes, ontology), SH.Violation)
    (hit,) = [r for r in violations if r[2] == LGDX.concernsSystem and r[5] == "SPARQL"]
    assert hit[3] == node("system/core-sytems")
    for _, message in hit[4]:
        assert message.startswith("system/core-sytems ")


def test_outside_links_are_not_dangling(valid, all_shapes, ontology):
    """An e-Gov page or a Wikidata entity has no type in the data and is fine."""
    valid.update(PREFIXES + f"""INSERT DATA {{
        <{TECH}> skos:exactMatch <http://www.wikidata.org/entity/Q0> .
        <{LAW}> rdfs:seeAlso <https://laws.e-gov.go.jp/law/415AC0000000057> }}""")
    assert of(validate(valid, all_shapes, ontology), SH.Violation) == set()


def test_duplicate_item_number_message_names_the_other_measure(valid, all_shapes, ontology):
    valid.update(PREFIXES + f'DELETE WHERE {{ <{M2}> lgdx:itemNumber ?n }} ;'
                 f'INSERT DATA {{ <{M2}> lgdx:itemNumber "1"^^xsd:positiveInteger }}')
    violations = of(validate(valid, all_shapes, ontology), SH.Violation)
    hits = {r[1]: r for r in violations if r[2] == LGDX.itemNumber}
    assert set(hits) == {node(M1), node(M2)}
    assert all(f" {M2} " in message for _, message in hits[node(M1)][4])


def test_shapes_follow_a_deployers_base(valid, all_shapes, ontology):
    base = "https://data.example.jp/lgdx/"
    moved_shapes = rebase(all_shapes, base)
    moved = rebase(valid, base)
    assert of(validate(moved, moved_shapes, ontology), SH.Violation) == set()

    moved.add((URIRef(base + M1), LGDX.concernsSystem, URIRef(base + "system/core-sytems")))
    moved.remove((URIRef(base + M1), LGDX.achievementStatus, None))
    moved.add((URIRef(base + M1), LGDX.achievementStatus, URIRef(base + "concept/direction-continue")))
    violations = of(validate(moved, moved_shapes, ontology), SH.Violation)
    assert {(r[1], r[2]) for r in violations} == {
        (URIRef(base + M1), LGDX.concernsSystem),
        (URIRef(base + M1), LGDX.achievementStatus),
    }



@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_file_a_message_names_exists(shapes, name):
    graph = shapes[name]
    named = {path for message in graph.objects(None, SH.message)
             for path in re.findall(r"data/[\w./*-]+\.(?:yaml|csv)", str(message))}
    assert named
    for path in named:
        assert list(ROOT.glob(path)), f"{name}.ttl names {path}, which does not exist"
