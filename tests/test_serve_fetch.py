"""Reads of the server's store: resources keep their literals as the dump writes them."""

from __future__ import annotations

from kg.serve.fetch import describe, entity, load

BASE = "https://w3id.org/lgdx/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
NT = f"""<{BASE}measure/p-01> <https://w3id.org/lgdx/ontology#itemNumber> "1"^^<{XSD}positiveInteger> .
<{BASE}measure/p-01> <https://w3id.org/lgdx/ontology#value> "6594.0"^^<{XSD}decimal> .
<{BASE}measure/p-01> <http://www.w3.org/2000/01/rdf-schema#label> "項目"@ja .
"""


def test_resource_rdf_and_pages_keep_written_numbers(tmp_path):
    path = tmp_path / "kg.nt"
    path.write_text(NT, encoding="utf-8")
    data = load(str(path), BASE)
    _, content = describe(data, [f"{BASE}measure/p-01"], "nt")
    lines = set(content.decode("utf-8").splitlines())
    assert set(NT.splitlines()) <= lines, "the store's value forms (xsd:integer, 6594) must not leak out"
    props = entity(data, [f"{BASE}measure/p-01"])["props"]
    assert props["https://w3id.org/lgdx/ontology#itemNumber"][0][3] == XSD + "positiveInteger"
    assert props["https://w3id.org/lgdx/ontology#value"][0][1] == "6594.0"
