"""The fast validator reports exactly what pySHACL (the reference) reports."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib import namespace as rns

from conftest import GENERATOR, load_generator
from kg import fastvalidate
from kg.namespaces import SH
from kg.project import Project
from kg.validate import validate as reference

ROOT = Path(__file__).resolve().parents[1]
EX = Namespace("http://example.org/")



FAULT_KINDS = load_generator().FAULT_KINDS


def key(result) -> tuple:
    return (str(result.focus), str(result.path), result.constraint, result.severity)


def details(result) -> tuple:
    """What a reader sees of a result, except the shape node and the focus label."""
    return (*key(result), str(result.value), str(result.location), tuple(sorted(result.message.items())))


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.find(ROOT)


def make_corpus(folder: Path, municipalities: int, faults: int, seed: int) -> Path:
    out = folder / f"corpus-{municipalities}-{faults}-{seed}.nt"
    subprocess.run([sys.executable, str(GENERATOR), "--municipalities", str(municipalities), "--out", str(out),
                    "--faults", str(faults), "--seed", str(seed)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def faulty(tmp_path_factory, project):
    """A corpus with two faults of every kind, and both validators' reports on it."""
    folder = tmp_path_factory.mktemp("faulty")
    path = make_corpus(folder, 4, 2 * len(FAULT_KINDS), seed=7)
    graph = Graph().parse(path, format="nt")
    expected = json.loads(path.with_name(path.name + ".faults.json").read_text(encoding="utf-8"))["faults"]
    return {
        "expected": expected,
        "reference": reference(graph, project.shapes, project.ontology),
        "fast": fastvalidate.validate(fastvalidate.load_files([path]), project.shapes, project.ontology),
        "fast_from_graph": fastvalidate.validate(graph, project.shapes, project.ontology, workers=1),
        "path": path,
        "graph": graph,
    }


def test_same_results_as_pyshacl_on_injected_faults(faulty):
    ref, fast = Counter(map(details, faulty["reference"].results)), Counter(map(details, faulty["fast"].results))
    assert ref == fast, {"only pySHACL": ref - fast, "only fast": fast - ref}
    assert Counter(map(details, faulty["fast_from_graph"].results)) == ref


def test_both_find_every_injected_fault(faulty):
    assert len({e["kind"] for e in faulty["expected"]}) >= 15
    for name in ("reference", "fast"):
        found = {key(r) for r in faulty[name].results}
        missing = [e for e in faulty["expected"]
                   if (e["focus"], e["path"], e["constraint"], e["severity"]) not in found]
        assert missing == [], f"{name} misses {missing}"


def test_no_other_violations_than_the_injected_ones(faulty):
    expected = {e["focus"] for e in faulty["expected"]}
    assert {str(r.focus) for r in faulty["fast"].violations} <= expected


def test_clean_corpus_has_no_violations_in_either(tmp_path, project):
    path = make_corpus(tmp_path, 3, 0, seed=21)
    graph = Graph().parse(path, format="nt")
    ref = reference(graph, project.shapes, project.ontology)
    fast = fastvalidate.validate(fastvalidate.load_files([path]), project.shapes, project.ontology)
    assert ref.violations == [] and fast.violations == []
    assert Counter(map(details, ref.results)) == Counter(map(details, fast.results))  # warnings too


def test_same_results_on_the_project_data(project):
    loaded = project.load()
    ref = reference(loaded.graph, project.shapes, project.ontology, loaded.index)
    fast = fastvalidate.validate(loaded.graph, project.shapes, project.ontology, loaded.index)
    assert Counter(map(details, ref.results)) == Counter(map(details, fast.results))
    assert len(loaded.graph) == len(fastvalidate.from_graph(loaded.graph))


# --- literals the store retypes ------------------------------------------------

DATATYPE_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <{rns.XSD}> .
@prefix ex: <{EX}> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    sh:property [ sh:path ex:n ; sh:datatype xsd:positiveInteger ] ,
                [ sh:path ex:i ; sh:datatype xsd:integer ] ,
                [ sh:path ex:d ; sh:datatype xsd:decimal ] ,
                [ sh:path ex:t ; sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYearMonth ] ) ] ,
                [ sh:path ex:n ; sh:maxInclusive 10 ] .
