"""Japanese and ISO dates of any precision, read into a checked period."""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import XSD

from kg.errors import DateError

DAY, MONTH, YEAR, FISCAL_YEAR = "day", "month", "year", "fiscal-year"


@dataclass(frozen=True)
class Era:
    """A Japanese era and its first and last day in the Gregorian calendar."""

    name: str
    start: datetime.date
    end: datetime.date


# 明治 starts on 1868-01-25 (慶応4年1月1日), the day from which the era name was applied
# retroactively when it was proclaimed on 1868-10-23; so 明治元年 covers the whole of 1868.
ERAS: tuple[Era, ...] = (
    Era("明治", datetime.date(1868, 1, 25), datetime.date(1912, 7, 29)),
    Era("大正", datetime.date(1912, 7, 30), datetime.date(1926, 12, 24)),
    Era("昭和", datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    Era("平成", datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    Era("令和", datetime.date(2019, 5, 1), datetime.date.max),
)
_BY_NAME = {era.name: era for era in ERAS}
# Japan used a lunisolar calendar until 明治5年12月2日; months and days written in an era
# before 明治6年 are not Gregorian months and days, so they cannot be converted here.
_GREGORIAN_FROM = datetime.date(1873, 1, 1)

_FORMS = "令和2年12月28日, 平成29年5月, 令和元年, 令和3年度, 令和4年度末, 2017年5月, 2017-05-01"
_GLOSS = r"(?:\((?P<{0}>[0-9]+)(?:年度?)?\))?"
_JAPANESE = re.compile(
    r"(?P<era>[^0-9()]*?)(?P<year>元|[0-9]+)" + _GLOSS.format("gloss1")
    + r"年(?:(?P<fy>度)(?P<fyend>末)?|(?P<month>[0-9]+)月(?:(?P<day>[0-9]+)日)?)?"
    + _GLOSS.format("gloss2")
)
_ISO = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{1,2})(?:-(?P<day>[0-9]{1,2}))?)?")


@dataclass(frozen=True)
class JDate:
    """A date, month, year or fiscal year as the period from ``start`` to ``end``."""

    start: datetime.date
    end: datetime.date
    precision: str  # "day" | "month" | "year" | "fiscal-year"

    def literal(self) -> Literal:
        """The typed literal of this date: xsd:date, xsd:gYearMonth or xsd:gYear."""
        if self.precision == DAY:
            return Literal(self.start.isoformat(), datatype=XSD.date)
        if self.precision == MONTH:
            return Literal(f"{self.start.year:04d}-{self.start.month:02d}", datatype=XSD.gYearMonth)
        if self.precision == YEAR:
            return Literal(f"{self.start.year:04d}", datatype=XSD.gYear)
        raise DateError(
            f"Fiscal year {self.start.year} ({self.start} to {self.end}) is a period, not a date.",
            fix="Write its last day as …年度末 (e.g. 令和3年度末), or use the fiscal year as a "
            "period bound (periodStart / periodEnd).",
        )


def parse(text: str | int | datetime.date) -> JDate:
    """Read a Japanese-era, Western or ISO date; raise DateError if it is wrong."""
    # YAML reads unquoted 2017-05-01 as a date and 2017 as an integer; take them as meant.
    if isinstance(text, datetime.date) and not isinstance(text, datetime.datetime):
        return JDate(text, text, DAY)
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise DateError(f"Expected a date as text, got {text!r}.", fix=f"Write a date such as {_FORMS}.")
    if not text.strip():
        raise DateError("Empty date.", fix=f"Write a date such as {_FORMS}.")
    # NFKC folds full-width digits and parentheses (and ㍻/㋿) to their plain forms;
    # PDF extraction leaves spaces anywhere, so all whitespace goes.
    norm = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if m := _ISO.fullmatch(norm):
        return _build(text, None, _int(m["year"]), m["month"], m["day"], False)
    if m := _JAPANESE.fullmatch(norm):
        era = None
        if m["era"]:
            era = _BY_NAME.get(m["era"])
            if era is None:
                raise DateError(
                    f"Unknown era {m['era']!r} in date {text!r}.",
                    fix="Use one of 明治, 大正, 昭和, 平成, 令和, or a Western year (2017年5月, 2017-05).",
                )
        if era is None and len(m["year"]) != 4:
            # 17年 alone could be 平成17年 or 2017年: refuse to guess.
            raise DateError(
                f"Year {m['year']!r} in date {text!r} has no era and is not a 4-digit Western year.",
                fix="Write the era (平成17年, 令和元年) or the full Western year (2005年).",
            )
        number = 1 if m["year"] == "元" else _int(m["year"])
        if number == 0:
            raise DateError(
                f"Year 0 does not exist (date {text!r}).",
                fix="The first year of an era is 元年 (or 1年); Western years start at 1.",
            )
        year = era.start.year + number - 1 if era else number
        if m["gloss1"] and m["gloss2"]:
            raise DateError(f"Two Western years in date {text!r}.", fix="Keep one, e.g. 令和8年度（2026年）.")
        gloss = m["gloss1"] or m["gloss2"]
        if gloss is not None and (era is None or _int(gloss) != year):
            expected = f"{m['era']}{m['year']} is {year}" if era else "write the era before the year"
            raise DateError(
                f"The Western year ({gloss}) in date {text!r} does not match its era year.",
                fix=f"Correct the era year or the Western year: {expected}.",
            )
        jdate = _build(text, era, year, m["month"], m["day"], bool(m["fy"]))
        if era is not None:
            # 年度末 is checked as its fiscal year: 平成31年度末 (2020-03-31) names the end of
            # 平成31年度, as 昭和63年度末 (1989-03-31) names the end of 昭和63年度.
            _check_era(text, era, jdate, "末" if m["fyend"] else "")
        return JDate(jdate.end, jdate.end, DAY) if m["fyend"] else jdate
    raise DateError(f"Cannot read {text!r} as a date.", fix=f"Write a date such as {_FORMS}.")


