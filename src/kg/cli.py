"""The ``kg`` command: thin click commands over the plain functions of the package."""

from __future__ import annotations

import functools
import sys
import time
import warnings
from pathlib import Path

import click

from kg import limits
from kg.errors import EXIT_CANNOT_LOAD, EXIT_VIOLATIONS, KgError, LoadErrors


class Context:
    """What every command shares: the project folder and the instance base."""

    def __init__(self, project_dir: str | None, base: str, quiet: bool):
        self.project_dir = project_dir
        self.base = base
        self.quiet = quiet

    @property
    def project(self):
        from kg.project import Project

        return Project.find(self.project_dir)

    def in_project(self, path: Path | None, default: str) -> Path:
        """``path`` as given (relative to the current folder), or ``default`` inside the project."""
        return path if path is not None else self.project.root / default

    def log(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)


pass_ctx = click.make_pass_decorator(Context)


def base_from_env() -> str:
    """``kg.namespaces.base_from_env``, imported only when a command runs (rdflib is slow to import)."""
    from kg import namespaces

    return namespaces.base_from_env()


def fail(exc: KgError) -> None:
    """Print ``exc`` for people and exit with its code: loading errors in Japanese too."""
    from kg.messages import japanese

    if isinstance(exc, LoadErrors):
        from kg.report import load_report
        from kg.report import report_text

        click.echo(report_text(load_report(exc)), err=True, nl=False)
        sys.exit(exc.exit_code)
    click.echo(f"error: {exc}", err=True)
    if japanese(exc.message):
        where = f"{exc.where}: " if exc.where else ""
        fix = f"\n  直し方: {japanese(exc.fix) or exc.fix}" if exc.fix else ""
        click.echo(f"エラー: {where}{japanese(exc.message)}{fix}", err=True)
    sys.exit(exc.exit_code)


class Group(click.Group):
    """Turns the package's typed errors into messages and exit codes."""

    def invoke(self, ctx):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("default", limits.InputWarning)  # each once
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except KgError as exc:
            fail(exc)


def _show_warning(message, category, *_args, **_kwargs) -> None:
    if issubclass(category, limits.InputWarning):
        click.echo(f"warning: {message}", err=True)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, *_args[:2]))


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--project", "project_dir", metavar="DIR", envvar="KG_PROJECT",
              help="Project folder with data/, ontology/, shapes/ and queries/ (default: current folder).")
@click.option("--base", default=base_from_env, show_default="https://w3id.org/lgdx/id/", metavar="IRI",
              help="Instance base IRI under which every resource is published (or set KG_BASE).")
@click.option("-q", "--quiet", is_flag=True, help="Print no progress messages.")
@click.version_option(package_name="kg")
@click.pass_context
def main(ctx, project_dir, base, quiet):
    """Build, validate, query, export and serve a knowledge graph of local-government digital policy.

    \b
    Typical use:
      kg build                 validate data/ and write every dump to dist/
      kg validate              check data/ against the SHACL shapes
      kg queries               list the named queries
      kg query measures-by-status --format csv
      kg export --format ttl -o graph.ttl

    Exit codes: 0 success, 1 validation violations (or a round trip that lost triples),
    2 input that cannot be loaded, 3 a remote store that cannot be reached or fails.
    """
    ctx.obj = Context(project_dir, _checked_base(base), quiet)


def _checked_base(base: str) -> str:
    if not base.endswith(("/", "#")):
        raise click.BadParameter("the base IRI must end with / or #", param_hint="--base")
    return base


def _setter(attribute: str, check=lambda value: value):
    def store(ctx, _param, value):
        if value not in (None, False):
            setattr(ctx.find_object(Context), attribute, check(value))
    return store


def add_global_options(command: click.Command) -> None:
    """Let ``command`` take --project, --base and -q after its name as well (kg validate -q …)."""
    command.params += [
        click.Option(["--project", "project_dir"], metavar="DIR", expose_value=False, is_eager=True,
                     callback=_setter("project_dir"), help="Project folder (the same as `kg --project DIR COMMAND`)."),
        click.Option(["--base"], metavar="IRI", expose_value=False, is_eager=True,
                     callback=_setter("base", _checked_base), help="Instance base IRI (the same as `kg --base IRI COMMAND`)."),
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, is_eager=True,
                     callback=_setter("quiet"), help="Print no progress messages."),
    ]


def engine_option(default: str):
    """The ``--engine`` option, with the default that suits the command."""
    return click.option(
        "--engine", type=click.Choice(["pyshacl", "fast"]), default=default, show_default=True,
        help="SHACL engine: pySHACL (the reference), or the same shapes compiled to SPARQL on the "
             "embedded store (the same results, tested against pySHACL; far faster).")