"""


@pytest.mark.parametrize("predicate, literal", [
    ("n", Literal("5", datatype=rns.XSD.positiveInteger)),
    ("n", Literal("0", datatype=rns.XSD.positiveInteger)),
    ("n", Literal("05", datatype=rns.XSD.positiveInteger)),
    ("n", Literal("12", datatype=rns.XSD.positiveInteger)),
    ("n", Literal("5", datatype=rns.XSD.integer)),
    ("n", Literal("five", datatype=rns.XSD.positiveInteger)),
    ("i", Literal("5", datatype=rns.XSD.positiveInteger)),
    ("i", Literal("-5", datatype=rns.XSD.integer)),
    ("d", Literal("1.50", datatype=rns.XSD.decimal)),
    ("d", Literal("abc", datatype=rns.XSD.decimal)),
    ("d", Literal("1.5")),
    ("t", Literal("2022-02-30", datatype=rns.XSD.date)),
    ("t", Literal("2022-02-28", datatype=rns.XSD.date)),
    ("t", Literal("2021-13", datatype=rns.XSD.gYearMonth)),
])
def test_datatypes_as_written(tmp_path, predicate, literal):
    shapes = Graph().parse(data=DATATYPE_SHAPES, format="turtle")
    data = Graph()
    data.add((EX.x, rns.RDF.type, EX.C))
    data.add((EX.x, EX[predicate], literal))
    ref = Counter(map(key, reference(data, shapes, Graph()).results))
    path = tmp_path / "data.nt"
    data.serialize(path, format="nt", encoding="utf-8")
    for fast in (fastvalidate.validate(data, shapes, Graph()),
                 fastvalidate.validate(fastvalidate.load_files([path]), shapes, Graph())):
        assert Counter(map(key, fast.results)) == ref


def test_dumps_keep_literals_as_written(tmp_path):
    data = Graph()
    data.add((EX.x, EX.n, Literal("5", datatype=rns.XSD.positiveInteger)))
    data.add((EX.x, EX.d, Literal("1.50", datatype=rns.XSD.decimal)))
    data.add((EX.x, EX.label, Literal("名前", lang="ja")))
    path = tmp_path / "data.nt"
    data.serialize(path, format="nt", encoding="utf-8")
    fast = fastvalidate.load_files([path])
    for fmt, rdflib_format in (("nt", "nt"), ("ttl", "turtle"), ("jsonld", "json-ld")):
        back = Graph().parse(data=fastvalidate.serialize(fast, fmt), format=rdflib_format)
        assert set(back) == set(data), fmt


def test_equal_values_written_differently_are_refused(tmp_path):
    path = tmp_path / "data.nt"
    path.write_text(f'<{EX.x}> <{EX.n}> "5"^^<{rns.XSD.positiveInteger}> .\n'
                    f'<{EX.x}> <{EX.n}> "5"^^<{rns.XSD.integer}> .\n', encoding="utf-8")
    with pytest.raises(fastvalidate.UnsupportedDataError):
        fastvalidate.load_files([path])


# --- failing loudly --------------------------------------------------------------

@pytest.mark.parametrize("extra", [
    "ex:S sh:sparql [ a sh:SPARQLConstraint ; sh:ask \"ASK {}\" ] .",
    "ex:S sh:rule [ a sh:SPARQLRule ; sh:construct \"CONSTRUCT {} WHERE {}\" ] .",
    "ex:S sh:target [ a sh:SPARQLTargetType ] .",
    "ex:S sh:property [ sh:path ex:p ; sh:closed true ] .",
    "ex:S sh:entailment <http://www.w3.org/ns/entailment/RDFS> .",
    "ex:S sh:property [ sh:path ex:p ; sh:node [ sh:property [ sh:path ex:q ; sh:minCount 9 ] ] ] .",
    "ex:S sh:sparql [ a sh:SPARQLConstraint ; sh:select \"SELECT $this WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }\" ] .",
])
def test_unsupported_features_fail_loudly(extra):
    shapes = Graph().parse(data=DATATYPE_SHAPES + extra, format="turtle")
    with pytest.raises(fastvalidate.UnsupportedShapeError):
        fastvalidate.validate(Graph(), shapes, Graph())


def test_compiles_the_project_shapes_generically(project):
    checks = fastvalidate.compile_shapes(project.shapes)
    components = {c.component for c in checks}
    assert {"sh:MinCountConstraintComponent", "sh:DatatypeConstraintComponent",
            "sh:SPARQLConstraintComponent", "sh:QualifiedValueShapeConstraintComponent"} <= components
    assert all(c.queries for c in checks)


def test_more_core_constraints_agree_with_pyshacl():
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix xsd: <{rns.XSD}> .
        @prefix ex: <{EX}> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; sh:ignoredProperties ( <{rns.RDF.type}> ) ;
            sh:property [ sh:path ex:a ; sh:minCount 2 ; sh:maxCount 3 ; sh:minLength 2 ; sh:in ( "aa" "bbb" "c" ) ] ,
                        [ sh:path ex:b ; sh:equals ex:c ; sh:disjoint ex:a ; sh:lessThan ex:d ] ,
                        [ sh:path ex:c ; sh:hasValue ex:v ; sh:xone ( [ sh:nodeKind sh:IRI ] [ sh:class ex:C ] ) ] ,
                        [ sh:path ex:d ; sh:minExclusive 1 ; sh:maxExclusive 5 ] ,
                        [ sh:path ( ex:e [ sh:inversePath ex:f ] ) ; sh:maxCount 1 ] ,
                        [ sh:path [ sh:alternativePath ( ex:a ex:g ) ] ; sh:pattern "^A" ; sh:flags "i" ] ,
                        [ sh:path ex:g ; sh:node ex:T ] .
        ex:T a sh:NodeShape ; sh:property [ sh:path ex:a ; sh:minCount 1 ] .
        ex:U a sh:NodeShape ; sh:targetSubjectsOf ex:e ; sh:not [ sh:class ex:C ] .
    """, format="turtle")
    data = Graph().parse(data=f"""
        @prefix ex: <{EX}> .
        ex:x a ex:C ; ex:a "c", "aa", "zz" ; ex:b ex:v, 3 ; ex:c ex:v, ex:w ; ex:d 2, 7 ;
            ex:e ex:y ; ex:g ex:z, "A" ; ex:h "closed out" .
        ex:y ex:f ex:x, ex:q .
        ex:z ex:a "a" .
        ex:w a ex:C .
        ex:x2 a ex:C ; ex:a "aa" ; ex:c ex:w ; ex:e ex:y .
    """, format="turtle")
    ref = Counter(map(key, reference(data, shapes, Graph()).results))
    fast = Counter(map(key, fastvalidate.validate(data, shapes, Graph()).results))
    assert ref == fast, {"only pySHACL": ref - fast, "only fast": fast - ref}
    assert sum(ref.values()) > 10


