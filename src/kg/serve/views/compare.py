"""``/compare``: the cities side by side; and the charts of the home, plan and city pages.

Every number comes from a named query of ``queries/`` run by the worker pool, so the pages show
what anyone can ask the SPARQL endpoint; results are kept per server (the data does not change).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from kg.charts import Bar, Chart, line, stacked_bars, timeline
from kg.init import PREFECTURES
from kg.query import bind_params
from kg.serve.pool import PoolError, WorkerError
from kg.serve.responses import cached_async, error, render

STATUSES = ["達成", "一部達成", "未達成", "（記載なし）"]
DIRECTIONS = ["継続", "取組終了", "（記載なし）"]
#: The dates of the timeline: when a policy was issued, a law came into force, a plan began.
TIMELINE_DATES = {"http://purl.org/dc/terms/issued", "http://data.europa.eu/eli/ontology#first_date_entry_in_force",
                  "https://w3id.org/lgdx/ontology#periodStart"}
INDICATOR = "indicator/my-number-card-issuance-rate"


async def select(request: Request, name: str, **params: str) -> list[dict[str, str | None]]:
    """The rows of the named query ``name`` as plain values, run once per server and parameters.

    A result past the server's row limit (a graph of the whole country) draws no chart rather
    than failing the page.
    """
    cache = request.app.state.cache
    key = ("select", name, tuple(sorted(params.items())))
    if key not in cache:
        site = request.app.state.site
        named = site.queries.get(name)
        if named is None:
            return []  # a server started without the project's queries draws no charts
        try:
            result = await request.app.state.pool.call("sparql", named.text, None, "json",
                                                       bind_params(named, params, site.base))
        except WorkerError as exc:
            if exc.kind != "limit":
                raise
            cache[key] = []
            return []
        data = json.loads(result[2])
        names = data["head"]["vars"]
        cache[key] = [{n: b[n]["value"] if n in b else None for n in names} for b in data["results"]["bindings"]]
    return cache[key]


def _status_bar(label: str, rows: list[dict], href: str | None = None) -> Bar:
    return Bar(label, [(r["status_ja"], int(r["measures"])) for r in rows if int(r["measures"])], href)


def _direction_bar(label: str, rows: list[dict], href: str | None = None) -> Bar:
    total = sum(int(r["measures"]) for r in rows)
    going, ended = (sum(int(r[k]) for r in rows) for k in ("continuing", "completed"))
    return Bar(label, [("継続", going), ("取組終了", ended), ("（記載なし）", total - going - ended)], href)


def _by(rows: list[dict], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


#: More cities than this are drawn as one bar per prefecture.
MAX_CITY_BARS = 60


async def city_bars(request: Request) -> list[Chart]:
    """Measures of each city's plans by status, and by direction: one bar per city, or per
    prefecture where the cities are too many to draw."""
    rows = await select(request, "cities-measures-by-status")
    href = request.app.state.site.urls.href
    cities = [(group[0]["city_ja"], href(city), group) for city, group in _by(rows, "city").items()]
    if not cities:
        return []
    if len(cities) <= MAX_CITY_BARS:
        return [stacked_bars("市区町村別 個別計画の達成状況", "Measures by achievement status, per city",
                             [_status_bar(n, g, h) for n, h, g in cities], STATUSES, "市区町村 city"),
                stacked_bars("市区町村別 個別計画の今後の方向性", "Measures by future direction, per city",
                             [_direction_bar(n, g, h) for n, h, g in cities], DIRECTIONS, "市区町村 city")]
    by_prefecture: dict[str, list[dict]] = {}
    for r in rows:  # a local government code starts with its prefecture's two digits
        by_prefecture.setdefault(r["code"][:2], []).append(r)
    prefectures = [(PREFECTURES.get(code, (code,))[0], None, _summed(group))
                   for code, group in sorted(by_prefecture.items())]
    return [stacked_bars("都道府県別 市区町村の個別計画の達成状況",
                         "Measures of the cities' plans by achievement status, per prefecture",
                         [_status_bar(n, g, h) for n, h, g in prefectures], STATUSES, "都道府県 prefecture"),
            stacked_bars("都道府県別 市区町村の個別計画の今後の方向性",
                         "Measures of the cities' plans by future direction, per prefecture",
                         [_direction_bar(n, g, h) for n, h, g in prefectures], DIRECTIONS, "都道府県 prefecture")]


def _summed(rows: list[dict]) -> list[dict]:
    """The rows of several cities as one city's: the counts of each status added up."""
    out: dict[str, dict] = {}
    for r in rows:
        into = out.setdefault(r["status_ja"], {"status_ja": r["status_ja"], "measures": 0, "continuing": 0,
                                               "completed": 0})
        for k in ("measures", "continuing", "completed"):
            into[k] += int(r[k])
    return list(out.values())


