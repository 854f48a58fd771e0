"""Tests of kg.identifiers: check digits, law IDs and the graph check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from kg.identifiers import (
    check_graph,
    corporate_number_check_digit,
    egov_law_page,
    estat_area_iri,
    is_valid_corporate_number,
    is_valid_egov_law_id,
    is_valid_local_government_code,
    local_government_check_digit,
    local_government_corporate_number,
)
from kg.namespaces import LGDX
from kg.report import VIOLATION

HIGASHIYAMATO = "132209"

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
code5s = st.text(alphabet="0123456789", min_size=5, max_size=5)
base12s = st.text(alphabet="0123456789", min_size=12, max_size=12)


# ---- local government codes -------------------------------------------------------------

@pytest.mark.parametrize(
    "code",
    [
        "132209",  # 東大和市
        "130001",  # 東京都
        "132233",  # 武蔵村山市
        "010006",  # 北海道
        "011002",  # 札幌市
        "270008",  # 大阪府
        "131041",  # 新宿区: remainder 0, check digit 1
        "131091",  # 品川区: remainder 10, check digit 1 as well
        "131130",  # 渋谷区: remainder 1, check digit 0
        "131121",  # 世田谷区
    ],
)
def test_valid_local_government_codes(code):
    assert is_valid_local_government_code(code)
    assert local_government_check_digit(code[:5]) == code[5]


@pytest.mark.parametrize(
    "code",
    ["132208", "132200", "130000", "13220", "1322090", "", "１３２２０９", "13220a", " 132209", None, 132209],
)
def test_invalid_local_government_codes(code):
    assert not is_valid_local_government_code(code)


@pytest.mark.parametrize("bad", ["1322", "132209", "1322a", "１３２２０"])
def test_local_government_check_digit_needs_five_digits(bad):
    with pytest.raises(ValueError):
        local_government_check_digit(bad)


@given(code5s)
def test_appending_the_check_digit_validates(code5):
    assert is_valid_local_government_code(code5 + local_government_check_digit(code5))


def remainder(code5: str) -> int:
    return sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2))) % 11


@given(code5s, st.integers(min_value=0, max_value=5), digits)
def test_one_changed_digit_of_a_local_government_code(code5, position, new):
    """Modulus 11 catches every single-digit change but one: remainders 0 and 10 share check digit 1."""
    code = code5 + local_government_check_digit(code5)
    if code[position] == new:
        return
    changed = code[:position] + new + code[position + 1:]
    if position == 5:  # the check digit is a function of the rest: any change breaks it
        assert not is_valid_local_government_code(changed)
        return
    blind_spot = {remainder(code5), remainder(changed[:5])} == {0, 10}
    assert is_valid_local_government_code(changed) == blind_spot


def test_the_blind_spot_is_real():
    # 新宿区 131041 and 品川区 131091 differ in one digit and are both valid.
    assert is_valid_local_government_code("131041") and is_valid_local_government_code("131091")


# ---- corporate numbers ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("132209", "3000020132209"),  # 東大和市
        ("130001", "8000020130001"),  # 東京都
        ("141003", "3000020141003"),  # 横浜市
        ("131130", "9000020131130"),  # 渋谷区: weighted sum ≡ 0 (mod 9), check digit 9
    ],
)
def test_local_government_corporate_numbers(code, number):
    assert local_government_corporate_number(code) == number
    assert is_valid_corporate_number(number)
    assert corporate_number_check_digit(number[1:]) == number[0]


@pytest.mark.parametrize(
    "number",
    ["2000020132209", "0000020132209", "300002013220", "30000201322090", "", "３000020132209", None],
)
def test_invalid_corporate_numbers(number):
    assert not is_valid_corporate_number(number)


@pytest.mark.parametrize("bad", ["132208", "13220", "", "１３２２０９"])
def test_local_government_corporate_number_needs_a_valid_code(bad):
    with pytest.raises(ValueError):
        local_government_corporate_number(bad)


def test_corporate_number_check_digit_needs_twelve_digits():
    with pytest.raises(ValueError):
        corporate_number_check_digit("00002013220")


@given(base12s)
def test_prepending_the_check_digit_validates(base12):
    check = corporate_number_check_digit(base12)
    assert check in "123456789"  # 9 − (x mod 9) is never 0
    assert is_valid_corporate_number(check + base12)


@given(code5s)
def test_every_local_government_has_a_valid_corporate_number(code5):
    code = code5 + local_government_check_digit(code5)
    number = local_government_corporate_number(code)
    assert is_valid_corporate_number(number) and number[1:] == "000020" + code


@given(base12s, st.integers(min_value=0, max_value=12), digits)
def test_one_changed_digit_of_a_corporate_number(base12, position, new):
    """Weights 1 and 2 modulo 9 catch every single-digit change except 0 ↔ 9."""
    number = corporate_number_check_digit(base12) + base12
    if number[position] == new:
        return
    changed = number[:position] + new + number[position + 1:]
    blind_spot = position > 0 and {number[position], new} == {"0", "9"}
    assert is_valid_corporate_number(changed) == blind_spot


# ---- e-Gov law IDs ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "law_id",
    [
        "428AC1000000103",  # 官民データ活用推進基本法 (衆法)
        "129AC0000000089",  # 民法 (閣法)
        "140AC0000000045",  # 刑法
        "503AC0000000035",  # a 令和3年 cabinet bill
        "428AC0100000001",  # a 参法
        "322CO0000000016",  # a 政令
        "133M10000040005",  # a 明治 ministerial ordinance
        "505M60001024060",  # a joint ministerial ordinance
        "321CONSTITUTION",  # 日本国憲法
    ],
)
def test_valid_egov_law_ids(law_id):
    assert is_valid_egov_law_id(law_id)
    assert egov_law_page(law_id) == URIRef(f"https://laws.e-gov.go.jp/law/{law_id}")


@pytest.mark.parametrize(
    "law_id",
    [
        "428ac1000000103",  # lower case
        "428AC2000000103",  # no such origin block
        "428ACX000000103",
        "428AC100000010",  # 14 characters
        "428AC10000001030",  # 16 characters
        "628AC1000000103",  # no era 6
        "000AC0000000001",
        "400AC0000000001",  # year 00
        "432AC0000000001",  # 平成32年
        "146AC0000000001",  # 明治46年
        "428AC1000000103_20230401_000000000000000",  # a revision ID, not a law ID
        "428 AC1000000103",
        "4281000000000103",  # no type letters
        "428CO",
        "",
        None,
    ],
)
def test_invalid_egov_law_ids(law_id):
    assert not is_valid_egov_law_id(law_id)


def test_egov_law_page_rejects_a_bad_id():
    with pytest.raises(ValueError):
        egov_law_page("428AC2000000103")


def test_estat_area_iri():
    assert estat_area_iri(HIGASHIYAMATO) == URIRef("http://data.e-stat.go.jp/lod/sac/C13220")
    with pytest.raises(ValueError):
        estat_area_iri("132208")


# ---- check_graph ------------------------------------------------------------------------

CITY = URIRef("https://w3id.org/lgdx/id/org/higashiyamato")
LAW = URIRef("https://w3id.org/lgdx/id/law/428AC1000000103")


def graph(*triples) -> Graph:
    g = Graph()
    for s, p, o in triples:
        g.add((s, p, Literal(o) if isinstance(o, str) else o))
    return g


def test_a_clean_graph_has_no_results():
    g = graph(
        (CITY, LGDX.localGovernmentCode, "132209"),
        (CITY, LGDX.corporateNumber, "3000020132209"),
        (LAW, LGDX.eGovLawId, "428AC1000000103"),
    )
    assert check_graph(g) == []


def test_wrong_local_government_check_digit():
    [r] = check_graph(graph((CITY, LGDX.localGovernmentCode, "132208")))
    assert (r.severity, r.focus, r.path, r.value) == (
        VIOLATION, CITY, LGDX.localGovernmentCode, Literal("132208"))
    assert r.constraint == "kg:CheckDigit"
    assert "expected 132209" in r.message["en"] and "総務省" in r.message["en"]
    assert "132209" in r.message["ja"]


@pytest.mark.parametrize(
    ("value", "hint"),
    [("13220", "132209"), ("１３２２０９", "132209"), ("13-220", "132209"), (URIRef("http://x/132209"), "132209")],
)
def test_malformed_local_government_code(value, hint):
    [r] = check_graph(graph((CITY, LGDX.localGovernmentCode, value)))
    assert r.constraint == "kg:IdentifierPattern"
    assert hint in r.message["en"] and set(r.message) == {"ja", "en"}


def test_five_digit_code_is_completed_in_the_message():
    [r] = check_graph(graph((CITY, LGDX.localGovernmentCode, "13220")))
    assert "write 132209" in r.message["en"]


def test_wrong_corporate_check_digit():
    [r] = check_graph(graph((CITY, LGDX.corporateNumber, "2000020132209")))
    assert r.constraint == "kg:CheckDigit" and r.path == LGDX.corporateNumber
    assert "3000020132209" in r.message["en"] and "国税庁" in r.message["ja"]


def test_malformed_corporate_number():
    [r] = check_graph(graph((CITY, LGDX.corporateNumber, "3-000020-132209")))
    assert r.constraint == "kg:IdentifierPattern"


def test_corporate_number_of_another_government():
    # 東京都's 法人番号 on 東大和市: each is valid alone, together they disagree.
    [r] = check_graph(graph(
        (CITY, LGDX.localGovernmentCode, "132209"),
        (CITY, LGDX.corporateNumber, "8000020130001"),
    ))
    assert r.constraint == "kg:IdentifierPattern"
    assert (r.path, r.value) == (LGDX.corporateNumber, Literal("8000020130001"))
    assert "3000020132209" in r.message["en"] and "000020" in r.message["ja"]


def test_company_corporate_number_without_code_is_not_compared():
    company = URIRef("https://w3id.org/lgdx/id/org/vendor")
    number = corporate_number_check_digit("010001008846") + "010001008846"
    assert check_graph(graph((company, LGDX.corporateNumber, number))) == []


def test_malformed_law_id():
    [r] = check_graph(graph((LAW, LGDX.eGovLawId, "428AC100000103")))
    assert r.constraint == "kg:IdentifierPattern" and r.path == LGDX.eGovLawId
    assert "428AC1000000103" in r.message["en"]


def test_results_cover_every_value_in_a_stable_order():
    other = URIRef("https://w3id.org/lgdx/id/org/a-city")
    g = graph(
        (CITY, LGDX.localGovernmentCode, "132208"),
        (other, LGDX.localGovernmentCode, "130000"),
        (other, LGDX.eGovLawId, "bad"),
        (CITY, LGDX.corporateNumber, "1"),
    )
    results = check_graph(g)
    assert len(results) == 4
    assert results == check_graph(g)
    assert [str(r.focus) for r in results] == sorted(str(r.focus) for r in results)
    assert all(r.severity == VIOLATION for r in results)
