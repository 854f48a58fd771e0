"""``kg mcp``: the graph for AI assistants over the Model Context Protocol (stdio or streamable HTTP)."""

from __future__ import annotations

from kg.serve.config import Settings


def run(settings: Settings, port: int | None = None, host: str = "127.0.0.1", log=None) -> None:
    """Serve ``settings.dist`` to MCP clients: on stdin/stdout, or over HTTP when ``port`` is given."""
    from kg.mcp.backend import Backend
    from kg.mcp.server import run_http, run_stdio

    backend = Backend(settings)
    if port is None:
        run_stdio(backend)
    else:
        run_http(backend, host, port, log)
