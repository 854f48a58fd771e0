"""National identifiers: local government codes, corporate numbers and e-Gov law IDs."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.namespaces import EGOV_LAW, ESTAT_SAC, LGDX
from kg.report import VIOLATION, Result

CHECK_DIGIT, PATTERN = "kg:CheckDigit", "kg:IdentifierPattern"
_LG_WEIGHTS = (6, 5, 4, 3, 2)
# A local government's 法人番号 is its check digit, this block, then its 6-digit code.
_LG_CORPORATE_BLOCK = "000020"
# Last era year of each closed era (1 明治 … 4 平成); 令和 (5) is open.
_ERA_LAST_YEAR = {"1": 45, "2": 15, "3": 64, "4": 31, "5": 99}
# Laws (AC) carry a 7-digit origin block: 0000000 cabinet bill, 1000000 House of
# Representatives bill, 0100000 House of Councillors bill; then the 3-digit law number.
_LAW_ID = re.compile(
    r"[1-5][0-9]{2}(?:AC(?:0000000|1000000|0100000)[0-9]{3}|CONSTITUTION|(?!AC)[A-Z]+[0-9]+)"
)


def _digits(value: str, n: int) -> bool:
    """Whether ``value`` is exactly ``n`` ASCII digits."""
    return isinstance(value, str) and len(value) == n and value.isascii() and value.isdigit()


def local_government_check_digit(code5: str) -> str:
    """The check digit of a 5-digit local government code (weights 6…2, modulus 11)."""
    if not _digits(code5, 5):
        raise ValueError(f"a local government code base must be 5 ASCII digits, not {code5!r}")
    total = sum(int(d) * w for d, w in zip(code5, _LG_WEIGHTS))
    return str((11 - total % 11) % 10)


def is_valid_local_government_code(code6: str) -> bool:
    """Whether ``code6`` is a 6-digit local government code with a correct check digit."""
    return _digits(code6, 6) and local_government_check_digit(code6[:5]) == code6[5]


def corporate_number_check_digit(base12: str) -> str:
    """The leading check digit of a 法人番号 whose other 12 digits are ``base12``."""
    if not _digits(base12, 12):
        raise ValueError(f"a corporate number base must be 12 ASCII digits, not {base12!r}")
    # n counts from the right starting at 1; even positions weigh 2, odd ones 1.
    total = sum(int(d) * (2 if n % 2 == 0 else 1) for n, d in enumerate(reversed(base12), 1))
    return str(9 - total % 9)


def is_valid_corporate_number(number: str) -> bool:
    """Whether ``number`` is a 13-digit 法人番号 with a correct check digit."""
    return _digits(number, 13) and corporate_number_check_digit(number[1:]) == number[0]


def local_government_corporate_number(code6: str) -> str:
    """The 法人番号 of the local government with code ``code6``."""
    if not is_valid_local_government_code(code6):
        raise ValueError(f"not a valid 6-digit local government code: {code6!r}")
    base = _LG_CORPORATE_BLOCK + code6
    return corporate_number_check_digit(base) + base


def is_valid_egov_law_id(law_id: str) -> bool:
    """Whether ``law_id`` has the structure of an e-Gov law ID (there is no check digit)."""
    if not isinstance(law_id, str) or len(law_id) != 15 or not _LAW_ID.fullmatch(law_id):
        return False
    return 1 <= int(law_id[1:3]) <= _ERA_LAST_YEAR[law_id[0]]


def egov_law_page(law_id: str) -> URIRef:
    """The e-Gov page of the law ``law_id``."""
    if not is_valid_egov_law_id(law_id):
        raise ValueError(f"not a valid e-Gov law ID: {law_id!r}")
    return EGOV_LAW[law_id]


def estat_area_iri(code6: str) -> URIRef:
    """The e-Stat standard area code IRI of the local government ``code6``."""
    if not is_valid_local_government_code(code6):
        raise ValueError(f"not a valid 6-digit local government code: {code6!r}")
    return ESTAT_SAC["C" + code6[:5]]


def _result(focus: Node, path: URIRef, value: Node, constraint: str, ja: str, en: str) -> Result:
    return Result(VIOLATION, focus, path, value, {"ja": ja, "en": en}, constraint)


def _check_code(focus: Node, value: Node) -> Result | None:
    """A finding about one lgdx:localGovernmentCode value, or None."""
    path, text = LGDX.localGovernmentCode, str(value)
    if not isinstance(value, Literal) or not _digits(text, 6):
        hint = ""
        if isinstance(value, Literal) and _digits(text, 5):  # the common 5-digit form
            hint = text + local_government_check_digit(text)
        en = f"Local government code {text} must be 6 ASCII digits (5-digit code + check digit)"
        en += f": write {hint}." if hint else ", e.g. 132209. Check the code against the 総務省 list."
        ja = f"団体コード {text} は半角数字6桁（5桁のコード＋検査数字）で書いてください"
        ja += f"（{hint}）。" if hint else "（例: 132209）。総務省の全国地方公共団体コード一覧で確認してください。"
        return _result(focus, path, value, PATTERN, ja, en)
    if not is_valid_local_government_code(text):
        right = text[:5] + local_government_check_digit(text[:5])
        return _result(
            focus, path, value, CHECK_DIGIT,
            f"団体コード {text} の検査数字が誤っています（{text[:5]} なら {right}）。"
            "総務省の全国地方公共団体コード一覧で確認してください。",
            f"Local government code {text} has a wrong check digit: expected {right}. "
            "Check the code against the 総務省 list.",
        )
    return None


def _check_corporate(focus: Node, value: Node, codes: list[str]) -> Result | None:
    """A finding about one lgdx:corporateNumber value, given the subject's valid codes."""
    path, text = LGDX.corporateNumber, str(value)
    if not isinstance(value, Literal) or not _digits(text, 13):
        return _result(
            focus, path, value, PATTERN,
            f"法人番号 {text} は半角数字13桁で書いてください。国税庁法人番号公表サイトで確認してください。",
            f"Corporate number {text} must be 13 ASCII digits. "
            "Check it on the 国税庁 法人番号公表サイト.",
        )
    if not is_valid_corporate_number(text):
        right = corporate_number_check_digit(text[1:]) + text[1:]
        return _result(
            focus, path, value, CHECK_DIGIT,
            f"法人番号 {text} の検査数字（先頭の1桁）が誤っています（後ろ12桁が正しければ {right}）。"
            "国税庁法人番号公表サイトで確認してください。",
            f"Corporate number {text} has a wrong check digit (its first digit): expected {right} "
            "if the other 12 digits are right. Check it on the 国税庁 法人番号公表サイト.",
        )
    expected = [local_government_corporate_number(code) for code in codes]
    if expected and text not in expected:
        return _result(
            focus, path, value, PATTERN,
            f"法人番号 {text} が団体コード {codes[0]} と合いません。地方公共団体の法人番号は"
            f"検査数字＋000020＋団体コードです（{expected[0]}）。",
            f"Corporate number {text} does not match local government code {codes[0]}: a local "
            f"government's corporate number is check digit + 000020 + its code ({expected[0]}).",
        )
    return None


