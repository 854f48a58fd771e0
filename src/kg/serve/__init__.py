"""``kg serve``: the built graph as linked data, pages and a SPARQL endpoint."""

from __future__ import annotations

import socket
import sys

from kg.errors import KgError
from kg.serve.config import Settings


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, log=None) -> None:
    """Serve ``settings.dist`` on ``host:port`` until interrupted (port 0: any free port)."""
    import uvicorn

    from kg.serve.app import create_app

    app = create_app(settings)
    site = app.state.site
    sock = listen(host, port)
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    say = log or (lambda message: print(message, file=sys.stderr))
    source = f"the store at {settings.store}" if settings.store else site.dist
    say(f"serving {source} (instance base {site.base}) at http://{shown}:{port}/ "
        f"- SPARQL at /sparql, {settings.workers} query workers, "
        f"limits {settings.timeout:g} s and {settings.max_results:,} results")
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, so that the port actually bound can be told."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror}",
                      fix="choose another --port (0 takes any free one) or --host") from None
    return sock


__all__ = ["Settings", "listen", "serve"]
