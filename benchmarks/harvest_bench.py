"""``kg harvest`` of many generated cities' published dists from local HTTP servers.

Each city is what ``kg build`` publishes, cut to what a harvest reads: ``kg.nt`` (the national
part and one generated municipality) and ``catalog.ttl`` (DCAT with size and SHA-256), written by
``kg.catalog`` under ``http://127.0.0.1:PORT/cityN/``. The cities are served by local HTTP
servers (one per core's worth of hosts, so that downloads overlap), harvested by ``kg harvest``
in a child process, and the time and peak memory compared with the least any harvest must do in
the same run: downloading every dump and loading it into a store.

    python benchmarks/harvest_bench.py --cities 100
    python benchmarks/harvest_bench.py --cities 1741 --hosts 4
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import resource
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pyoxigraph as ox
from rdflib import Graph

from kg.catalog import Dump, catalog_graph
from kg.export import serialize

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def generator():
    """The corpus generator beside this script (the tests may have imported it already)."""
    name = "kg_benchmark_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "generate.py")
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


def write_city(folder: Path, index: int, root: str, *, seed: int = 42, faults: int = 0) -> int:
    """One city's dist (``kg.nt``, ``catalog.ttl``) in ``folder``, published at ``{root}download/``;
    ``faults`` go to municipality 0 only."""
    gen = generator()
    if faults and index:
        raise ValueError("faults are placed in municipality 0")
    plan = gen.FaultPlan(faults, 1, seed)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "kg.nt", "w", encoding="utf-8", newline="\n") as out:
        w = gen.Writer(out)
        gen.write_vocabulary(w)
        gen.write_municipality(w, gen.Municipality(index, seed, plan.municipal.get(index)), plan.by_focus)
        w.flush()
    write_catalog(folder, root)
    return w.count


def write_catalog(folder: Path, root: str) -> None:
    """``catalog.ttl`` for the ``kg.nt`` in ``folder`` (again after a change to the dump)."""
    content = (folder / "kg.nt").read_bytes()
    graph = Graph().parse(data=content, format="nt")
    dumps = [Dump("kg.nt", "application/n-triples", content)]
    (folder / "catalog.ttl").write_bytes(serialize(catalog_graph(graph, dumps, base=f"{root}id/"), "ttl"))


class Quiet(SimpleHTTPRequestHandler):
    """Files of a folder, served as a city's web server would; no log lines."""

    extensions_map = {".nt": "application/n-triples", ".ttl": "text/turtle", "": "application/octet-stream"}

    def log_message(self, *args):
        pass


def serve(folder: Path) -> ThreadingHTTPServer:
    """A threaded file server for ``folder`` on a free 127.0.0.1 port, running until shut down."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/"


def prepare(out: Path, cities: int, hosts: int) -> tuple[list[ThreadingHTTPServer], list[str]]:
    """Serve ``cities`` dists from ``hosts`` servers (written once per size and kept); their catalogue URLs."""
    folders = [out / f"host{h}" for h in range(hosts)]
    servers = [serve(folder) for folder in folders]
    catalogs = []
    started = time.perf_counter()
    for i in range(cities):
        h = i % hosts
        root = f"{url_of(servers[h])}city{i + 1}/"
        folder = folders[h] / f"city{i + 1}" / "download"  # kg build's dist/, as a city publishes it
        marker = folder / "root.txt"
        if not marker.is_file() or marker.read_text() != root:  # ports change between runs
            if not (folder / "kg.nt").is_file():
                write_city(folder, i + 1, root)
            else:
                write_catalog(folder, root)
            marker.write_text(root)
        catalogs.append(f"{root}download/catalog.ttl")
    print(f"{cities} city dists ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return servers, catalogs


def baseline(catalogs: list[str]) -> float:
    """Seconds to download every dump (serially) and load each into a store: what any harvest does."""
    started = time.perf_counter()
    with httpx.Client() as client:
        for url in catalogs:
            body = client.get(url.replace("catalog.ttl", "kg.nt")).content
            hashlib.sha256(body).hexdigest()
            ox.Store().bulk_load(body, format=ox.RdfFormat.N_TRIPLES)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cities", type=int, default=100)
    parser.add_argument("--hosts", type=int, default=4, help="local HTTP servers the cities are spread over")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "harvest")
    args = parser.parse_args(argv)
    out = args.out / f"cities-{args.cities}"
    servers, catalogs = prepare(out, args.cities, args.hosts)
    listing = out / "catalogs.txt"
    listing.write_text("\n".join(catalogs) + "\n")
    try:
        base_s = baseline(catalogs)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "kg.cli", "--project", str(ROOT), "-q", "harvest", "--from",
                               str(listing), "-o", str(out / "result")], capture_output=True, text=True)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    finally:
        for server in servers:
            server.shutdown()
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return 1
    nq = out / "result" / "harvest.nq"
    size = nq.stat().st_size
    print(f"cities {args.cities}, hosts {args.hosts}, combined dump {size / 2**20:.0f} MiB")
    print(f"| run | seconds | peak RSS |\n|---|--:|--:|")
    print(f"| download + load every dump (baseline, serial, in-process) | {base_s:.1f} | |")
    print(f"| kg harvest (download, check, validate, write) | {seconds:.1f} | {max(peak, before) / 1024:.0f} MiB |")
    print(f"ratio harvest / baseline: {seconds / base_s:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
