"""The pages of ``kg serve``, rendered in this process without serving them.

The server's own application answers each request, with the store held here instead of in
query workers, so that a published page is the page the server would send: the same views,
templates and charts, in the static mode of the templates (no links to what only a server
answers).
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import unquote

from kg.serve import fetch
from kg.serve.app import create_app
from kg.serve.config import Settings
from kg.serve.pool import LocalPool
from kg.serve.results import graph_bytes
from kg.serve.site import Site


#: A link of a page to a path of its own site (``href="/class"``; not ``//host/…``).
_SITE_LINK = re.compile(rb'(\s(?:href|src|action)=")/(?!/)')


class Renderer:
    """Requests answered by the server's application over ``data`` (the store of ``site``'s dump).

    A site hosted under a path (``https://example.jp/lgdx/``) has ``prefix`` ``/lgdx``: the pages'
    links to their own site are written under it.
    """

    def __init__(self, site: Site, data: fetch.Data, settings: Settings, prefix: str = ""):
        self.site = site
        self.data = data
        self.link_prefix = prefix.encode() + b"/"
        self.app = create_app(dataclasses.replace(settings, static=True), site)
        self.app.state.pool = LocalPool(data)

    async def get(self, path: str, accept: str = "text/html") -> tuple[int, bytes]:
        """The status and body of ``GET path`` (percent-encoded, with its query if any)."""
        raw, _, query = path.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "https", "path": unquote(raw), "raw_path": raw.encode(), "root_path": "",
                 "query_string": query.encode(), "server": ("localhost", 443), "client": ("127.0.0.1", 0),
                 "headers": [(b"host", b"localhost"), (b"accept", accept.encode())], "app": self.app}
        status, body = 0, []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        await self.app(scope, receive, send)
        page = b"".join(body)
        if self.link_prefix != b"/" and page.startswith(b"<!doctype html>"):
            page = _SITE_LINK.sub(lambda m: m.group(1) + self.link_prefix, page)
        return status, page

    def describe(self, iri: str, formats) -> dict[str, bytes]:
        """The triples about ``iri`` in each of ``formats``, as the server sends them at ``/id/…``
        with that format (read from the store once)."""
        _, triples = fetch.description(self.data, [iri])
        return {fmt: graph_bytes(triples, fmt, len(triples), self.data.turtle_prefixes) for fmt in formats}
