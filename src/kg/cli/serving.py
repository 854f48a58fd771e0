"""Commands that serve the graph: ``serve``, ``mcp``."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.app import Context, main, pass_ctx, served_options, served_settings


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@served_options(max_results=10_000)
@click.option("--store", metavar="URL", help="Read the graph from this remote SPARQL endpoint (e.g. Virtuoso's "
              "/sparql holding harvested graphs) instead of loading kg.nt; --dist gives the ontology and catalogue.")
@click.option("--store-graph", "store_graphs", multiple=True, metavar="IRI",
              help="With --store: read these named graphs as the default graph (repeatable; default: the store's "
                   "own default graph, which on Virtuoso is every graph).")
@pass_ctx
def serve(c: Context, host: str, port: int, dist: Path | None, allowed: tuple[str, ...], timeout: float,
          max_results: int, store: str | None, store_graphs: tuple[str, ...]):
    """Serve the built graph: linked-data pages, a read-only SPARQL endpoint, dumps and catalogue.

    A query past --timeout is stopped and answered 503. With --store URL the same pages,
    dereferencing and /sparql (with the same checks and limits) read a remote SPARQL store
    instead of the embedded one, for graphs past one machine's memory.
    """
    from kg.serve import serve as run_server

    if store_graphs and not store:
        raise click.UsageError("--store-graph goes with --store")
    if store:
        from kg.remote import check_url

        check_url(store, "--store")
    settings = served_settings(c, dist, allowed, timeout, max_results, store=store, store_graphs=store_graphs)
    run_server(settings, host, port, log=c.log)

@main.command()
@click.option("--port", type=click.IntRange(1, 65535), metavar="PORT",
              help="Answer over streamable HTTP at http://HOST:PORT/mcp instead of stdin/stdout.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on with --port.")
@served_options(max_results=1_000)
@pass_ctx
def mcp(c: Context, port: int | None, host: str, dist: Path | None, allowed: tuple[str, ...], timeout: float,
        max_results: int):
    """Answer AI assistants over the Model Context Protocol: find, describe, query, validate.

    \b
    Without --port the server talks to one client on stdin/stdout (the client starts it);
    with --port it serves any number of clients over streamable HTTP, on 127.0.0.1 unless
    --host says otherwise. Queries run in worker processes within --timeout and --max-results.
    """
    from kg.mcp import run

    run(served_settings(c, dist, allowed, timeout, max_results, workers=2), port, host, log=c.log)
