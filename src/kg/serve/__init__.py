"""``kg serve``: the built graph as linked data, pages and a SPARQL endpoint."""

from __future__ import annotations

import sys

from kg.serve.config import Settings


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, log=None) -> None:
    """Serve ``settings.dist`` on ``host:port`` until interrupted."""
    import uvicorn

    from kg.serve.app import create_app

    app = create_app(settings)
    site = app.state.site
    say = log or (lambda message: print(message, file=sys.stderr))
    source = f"the store at {settings.store}" if settings.store else site.dist
    say(f"serving {source} (instance base {site.base}) at http://{host}:{port}/ "
        f"- SPARQL at /sparql, {settings.workers} query workers, "
        f"limits {settings.timeout:g} s and {settings.max_results:,} results")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=5)


__all__ = ["Settings", "serve"]
