"""Lists of resources: ``/class/{name}`` with facets, and ``/search?q=`` by label."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from kg.serve.pool import PoolError
from kg.serve.responses import cached_async, error, render
from kg.serve.site import COLUMNS, FACETS
from kg.serve.views.dataset import with_class_counts

PAGE_SIZE = 100
SEARCH_PAGE_SIZE = 50


def facet_name(iri: str) -> str:
    """The query parameter of a facet: the property's local name (``achievementStatus``)."""
    return iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]


def _page(request: Request) -> int:
    value = request.query_params.get("page", "1")
    return max(1, int(value)) if value.isdigit() else 1


def _pager(request: Request, page: int, count: int, size: int) -> dict:
    """``page`` of ``count`` things shown ``size`` to a page: the page count, the range shown, and the
    URLs of the previous and next pages (``None`` at either end)."""
    pages = max(1, -(-count // size))
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]

    def url(number: int) -> str:
        if request.app.state.settings.static:  # a static host ignores queries: a file per page
            return request.url.path + (f"/{number}" if number > 1 else "")
        params = kept + ([("page", str(number))] if number > 1 else [])
        return request.url.path + ("?" + urlencode(params) if params else "")

    return {"page": page, "pages": pages, "shown_from": min(count, (page - 1) * size + 1),
            "shown_to": min(count, page * size), "prev": url(page - 1) if page > 1 else None,
            "next": url(page + 1) if page < pages else None, "last_url": url(pages)}


def _past_the_end(request: Request, pager: dict) -> Response:
    """The 404 of a page number past the last page (a stale bookmark), pointing to the last page."""
    return error(request, 404, f"there is no page {pager['page']}: there are {pager['pages']}",
                 f"the last page is {pager['last_url']}")


async def classes(request: Request) -> Response:
    """Every class with members, with counts."""

    return await cached_async(request, "html", lambda: with_class_counts(request, "classes.html"), vary=False)


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
    column_iris = tuple(str(p) for p in COLUMNS.get(name, ()))
    by_name = {facet_name(p): p for p in facet_iris}
    filters = {}
    for key, value in request.query_params.items():
        if key in by_name and value:
            filters[by_name[key]] = value if value.startswith(("http://", "https://")) else site.base + value
    page = _page(request)

    async def make() -> Response:
        try:
            data = await request.app.state.pool.call(
                "listing", site.subclasses(info["iri"]), facet_iris, filters, (page - 1) * PAGE_SIZE, PAGE_SIZE,
                column_iris)
        except PoolError as exc:
            return error(request, exc.status, exc.message, exc.fix)
        pager = _pager(request, page, data["matching"], PAGE_SIZE)
        if page > pager["pages"]:
            return _past_the_end(request, pager)
        return render(request, "class.html",
                      _class_page(request, site, info, facet_iris, column_iris, filters, pager, data))

    return await cached_async(request, "html", make, vary=False)


def _class_page(request, site, info, facet_iris, column_iris, filters, pager, data) -> dict:
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
                       "more": data["facets_more"][prop], "clear": link(**{key: None}) if prop in filters else None})
    items = [value(iri) | {"facets": [[value(v) for v in vals[p]] for p in facet_iris],
                           "columns": [columns[p] for p in column_iris]}
             for iri, vals, columns in data["items"]]
    by_class = [{"iri": cls, "name": site.class_name(cls), "labels": site.term_label(cls), "count": count,
                 "subclass": cls != info["iri"]} for cls, count in data["by_class"]]
    return {"cls": info, "facets": facets, "items": items, "total": data["total"], "matching": data["matching"],
            "direct": next((c["count"] for c in by_class if not c["subclass"]), 0), "by_class": by_class,
            "count_query": "/query?" + urlencode({"q": _count_query([c["iri"] for c in by_class])}),
            "filtered": bool(filters), "clear_all": request.url.path,
            "facet_columns": [{"labels": site.term_label(p), "key": facet_name(p)} for p in facet_iris],
            "value_columns": [{"labels": site.term_label(p), "key": facet_name(p)} for p in column_iris],
            "labels": labels} | pager


def _count_query(classes: list[str]) -> str:
    """SPARQL counting the members of ``classes`` as the listing does: each member once."""
    names = " ".join(f"<{c}>" for c in classes)
    return f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{\n  VALUES ?class {{ {names} }}\n  ?s a ?class .\n}}"


async def search(request: Request) -> Response:
    """Resources whose labels (Japanese or English) contain the text searched for."""
    site = request.app.state.site
    q = request.query_params.get("q", "").strip()
    lang = request.query_params.get("lang") or None
    if lang not in (None, "ja", "en"):
        lang = None
    if len(q) > 200:
        return error(request, 400, "the search text is longer than 200 characters", "search for a shorter text")
    page = _page(request)

    async def make() -> Response:
        data = {"total": 0, "items": [], "labels": {}}
        if q:
            try:
                data = await request.app.state.pool.call(
                    "search", q, lang, (page - 1) * SEARCH_PAGE_SIZE, SEARCH_PAGE_SIZE)
            except PoolError as exc:
                return error(request, exc.status, exc.message, exc.fix)
        pager = _pager(request, page, data["total"], SEARCH_PAGE_SIZE)
        if page > pager["pages"]:
            return _past_the_end(request, pager)
        items = []
        for item in data["items"]:
            types = [{"labels": site.term_label(t), "compact": site.compact(t),
                      "href": site.class_href(t)}
                     for t in item["types"]]
            items.append(item | {"href": site.urls.href(item["iri"]), "labels": data["labels"].get(item["iri"], {}),
                                 "compact": site.compact(item["iri"]), "types": types})
        return render(request, "search.html", {"q": q, "lang": lang, "items": items, "total": data["total"]} | pager)

    return await cached_async(request, "html", make, vary=False)