class Size(click.ParamType):
    """A size in bytes, written as bytes or with K, M or G (binary units)."""

    name = "size"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return limits.parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def limit_options(command):
    """The ``--max-*`` options of the commands that read input files; the command runs under them."""
    default = limits.Limits()

    @functools.wraps(command)
    def run(*args, max_file_size: int, max_literal: int, max_depth: int, max_entries: int, **kwargs):
        held_to = limits.Limits(file_size=max_file_size, literal=max_literal, depth=max_depth, entries=max_entries)
        with limits.using(held_to):
            return command(*args, **kwargs)

    options = (
        click.option("--max-file-size", type=Size(), default=limits.size_text(default.file_size).replace(" ", ""),
                     show_default=True, metavar="SIZE", help="Largest input file read (e.g. 2G)."),
        click.option("--max-literal", type=Size(), default=limits.size_text(default.literal).replace(" ", ""),
                     show_default=True, metavar="SIZE",
                     help="Longest literal, string or N-Triples line in an input file."),
        click.option("--max-depth", type=click.IntRange(min=1), default=default.depth, show_default=True,
                     metavar="N", help="Deepest nesting of YAML, JSON-LD, XML or Turtle brackets."),
        click.option("--max-entries", type=click.IntRange(min=1), default=default.entries, show_default=True,
                     metavar="N", help="Most resources in one YAML file, or rows in one plan table."),
    )
    for option in reversed(options):
        run = option(run)
    return run


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
                           publisher=_resource_iri(publisher, c.base, "--publisher") if publisher else None)
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

    focus = [_resource_iri(f, c.base, "--focus") for f in foci]
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


def _resource_iri(text: str, base: str, option: str) -> str:
    """A resource named on the command line (by ``option``) as an IRI, a prefixed name or an id
    (``org/132209``)."""
    from kg.namespaces import PREFIXES

    if "://" in text:
        return text
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return str(PREFIXES[prefix]) + local
    if sep:
        raise click.BadParameter(f"unknown prefix {prefix!r}; use one of {', '.join(sorted(PREFIXES))} or a full IRI",
                                 param_hint=option)
    return base + text


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


def remote_options(command):
    """The options of every command that talks to a remote store: login and time limit."""
    options = (
        click.option("--user", metavar="NAME", help="Log in to the store as NAME."),
        click.option("--password-env", metavar="VAR",
                     help="Name of the environment variable that holds the password (never the password)."),
        click.option("--auth", type=click.Choice(["digest", "basic"]), default="digest", show_default=True,
                     help="HTTP authentication for --user (Virtuoso's -auth endpoints take digest)."),
        click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
                     metavar="SECONDS", help="Time limit of each request to a remote store."),
    )
    for option in reversed(options):
        command = option(command)
    return command


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
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's SPARQL endpoint, e.g. http://127.0.0.1:8890/sparql-auth.")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="The named graph to replace (required, except for an .nq/.trig file, whose graphs keep their names).")
@click.option("--data", "data_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The RDF file to push (.nt, .ttl, .jsonld, .rdf; or .nq/.trig such as harvest/harvest.nq, each "
                   "of its named graphs replaced in turn); default: dist/kg.nt in the project folder.")
@click.option("--method", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="Graph Store Protocol PUT/POST, or SPARQL Update (INSERT DATA) where no Graph Store is offered.")
@click.option("--gsp-endpoint", metavar="URL", help="The Graph Store endpoint, where the store's layout is unknown.")
@click.option("--update-endpoint", metavar="URL", help="The SPARQL Update endpoint, where it is not --endpoint.")
@click.option("--batch-size", type=click.IntRange(min=1), metavar="N",
              help="Triples per request (default: 20000 by gsp, 500 by update).")
@click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
              help="Retries of a request that failed for a passing reason (connection reset, HTTP 502/503/504).")
