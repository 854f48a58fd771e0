"""Lists of resources: ``/class/{name}`` with facets, and ``/search?q=`` by label."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from kg.serve.pool import PoolError
from kg.serve.responses import cached_async, error, render
from kg.serve.site import FACETS

PAGE_SIZE = 100


def facet_name(iri: str) -> str:
    """The query parameter of a facet: the property's local name (``achievementStatus``)."""
    return iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]


def _page(request: Request) -> int:
    value = request.query_params.get("page", "1")
    return max(1, int(value)) if value.isdigit() else 1


async def classes(request: Request) -> Response:
    """Every class with members, with counts."""

    async def make() -> Response:
        return render(request, "classes.html", {})

    return await cached_async(request, "html", make, vary=False)


async def class_listing(request: Request) -> Response:
    """The members of a class, filtered by facet values given as query parameters."""
    site = request.app.state.site
    name = request.path_params["name"]
    info = site.classes.get(name)
    if info is None:
        term = next((t for t in site.terms if t.kind == "class" and t.name == name), None)
        if term is None:
            return error(request, 404, f"no class `{name}` in this dataset", "the home page lists the classes")
        info = {"iri": term.iri, "name": name, "count": 0, "labels": term.labels}
    facet_iris = [str(p) for p in FACETS.get(name, ())]
    by_name = {facet_name(p): p for p in facet_iris}
    filters = {}
    for key, value in request.query_params.items():
        if key in by_name and value:
            filters[by_name[key]] = value if value.startswith(("http://", "https://")) else site.base + value
    page = _page(request)

    async def make() -> Response:
        try:
            data = await request.app.state.pool.call(
                "listing", site.subclasses(info["iri"]), facet_iris, filters, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        except PoolError as exc:
            return error(request, exc.status, exc.message, exc.fix)
        return render(request, "class.html", _class_page(request, site, info, facet_iris, filters, page, data))

    return await cached_async(request, "html", make, vary=False)


def _class_page(request, site, info, facet_iris, filters, page, data) -> dict:
    labels = data["labels"]
    chosen = {facet_name(p): site.compact(v) for p, v in filters.items()}

    def link(**changes) -> str:
        params = {k: v for k, v in (chosen | changes).items() if v}
        return request.url.path + ("?" + urlencode(params) if params else "")

    def value(iri: str) -> dict:
        return {"iri": iri, "href": site.urls.href(iri), "labels": labels.get(iri, {}), "compact": site.compact(iri)}

    facets = []
    for prop in facet_iris:
        key = facet_name(prop)
        values = []
        for iri, count in data["facets"][prop]:
            selected = filters.get(prop) == iri
            values.append(value(iri) | {"count": count, "selected": selected,
                                        "toggle": link(**{key: None if selected else site.compact(iri)}),
                                        "slug": site.compact(iri)})
        facets.append({"key": key, "iri": prop, "labels": site.term_label(prop), "values": values,
                       "clear": link(**{key: None}) if prop in filters else None})
    items = [value(iri) | {"facets": [[value(v) for v in vals[p]] for p in facet_iris]}
             for iri, vals in data["items"]]
    pages = max(1, -(-data["matching"] // PAGE_SIZE))
    return {"cls": info, "facets": facets, "items": items, "total": data["total"], "matching": data["matching"],
            "page": page, "pages": pages, "filtered": bool(filters), "clear_all": request.url.path,
            "facet_columns": [{"labels": site.term_label(p), "key": facet_name(p)} for p in facet_iris],
            "prev": link(page=str(page - 1)) if page > 1 else None,
            "next": link(page=str(page + 1)) if page < pages else None}


async def search(request: Request) -> Response:
    """Resources whose labels (Japanese or English) contain the text searched for."""
    site = request.app.state.site
    q = request.query_params.get("q", "").strip()
    lang = request.query_params.get("lang") or None
    if lang not in (None, "ja", "en"):
        lang = None
    if len(q) > 200:
        return error(request, 400, "the search text is longer than 200 characters", "search for a shorter text")

    async def make() -> Response:
        data = {"total": 0, "items": [], "labels": {}}
        if q:
            try:
                data = await request.app.state.pool.call("search", q, lang)
            except PoolError as exc:
                return error(request, exc.status, exc.message, exc.fix)
        items = []
        for item in data["items"]:
            types = [{"labels": site.term_label(t), "compact": site.compact(t),
                      "href": "/class/" + site.class_name(t) if site.class_name(t) in site.classes else None}
                     for t in item["types"]]
            items.append(item | {"href": site.urls.href(item["iri"]), "labels": data["labels"].get(item["iri"], {}),
                                 "compact": site.compact(item["iri"]), "types": types})
        return render(request, "search.html", {"q": q, "lang": lang, "items": items, "total": data["total"]})

    return await cached_async(request, "html", make, vary=False)
