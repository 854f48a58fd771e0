"""Hostile input: one regression test per class of file that once hung, blew up or fetched.

Each case runs as ``kg validate FILE`` with both engines (and, for data files, ``kg build``)
in a capped child process: it must end in exit 2 within 5 s and 512 MiB, with a message
naming the file and line, no traceback and no request to the trap server.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import make_project
from fixtures.hostile import CSV_HEADER, Runner, TrapServer, checksums, laughs

from kg import limits
from kg.errors import LoadError, Location
from kg.load import data_files

ORG = "- id: org/hostile\n  type: Organization\n  label: {ja: 敵対, en: Hostile}\n"
PREFIX = "@prefix ex: <http://example.org/> .\n"
RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'
BIG = "a" * (16 << 20)
BLOCK_985 = "".join("  " * i + "-\n" for i in range(2, 987))  # sequences in sequences, 985 levels


def yaml_bomb(where: str) -> str:
    levels = laughs(9, 10)
    if where == "top-level item":
        return "".join(f"- {level}\n" for level in levels)
    inner = "".join(f"    - {level}\n" for level in levels)
    if where == "note":
        return ORG + "  note:\n" + inner
    if where == "label map":
        return ORG.replace("  label: {ja: 敵対, en: Hostile}\n", "  label:\n    ja:\n" +
                           "".join(f"      - {level}\n" for level in levels))
    return ORG + "  hostileKey:\n" + inner


def xml_bomb() -> str:
    entities = '<!ENTITY e0 "lollollollol">' + "".join(
        f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{entities}]>\n<rdf:RDF {RDF_NS}>\n'
            '<rdf:Description rdf:about="http://example.org/s"><ex:p>&e9;</ex:p></rdf:Description>\n</rdf:RDF>\n')


def contexts(url: str, secret: Path) -> dict[str, str]:
    """Every form in which a JSON-LD document can ask for a context from elsewhere."""
    body = '"@id": "http://example.org/s", "p": "x"'
    return {
        "string": f'{{"@context": "{url}/string.jsonld", {body}}}',
        "array": f'{{"@context": [{{"q": "http://example.org/q"}}, "{url}/array.jsonld"], {body}}}',
        "@import": f'{{"@context": {{"@version": 1.1, "@import": "{url}/import.jsonld"}}, {body}}}',
        "property-scoped": ('{"@context": {"@version": 1.1, "p": {"@id": "http://example.org/p", '
                            f'"@context": "{url}/property.jsonld"}}}}, "@id": "http://example.org/s", '
                            '"p": {"q": "x"}}'),
        "type-scoped": ('{"@context": {"@version": 1.1, "T": {"@id": "http://example.org/T", '
                        f'"@context": "{url}/type.jsonld"}}}}, "@id": "http://example.org/s", "@type": "T"}}'),
        "file": f'{{"@context": "{secret.as_uri()}", {body}}}',
        "relative file": f'{{"@context": "{secret.name}", {body}}}',
    }


#: name → (file name, content, the line the message names)
def cases(url: str, secret: Path) -> dict[str, tuple[str, str, int | None]]:
    found = {f"yaml alias bomb in {where}": ("bomb.yaml", yaml_bomb(where), None)
             for where in ("note", "label map", "unknown key", "top-level item")}
    found |= {
        "yaml self-referential alias": ("self.yaml", ORG + "  note: &r [*r]\n", 4),
        "yaml flow nesting 985 deep": ("flow.yaml", ORG + "  note: " + "[" * 985 + "]" * 985 + "\n", 4),
        "yaml block nesting 985 deep": ("block.yaml", ORG + "  note:\n" + BLOCK_985, 67),
        "yaml a million values": ("wide.yaml", ORG + "  note: [" + ",".join(["a"] * 1_000_000) + "]\n", 4),
        "yaml too many resources": ("many.yaml", "- {id: org/x, type: Organization}\n" * 6000, 5001),
        "csv too many rows": ("p.measures.csv", CSV_HEADER + "".join(f"{i},a,b,c,d,e,f,source/x\n"
                                                                     for i in range(1, 100_001)), 5002),
        "yaml bad IRI": ("iri.yaml", ORG + '  publisher: "https://example.org/\\"><script>"\n', 4),
        "yaml huge literal": ("big.yaml", ORG + f"  note: {{ja: {'あ' * (1 << 19)}}}\n", 4),
        "csv bad IRI": ("p.measures.csv", CSV_HEADER + '1,a,b,c,d,e,f,"https://example.org/""><script>"\n', 2),
        "jsonld bad IRI": ("iri.jsonld", '{"@id": "https://example.org/\\"><script>",\n"ex:p": "x"}', 1),
        "jsonld nested 20000 deep": ("deep.jsonld", '{"http://example.org/p": ' * 20000 + "1" + "}" * 20000, 1),
        "jsonld huge literal": ("big.jsonld", f'{{"@id": "http://example.org/s",\n"ex:p": "{BIG}"}}', 2),
        "turtle huge literal": ("big.ttl", PREFIX + f'ex:s ex:p """{BIG}""" .\n', 2),
        "turtle nested brackets": ("deep.ttl", PREFIX + "ex:s ex:p " + "[ ex:p " * 3000 + "1" + " ]" * 3000 + ".\n", 2),
        "turtle nested collections": ("list.ttl", PREFIX + "ex:s ex:p " + "(" * 3000 + ")" * 3000 + " .\n", 2),
        "turtle bad IRI": ("iri.ttl", PREFIX + '<https://example.org/"><script>> ex:p 1 .\n', None),
        "n-triples huge literal": ("big.nt", f'<http://example.org/s> <http://example.org/p> "{BIG}" .\n', 1),
        "rdf/xml entity expansion": ("bomb.rdf", xml_bomb(), 2),
        "rdf/xml external entity": ("ext.rdf", f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{url}/x">]>\n'
                                    f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://example.org/s">'
                                    "<ex:p>&x;</ex:p></rdf:Description></rdf:RDF>\n", 2),
        "rdf/xml nested elements": ("deep.rdf", f"<rdf:RDF {RDF_NS}>\n" + "<ex:p>" * 5000 + "</ex:p>" * 5000
                                    + "</rdf:RDF>\n", 2),
    }
    found |= {f"jsonld {form} context": ("context.jsonld", text, 1) for form, text in contexts(url, secret).items()}
    return found


@pytest.fixture(scope="module")
def trap():
    server = TrapServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def runner():
    running = Runner()
    yield running
    running.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, trap):
    """A project and every hostile file, written beside it (dist/ is built by the first test that needs it)."""
    tmp = tmp_path_factory.mktemp("hostile")
    secret = tmp / "secret.jsonld"
    secret.write_text('{"@context": {"p": "http://example.org/secret"}}')
    files = {}
    for name, (file_name, text, line) in cases(trap.url, secret).items():
        folder = tmp / "files" / name.replace(" ", "-").replace("/", "-")
        folder.mkdir(parents=True)
        (folder / file_name).write_text(text, encoding="utf-8")
        files[name] = (folder / file_name, line)
    return make_project(tmp), files


NAMES = list(cases("http://127.0.0.1:1", Path("/secret.jsonld")))


def data_file(name: str) -> bool:
    return name.startswith(("yaml", "csv"))


# Data files load the same way whatever the engine; the build (fast engine) covers them below.
@pytest.mark.parametrize("name, engine", [(n, e) for n in NAMES for e in ("pyshacl", "fast")
                                          if e == "pyshacl" or not data_file(n)])
def test_hostile_file_is_refused_in_bounds(hostile, runner, trap, name, engine):
    project, files = hostile
    path, line = files[name]
    before = len(trap.requests)
    outcome = runner.run(["validate", str(path), "--engine", engine], project)
    assert not outcome.problems(), (outcome.problems(), outcome.text[-2000:])
    assert outcome.code == 2, outcome.text[-2000:]
    assert f"{path}{f':{line}' if line else ''}" in outcome.text, outcome.text[-2000:]
    assert trap.requests[before:] == []


# one case of each class; the property tests build with many more
@pytest.mark.parametrize("name", ["yaml alias bomb in note", "yaml self-referential alias",
                                  "yaml flow nesting 985 deep", "yaml a million values", "yaml bad IRI",
                                  "csv too many rows"])
def test_hostile_data_file_leaves_dist_as_it_was(hostile, runner, name):
    project, files = hostile
    path, line = files[name]
    if not (project / "dist").exists():
        assert runner.run(["build"], project).code == 0
    before = checksums(project / "dist")
    target = project / "data" / path.name
    target.write_bytes(path.read_bytes())
    try:
        outcome = runner.run(["build"], project)
    finally:
        target.unlink()
    assert not outcome.problems(), (outcome.problems(), outcome.text[-2000:])
    assert outcome.code == 2 and f"data/{path.name}" in outcome.text
    assert checksums(project / "dist") == before


def test_limits_can_be_raised_from_the_command_line(hostile, runner):
    project, files = hostile
    path, _ = files["turtle nested brackets"]
    outcome = runner.run(["validate", str(path), "--engine", "fast", "--max-depth", "5000"], project)
    assert outcome.code == 0, outcome.text[-2000:]
    path, _ = files["yaml self-referential alias"]
    small = runner.run(["validate", str(path), "--max-file-size", "10"], project)
    assert small.code == 2 and "larger than the limit of 10 B" in small.text
    assert "--max-file-size" in small.text


# --- the checks on their own --------------------------------------------------------

@pytest.mark.parametrize("text, valid", [
    ("https://example.org/a?b=c#d", True),
    ("https://例え.jp/パス", True),
    ("urn:x-kg:probe", True),
    ("http://[::1]:8000/", True),
    ("https://example.org/%E3%81%82", True),
    ('https://example.org/"><script>', False),
    ("https://example.org/a b", False),
    ("https://example.org/<x>", False),
    ("https://example.org/%zz", False),
    ("http://[not-v6]/", False),
    ("no-scheme", False),
])
def test_iris_are_checked_against_rfc_3987(text, valid):
    assert limits.valid_iri(text) is valid


def test_unregistered_language_tags_warn_and_malformed_ones_fail():
    where = Location("x.yaml", 3)
    with pytest.warns(limits.InputWarning, match=r"x.yaml:3: language tag `zz`"):
        assert limits.check_language("zz", where)
    assert not limits.check_language("ja-abcdefghi", where)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert limits.check_language("ja", where) and limits.check_language("en-US", where)


def test_cli_shows_language_warnings(mini_project, runner):
    (mini_project / "data" / "qq.yaml").write_text(ORG.replace("en: Hostile", "qq: Hostile"), encoding="utf-8")
    outcome = runner.run(["validate"], mini_project)
    assert "warning: data/qq.yaml:3: language tag `qq`" in outcome.text
    assert "Traceback" not in outcome.text


def test_unreadable_folder_in_data_is_an_error_naming_it(tmp_path, monkeypatch):
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "a.yaml").write_text("[]")
    (tmp_path / "locked").mkdir()
    scandir = os.scandir

    def refusing(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(LoadError, match="cannot read folder: Permission denied") as caught:
        data_files(tmp_path)
    assert caught.value.where.file.endswith("locked")


def test_a_broken_link_or_a_pipe_in_data_is_an_error_naming_it(mini_project, runner):
    (mini_project / "data" / "gone.yaml").symlink_to(mini_project / "elsewhere.yaml")
    outcome = runner.run(["validate"], mini_project)
    assert outcome.code == 2 and "data/gone.yaml" in outcome.text
    assert "cannot read: No such file or directory" in outcome.text
    (mini_project / "data" / "gone.yaml").unlink()
    os.mkfifo(mini_project / "data" / "pipe.yaml")  # reading it would wait for a writer forever
    outcome = runner.run(["validate"], mini_project)
    assert outcome.code == 2 and "data/pipe.yaml" in outcome.text and "cannot read: not a regular file" in outcome.text


def test_sizes_read_as_people_write_them():
    sizes = [limits.parse_size(t) for t in ("100", "64K", "1M", "2G", "1GiB")]
    assert sizes == [100, 64 << 10, 1 << 20, 2 << 30, 1 << 30]
    assert limits.size_text(1 << 30) == "1 GiB" and limits.size_text(1536) == "1.5 KiB"
    with pytest.raises(ValueError):
        limits.parse_size("lots")


@pytest.mark.parametrize("text, refused", [
    ('{"@context": {"@vocab": "http://example.org/"}, "p": "x"}', None),
    ('{"p": "@context", "q": "http://example.org/c", "@id": "http://example.org/s"}', None),
    ('{"@context": "http://example.org/c"}', "read from outside"),
    ('{"\\u0040context": "http://example.org/c"}', "read from outside"),
    ('{"a": [{"b": "c"}], "@context": [{"x": "http://example.org/x"}, "c.jsonld"]}', "read from outside"),
    ('{"@context": [["http://example.org/c"]]}', "read from outside"),
    ('{"@context": {"@import": "http://example.org/c"}}', "read from outside"),
    ('{"@context": {"t": {"@id": "http://example.org/t", "@context": "http://example.org/c"}}}', "read from outside"),
    ('{"@id": "http://example.org/a b"}', "not a valid IRI"),
    ('{"@type": ["http://example.org/T", "http://example.org/<T>"]}', "not a valid IRI"),
    ('{"p": [{"@value": "x"}]}', None),
    ('{"p": [{"@value": "x"}], "q": {"r": {"s": 1}}}', None),
    ('{"p": [{"@value": "x"}], "q": {"r": {"s": {"t": 1}}}}', "nested deeper than 3"),
    ('[{"p": [{"@value": "x"}]}]', "nested deeper than 3"),
    ('{"p": [{"@value": "' + "x" * 2000 + '"}]}', "string longer"),
])
def test_json_scan_finds_every_outside_context_bad_iri_and_breach(tmp_path, text, refused):
    assert_scan(tmp_path / "x.jsonld", text, refused, limits.Limits(depth=3, literal=1000))


def assert_scan(path: Path, text: str, refused: str | None, held_to: limits.Limits) -> None:
    """``text`` written to ``path`` passes ``check_rdf`` under ``held_to``, or is refused with ``refused``."""
    path.write_text(text, encoding="utf-8")
    with limits.using(held_to):
        if refused is None:
            limits.check_rdf(path)
        else:
            with pytest.raises(LoadError, match=refused):
                limits.check_rdf(path)


@pytest.mark.parametrize("text, refused", [
    ('ex:s ex:p "a [ ( { b", \'\'\'c ( [\'\'\' ; ex:q <http://example.org/a#(> . # [[[[ (', None),
    ("ex:s ex:p [ ex:p [ ex:p ( 1 ) ] ] .", None),
    ("ex:s ex:p [ ex:p [ ex:p ( ( 1 ) ) ] ] .", None),
    ("ex:s ex:p [ ex:p [ ex:p ( ( ( 1 ) ) ) ] ] .", "nested deeper than 4"),
    ('ex:s ex:p """' + "a\n" * 600 + '""" .', "literal longer"),
    ('ex:s ex:p "' + "a" * 1200 + '" .', "literal or IRI longer"),
    ("ex:s ex:p " + ", ".join(['"a"'] * 400) + " .", None),  # a long line of short strings
    ("ex:s ex:p <http://example.org/" + "a" * 1200 + "> .", "literal or IRI longer"),
    ("ex:s ex:p ex:" + "a" * 1200 + " .", "literal or IRI longer"),
])
def test_turtle_scan_counts_brackets_and_literals_outside_strings(tmp_path, text, refused):
    assert_scan(tmp_path / "x.ttl", PREFIX + text + "\n", refused, limits.Limits(depth=4, literal=1000))


@pytest.mark.parametrize("chunk", [1, 3, 7, 16, 100])
def test_long_lines_are_found_across_chunk_boundaries(chunk):
    data = b"a" * 10 + b"\n" + b"b" * 50 + b"\nccc\n" + b"d" * 40
    assert [(n, len(line)) for n, line in limits.rdf._long_lines(data, 20, chunk)] == [(2, 50), (4, 40)]
