"""Charts drawn on the server as inline SVG (the pages allow no script), each with its numbers as a table.

Stacked bars (measures by status or direction), a line (an indicator over time) and a timeline
(laws, policies, strategies and plan generations by year). Colours are presentation attributes,
not inline styles, so the pages' Content-Security-Policy holds; every colour has its name beside
it in a legend and every number is in the table, so nothing is said by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

WIDTH = 360  # viewBox width: drawn at about its own size on a phone, scaled up on wider screens
FONT = 13
#: Colour of each status and direction (Japanese label), with the order of stacking.
COLOURS = {
    "達成": "#2e7d32", "一部達成": "#f9a825", "未達成": "#c62828",
    "継続": "#1565c0", "取組終了": "#6a1b9a", "（記載なし）": "#9e9e9e",
}
GROUP_COLOURS = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037", "#ad1457")


@dataclass
class Chart:
    """An SVG and the same numbers as a table (caption, column headings, rows)."""

    title: str
    title_en: str
    svg: str
    columns: list[str]
    rows: list[list[str]]
    links: list[str | None] = field(default_factory=list)  # where each row's first cell links to

    @property
    def markup(self) -> Markup:
        """The SVG for a template: built here from escaped parts."""
        return Markup(self.svg)


@dataclass
class Bar:
    """One stacked bar: its label, an optional link, and (series, count) segments."""

    label: str
    segments: list[tuple[str, int]]
    href: str | None = None
    total: int = field(init=False)

    def __post_init__(self):
        self.total = sum(n for _, n in self.segments)


def _svg(height: float, body: list[str], title: str, desc: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" class="chart-svg" '
            f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="{FONT}">'
            f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{''.join(body)}</svg>")


def _legend(names: list[str], colours: dict[str, str], y: float) -> tuple[list[str], float]:
    """Swatches with names, wrapped over lines; returns the parts and the y below them."""
    parts, x = [], 0.0
    for name in names:
        width = 18 + FONT * len(name) * 0.95
        if x and x + width > WIDTH:
            x, y = 0.0, y + FONT + 8
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{colours.get(name, "#757575")}"/>'
                     f'<text x="{x + 16:.1f}" y="{y + 11:.1f}">{escape(name)}</text>')
        x += width + 10
    return parts, y + FONT + 12


def stacked_bars(title: str, title_en: str, bars: list[Bar], series: list[str], label_heading: str) -> Chart:
    """Horizontal stacked bars, one per ``bars`` entry, segments in ``series`` order."""
    present = [s for s in series if any(n for b in bars for name, n in b.segments if name == s)]
    body, y = _legend(present, COLOURS, 4)
    longest = max((b.total for b in bars), default=0) or 1
    span = WIDTH - 40
    for bar in bars:
        body.append(f'<text x="0" y="{y + FONT:.1f}">{escape(bar.label)}</text>')
        x, y = 0.0, y + FONT + 5
        counts = dict(bar.segments)
        for name in present:
            n = counts.get(name, 0)
            if not n:
                continue
            w = span * n / longest
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="18" fill="{COLOURS.get(name, "#757575")}">'
                        f"<title>{escape(name)}: {n}</title></rect>")
            if w >= 18:
                body.append(f'<text x="{x + w / 2:.1f}" y="{y + 13.5:.1f}" text-anchor="middle" fill="#fff">{n}</text>')
            x += w
        body.append(f'<text x="{x + 4:.1f}" y="{y + 13.5:.1f}">{bar.total}</text>')
        y += 30
    rows = [[b.label, *[str(dict(b.segments).get(s, 0)) for s in present], str(b.total)] for b in bars]
    desc = "; ".join(f"{b.label}: " + ", ".join(f"{name} {n}" for name, n in b.segments if n) for b in bars)
    return Chart(title, title_en, _svg(y, body, title, desc), [label_heading, *present, "計 total"], rows,
                 [b.href for b in bars])


def line(title: str, title_en: str, points: list[tuple[str, float]], unit: str = "") -> Chart:
    """A line through ``points`` (ISO date, value) in date order, each point labelled with its value."""
    points = sorted(points)
    years = [_year(d) for d, _ in points]
    top = max((v for _, v in points), default=1) or 1
    top = 100.0 if unit == "%" and top <= 100 else top * 1.15
    left, right, high, low = 40, WIDTH - 36, 22, 150
    first, last = (min(years), max(years)) if years else (0, 1)
    first, last = (first - 0.5, last + 0.5) if first == last else (first, last)

    def at(year: float, value: float) -> tuple[float, float]:
        return (left + (right - left) * (year - first) / (last - first), low - (low - high) * value / top)

    body = [f'<line x1="{left}" y1="{low}" x2="{right}" y2="{low}" stroke="#555"/>',
            f'<line x1="{left}" y1="{high}" x2="{left}" y2="{low}" stroke="#555"/>',
            f'<text x="{left - 4}" y="{high + 4}" text-anchor="end">{top:g}</text>',
            f'<text x="{left - 4}" y="{low + 4}" text-anchor="end">0</text>']
    coords = [at(y, v) for y, (_, v) in zip(years, points)]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="#1565c0" stroke-width="2.5"/>')
    for (x, y), (date, value) in zip(coords, points):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#1565c0"><title>{escape(date)}: {value:g}{escape(unit)}</title></circle>'
                    f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{value:g}{escape(unit)}</text>'
                    f'<text x="{x:.1f}" y="{low + 16}" text-anchor="middle">{escape(date[:7])}</text>')
    desc = ", ".join(f"{d}: {v:g}{unit}" for d, v in points)
    return Chart(title, title_en, _svg(low + 24, body, title, desc), ["日付 date", f"値 value ({unit})" if unit else "値 value"],
                 [[d, f"{v:g}"] for d, v in points])


def timeline(title: str, title_en: str, events: list[tuple[str, str, str]]) -> Chart:
    """Events (ISO date, label, group) as dots on one lane per group, by year; the table names them."""
    events = sorted(events)
    groups = list(dict.fromkeys(g for _, _, g in events))
    colours = {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(groups)}
    body, top = _legend(groups, colours, 4)
    years = [_year(d) for d, _, _ in events] or [2000.0, 2001.0]
    first, last = int(min(years)), int(max(years)) + 1
    left, right, lane = 20, WIDTH - 20, 22
    bottom = top + lane * len(groups)

    def x_of(year: float) -> float:
        return left + (right - left) * (year - first) / max(last - first, 1)

    step = max(1, round((last - first) / 6))
    for year in range(first, last + 1, step):
        x = x_of(year)
        body.append(f'<line x1="{x:.1f}" y1="{top - 4:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="#ddd"/>'
                    f'<text x="{x:.1f}" y="{bottom + 16:.1f}" text-anchor="middle">{year}</text>')
    for (date, label, group), year in zip(events, years):
        y = top + lane * groups.index(group) + lane / 2
        body.append(f'<circle cx="{x_of(year):.1f}" cy="{y:.1f}" r="5" fill="{colours[group]}" fill-opacity="0.75">'
                    f"<title>{escape(date)} {escape(group)}: {escape(label)}</title></circle>")
    desc = "; ".join(f"{d} {g}: {lab}" for d, lab, g in events)
    return Chart(title, title_en, _svg(bottom + 24, body, title, desc), ["日付 date", "主体 by", "出来事 event"],
                 [[d, g, lab] for d, lab, g in events])


def _year(date: str) -> float:
    """An ISO date, year-month or year as a fractional year."""
    parts = [int(p) for p in date[:10].split("-") if p.isdigit()]
    year, month, day = (parts + [1, 1])[:3] if parts else (2000, 1, 1)
    return year + (month - 1) / 12 + (day - 1) / 365
