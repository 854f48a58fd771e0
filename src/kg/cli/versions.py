"""Commands on published versions: ``release``, ``diff``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.app import Context, main, pass_ctx


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
