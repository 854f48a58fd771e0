"""Commands on what is published: ``publish``, ``release``, ``diff``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kg.cli.app import Context, main, pass_ctx, served_settings


@main.command()
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the site to: new, empty, or a site kg publish wrote (replaced as a whole).")
@click.option("--dist", type=click.Path(file_okay=False, path_type=Path),
              help="The build to publish (written by `kg build`); default: dist/ in the project folder.")
@click.option("--site-url", metavar="URL",
              help="Where the site will be hosted (https://opendata.example.jp/lgdx/): the pages link under its "
                   "path, the rules serve it there, and for a base under w3id.org the redirects to submit "
                   "there are written. Default: the IRIs' own site (the root of the host for w3id.org).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Processes rendering the resources' pages; default: one per core.")
@click.option("-v", "--verbose", is_flag=True,
              help="Print every stage with its count and rate, and the peak memory, even when not on a terminal.")
@pass_ctx
def publish(c: Context, out: Path, dist: Path | None, site_url: str | None, jobs: int | None, verbose: bool):
    """Write the build as a static site that any web server can host, without kg serve.

    \b
    Every resource's page (as kg serve shows it, without scripts) and its .ttl, .jsonld, .nt
    and .rdf under id/; the home page, class listings (one file per page of 100), ontology,
    catalogue, downloads, comparison and validation pages; a search over a prebuilt index
    (search.json, run by a small script; without scripts the class listings lead to everything).
    Content negotiation: .htaccess for Apache, .server/nginx.conf for nginx, and with
    --site-url and a w3id.org base, .server/w3id.htaccess to submit to w3id.org. The site is
    written beside OUT and moved into place at the end: a failed run leaves OUT as it was.
    """
    from kg.progress import Progress, peak_memory_mib
    from kg.publish import publish as run

    started = time.perf_counter()
    settings = served_settings(c, dist, (), 10.0, 10_000)
    result = run(settings, out, site_url=site_url, jobs=jobs, progress=Progress.for_terminal(c.quiet, verbose))
    for iri, why in result.skipped[:10]:
        click.echo(f"warning: no page for <{iri}>: {why}", err=True)
    if len(result.skipped) > 10:
        click.echo(f"warning: {len(result.skipped) - 10} more resources without a page "
                   f"({out}/.server/published.json lists them)", err=True)
    c.log(f"published {result.resources:,} resources and {result.pages:,} pages ({result.files:,} files) to {out} "
          f"in {time.perf_counter() - started:.2f} s")
    if verbose:
        click.echo(f"peak memory {peak_memory_mib():,.0f} MiB", err=True)


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
