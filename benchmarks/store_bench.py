"""``kg serve --store`` over a private Virtuoso holding a generated corpus (3M triples: every municipality).

The corpus (``generate.py``) is pushed once into a named graph of a private Virtuoso
(``scripts/virtuoso.sh``, its database kept under ``benchmarks/out/``); ``kg serve --store`` reads
it, with the ontology and catalogue of a seed build. 8 clients (``ab``) then ask for an entity
page (HTML) and a SELECT … LIMIT 10 through ``/sparql``; the same SELECT sent to Virtuoso's own
endpoint in the same run is the baseline, the least a proxy in front of it can cost.

    python benchmarks/store_bench.py                       # 1,741 municipalities, about 3.9M triples
    python benchmarks/store_bench.py --municipalities 58   # a quick run
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import serve_bench as sb  # noqa: E402 - the server helpers and the ab client

from kg import remote, transfer  # noqa: E402
from kg.ntriples import read_graph  # noqa: E402

GRAPH = "https://w3id.org/lgdx/id/dataset/store-bench"
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"


def corpus(municipalities: int) -> Path:
    path = HERE / "out" / "corpora" / f"corpus-{municipalities}.nt"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--municipalities", str(municipalities),
                        "--out", str(path)], check=True)
    return path


def virtuoso(env: dict, action: str) -> str:
    done = subprocess.run(["bash", str(ROOT / "scripts" / "virtuoso.sh"), action], env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode not in (0, 3):
        raise SystemExit(f"virtuoso.sh {action}: {done.stderr}")
    return done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=1741)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    data = corpus(args.municipalities)
    env = dict(os.environ, VIRTUOSO_ROOT=str(HERE / "out" / "virtuoso-store"), VIRTUOSO_HTTP_PORT="28990",
               VIRTUOSO_SQL_PORT="21211", VIRTUOSO_BUFFERS="200000", VIRTUOSO_DBA_PASSWORD="dba")
    virtuoso(env, "start")
    url = "http://127.0.0.1:28990"
    server = None
    try:
        ep = remote.endpoint(f"{url}/sparql-auth", user="dba", password="dba", timeout=600)
        graph = read_graph(data, skolem=True)
        with remote.connect(ep) as client:
            held = remote.count(client, ep, GRAPH)
        if held != len(graph):
            print(f"pushing {len(graph):,} triples into Virtuoso …", file=sys.stderr)
            result = transfer.push(ep, GRAPH, graph)
            print(f"pushed in {result.seconds:.0f} s", file=sys.stderr)
        del graph
        dist = Path(tempfile.mkdtemp(prefix="kg-store-bench-")) / "dist"
        subprocess.run([sys.executable, "-m", "kg.cli", "-q", "--project", str(ROOT), "build", "--out", str(dist)],
                       check=True)
        port = sb.free_port()
        server = subprocess.Popen([sys.executable, "-m", "kg.cli", "-q", "serve", "--dist", str(dist), "--port",
                                   str(port), "--store", f"{url}/sparql", "--store-graph", GRAPH],
                                  stderr=subprocess.DEVNULL)
        startup = sb.wait_until_up(f"http://127.0.0.1:{port}/", server, "text/html", limit=600)
        entity = f"http://127.0.0.1:{port}/id/org/{first_code(url)}"
        ours_select = f"http://127.0.0.1:{port}/sparql?query={quote(SELECT)}"
        theirs_select = f"{url}/sparql?default-graph-uri={quote(GRAPH)}&query={quote(SELECT)}"
        json = "application/sparql-results+json"
        for target, accept in ((entity, "text/html"), (ours_select, json), (theirs_select, json)):
            sb.run_ab(target, accept, 100, args.concurrency)  # warm-up
        runs = {"page": [], "ours": [], "theirs": []}
        for _ in range(args.rounds):
            runs["page"].append(sb.run_ab(entity, "text/html", args.requests // 4, args.concurrency))
            runs["ours"].append(sb.run_ab(ours_select, json, args.requests, args.concurrency))
            runs["theirs"].append(sb.run_ab(theirs_select, json, args.requests, args.concurrency))
    finally:
        if server is not None:
            sb.stop(server)
        virtuoso(env, "stop")
    page, ours, theirs = (sb.median_run(runs[k]) for k in ("page", "ours", "theirs"))
    print(f"\nkg serve --store over Virtuoso, {args.municipalities} municipalities ({data.name}), "
          f"{args.concurrency} clients (ab), median of {args.rounds} rounds; start-up {startup:.1f} s\n")
    print("| request | req/s | p50 ms | p99 ms | target |\n|---|--:|--:|--:|--:|")
    print(f"| entity page (HTML) | {page.rps:,.0f} | {page.p50:.0f} | {page.p99:.0f} | p50 ≤ 50 ms "
          f"{'ok' if page.p50 <= 50 and not page.failed else 'MISSED'} |")
    print(f"| SELECT LIMIT 10 through kg serve | {ours.rps:,.0f} | {ours.p50:.0f} | {ours.p99:.0f} | ≥ 1,000 req/s "
          f"{'ok' if ours.rps >= 1000 and not ours.failed else 'MISSED'} |")
    print(f"| SELECT LIMIT 10 straight to Virtuoso (baseline) | {theirs.rps:,.0f} | {theirs.p50:.0f} | "
          f"{theirs.p99:.0f} | |")
    print(f"\nkg serve --store / Virtuoso alone: {ours.rps / theirs.rps:.2f}×")
    return 0


def first_code(url: str) -> str:
    """The local government code of a municipality in the store (its page is the entity page measured)."""
    rows = remote.sparql_request(remote.endpoint(f"{url}/sparql"), f"""SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{
        ?o a <https://w3id.org/lgdx/ontology#LocalGovernment> }} }} LIMIT 1""")
    return next(iter(rows))["o"].value.rsplit("/", 1)[1]


if __name__ == "__main__":
    sys.exit(main())
