"""Responses every view shares: rendered pages, errors in the client's format, caching, CORS."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Match

from kg.serve import negotiation as neg

#: On every response: CORS with the headers a script may read (besides the safelisted ones), and safety.
COMMON = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Link, ETag, Content-Location, Content-Profile, Vary, Retry-After",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
_COMMON_RAW = [(k.lower().encode(), v.encode()) for k, v in COMMON.items()]
#: On pages: they run no scripts, load only their own stylesheet and are not framed.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
PREFLIGHT = COMMON | {
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Accept-Profile, Cache-Control, Content-Type, "
                                    "If-Modified-Since, If-None-Match",
    "Access-Control-Max-Age": "86400",
}


class CorsMiddleware:
    """The :data:`COMMON` headers on every response, errors included; answers OPTIONS and preflights.

    Plain ASGI rather than a ``BaseHTTPMiddleware``: it adds headers and copies nothing.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] == "OPTIONS":
            headers = PREFLIGHT | {"Allow": allowed_methods(scope)}
            return await Response(status_code=204, headers=headers)(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + _COMMON_RAW
            await send(message)

        await self.app(scope, receive, send_with_headers)


def allowed_methods(scope) -> str:
    """The ``Allow`` value of the request's path: the methods of the first route that takes it."""
    for route in scope["app"].routes:
        if route.matches(scope)[0] != Match.NONE:
            methods = getattr(route, "methods", None) or {"GET", "HEAD"}
            return ", ".join(sorted(methods) + ["OPTIONS"])
    return "OPTIONS"


# --- pages --------------------------------------------------------------------

def render(request: Request, template: str | list[str], context: dict, status: int = 200,
           headers: dict | None = None) -> HTMLResponse:
    """A Jinja2 template rendered with the site's globals (autoescaped), under the pages' :data:`CSP`."""
    env = request.app.state.templates
    if isinstance(template, str):
        page = env.get_template(template)
    else:  # the first that exists of a per-type template and its fallback, looked up once
        chosen, key = request.app.state.chosen_templates, tuple(template)
        page = chosen.get(key) or chosen.setdefault(key, env.select_template(template))
    html = page.render(request=request, site=request.app.state.site, **context)
    return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": CSP} | (headers or {}))


def error(request: Request, status: int, message: str, fix: str | None = None,
          headers: dict | None = None) -> Response:
    """An error as the client reads it best: an HTML page, JSON or plain text.

    A 503 (every worker busy, or the time limit reached) says when to try again: after the time limit.
    """
    headers = {"Vary": "Accept"} | (headers or {})
    if status == 503:
        headers["Retry-After"] = str(math.ceil(request.app.state.settings.timeout))
    fmt = neg.negotiate(request.headers.get("accept"), neg.ERROR_OFFERS, "error") or "text"
    if fmt == neg.HTML:
        return render(request, "error.html", {"status": status, "message": message, "fix": fix},
                      status=status, headers=headers)
    if fmt == "errjson":
        body = json.dumps({"status": status, "error": message, "fix": fix}, ensure_ascii=False)
        return Response(body, status, headers, media_type="application/json")
    text = f"{message}\n" + (f"fix: {fix}\n" if fix else "")
    return Response(text, status, headers, media_type=neg.media_type("text"))


# --- caching ------------------------------------------------------------------

#: The headers of a 200 that its 304 repeats (RFC 9110 §15.4.5).
NOT_MODIFIED_HEADERS = ("etag", "last-modified", "cache-control", "vary", "content-location", "link")


def page_etag(request: Request, variant: str) -> str:
    """A weak validator for a generated page: the data's digest, the URL and the format."""
    scope = request.scope
    key = f"{request.app.state.site.digest}|{scope['path']}?{scope['query_string'].decode('latin-1')}|{variant}"
    return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:24] + '"'


def not_modified(request: Request, etag: str, last_modified: str,
                 headers: Mapping[str, str] | None = None) -> Response | None:
    """A 304 if the client's copy is current (If-None-Match, else If-Modified-Since).

    Only for a response that would otherwise be a 200 (RFC 9110 §13.2.1): ``headers`` are
    that response's, of which the 304 repeats :data:`NOT_MODIFIED_HEADERS` (default: the validators).
    """
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        current = "*" in tags or etag.removeprefix("W/") in tags
    else:
        ims = request.headers.get("if-modified-since")
        try:
            current = bool(ims) and parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            current = False
    if not current:
        return None
    kept = {k: v for k, v in (headers or validators(etag, last_modified)).items() if k.lower() in NOT_MODIFIED_HEADERS}
    return Response(status_code=304, headers=kept)


def validators(etag: str, last_modified: str) -> dict[str, str]:
    return {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "public, max-age=300"}


def conditional(request: Request, response: Response, variant: str) -> Response:
    """``response`` (a 200) with ETag and Last-Modified, or the 304 that replaces it."""
    etag, last_modified = page_etag(request, variant), request.app.state.site.last_modified
    response.headers.update(validators(etag, last_modified))
    return not_modified(request, etag, last_modified, response.headers) or response


def cached(request: Request, variant: str, make, vary: bool = True) -> Response:
    """``make()``'s response with ETag and Last-Modified, or a 304 without calling it.

    Only for responses that are always a 200 (``make`` cannot fail).
    """
    etag = page_etag(request, variant)
    last_modified = request.app.state.site.last_modified
    headers = validators(etag, last_modified) | ({"Vary": "Accept"} if vary else {})
    return not_modified(request, etag, last_modified, headers) or make(headers)


async def cached_async(request: Request, variant: str, make, vary: bool = True) -> Response:
    """``make()``'s response (it reads the store), with validators if it is a 200 or else as it is.

    ``make`` runs even when the request is conditional: whether the answer is a 200, and so may
    become a 304, is known only once the store has been read.
    """
    response = await make()
    if vary:
        response.headers["Vary"] = "Accept"
    return conditional(request, response, variant) if response.status_code == 200 else response


def chosen_format(request: Request, offers: tuple[str, ...], what: str) -> str | Response:
    """The format of ``what`` asked for by the path's extension (``.ttl``) or else by Accept,
    or the 404/406 error response that says which formats there are."""
    ext = request.path_params.get("ext")
    if ext is not None:
        fmt = neg.EXTENSIONS.get("." + ext)
        if fmt is None or fmt not in offers:
            known = ", ".join(neg.FORMAT_EXTENSIONS[f] for f in offers if f in neg.FORMAT_EXTENSIONS)
            return error(request, 404, f"no format `.{ext}` for {what}", f"use {known}")
        return fmt
    fmt = neg.negotiate(request.headers.get("accept"), offers, "graph")
    if fmt is None:
        media = ", ".join(neg.MEDIA_TYPES[f].split(";")[0] for f in offers if f in neg.MEDIA_TYPES)
        return error(request, 406, f"no acceptable format for {what}", f"accept one of: {media}")
    return fmt
