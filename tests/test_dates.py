"""Tests of kg.dates: Japanese-era, Western and ISO dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal, namespace

from kg.dates import JDate, parse
from kg.errors import DateError, KgError

D = dt.date

# The eras written out again here, so that the round trips do not test the module against itself.
ERAS = [
    ("明治", D(1868, 1, 25), D(1912, 7, 29)),
    ("大正", D(1912, 7, 30), D(1926, 12, 24)),
    ("昭和", D(1926, 12, 25), D(1989, 1, 7)),
    ("平成", D(1989, 1, 8), D(2019, 4, 30)),
    ("令和", D(2019, 5, 1), D(9999, 12, 31)),
]
FULL_WIDTH = str.maketrans("0123456789()", "０１２３４５６７８９（）")


def era_of(day: dt.date) -> tuple[str, int]:
    """The era name and era year of ``day``."""
    for name, start, end in ERAS:
        if start <= day <= end:
            return name, day.year - start.year + 1
    raise AssertionError(day)


def era_year(day: dt.date) -> str:
    name, n = era_of(day)
    return f"{name}{'元' if n == 1 else n}年"


def fy(year: int) -> JDate:
    return JDate(D(year, 4, 1), D(year + 1, 3, 31), "fiscal-year")


def day(y: int, m: int, d: int) -> JDate:
    return JDate(D(y, m, d), D(y, m, d), "day")


def month(y: int, m: int, last: int) -> JDate:
    return JDate(D(y, m, 1), D(y, m, last), "month")


def year(y: int) -> JDate:
    return JDate(D(y, 1, 1), D(y, 12, 31), "year")


VALID = [
    ("平成29年5月", month(2017, 5, 31)),
    ("令和2年12月28日", day(2020, 12, 28)),
    ("令和元年12月", month(2019, 12, 31)),
    ("令和元年", year(2019)),
    ("平成28年", year(2016)),
    ("平成31年度", fy(2019)),
    ("令和元年度", fy(2019)),
    ("令和4年度末", day(2023, 3, 31)),
    ("平成30年度末", day(2019, 3, 31)),
    # 年度末 follows its fiscal year: 平成31年度 is valid, so is its last day.
    ("平成31年度末", day(2020, 3, 31)),
    ("昭和63年度末", day(1989, 3, 31)),
    ("令和8年度（2026年）", fy(2026)),
    ("令和8年度(2026年)", fy(2026)),
    ("令和8年度（２０２６年）", fy(2026)),
    ("令和8年度(2026)", fy(2026)),
    ("令和8年度（2026年度）", fy(2026)),
    ("令和3（2021）年度", fy(2021)),
    ("令和4年度末（2022年度）", day(2023, 3, 31)),
    ("令和2年12月28日（2020年）", day(2020, 12, 28)),
    ("２０２０年３月", month(2020, 3, 31)),
    ("令和２年１２月２８日", day(2020, 12, 28)),
    ("令和 2 年 12 月", month(2020, 12, 31)),
    ("令和　2　年　12　月", month(2020, 12, 31)),
    ("平成 2 9 年 5 月", month(2017, 5, 31)),
    (" 2017-05-01\n", day(2017, 5, 1)),
    ("平成31年4月", month(2019, 4, 30)),
    ("平成31年4月30日", day(2019, 4, 30)),
    ("令和元年5月1日", day(2019, 5, 1)),
    ("平成元年1月", month(1989, 1, 31)),
    ("平成元年1月8日", day(1989, 1, 8)),
    ("昭和64年1月7日", day(1989, 1, 7)),
    ("昭和64年", year(1989)),
    ("平成1年", year(1989)),
    ("大正元年", year(1912)),
    ("大正15年12月24日", day(1926, 12, 24)),
    ("昭和元年12月25日", day(1926, 12, 25)),
    ("明治45年7月29日", day(1912, 7, 29)),
    ("明治元年", year(1868)),
    ("明治6年1月1日", day(1873, 1, 1)),
    ("㍻31年4月1日", day(2019, 4, 1)),
    ("2017年5月", month(2017, 5, 31)),
    ("2017年5月1日", day(2017, 5, 1)),
    ("2026年", year(2026)),
    ("2021年度", fy(2021)),
    ("2021年度末", day(2022, 3, 31)),
    ("2017", year(2017)),
    ("2017-05", month(2017, 5, 31)),
    ("2017-05-01", day(2017, 5, 1)),
    ("2017-5-1", day(2017, 5, 1)),
    ("２０１７－０５－０１", day(2017, 5, 1)),
    ("2020年2月29日", day(2020, 2, 29)),
    ("1900-02", month(1900, 2, 28)),
    (2017, year(2017)),
    (D(2017, 5, 1), day(2017, 5, 1)),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid(text, expected):
    assert parse(text) == expected


INVALID = [
    ("", "Empty"),
    ("   ", "Empty"),
    ("慶応3年", "Unknown era"),
    ("R2年4月", "Unknown era"),
    ("令和2年13月", "Month 13"),
    ("2017-13", "Month 13"),
    ("令和2年0月", "Month 0"),
    ("令和2年1月32日", "Day 32"),
    ("2017-05-32", "Day 32"),
    ("令和2年2月30日", "Day 30"),
    ("2019年2月29日", "Day 29"),
    ("令和2年4月0日", "Day 0"),
    ("令和0年", "Year 0"),
    ("平成0年度", "Year 0"),
    ("0000", "Year 0"),
    ("17年", "no era"),
    ("元年", "no era"),
    ("平成31年5月", "outside the 平成 era"),
    ("平成31年5月1日", "outside the 平成 era"),
    ("平成32年5月1日", "outside the 平成 era"),
    ("平成32年度", "outside the 平成 era"),
    ("平成32年度末", "outside the 平成 era"),
    ("平成32年", "outside the 平成 era"),
    ("平成元年1月7日", "outside the 平成 era"),
    ("昭和64年1月8日", "outside the 昭和 era"),
    ("昭和64年2月", "outside the 昭和 era"),
    ("令和元年4月", "outside the 令和 era"),
    ("令和元年4月30日", "outside the 令和 era"),
    ("大正元年1月", "outside the 大正 era"),
    ("明治46年", "outside the 明治 era"),
    ("令和99年13月", "Month 13"),
    ("令和8年度（2025年）", "does not match"),
    ("令和3（2020）年度", "does not match"),
    ("令和3（2021）年度（2021年）", "Two Western years"),
    ("2026年（2026年）", "does not match"),
    ("明治5年3月", "lunisolar"),
    ("明治元年10月23日", "lunisolar"),
    ("9999年度", "out of range"),
    ("10000", "Cannot read"),
    ("令和", "Cannot read"),
    ("令和2年度末末", "Cannot read"),
    ("2017/05/01", "Cannot read"),
    ("May 2017", "Cannot read"),
    ("令和2年12月28日頃", "Cannot read"),
    (None, "Expected a date"),
]


@pytest.mark.parametrize(("text", "fragment"), INVALID)
def test_invalid(text, fragment):
    with pytest.raises(DateError) as info:
        parse(text)
    assert fragment in info.value.message
    assert info.value.fix  # every error says how to fix it
    assert isinstance(info.value, KgError) and info.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("平成31年5月", "令和元年5月"),
        ("平成32年度", "令和2年度"),
        ("平成32年度末", "令和2年度末"),
        ("平成元年1月7日", "昭和64年1月7日"),
        ("令和元年4月", "平成31年4月"),
        ("令和8年度（2025年）", "令和8 is 2026"),
    ],
)
def test_fix_suggests_the_right_form(text, fix):
    with pytest.raises(DateError) as info:
        parse(text)
    assert fix in info.value.fix


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("令和2年12月28日", Literal("2020-12-28", datatype=namespace.XSD.date)),
        ("令和4年度末", Literal("2023-03-31", datatype=namespace.XSD.date)),
        ("平成29年5月", Literal("2017-05", datatype=namespace.XSD.gYearMonth)),
        ("2017-05", Literal("2017-05", datatype=namespace.XSD.gYearMonth)),
        ("平成28年", Literal("2016", datatype=namespace.XSD.gYear)),
        ("2026", Literal("2026", datatype=namespace.XSD.gYear)),
    ],
)
def test_literal(text, literal):
    got = parse(text).literal()
    assert got == literal and str(got) == str(literal) and got.datatype == literal.datatype


def test_fiscal_year_has_no_literal():
    with pytest.raises(DateError) as info:
        parse("令和3年度").literal()
    assert "period" in info.value.message and "年度末" in info.value.fix


def test_error_text_names_the_fix():
    with pytest.raises(DateError) as info:
        parse("令和2年13月")
    assert "fix:" in str(info.value)


# Japanese months and days are Gregorian from 明治6年 (1873) on.
gregorian_days = st.dates(min_value=D(1873, 1, 1), max_value=D(2200, 12, 31))


def noisy(text: str, draw) -> str:
    """``text`` as a PDF might give it: full-width digits and spaces between characters."""
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    gaps = draw(st.lists(st.sampled_from(["", "", " ", "\u3000"]), min_size=len(text), max_size=len(text)))
    return "".join(c + g for c, g in zip(text, gaps))


@given(gregorian_days)
def test_round_trip_day(d):
    assert parse(f"{era_year(d)}{d.month}月{d.day}日") == JDate(d, d, "day")


@given(gregorian_days, st.data())
def test_round_trip_day_with_noise(d, data):
    text = noisy(f"{era_year(d)}{d.month}月{d.day}日", data.draw)
    assert parse(text) == JDate(d, d, "day")


@given(gregorian_days)
def test_round_trip_iso_and_western(d):
    assert parse(d.isoformat()) == JDate(d, d, "day")
    assert parse(f"{d.year}年{d.month}月{d.day}日") == JDate(d, d, "day")


@given(gregorian_days)
def test_round_trip_month_in_either_era(d):
    first = d.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    last = following - dt.timedelta(days=1)
    # A month that spans an era change may be written in either era.
    for edge in (first, last):
        assert parse(f"{era_year(edge)}{d.month}月") == JDate(first, last, "month")


@given(st.integers(min_value=1868, max_value=2200))
def test_round_trip_year_in_either_era(y):
    for edge in (D(y, 1, 1), D(y, 12, 31)):
        if edge >= ERAS[0][1]:
            assert parse(era_year(edge)) == JDate(D(y, 1, 1), D(y, 12, 31), "year")


@given(gregorian_days)
def test_fiscal_year_contains_its_days(d):
    start_year = d.year if d.month >= 4 else d.year - 1
    label = era_year(D(start_year, 4, 1))
    got = parse(f"{label}度")
    assert got.precision == "fiscal-year"
    assert (got.start.month, got.start.day) == (4, 1) and got.start.year == start_year
    assert (got.end.month, got.end.day) == (3, 31) and got.end.year == start_year + 1
    assert got.start <= d <= got.end
    assert parse(f"{label}度末") == JDate(got.end, got.end, "day")
    assert parse(f"{label}度（{start_year}年）") == got


@given(st.integers(min_value=1, max_value=60), st.sampled_from(ERAS))
def test_era_year_beyond_the_era_is_rejected(extra, era):
    name, start, end = era
    if name == "令和":
        return
    n = end.year - start.year + 1 + extra
    with pytest.raises(DateError, match="outside"):
        parse(f"{name}{n}年")


TOKENS = [
    "令和", "平成", "昭和", "大正", "明治", "元", "年", "度", "末", "月", "日", "(", ")", "（", "）",
    "-", " ", "\u3000", "0", "1", "2", "9", "12", "31", "99", "2019", "１", "２", "㍻", "x",
]


@given(st.one_of(st.text(), st.lists(st.sampled_from(TOKENS), max_size=12).map("".join)))
def test_only_date_errors(text):
    try:
        got = parse(text)
    except DateError:
        return
    assert got.start <= got.end
    assert got.precision in ("day", "month", "year", "fiscal-year")