# --- values the two engines once judged differently on the project's shapes ----------------

LGDX_NS = Namespace("https://w3id.org/lgdx/ontology#")


@pytest.mark.parametrize("predicate, literal, flagged", [
    # a label holding U+001C: Python's \s takes it for a space, the store's regex does not; the
    # shape names U+001C-U+001F itself, so both flag it
    (rns.RDFS.label, Literal("計画\x1cA", lang="ja"), True),
    (rns.RDFS.label, Literal("計画 A", lang="ja"), False),
    # an xsd:date with a time part: both engines read it as rdflib and pySHACL do
    (LGDX_NS.periodStart, Literal("2021-03-01T10:00:00", datatype=rns.XSD.date), False),
])
def test_the_engines_agree_on_values_they_once_judged_differently(real_build, predicate, literal, flagged):
    project, out, _ = real_build
    data = Graph().parse(out / "kg.nt")
    plan = next(data.subjects(rns.RDF.type, LGDX_NS.Plan))
    for old in [o for o in data.objects(plan, predicate) if getattr(o, "language", None) == literal.language]:
        data.remove((plan, predicate, old))  # the Japanese label, or the date
    data.add((plan, predicate, literal))
    fast = Counter(map(key, fastvalidate.validate(data, project.shapes, None).results))
    ref = Counter(map(key, reference(data, project.shapes, None).results))
    assert fast == ref
    mine = [k for k in fast if k[:2] == (str(plan), str(predicate)) and k[2] in (
        "sh:PatternConstraintComponent", "sh:DatatypeConstraintComponent")]
    assert bool(mine) == flagged, fast


# --- SHACL-SPARQL: pre-binding and constraint components ---------------------------------------

def test_prebinding_writes_the_value_where_the_variable_stands():
    import pyoxigraph as ox

    from kg.fastvalidate.sparql import prebind

    text = ("SELECT $this ?v WHERE { { SELECT $this WHERE { FILTER (bound($this)) } } "
            "$this <http://example.org/p> ?v . FILTER (?v != \"$this\") }")
    query, substitutions = prebind(text, {"this": ox.NamedNode("http://example.org/x")})
    assert query.startswith("SELECT (<http://example.org/x> AS ?this) ?v WHERE { { SELECT "
                            "(<http://example.org/x> AS ?this_prebound2) WHERE { FILTER ((true)) } }")
    assert "<http://example.org/x> <http://example.org/p> ?v" in query
    assert '"$this"' in query and not substitutions  # a string is left alone
    blank = ox.BlankNode("b1")
    query, substitutions = prebind(text, {"this": blank})
    assert query == text and substitutions == {ox.Variable("this"): blank}


