"""Commands on the project's data: ``build``, ``validate``, ``queries``, ``query``, ``export``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kg.cli.app import (Context, engine_option, fail, limit_options, main, pass_ctx, remote_endpoint,
                        remote_options, resource_iri)
from kg.errors import EXIT_CANNOT_LOAD, EXIT_VIOLATIONS


@main.command()
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the published files to (replaced as a whole); default: dist/ in the "
                   "project folder, wherever kg is run from.")
@engine_option("fast")
@click.option("-v", "--verbose", is_flag=True,
              help="Print every stage with its count and rate, and the peak memory, even when not on a terminal.")
@click.option("--publisher", metavar="IRI", envvar="KG_PUBLISHER",
              help="The organisation publishing the build, named in the catalogue as its publisher (DCAT-AP "
                   "portals require one): an IRI, a prefixed name or an id (org/132209); default: the "
                   "local government of the data when it holds one city, else none.")
@limit_options
@pass_ctx
def build(c: Context, out: Path | None, engine: str, verbose: bool, publisher: str | None):
    """Validate the data and write the dumps, context, frames, ontology, shapes and catalogue.

    On a terminal each stage prints a line with its count and rate (-q: none). On any
    violation the report is printed, the command exits 1 and OUT is left as it was.
    """
    from kg.build import build as run_build
    from kg.errors import ViolationsError
    from kg.progress import Progress, peak_memory_mib

    started = time.perf_counter()
    progress = Progress.for_terminal(c.quiet, verbose)
    try:
        result = run_build(c.project, c.in_project(out, "dist"), c.base, log=c.log, engine=engine,
                           progress=progress,
                           publisher=resource_iri(publisher, c.base, "--publisher") if publisher else None)
    except ViolationsError as exc:
        from kg.report import failure_text

        click.echo(failure_text(exc.report, verbose=verbose), err=True, nl=False)
        fail(exc)
    if result.report.warnings:
        c.log(f"{len(result.report.warnings)} warning(s): `kg validate` shows them")
    c.log(f"built {result.triples} triples into {result.out} in {time.perf_counter() - started:.2f} s")
    if verbose:
        click.echo(f"peak memory {peak_memory_mib():,.0f} MiB", err=True)

@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True,
              help="Report for people (text), programs (json) or RDF tools (a SHACL report in Turtle).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
              help="Language shown first in the text report.")
@click.option("--focus", "foci", multiple=True, metavar="IRI",
              help="Report only this resource's findings (repeatable): a full IRI, a prefixed name "
                   "(lgdx:…) or an id as data/ writes it (org/132209).")
@engine_option("pyshacl")
@limit_options
@pass_ctx
def validate(c: Context, files: tuple[Path, ...], fmt: str, lang: str, foci: tuple[str, ...], engine: str):
    """Check data against the project's SHACL shapes and identifier rules.

    With no FILES, the project's data/ is checked. FILES may be data files
    (.yaml, .measures.csv): each is checked together with the rest of the project (its
    references to other files resolve) and only its own problems are reported. FILES may
    also be RDF files (.ttl, .nt, .jsonld, .rdf), checked alone, so that another
    municipality can check its own dump. Every loading error of all files is reported at
    once, in the chosen --format. Exit 0 conforms, 1 violations, 2 cannot load.
    With --engine fast and only RDF FILES, the files go straight into the embedded store:
    the way to check a dump of a million triples.
    """
    from kg.check import check
    from kg.report import report_graph, report_json, report_text

    focus = [resource_iri(f, c.base, "--focus") for f in foci]
    report = check(c.project, list(files), engine, log=c.log)
    if focus:
        report = report.about(focus)
    if fmt == "json":
        click.echo(report_json(report), nl=False)
    elif fmt == "ttl":
        click.echo(report_graph(report).serialize(format="turtle"), nl=False)
    else:
        click.echo(report_text(report, lang), nl=False)
    if report.errors:
        sys.exit(EXIT_CANNOT_LOAD)
    sys.exit(0 if report.conforms else EXIT_VIOLATIONS)

@main.command()
@pass_ctx
def queries(c: Context):
    """List the named queries with their titles and parameters."""
    from kg.query import named_queries

    for q in named_queries(c.project.queries_dir).values():
        click.echo(f"{q.name}\n  {q.title}\n  {q.title_en}")
        for p in q.params:
            default = f" = {p.default}" if p.default else " (required)"
            click.echo(f"    --param {p.name}=<{p.type}>{default}  {p.text}")

@main.command()
@click.argument("query", required=False, metavar="NAME|FILE")
@click.option("-e", "--expression", metavar="QUERY", help="Run this SPARQL text instead of a named query.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter of the named query (repeatable); values become RDF terms.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld", "rdfxml"]),
              help="table for people; csv/tsv/json/xml for SELECT; ttl/nt/jsonld/rdfxml for CONSTRUCT.")
@click.option("--data", "data_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Query this RDF file (e.g. dist/kg.nt) instead of the project's data.")
@click.option("--endpoint", metavar="URL", help="Run the query on this remote SPARQL endpoint instead.")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="With --endpoint: the named graph to query as the default graph (e.g. the one pushed).")
@click.option("--allow-service", "allowed", multiple=True, metavar="URL",
              help="Let the query call this SPARQL endpoint with SERVICE (repeatable); none by default.")
@click.option("--service-map", "service_map", multiple=True, metavar="URL=URL",
              help="Send the SERVICE calls to the first endpoint to the second, a stand-in (repeatable).")
@remote_options
@pass_ctx
def query(c: Context, query: str | None, expression: str | None, params: tuple[str, ...], fmt: str,
          data_file: Path | None, endpoint: str | None, graph_iri: str | None, allowed: tuple[str, ...],
          service_map: tuple[str, ...], user: str | None, password_env: str | None, auth: str, timeout: float):
    """Run a named query, a .rq file or -e QUERY on the graph and print the result.

    With --endpoint the query runs on a remote store (parameters are sent as a VALUES block).
    SERVICE calls are made by kg itself, only to the endpoints given by --allow-service.
    """
    from kg import federation
    from kg import query as q
    from kg.namespaces import DEFAULT_BASE

    if bool(query) == bool(expression):
        raise click.UsageError("give either a query NAME|FILE or -e QUERY")
    given = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"`{item}` is not NAME=VALUE", param_hint="--param")
        given[name] = value
    if expression:
        if given:
            raise click.UsageError("--param binds parameters of named queries, not of -e")
        text, bindings = expression, {}
    else:
        named = q.find_query(c.project.queries_dir, query)
        # a remote store holds the published graph, whose IRIs are under the base in force
        text, bindings = named.text, q.bind_params(named, given, c.base if endpoint else DEFAULT_BASE)
    services = federation.Services(frozenset(allowed), federation.parse_service_map(service_map), timeout)
    if endpoint:
        if data_file:
            raise click.UsageError("--data and --endpoint exclude each other")
        ep = remote_endpoint(endpoint, user, password_env, auth, timeout)
        result = federation.query_remote(ep, text, bindings, graph=graph_iri, services=services)
    else:
        if graph_iri or user:
            raise click.UsageError("--graph and --user go with --endpoint")
        store = c.project.store([data_file] if data_file else None, keep_written=False).store
        for warning in q.absent_iris(named, bindings, store) if query else ():
            click.echo(f"warning: {warning}", err=True)
        result = federation.query_local(store, text, bindings, services=services)
    click.echo(q.format_result(result, fmt), nl=False)

@main.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "nq", "rdfxml"]), default="ttl",
              show_default=True, help="Serialisation of the dump.")
@click.option("--frame", metavar="CLASS", help="With --format jsonld: a framed dump of one class "
              "(measure, law, plan …), plain JSON for web developers.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output.")
@click.option("--profile", default="lgdx", show_default=True, metavar="NAME",
              help="The vocabulary to answer in: lgdx (the project's own), eli (laws), schema (schema.org) "
                   "or imi (the IMI core vocabulary); only the resources the profile applies to are written.")
@pass_ctx
def export(c: Context, fmt: str, frame: str | None, output: Path | None, profile: str):
    """Print or write the whole graph in one serialisation (without validating it)."""
    from kg import profiles
    from kg.build import write_file_atomically
    from kg.export import dump, framed
    from kg.namespaces import rebase

    if frame and fmt != "jsonld":
        raise click.UsageError("--frame needs --format jsonld")
    chosen = profiles.named(profile)
    if frame and chosen.vocabulary is not None:
        raise click.UsageError("--frame frames the project's own vocabulary: leave out --profile")
    project = c.project
    if frame:
        content = framed(project, frame, c.base)
    elif chosen.vocabulary is None:  # the project's own vocabulary: straight from the store
        content = dump(project, fmt, c.base)
    else:
        graph = rebase(project.load().graph, c.base)
        content = profiles.serialize(profiles.graph_view(chosen, graph, project.ontology), fmt, chosen, c.base)
    if output is None:
        sys.stdout.buffer.write(content)
    else:
        write_file_atomically(output, content)
        c.log(f"wrote {len(content)} bytes to {output}")
