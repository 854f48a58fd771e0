"""The Jinja2 environment of the pages: autoescaped, with the helpers the templates share."""

from __future__ import annotations

import re
from decimal import Decimal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kg import __version__
from kg.dates import DAY, ERAS, MONTH, YEAR, JDate, in_era, parse
from kg.errors import DateError
from kg.serve.config import Settings
from kg.serve.site import Site

#: Compact names of the datatypes shown as numbers, and of those shown as dates.
NUMBERS = {"xsd:decimal", "xsd:integer", "xsd:int", "xsd:long", "xsd:short", "xsd:nonNegativeInteger",
           "xsd:positiveInteger", "xsd:nonPositiveInteger", "xsd:negativeInteger"}
DATES = {"xsd:date", "xsd:gYearMonth", "xsd:gYear"}
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})")
_ISO_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")


def primary(labels: dict | None, fallback: str = "") -> str:
    """The label shown first: Japanese, then one without a language, then English."""
    labels = labels or {}
    return labels.get("ja") or labels.get("") or labels.get("en") or fallback


def secondary(labels: dict | None) -> str:
    """The English label shown alongside, when it differs from the first one."""
    labels = labels or {}
    en = labels.get("en") or ""
    return en if en and en != primary(labels) else ""


def number(value) -> str:
    """``12,345``."""
    return f"{value:,}" if isinstance(value, int) else str(value or "")


def readable(text: str, datatype: str | None) -> tuple[str, str]:
    """A literal as people write it, and its kind (``number``, ``date`` or ``""``).

    ``"6594.0"^^xsd:decimal`` is ``6,594``; ``"2020-12-01"^^xsd:date`` is ``2020年12月1日（令和2年）``.
    Other literals, and values that do not fit their datatype, are shown as they are.
    """
    if datatype in NUMBERS and _DECIMAL.fullmatch(text):
        return format(Decimal(text).normalize(), ",f"), "number"
    if datatype in DATES and _ISO_DATE.fullmatch(text):
        try:
            return japanese_date(parse(text)), "date"
        except DateError:
            pass
    return text, ""


def japanese_date(jdate: JDate) -> str:
    """``2020年12月1日（令和2年）``, ``2020年12月（令和2年）`` or ``2020年（令和2年）``."""
    start = jdate.start
    text = f"{start.year}年"
    if jdate.precision in (MONTH, DAY):
        text += f"{start.month}月"
    if jdate.precision == DAY:
        text += f"{start.day}日"
    if start >= ERAS[0].start:
        text += f"（{in_era(JDate(start, start, YEAR))}）"
    return text


def linkable(url: str | None) -> bool:
    """Whether ``url`` is safe as a link: a path or query of this site, or an http(s) IRI."""
    return bool(url) and (url.startswith(("/", "?", "#")) or url.lower().startswith(("http://", "https://")))


def environment(site: Site, settings: Settings) -> Environment:
    """The template environment for ``site``."""
    env = Environment(loader=PackageLoader("kg.serve", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)  # templates do not change while the server runs
    env.filters.update(primary=primary, secondary=secondary, number=number, readable=readable)
    env.tests.update(linkable=linkable)
    env.globals.update(href=site.urls.href, compact=site.compact, about=site.about(), settings=settings,
                       version=__version__, term_label=site.term_label)
    return env
