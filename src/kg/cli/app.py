"""The ``kg`` group: its context, global options, error handling, and the options commands share."""

from __future__ import annotations

import functools
import sys
import warnings
from pathlib import Path

import click

from kg import limits
from kg.errors import KgError, LoadErrors


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

def resource_iri(text: str, base: str, option: str) -> str:
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