def _check_law_id(focus: Node, value: Node) -> Result | None:
    """A finding about one lgdx:eGovLawId value, or None."""
    text = str(value)
    if isinstance(value, Literal) and is_valid_egov_law_id(text):
        return None
    return _result(
        focus, LGDX.eGovLawId, value, PATTERN,
        f"e-Gov 法令ID {text} の形が正しくありません。e-Gov 法令検索のURLにある15文字"
        "（例: 428AC1000000103）を書いてください。",
        f"e-Gov law ID {text} is malformed: copy the 15 characters from the law's e-Gov URL "
        "(e.g. 428AC1000000103 for 官民データ活用推進基本法).",
    )


def check_graph(graph: Graph) -> list[Result]:
    """A violation for every malformed or inconsistent national identifier in ``graph``."""
    results: list[Result | None] = []
    for s, o in graph.subject_objects(LGDX.localGovernmentCode):
        results.append(_check_code(s, o))
    for s, o in graph.subject_objects(LGDX.corporateNumber):
        codes = sorted(
            str(c) for c in graph.objects(s, LGDX.localGovernmentCode)
            if isinstance(c, Literal) and is_valid_local_government_code(str(c))
        )
        results.append(_check_corporate(s, o, codes))
    for s, o in graph.subject_objects(LGDX.eGovLawId):
        results.append(_check_law_id(s, o))
    found = [r for r in results if r is not None]
    return sorted(found, key=lambda r: (str(r.focus), str(r.path), str(r.value)))
