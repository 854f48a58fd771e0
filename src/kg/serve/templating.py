"""The Jinja2 environment of the pages: autoescaped, with the helpers the templates share."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kg import __version__
from kg.serve.config import Settings
from kg.serve.site import Site


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


def environment(site: Site, settings: Settings) -> Environment:
    """The template environment for ``site``."""
    env = Environment(loader=PackageLoader("kg.serve", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)  # templates do not change while the server runs
    env.filters.update(primary=primary, secondary=secondary, number=number)
    env.globals.update(href=site.urls.href, compact=site.compact, about=site.about(), settings=settings,
                       version=__version__, term_label=site.term_label)
    return env
