"""The dataset as a whole: the home page, its DCAT/VoID self-description and the downloads."""

from __future__ import annotations

from email.utils import formatdate

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from kg.serve import negotiation as neg
from kg.serve.pool import PoolError
from kg.serve.responses import cached, cached_async, chosen_format, error, not_modified, render, validators
from kg.serve.views.compare import home_charts


async def _counts_with_subclasses(request: Request) -> dict[str, int]:
    """Members of each class together with its subclasses' (each counted once), for the classes
    where that differs from the VoID count of direct members; read from the store once."""
    cache = request.app.state.cache
    if "class counts" not in cache:
        site = request.app.state.site
        groups = {name: site.subclasses(c["iri"]) for name, c in site.classes.items()}
        counts = await request.app.state.pool.call(
            "class_counts", {name: group for name, group in groups.items() if len(group) > 1})
        cache["class counts"] = {name: n for name, n in counts.items() if n != site.classes[name]["count"]}
    return cache["class counts"]


async def with_class_counts(request: Request, template: str, charts=None) -> Response:
    """``template`` with the class counts that include subclasses (``class_counts``) and ``charts``."""
    try:
        counts = await _counts_with_subclasses(request)
        drawn = await charts(request) if charts else []
    except PoolError as exc:
        return error(request, exc.status, exc.message, exc.fix)
    return render(request, template, {"class_counts": counts, "charts": drawn})


async def home(request: Request) -> Response:
    """The dataset's description from the catalogue, with its charts and links to everything."""
    return await cached_async(request, "html", lambda: with_class_counts(request, "home.html", home_charts),
                              vary=False)


async def catalog(request: Request) -> Response:
    """DCAT and VoID of the dataset (``/catalog`` and ``/.well-known/void``): RDF or a page."""
    fmt = chosen_format(request, neg.DATA_OFFERS, "the catalogue")
    if isinstance(fmt, Response):
        return fmt
    site = request.app.state.site
    if fmt == neg.HTML:
        return await cached_async(request, fmt, lambda: with_class_counts(request, "catalog.html"))
    return cached(request, fmt, lambda headers: Response(site.rdf("catalog.ttl", fmt), headers=headers,
                                                          media_type=neg.media_type(fmt)))


async def downloads(request: Request) -> Response:
    """The list of files to download."""
    return cached(request, "html", lambda headers: render(request, "downloads.html", {}, headers=headers),
                  vary=False)


async def download(request: Request) -> Response:
    """A file of the dist folder, with its media type, ETag and Last-Modified."""
    site = request.app.state.site
    file = site.files.get(request.path_params["name"])
    if file is None:
        return error(request, 404, f"no file `{request.path_params['name']}` to download",
                     "the list of files is at /download")
    stat = file.path.stat()
    last_modified = formatdate(stat.st_mtime, usegmt=True)
    hit = not_modified(request, file.etag, last_modified)
    if hit is not None:
        return hit
    media = file.media_type
    if media.startswith("text/") or media == "application/n-triples":
        media += "; charset=utf-8"
    return FileResponse(file.path, media_type=media, headers=validators(file.etag, last_modified), stat_result=stat)