def _int(digits: str) -> int:
    """The value of an ASCII digit string, capped so that huge inputs stay cheap."""
    return int(digits) if len(digits) <= 6 else 10**6


def _build(
    text: str, era: Era | None, year: int, month: str | None, day: str | None, fy: bool
) -> JDate:
    """The period of a checked year, month and day; raise DateError for impossible ones."""
    if not 1 <= year <= 9998:  # 9998 so that a fiscal year still ends inside datetime's range
        raise DateError(f"Year {year} is out of range in date {text!r}.", fix="Check the year.")
    if fy:
        return JDate(datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31), FISCAL_YEAR)
    if month is None:
        return JDate(datetime.date(year, 1, 1), datetime.date(year, 12, 31), YEAR)
    mm = _int(month)
    if not 1 <= mm <= 12:
        raise DateError(f"Month {mm} does not exist (date {text!r}).", fix="Write a month from 1 to 12.")
    last = calendar.monthrange(year, mm)[1]
    if era is not None and datetime.date(year, mm, 1) < _GREGORIAN_FROM:
        raise DateError(
            f"Date {text!r} is in the lunisolar calendar used before 明治6年 (1873).",
            fix="Give the Gregorian date in ISO form (e.g. 1872-05-01), or only the year (明治5年).",
        )
    if day is None:
        return JDate(datetime.date(year, mm, 1), datetime.date(year, mm, last), MONTH)
    dd = _int(day)
    if not 1 <= dd <= last:
        raise DateError(
            f"Day {dd} does not exist in {year}-{mm:02d} (date {text!r}).",
            fix=f"{year}-{mm:02d} has {last} days; check the source.",
        )
    d = datetime.date(year, mm, dd)
    return JDate(d, d, DAY)


def _check_era(text: str, era: Era, jdate: JDate, suffix: str = "") -> None:
    """Raise DateError unless the period overlaps the era (a day must lie inside it)."""
    if jdate.start <= era.end and jdate.end >= era.start:
        return
    span = f"from {era.start}" if era.end == datetime.date.max else f"{era.start} to {era.end}"
    raise DateError(
        f"Date {text!r} ({_span(jdate)}) is outside the {era.name} era ({span}).",
        fix=f"Write it in its own era: {in_era(jdate)}{suffix}.",
    )


def _span(jdate: JDate) -> str:
    """``2019-05-01`` or ``2019-04-01 to 2020-03-31``."""
    return str(jdate.start) if jdate.start == jdate.end else f"{jdate.start} to {jdate.end}"


def in_era(jdate: JDate) -> str:
    """The same period written in the era of its first day (令和2年12月), as fixes and pages show it."""
    era = next((e for e in ERAS if e.start <= jdate.start <= e.end), ERAS[0])
    n = jdate.start.year - era.start.year + 1
    year = f"{era.name}{'元' if n == 1 else n}年"
    if jdate.precision == FISCAL_YEAR:
        return f"{year}度"
    if jdate.precision == YEAR:
        return year
    if jdate.precision == MONTH:
        return f"{year}{jdate.start.month}月"
    return f"{year}{jdate.start.month}月{jdate.start.day}日"