@remote_options
@pass_ctx
def push(c: Context, endpoint: str, graph_iri: str, data_file: Path | None, method: str, gsp_endpoint: str | None,
         update_endpoint: str | None, batch_size: int | None, retries: int, user: str | None,
         password_env: str | None, auth: str, timeout: float):
    """Replace a named graph of a SPARQL 1.1 store with the built graph, completely or not at all.

    \b
    The data goes in batches to a staging graph, is counted there, and only then replaces
    GRAPH; on any failure the staging graph is dropped and GRAPH is left as it was.
    Blank nodes travel as skolem IRIs (BASE genid/…) that `kg pull` turns back.
    The password is read from the environment variable named by --password-env.
    An N-Quads or TriG file (e.g. from `kg harvest`) replaces each of its named graphs in
    turn, each completely or not at all.
    """
    from kg import transfer
    from kg.ntriples import read_dataset, read_graph
    from kg.remote import Retry

    data_file = c.in_project(data_file, "dist/kg.nt")
    if not data_file.is_file():
        raise KgError(f"no file {data_file}", fix="run `kg build` first, or give --data FILE")
    named = data_file.suffix in (".nq", ".trig")
    if named == bool(graph_iri):
        raise click.UsageError("--graph names the graph of a triples file; an .nq/.trig file names its own graphs"
                               if named else "--graph IRI is required for a triples file")
    ep = remote_endpoint(endpoint, user, password_env, auth, timeout, update=update_endpoint, gsp=gsp_endpoint)
    graphs = read_dataset(data_file, c.base, skolem=True) if named else {
        graph_iri: read_graph(data_file, c.base, skolem=True)}
    options = dict(method=method, batch_size=batch_size, base=c.base,
                   retry=Retry(attempts=retries + 1, log=c.log))
    for name, graph in graphs.items():
        if c.quiet:
            result = transfer.push(ep, name, graph, **options)
        else:
            with click.progressbar(length=len(graph), label=f"pushing {len(graph)} triples",
                                   file=sys.stderr) as bar:
                result = transfer.push(ep, name, graph, progress=bar.update, **options)
        if result.warning:
            click.echo(f"warning: {result.warning}", err=True)
        c.log(f"replaced <{result.graph}> with {result.triples} triples in {result.batches} batch(es) "
              f"by {result.method} in {result.seconds:.1f} s")


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's SPARQL endpoint, e.g. http://127.0.0.1:8890/sparql.")
@click.option("--graph", "graph_iri", required=True, metavar="IRI", help="The named graph to read.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(["nt", "ttl"]), default="nt", show_default=True,
              help="N-Triples keeps each literal exactly as the store wrote it.")
@click.option("--method", type=click.Choice(["auto", "gsp", "construct"]), default="auto", show_default=True,
              help="Graph Store GET, or CONSTRUCT through the query endpoint (auto: GSP where known).")
@click.option("--gsp-endpoint", metavar="URL", help="The Graph Store endpoint, where the store's layout is unknown.")
@click.option("--check", "check_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="Compare what came back with FILE (e.g. the file pushed) and list every difference; "
                   "exit 1 if a triple is missing or unexpected.")
@click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
              help="Retries of a request that failed for a passing reason.")
@remote_options
@pass_ctx
def pull(c: Context, endpoint: str, graph_iri: str, output: Path | None, fmt: str, method: str,
         gsp_endpoint: str | None, check_file: Path | None, retries: int, user: str | None,
         password_env: str | None, auth: str, timeout: float):
    """Read a named graph back from a SPARQL 1.1 store, checked against the store's own count.

    With --check FILE the graph is compared with FILE: blank nodes by their surroundings, numbers
    and language tags by value. Values the store wrote differently are listed but pass; a missing
    or unexpected triple exits 1. Without -o, --check prints only the comparison.
    """
    import pyoxigraph as ox

    from kg import transfer
    from kg.build import write_file_atomically
    from kg.ntriples import read_graph
    from kg.remote import Retry
    from kg.roundtrip import RoundTripError, compare

    ep = remote_endpoint(endpoint, user, password_env, auth, timeout, gsp=gsp_endpoint)
    graph = transfer.pull(ep, graph_iri, method=method, base=c.base, retry=Retry(attempts=retries + 1, log=c.log))
    content = graph.serialize(ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.N_TRIPLES)
    if output is not None:
        write_file_atomically(output, content)
        c.log(f"wrote {len(graph)} triples of <{graph_iri}> to {output}")
    elif check_file is None:
        sys.stdout.buffer.write(content)
    if check_file is not None:
        diff = compare(read_graph(check_file, c.base), graph)
        click.echo(diff.text(), err=True, nl=False)
        if not diff.ok:
            raise RoundTripError(diff)


@main.command()
@click.argument("sources", nargs=-1, metavar="CATALOG_URL_OR_FILE...")
@click.option("--from", "source_list", type=click.File("r", encoding="utf-8"), metavar="FILE",
              help="Read more catalogue URLs or files from FILE, one a line (lines starting with # are comments).")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write, replaced as a whole when the harvest ends (default: harvest/ in the project).")
@click.option("--keep-last", is_flag=True,
              help="Keep a city that fails now at its last good version from the previous harvest in --out.")
