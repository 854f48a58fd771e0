"""The dataset as a whole: the home page, its DCAT/VoID self-description and the downloads."""

from __future__ import annotations

from email.utils import formatdate

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from kg.serve import negotiation as neg
from kg.serve.responses import cached, chosen_format, error, not_modified, render, validators


async def home(request: Request) -> Response:
    """The dataset's description from the catalogue, with links to everything."""
    return cached(request, "html", lambda headers: render(request, "home.html", {}, headers=headers), vary=False)


async def catalog(request: Request) -> Response:
    """DCAT and VoID of the dataset (``/catalog`` and ``/.well-known/void``): RDF or a page."""
    fmt = chosen_format(request, neg.DATA_OFFERS, "the catalogue")
    if isinstance(fmt, Response):
        return fmt
    site = request.app.state.site

    def make(headers: dict) -> Response:
        if fmt == neg.HTML:
            return render(request, "catalog.html", {}, headers=headers)
        return Response(site.rdf("catalog.ttl", fmt), headers=headers, media_type=neg.media_type(fmt))

    return cached(request, fmt, make)


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