def test_a_constraint_component_declared_in_the_shapes_runs_and_names_itself():
    from kg.report import report_graph

    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:MinWords a sh:ConstraintComponent ;
            sh:parameter [ sh:path ex:minWords ] ;
            sh:propertyValidator [ a sh:SPARQLSelectValidator ;
                sh:message "fewer than {$minWords} words" ;
                sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER (STRLEN(REPLACE(STR(?value), '[^ ]', '')) + 1 < $minWords) }" ] .
        ex:S a sh:NodeShape ; sh:targetClass ex:Plan ; sh:property [ sh:path ex:title ; ex:minWords 3 ] .
    """, format="turtle")
    data = Graph().parse(data="""
        @prefix ex: <http://example.org/> .
        ex:a a ex:Plan ; ex:title "one two three" . ex:b a ex:Plan ; ex:title "one two" .
    """, format="turtle")
    report = fastvalidate.validate(data, shapes, Graph())
    assert [(str(r.focus), str(r.value), r.constraint, r.message["en"]) for r in report.results] == [
        ("http://example.org/b", "one two", "http://example.org/MinWords", "fewer than 3 words")]
    graph = report_graph(report)
    assert (None, SH.sourceConstraintComponent, EX.MinWords) in graph


def test_qualified_counts_inside_a_nested_shape_agree_with_pyshacl():
    inner = " ".join(f"sh:property [ sh:path ex:q{k} ; sh:minCount 2 ] ;" for k in range(5))
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:node [ sh:property [ sh:path ex:p ;
            sh:qualifiedValueShape [ {inner} ] ; sh:qualifiedMinCount 3 ] ] .
    """, format="turtle")
    good = "\n".join(f"ex:a ex:p ex:v{i} . ex:v{i} ex:q{k} 1, 2 ." for i in range(3) for k in range(5))
    bad = good.replace("ex:v2 ex:q4 1, 2", "ex:v2 ex:q4 1")
    for data, conforms in ((good, True), (bad, False)):
        graph = Graph().parse(data="@prefix ex: <http://example.org/> .\n" + data, format="turtle")
        assert fastvalidate.validate(graph, shapes, Graph()).conforms is conforms
        assert reference(graph, shapes, Graph()).conforms is conforms


# --- literals the store keeps in another form than written -----------------------------------------

REWRITTEN_SHAPES = """
    @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ex:Top a sh:NodeShape ; sh:targetClass ex:Plan ;
        sh:property [ sh:path ex:rate ; sh:pattern "^[0-9]+\\\\.[0-9]$" ] .
    ex:Nested a sh:NodeShape ; sh:targetClass ex:Plan ;
        sh:property [ sh:path ex:link ; sh:qualifiedValueShape [ sh:pattern "^http://example\\\\.org/" ] ;
                      sh:qualifiedMinCount 1 ] .
"""


def test_a_literal_the_store_rewrites_is_judged_as_written():
    # the store keeps "1.50" as "1.5": the pattern is decided on "1.50", as pySHACL decides it
    data = Graph().parse(data="""
        @prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:a a ex:Plan ; ex:rate "1.50"^^xsd:decimal ; ex:link ex:x .
        ex:b a ex:Plan ; ex:rate "1.5"^^xsd:decimal ; ex:link ex:x .
    """, format="turtle")
    shapes = Graph().parse(data=REWRITTEN_SHAPES, format="turtle")
    fast, slow = fastvalidate.validate(data, shapes, Graph()), reference(data, shapes, Graph())
    assert {(str(r.focus), str(r.value)) for r in fast.results} == {(str(r.focus), str(r.value))
                                                                    for r in slow.results} == {
        ("http://example.org/a", "1.50")}


def test_a_nested_constraint_on_a_rewritten_literal_is_refused_not_guessed():
    shapes = Graph().parse(data=REWRITTEN_SHAPES, format="turtle")
    data = Graph().parse(data="""
        @prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:a a ex:Plan ; ex:rate "1.5"^^xsd:decimal ; ex:link "1.50"^^xsd:decimal .
    """, format="turtle")
    with pytest.raises(fastvalidate.UnsupportedDataError, match="1.50"):
        fastvalidate.validate(data, shapes, Graph())
    # the same literal under another property is no concern of the nested pattern
    data = Graph().parse(data="""
        @prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:a a ex:Plan ; ex:rate "1.50"^^xsd:decimal ; ex:link ex:x .
    """, format="turtle")
    assert len(fastvalidate.validate(data, shapes, Graph()).results) == 1