@click.option("--max-size", type=click.IntRange(min=1), default=512, show_default=True, metavar="MIB",
              help="Largest dump to download, in MiB.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True, metavar="SECONDS",
              help="Longest time one download may take.")
@click.option("--allow-host", "allowed", multiple=True, metavar="URL",
              help="Let dumps come from this host (scheme://host[:port]) as well as from their catalogue's "
                   "(repeatable).")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Downloads at once.")
@engine_option("fast")
@pass_ctx
def harvest(c: Context, sources: tuple[str, ...], source_list, out: Path | None, keep_last: bool, max_size: int,
            timeout: float, allowed: tuple[str, ...], workers: int, engine: str):
    """Gather cities' published datasets from their DCAT catalogues, checked, one named graph each.

    \b
    Each catalogue (a URL, or a catalog.ttl on disk with its dumps beside it, as `kg build`
    writes) is read; each dataset's N-Triples (or Turtle) dump is downloaded, its size and
    SHA-256 checked against the catalogue, and validated with the project's shapes. Passing
    datasets go into OUT/harvest.nq, each in a named graph called by its download URL;
    OUT/catalog.ttl and OUT/harvest.json record what was harvested, when, from where and
    with what result. A city that fails is reported and left out (or kept, --keep-last).
    Exit 0 when every dataset was accepted, 1 when one was left out or kept.
    """
    from kg import harvest as h

    listed = [line.strip() for line in source_list] if source_list else []
    every = [*sources, *(line for line in listed if line and not line.startswith("#"))]
    if not every:
        raise click.UsageError("give at least one catalogue URL or file (or --from FILE)")
    project = c.project
    check = (lambda path: project.validate_rdf([path])) if engine == "fast" else (
        lambda path: project.validate(project.load([path]), "pyshacl"))
    limits = h.Limits(max_bytes=max_size * 2**20, timeout=timeout, allowed_hosts=frozenset(
        h.host(url) for url in allowed))
    result = h.harvest(every, out or project.root / "harvest", check, limits=limits, keep_last=keep_last,
                       workers=workers, progress=lambda o: c.log(h.outcome_line(o)))
    accepted = sum(o.status == h.ACCEPTED for o in result.outcomes)
    c.log(f"harvested {accepted} of {len(result.outcomes)} dataset(s), {result.triples} triples, "
          f"into {result.out / 'harvest.nq'}")
    if not result.complete:
        sys.exit(EXIT_VIOLATIONS)


def remote_endpoint(url: str, user: str | None, password_env: str | None, auth: str, timeout: float, **urls):
    """The remote store named by the options; the password comes from the environment only."""
    import os

    from kg.remote import endpoint

    if password_env and not user:
        raise click.UsageError("--password-env goes with --user")
    password = None
    if user:
        if not password_env:
            raise click.UsageError("--user needs --password-env VAR: the password is read from that variable")
        password = os.environ.get(password_env)
        if password is None:
            raise click.UsageError(f"the environment variable {password_env} (named by --password-env) is not set")
    return endpoint(url, user=user, password=password, auth=auth, timeout=timeout, **urls)


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


@main.command()
@click.argument("version")
@click.option("--dist", type=click.Path(file_okay=False, path_type=Path),
              help="The build to release (written by `kg build`); default: dist/ in the project folder.")
@click.option("--releases", type=click.Path(file_okay=False, path_type=Path),
              help="The folder of releases; default: release/ in the project folder.")
@pass_ctx
def release(c: Context, version: str, dist: Path | None, releases: Path | None):
    """Copy the build to RELEASES/VERSION, never to be written again, as release VERSION.

    \b
    The release's catalogue names the dataset's version (…/dataset/kg/VERSION: dcat:version,
    dcat:previousVersion the release before, dcterms:isVersionOf the dataset) and its downloads
    under release/VERSION/; changes.ttl (Changeset vocabulary) and changes.json list the
    resources added, removed and changed since the previous release; NOTES.md says so in
    Japanese and English. A version that exists is refused (exit 2).
    """
    from kg.release import release as make

    folder, changes = make(c.in_project(dist, "dist"), c.in_project(releases, "release"), version, c.base)
    what = "the first release" if changes is None else (
        f"{changes.count('added')} added, {changes.count('removed')} removed, {changes.count('changed')} changed")
    c.log(f"released {version} to {folder}: {what}")


@main.command(name="diff")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True,
              help="For people (text), programs (json) or RDF tools (Turtle, Changeset vocabulary).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
              help="Language shown first in the text.")
