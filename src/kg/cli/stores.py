"""Commands between the graph and remote stores: ``push``, ``pull``, ``harvest``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.app import Context, engine_option, main, pass_ctx, remote_endpoint, remote_options
from kg.errors import EXIT_VIOLATIONS, KgError


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