async def policy_timeline(request: Request, who: set[str] | None = None) -> list[Chart]:
    """Laws, policies, strategies and plans by the year they were issued, came into force or began."""
    rows = await select(request, "policy-timeline")
    events = [(r["date"], r["resource_ja"] or "", r["jurisdiction_ja"] or "") for r in rows
              if r["date_property"] in TIMELINE_DATES and (who is None or r["jurisdiction_ja"] in who)]
    if not events:
        return []
    return [timeline("国・東京都・市区町村の政策・法律・計画の年表", "Timeline of laws, policies, strategies and plans",
                     list(dict.fromkeys(events)))]


async def indicator_line(request: Request) -> list[Chart]:
    """The My Number Card issuance rate over time."""
    rows = await select(request, "indicator-trend", indicator=INDICATOR)
    points = [(r["date"], float(r["value"])) for r in rows if r["value"]]
    if not points:
        return []
    unit = "%" if (rows[0]["unit"] or "").endswith("PERCENT") else ""
    return [line(f"{rows[0]['indicator_ja']}の推移", f"{rows[0]['indicator_en'] or 'Indicator'} over time", points, unit)]


async def home_charts(request: Request) -> list[Chart]:
    """The charts of the home page."""
    return await city_bars(request) + await indicator_line(request) + await policy_timeline(request)


async def entity_charts(request: Request, kind: str, iri: str) -> list[Chart]:
    """The charts of a plan's page (its measures by status and direction) or a city's (per plan)."""
    if kind == "plan":
        rows = [r for r in await select(request, "measures-by-status", plan=iri) if int(r["measures"])]
        if not rows:
            return []
        return [stacked_bars("この計画の個別計画", "This plan's measures",
                             [_status_bar("達成状況 status", rows), _direction_bar("今後の方向性 direction", rows)],
                             STATUSES + DIRECTIONS[:2], "内訳 breakdown")]
    if kind == "org":
        rows = await select(request, "city-plans-by-status", city=iri)
        if not rows:
            return []
        href = request.app.state.site.urls.href
        plans = [(g[0]["plan_ja"], href(p), g) for p, g in _by(rows, "plan").items()]
        city = rows[0]["city_ja"]
        prefecture = PREFECTURES.get(iri.rsplit("/", 1)[-1][:2], ("",))[0]  # the code's first two digits
        return [stacked_bars("計画ごとの個別計画の達成状況", "Measures of each plan by achievement status",
                             [_status_bar(n, g, h) for n, h, g in plans], STATUSES, "計画 plan"),
                stacked_bars("計画ごとの個別計画の今後の方向性", "Measures of each plan by future direction",
                             [_direction_bar(n, g, h) for n, h, g in plans], DIRECTIONS, "計画 plan"),
                *await policy_timeline(request, {"国", prefecture, city})]
    return []


async def compare(request: Request) -> Response:
    """The cities side by side: charts, and the tables of the cross-city queries."""

    async def make() -> Response:
        try:
            charts = await city_bars(request) + await policy_timeline(request)
            tables = {name: await select(request, name) for name in
                      ("cities-technologies", "cities-plans-by-law", "cities-without-plan-in-force")}
        except PoolError as exc:
            return error(request, exc.status, exc.message, exc.fix)
        return render(request, "compare.html", {"charts": charts, "tables": tables})

    return await cached_async(request, "html", make, vary=False)