@pass_ctx
def diff_command(c: Context, old: Path, new: Path, fmt: str, lang: str):
    """What changed from OLD to NEW: resources added, removed and changed, with the properties changed.

    OLD and NEW are builds (dist/), releases (release/VERSION) or N-Triples files.
    """
    from kg.diff import diff, diff_json, diff_text, diff_turtle

    found = diff(old, new)
    if fmt == "json":
        click.echo(diff_json(found), nl=False)
    elif fmt == "ttl":
        sys.stdout.buffer.write(diff_turtle(found))
    else:
        click.echo(diff_text(found, lang, c.base), nl=False)


def served_options(max_results: int):
    """The options of the commands that answer queries on a dist folder: ``serve`` and ``mcp``."""
    def decorate(f):
        for option in reversed((
            click.option("--dist", type=click.Path(file_okay=False, path_type=Path),
                         help="Folder written by `kg build` (kg.nt, catalog.ttl, ontology.ttl …); default: dist/ "
                              "in the project folder."),
            click.option("--allow-service", "allowed", multiple=True, metavar="URL",
                         help="Let queries call this SPARQL endpoint with SERVICE (repeatable); none by default."),
            click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
                         metavar="SECONDS", help="Time limit of one query; a query past it is stopped."),
            click.option("--max-results", default=max_results, show_default=True, type=click.IntRange(min=1),
                         metavar="N", help="Most rows (SELECT) or triples (CONSTRUCT) one query may return."),
        )):
            f = option(f)
        return f
    return decorate


def served_settings(c: Context, dist: Path | None, allowed: tuple[str, ...], timeout: float, max_results: int,
                    **more):
    """The server settings for ``dist`` (the project's dist/ by default), with the project's named
    queries when there is a project."""
    from kg.errors import LoadError
    from kg.serve import Settings

    try:
        queries_dir = c.project.queries_dir
        dist = c.in_project(dist, "dist")
    except LoadError:
        queries_dir = None  # serving a dist folder outside a project: no named queries
        dist = dist or Path("dist")
    return Settings(dist=dist, queries_dir=queries_dir, allowed_services=frozenset(allowed),
                    timeout=timeout, max_results=max_results, **more)


@main.command()
@click.option("--code", required=True, metavar="CODE",
              help="The 6-digit local government code (全国地方公共団体コード) with its check digit, e.g. 141305.")
@click.option("--slug", metavar="SLUG", help="Folder and id prefix in data/ (lowercase ASCII; default city-CODE).")
@click.option("--name", "name_ja", metavar="NAME", help="The official Japanese name, e.g. 川崎市 (never looked up).")
@click.option("--name-en", metavar="NAME", help="The English name, e.g. \"Kawasaki City\".")
@pass_ctx
def init(c: Context, code: str, slug: str | None, name_ja: str | None, name_en: str | None):
    """Start a new city's folder in data/: city.yaml, sources.yaml, a plans.yaml to fill, open questions.

    The code's check digit is verified; the 法人番号, prefecture and e-Stat area follow from the code.
    Names are taken as given and listed in open-questions.yaml to be checked.
    """
    from kg.init import init_city

    result = init_city(c.project.data_dir, code, slug, name_ja, name_en)
    c.log(f"wrote {', '.join(result.files)} to {result.folder}; {result.questions} open question(s) to check")


@main.command("import")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plan", required=True, metavar="PLAN_ID", help="The plan the table's measures belong to (plan/SLUG).")
@click.option("--sheet", metavar="NAME", help="The workbook sheet to read (default: the first).")
@click.option("--encoding", metavar="ENC", help="Encoding of a .csv/.tsv (default: detect UTF-8 or Shift_JIS).")
@click.option("--columns", "columns", multiple=True, metavar="HEADING=COLUMN",
              help="Map a heading to a plan-table column (項番, 項目, 達成状況 … or a term name); repeatable.")
@pass_ctx
def import_(c: Context, table: Path, plan: str, sheet: str | None, encoding: str | None, columns: tuple[str, ...]):
    """Turn a measure table as a city published it (.xlsx, .csv, .tsv) into PLAN.measures.csv.

    The file goes beside the plan's definition, with PLAN.sources.yaml naming the table, row and
    cells of every measure. Status and direction words are mapped to the project's concepts by the
    plan's PLAN.import.yaml; an unmapped word, an empty or repeated 項番 and other unusable input stop
    the import with file:row:column and a fix (exit 2), and nothing is written.
    """
    from kg.importer import import_table

    started = time.perf_counter()
    result = import_table(c.project.data_dir, table, plan, sheet, encoding, list(columns), log=c.log)
    c.log(f"imported {result.measures} measures in {time.perf_counter() - started:.2f} s")


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


for _command in main.commands.values():
    add_global_options(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
