"""Property-based hostile input: generated YAML, CSV, Turtle, N-Triples, JSON-LD and RDF/XML files.

Every generated file carries at least one hostile part (an alias bomb, deep nesting, a
literal past the limit, too many values or rows, a bad IRI, a context or entity from
elsewhere) among generated ordinary content, so kg must refuse it: exit 1 or 2, the file
named, no traceback, no request to the trap server, within 5 s and 512 MiB, and an earlier
dist/ left as it was.
The literal limit is lowered to 64 KiB and the entries to 1,000 so that the files stay small.
"""

from __future__ import annotations

import itertools
import json

import pytest
from conftest import make_project
from fixtures.hostile import CSV_HEADER, Runner, TrapServer, checksums, laughs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LITERAL = 64 << 10
ENTRIES = 1_000  # 50,000 YAML values
TRAP = "TRAP-URL"  # replaced by the trap server's address when the file is written
ORG = "- id: org/hostile\n  type: Organization\n  label: {ja: 敵対, en: Hostile}\n"
RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'
BAD_IRI_CHARS = '"<>{}|\\^` '

words = st.text(st.characters(max_codepoint=0xfffd, exclude_categories=("Cs", "Cc", "Cn", "Co")),
                min_size=1, max_size=30)
depths = st.integers(65, 3000)
long_sizes = st.integers(LITERAL + 1, LITERAL + 4096)


def quoted(text: str) -> str:
    """``text`` as a double-quoted YAML, Turtle or JSON string."""
    return json.dumps(text, ensure_ascii=False)


@st.composite
def bad_iris(draw) -> str:
    head = draw(st.sampled_from(["https://example.org/", "http://example.org/a?", "urn:x:"]))
    return head + draw(st.text(st.sampled_from(BAD_IRI_CHARS), min_size=1, max_size=4)) + draw(
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e), max_size=10))


# --- YAML and CSV -------------------------------------------------------------------

@st.composite
def yaml_files(draw, kind: str) -> str:
    if kind == "bomb":
        levels = laughs(draw(st.integers(5, 10)), draw(st.integers(6, 10)))
        place = draw(st.sampled_from(["  note:\n", "  label:\n    ja:\n", "  unknownKey:\n", ""]))
        indent = "  " * place.count("\n") + ("  " if place else "")
        payload = (ORG + place if place else "") + "".join(f"{indent}- {level}\n" for level in levels)
    elif kind == "self":
        payload = ORG + "  note: " + draw(st.sampled_from(["&r [*r]", "&r {a: *r}", "&r [x, [y, *r]]"])) + "\n"
    elif kind == "flow":
        n = draw(st.integers(65, 990))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
        payload = ORG + "  note: " + opener * n + closer * n + "\n"
    elif kind == "block":
        n = draw(st.integers(65, 300))
        item = draw(st.sampled_from(["-", "k:"]))
        payload = ORG + "  note:\n" + "".join("  " * (i + 2) + item + "\n" for i in range(n))
    elif kind == "wide":
        item = draw(st.sampled_from(["a", "*x", "[]"]))  # *x: as many aliases of the first item
        payload = ORG + "  note: [&x b, " + ", ".join([item] * draw(st.integers(50_001, 60_000))) + "]\n"
    elif kind == "resources":
        count = draw(st.integers(ENTRIES + 1, ENTRIES + 200))
        payload = "".join(f"- {{id: org/r{i}, type: Organization}}\n" for i in range(count))
    elif kind == "long":
        payload = ORG + f"  note: {{ja: {quoted(draw(words) * 1 + 'x' * draw(long_sizes))}}}\n"
    else:
        payload = ORG + f"  publisher: {json.dumps(draw(bad_iris()))}\n"
    before = "".join(f"- id: org/filler-{i}\n  type: Organization\n  label: {{ja: {quoted(w)}}}\n"
                     for i, w in enumerate(draw(st.lists(words, max_size=3))))
    return before + payload


