"""The application: one routes table, and the factory that wires it to a dist folder."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg.serve import templating
from kg.serve.config import Settings
from kg.serve.pool import Pool
from kg.serve.responses import COMMON, CorsMiddleware, error
from kg.serve.site import Site, load_site
from kg.serve.views import compare, dataset, listing, query, resource, sparql, validation

ID_PREFIX = "{id_prefix}"

#: Every URL the server answers: (path, handler, methods). HEAD goes with GET.
ROUTES = (
    ("/sparql", sparql.sparql, ["GET", "POST"]),  # first: the route programs call most
    ("/", dataset.home, ["GET"]),
    ("/catalog", dataset.catalog, ["GET"]),
    ("/catalog.{ext}", dataset.catalog, ["GET"]),
    ("/.well-known/void", dataset.catalog, ["GET"]),
    ("/.well-known/void.{ext}", dataset.catalog, ["GET"]),
    ("/download", dataset.downloads, ["GET"]),
    ("/download/{name:path}", dataset.download, ["GET"]),
    ("/query", query.query_page, ["GET"]),
    ("/compare", compare.compare, ["GET"]),
    ("/ontology", resource.ontology, ["GET"]),
    ("/ontology.{ext}", resource.ontology, ["GET"]),
    ("/ontology/{version}", resource.ontology, ["GET"]),
    ("/class", listing.classes, ["GET"]),
    ("/class/{name}", listing.class_listing, ["GET"]),
    ("/search", listing.search, ["GET"]),
    ("/validation", validation.findings, ["GET"]),
    (ID_PREFIX + "{path:path}", resource.resource, ["GET"]),  # last: it may be the catch-all "/{path}"
)
STATIC = Path(__file__).parent / "static"


async def http_error(request: Request, exc: HTTPException):
    """Unknown paths and methods, answered in the client's format like every other error."""
    messages = {404: ("nothing here", "the home page links to everything this server has"),
                405: (f"method {request.method} is not allowed here", "use GET (or POST for /sparql)")}
    message, fix = messages.get(exc.status_code, (exc.detail, None))
    return error(request, exc.status_code, message, fix, headers=getattr(exc, "headers", None))


async def server_error(request: Request, exc: Exception):
    """A bug answered as a plain 500 (the traceback goes to the log), with the headers of every response."""
    return error(request, 500, "the server failed to answer this request", "try again; if it persists, report it",
                 headers=COMMON)


def create_app(settings: Settings, site: Site | None = None) -> Starlette:
    """The Starlette application serving ``settings.dist``; its workers start with the app."""
    site = site or load_site(settings.dist, settings.queries_dir, with_dump=settings.store is None)
    store = settings.store and {"url": settings.store, "graphs": list(settings.store_graphs),
                                "timeout": settings.timeout}
    config = {"path": None if store else str(site.files["kg.nt"].path), "base": site.base, "store": store,
              "allowed_services": sorted(settings.allowed_services), "max_results": settings.max_results}

    @asynccontextmanager
    async def lifespan(app: Starlette):
        pool = Pool(config, settings.workers, settings.timeout)
        await pool.start()
        if store:  # the dist describes its own build; the pages count what the store holds
            site.use_store_statistics(pool.info["triples"], await pool.call("class_sizes"))
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    routes = [Route(path.replace(ID_PREFIX, site.urls.id_prefix), handler, methods=methods)
              for path, handler, methods in ROUTES]
    routes.insert(-1, Mount("/static", StaticFiles(directory=STATIC), name="static"))
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: http_error, 405: http_error, Exception: server_error})
    app.state.site = site
    app.state.settings = settings
    app.state.cache = {}
    app.state.templates = templating.environment(site, settings)
    app.state.chosen_templates = {}
    app.add_middleware(CorsMiddleware)
    return app
