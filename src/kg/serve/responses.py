"""Responses every view shares: rendered pages, errors in the client's format, caching, CORS."""

from __future__ import annotations

import hashlib
import json
from email.utils import parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kg.serve import negotiation as neg

CORS = [(b"access-control-allow-origin", b"*")]
PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, If-None-Match",
    "Access-Control-Max-Age": "86400",
}


class CorsMiddleware:
    """``Access-Control-Allow-Origin: *`` on every response, errors included; answers preflights.

    Plain ASGI rather than a ``BaseHTTPMiddleware``: it adds one header and copies nothing.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] == "OPTIONS":
            return await Response(status_code=204, headers=PREFLIGHT)(scope, receive, send)

        async def send_with_cors(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + CORS
            await send(message)

        await self.app(scope, receive, send_with_cors)


# --- pages --------------------------------------------------------------------

def render(request: Request, template: str | list[str], context: dict, status: int = 200,
           headers: dict | None = None) -> HTMLResponse:
    """A Jinja2 template rendered with the site's globals (autoescaped)."""
    env = request.app.state.templates
    if isinstance(template, str):
        page = env.get_template(template)
    else:  # the first that exists of a per-type template and its fallback, looked up once
        chosen, key = request.app.state.chosen_templates, tuple(template)
        page = chosen.get(key) or chosen.setdefault(key, env.select_template(template))
    html = page.render(request=request, site=request.app.state.site, **context)
    return HTMLResponse(html, status_code=status, headers=headers)


def error(request: Request, status: int, message: str, fix: str | None = None,
          headers: dict | None = None) -> Response:
    """An error as the client reads it best: an HTML page, JSON or plain text."""
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

def page_etag(request: Request, variant: str) -> str:
    """A weak validator for a generated page: the data's digest, the URL and the format."""
    scope = request.scope
    key = f"{request.app.state.site.digest}|{scope['path']}?{scope['query_string'].decode('latin-1')}|{variant}"
    return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:24] + '"'


def not_modified(request: Request, etag: str, last_modified: str) -> Response | None:
    """A 304 if the client's copy is current (If-None-Match, else If-Modified-Since)."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        if "*" in tags or etag.removeprefix("W/") in tags:
            return Response(status_code=304, headers=validators(etag, last_modified))
        return None
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            if parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims):
                return Response(status_code=304, headers=validators(etag, last_modified))
        except (TypeError, ValueError):
            return None
    return None


def validators(etag: str, last_modified: str) -> dict[str, str]:
    return {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "public, max-age=300"}


def cached(request: Request, variant: str, make, vary: bool = True) -> Response:
    """``make()``'s response with ETag and Last-Modified, or a 304 without calling it."""
    etag = page_etag(request, variant)
    last_modified = request.app.state.site.last_modified
    hit = not_modified(request, etag, last_modified)
    extra = {"Vary": "Accept"} if vary else {}
    if hit is not None:
        hit.headers.update(extra)
        return hit
    return make(validators(etag, last_modified) | extra)


async def cached_async(request: Request, variant: str, make, vary: bool = True) -> Response:
    """:func:`cached` for a ``make`` that must be awaited (it reads the store)."""
    etag = page_etag(request, variant)
    last_modified = request.app.state.site.last_modified
    extra = {"Vary": "Accept"} if vary else {}
    hit = not_modified(request, etag, last_modified)
    if hit is not None:
        hit.headers.update(extra)
        return hit
    response = await make()
    if response.status_code == 200:
        response.headers.update(validators(etag, last_modified) | extra)
    else:
        response.headers.update(extra)
    return response


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