@st.composite
def csv_files(draw, kind: str) -> str:
    cells = [quoted(w).replace('\\"', '""') for w in draw(st.lists(words, min_size=6, max_size=6))]
    if kind == "iri":
        last = '"' + draw(bad_iris()).replace('"', '""') + '"'
    elif kind == "huge":
        last = "x" * draw(st.integers(140_000, 200_000))
    elif kind == "rows":
        rows = draw(st.integers(ENTRIES + 1, ENTRIES + 200))
        return CSV_HEADER + "".join(f"{i},{','.join(cells)},source/x\n" for i in range(1, rows + 1))
    else:
        last = '"unclosed ' + draw(words).replace('"', "")
    return CSV_HEADER + "1," + ",".join(cells) + "," + last + "\n"


# --- RDF ------------------------------------------------------------------------------

@st.composite
def turtle_files(draw, kind: str, triples_only: bool = False) -> str:
    s, p = "<http://example.org/s>", "<http://example.org/p>"
    if kind == "long":
        payload = f'{s} {p} "{"a" * draw(long_sizes)}" .\n'
    elif kind == "long-quote":
        lines = "a\n" * (draw(long_sizes) // 2)
        payload = f'{s} {p} """{lines}""" .\n'
    elif kind == "iri":
        payload = f"<{draw(bad_iris())}> {p} 1 .\n"
    else:
        n = draw(depths)
        opener, closer = ("[ ex:p ", " ]") if kind == "brackets" else ("( ", " )")
        payload = f"{s} {p} {opener * n}1{closer * n} .\n"
    filler = "".join(f"{s} {p} {quoted(w)} .\n" for w in draw(st.lists(words, max_size=3)))
    prefix = "" if triples_only else "@prefix ex: <http://example.org/> .\n"
    return prefix + filler + payload


@st.composite
def jsonld_files(draw, kind: str) -> str:
    body = {"@id": "http://example.org/s", "http://example.org/p": draw(words)}
    if kind == "deep":
        n = draw(st.integers(65, 20000))
        pattern = draw(st.lists(st.booleans(), min_size=1, max_size=6))  # object or array, level by level
        objects = list(itertools.islice(itertools.cycle(pattern), n))
        opened = "".join('{"http://example.org/p": ' if o else "[" for o in objects)
        closed = "".join("}" if o else "]" for o in reversed(objects))
        return '{"@id": "http://example.org/s", "http://example.org/p": ' + opened + "1" + closed + "}"
    if kind == "long":
        body["http://example.org/q"] = "a" * draw(long_sizes)
    elif kind == "iri":
        body["@id"] = draw(bad_iris())
    else:
        url = f"{TRAP}/{draw(st.sampled_from(['c', 'ctx.jsonld', 'x?y=1']))}"
        form = draw(st.sampled_from(["string", "array", "import", "property", "type", "nested-array"]))
        body["@context"] = {
            "string": url, "array": [{"q": "http://example.org/q"}, url], "nested-array": [[url]],
            "import": {"@version": 1.1, "@import": url},
            "property": {"@version": 1.1, "p": {"@id": "http://example.org/p", "@context": url}},
            "type": {"@version": 1.1, "T": {"@id": "http://example.org/T", "@context": url}},
        }[form]
        body["@type"] = "T"
    return json.dumps(body, indent=draw(st.sampled_from([None, 1])))


@st.composite
def rdfxml_files(draw, kind: str) -> str:
    doctype, value = "", draw(words).replace("&", "").replace("<", "")
    if kind == "bomb":
        width, depth = draw(st.integers(5, 12)), draw(st.integers(5, 10))
        doctype = '<!DOCTYPE rdf:RDF [<!ENTITY e0 "lol">' + "".join(
            f'<!ENTITY e{i} "{f"&e{i - 1};" * width}">' for i in range(1, depth)) + "]>\n"
        value = f"&e{depth - 1};"
    elif kind == "external":
        doctype, value = f'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{TRAP}/entity">]>\n', "&x;"
    elif kind == "parameter":
        doctype = f'<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "{TRAP}/dtd"> %p;]>\n'
    elif kind == "deep":
        n = draw(depths)
        value = "<ex:q>" * n + "</ex:q>" * n
    elif kind == "long-text":
        value = "a" * draw(long_sizes)
    attribute = f' ex:a="{"b" * draw(long_sizes)}"' if kind == "long-attribute" else ""
    return (f'<?xml version="1.0"?>\n{doctype}<rdf:RDF {RDF_NS}>\n<rdf:Description rdf:about='
            f'"http://example.org/s"{attribute}><ex:p>{value}</ex:p></rdf:Description>\n</rdf:RDF>\n')


#: suffix → (strategy, the kinds of hostile part it makes)
FORMATS = {
    ".yaml": (yaml_files, ["bomb", "self", "flow", "block", "wide", "resources", "long", "iri"]),
    ".measures.csv": (csv_files, ["iri", "huge", "quote", "rows"]),
    ".ttl": (turtle_files, ["long", "long-quote", "iri", "brackets", "collection"]),
    ".nt": (lambda kind: turtle_files(kind, triples_only=True), ["long", "iri"]),
    ".jsonld": (jsonld_files, ["deep", "long", "iri", "context"]),
    ".rdf": (rdfxml_files, ["bomb", "external", "parameter", "deep", "long-text", "long-attribute"]),
}
_names = itertools.count()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A project with a built dist/, a trap server and a runner, shared by every example."""
    trap, runner = TrapServer(), Runner()
    project = make_project(tmp_path_factory.mktemp("properties"))
    assert runner.run(["build"], project).code == 0
    yield project, trap, runner
    runner.close()
    trap.close()


@pytest.mark.parametrize("suffix, kind", [(suffix, kind) for suffix, (_, kinds) in FORMATS.items() for kind in kinds])
def test_generated_hostile_files_are_refused_in_bounds(world, suffix, kind):
    project, trap, runner = world
    before = checksums(project / "dist")

    @settings(max_examples=3, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(text=FORMATS[suffix][0](kind), engine=st.sampled_from(["pyshacl", "fast"]), build=st.booleans())
    def check(text, engine, build):
        data_file = suffix in (".yaml", ".measures.csv")
        folder = project / "data" if data_file and build else project.parent / "inputs"
        folder.mkdir(exist_ok=True)
        path = folder / f"hostile-{next(_names)}{suffix}"
        path.write_text(text.replace(TRAP, trap.url), encoding="utf-8")
        requests = len(trap.requests)
        try:
            args = ["build"] if data_file and build else ["validate", str(path), "--engine", engine]
            held_to = ["--max-literal", str(LITERAL), "--max-entries", str(ENTRIES)]
            outcome = runner.run([*args, *held_to], project)
        finally:
            path.unlink()
        assert not outcome.problems(), (outcome.problems(), outcome.text[-1500:])
        assert path.name in outcome.text, outcome.text[-1500:]
        assert trap.requests[requests:] == []
        assert checksums(project / "dist") == before

    check()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(st.integers(min_value=0, max_value=300), max_size=6),
       long=st.integers(min_value=1, max_value=5000), after=st.integers(min_value=0, max_value=3))
def test_a_line_past_the_literal_limit_is_found_on_its_line(tmp_path_factory, before, long, after):
    from kg.errors import LoadError
    from kg.limits import Limits, check_rdf, using

    cap = 64  # a line of 64 bytes or more (newline not counted) is past a literal limit of 63
    lines = [b"x" * n for n in before] + [b"y" * (cap + long - 1)] + [b"z"] * after
    path = tmp_path_factory.mktemp("lines") / "data.nt"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with using(Limits(literal=cap - 1)):
        if max(map(len, lines)) >= cap:
            with pytest.raises(LoadError) as caught:
                check_rdf(path)
            first = next(i for i, line in enumerate(lines, 1) if len(line) >= cap)
            assert caught.value.where.line == first
        else:
            check_rdf(path)
