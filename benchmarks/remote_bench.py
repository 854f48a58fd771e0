"""Scale benchmark of kg.remote: push, pull and round trip of a large graph, and queries on a store.

Runs against a private Virtuoso started by scripts/virtuoso.sh (or a store given by --endpoint):

    .venv/bin/python benchmarks/remote_bench.py --triples 1000000

The graph is the synthetic corpus of benchmarks/generate.py (municipalities × 5 plans × ~20
measures, following the data contract), unless --data names another N-Triples file.
Prints a Markdown table; --json FILE writes the figures too.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from generate import generate as generate_corpus  # benchmarks/generate.py, beside this script
from kg import federation, ntriples, remote, roundtrip, transfer
from kg.namespaces import DEFAULT_BASE, PREFIXES

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "virtuoso.sh"
TRIPLES_PER_MUNICIPALITY = 1718  # what generate.py writes for one municipality (996,501 for 580)


def generate(path: Path, triples: int) -> int:
    """Write a corpus of about ``triples`` triples with the project's generator; return its size."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        count, _ = generate_corpus(max(1, math.ceil(triples / TRIPLES_PER_MUNICIPALITY)), out)
    return count


def bench_queries() -> dict[str, str]:
    """The timed queries, on the synthetic graph's shape."""
    p = {k: str(v) for k, v in PREFIXES.items()}
    prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in p.items() if k in ("lgdx", "rdfs", "dcterms", "id"))
    return {
        "group by status per government": prologue + """SELECT ?lg ?status (COUNT(?m) AS ?n) WHERE {
  ?m lgdx:achievementStatus ?status ; lgdx:partOf ?plan . ?plan dcterms:publisher ?lg } GROUP BY ?lg ?status""",
        "3-hop join, one government": prologue + """SELECT ?m ?label WHERE {
  ?lg lgdx:localGovernmentCode "012017" . ?plan dcterms:publisher ?lg .
  ?m lgdx:partOf ?plan ; rdfs:label ?label FILTER (lang(?label) = "ja") }""",
        "CONTAINS on Japanese labels": prologue + """SELECT (COUNT(*) AS ?n) WHERE {
  ?m rdfs:label ?label FILTER (CONTAINS(?label, "システム")) }""",
        "CONSTRUCT one entity": prologue + f"""CONSTRUCT {{ ?m ?p ?o }} WHERE {{
  VALUES ?m {{ <{DEFAULT_BASE}measure/higashihigashi-012017-it-plan-1-01> }} ?m ?p ?o }}""",
    }


def materialise(result) -> int:
    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)


def median_ms(action, repeat: int = 3) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = materialise(action())
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), size


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_virtuoso(root: Path) -> tuple[dict[str, str], str]:
    env = dict(os.environ, VIRTUOSO_ROOT=str(root), VIRTUOSO_HTTP_PORT=str(free_port()),
               VIRTUOSO_SQL_PORT=str(free_port()), VIRTUOSO_DBA_PASSWORD=secrets.token_urlsafe(12))
    subprocess.run(["bash", str(SCRIPT), "start"], env=env, check=True)
    return env, f"http://127.0.0.1:{env['VIRTUOSO_HTTP_PORT']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph")
    parser.add_argument("--data", type=Path, help="push this N-Triples file instead of a synthetic graph")
    parser.add_argument("--update-triples", type=int, default=100_000,
                        help="how many triples to push by SPARQL Update too (0: none)")
    parser.add_argument("--endpoint", help="an existing store's query URL (else a private Virtuoso is started)")
    parser.add_argument("--user", default="dba")
    parser.add_argument("--password-env", help="variable holding the password for --endpoint")
    parser.add_argument("--json", type=Path, help="write the figures to this file as JSON")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="kg-remote-bench-"))
    figures: dict[str, object] = {}
    env = None
    try:
        if args.data:
            data = args.data
        else:
            data = work / "synthetic.nt"
            started = time.perf_counter()
            lines = generate(data, args.triples)
            figures["generate_s"] = round(time.perf_counter() - started, 2)
            print(f"generated {lines} triples in {figures['generate_s']} s", file=sys.stderr)
        if args.endpoint:
            password = os.environ.get(args.password_env) if args.password_env else None
            ep = remote.endpoint(args.endpoint, user=args.user if password else None, password=password, timeout=600)
        else:
            started = time.perf_counter()
            env, url = start_virtuoso(work / "virtuoso")
            figures["virtuoso_start_s"] = round(time.perf_counter() - started, 2)
            ep = remote.endpoint(url + "/sparql-auth", user="dba", password=env["VIRTUOSO_DBA_PASSWORD"],
                                 timeout=600)
        graph = f"{DEFAULT_BASE}dataset/bench"

        started = time.perf_counter()
        sent = ntriples.read_graph(data, skolem=True)
        figures["triples"] = len(sent)
        figures["read_and_skolemise_s"] = round(time.perf_counter() - started, 2)

        for run in ("new", "replace"):  # into a new graph, then over the graph it made
            result = transfer.push(ep, graph, sent, method="gsp")
            figures[f"push_gsp_{run}_s"] = round(result.seconds, 2)
            figures[f"push_gsp_{run}_phases_s"] = {k: round(v, 2) for k, v in result.phases.items()}
            figures[f"push_gsp_{run}_triples_per_s"] = round(len(sent) / result.seconds)
            figures[f"push_gsp_{run}_send_triples_per_s"] = round(len(sent) / result.phases["send"])
            print(f"pushed {len(sent)} triples by GSP ({run} graph) in {result.seconds:.1f} s", file=sys.stderr)
        figures["push_gsp_batches"] = result.batches
        figures["push_gsp_with_read_triples_per_s"] = round(
            len(sent) / (result.seconds + figures["read_and_skolemise_s"]))

        started = time.perf_counter()
        back = transfer.pull(ep, graph)
        figures["pull_gsp_s"] = round(time.perf_counter() - started, 2)
        figures["pull_gsp_triples_per_s"] = round(len(back) / figures["pull_gsp_s"])

        started = time.perf_counter()
        diff = roundtrip.compare(ntriples.read_graph(data), back)
        figures["compare_s"] = round(time.perf_counter() - started, 2)
        figures["round_trip"] = diff.summary()
        figures["round_trip_ok"] = diff.ok
        figures["round_trip_rewritten_examples"] = [list(pair) for pair in diff.rewritten[:3]]
        print(diff.text()[:2000], file=sys.stderr)

        if args.update_triples:
            subset = ntriples.NTriples(sent.lines[:args.update_triples])
            result_u = transfer.push(ep, graph + "-update", subset, method="update")
            figures["push_update_triples"] = len(subset)
            figures["push_update_s"] = round(result_u.seconds, 2)
            figures["push_update_triples_per_s"] = round(len(subset) / result_u.seconds)
            back_u = transfer.pull(ep, graph + "-update")
            diff_u = roundtrip.compare(ntriples.deskolemize(subset), back_u)
            figures["round_trip_update"] = diff_u.summary()
            figures["round_trip_update_ok"] = diff_u.ok

        store = ox.Store()
        started = time.perf_counter()
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
        figures["pyoxigraph_load_s"] = round(time.perf_counter() - started, 2)
        rows = []
        for name, text in bench_queries().items():
            remote_ms, remote_n = median_ms(lambda: federation.query_remote(ep, text, graph=graph))
            local_ms, local_n = median_ms(lambda: store.query(text))
            rows.append({"query": name, "store_ms": round(remote_ms, 1), "pyoxigraph_ms": round(local_ms, 1),
                         "rows_store": remote_n, "rows_pyoxigraph": local_n})
        figures["queries"] = rows
    finally:
        if env is not None:
            subprocess.run(["bash", str(SCRIPT), "stop"], env=env, check=False)
        subprocess.run(["rm", "-rf", str(work)], check=False)

    print("| figure | value |\n|---|--:|")
    for key, value in figures.items():
        if key != "queries":
            print(f"| {key} | {value} |")
    print("\n| query | store (ms) | pyoxigraph (ms) | rows store / pyoxigraph |\n|---|--:|--:|--:|")
    for row in figures.get("queries", []):
        print(f"| {row['query']} | {row['store_ms']} | {row['pyoxigraph_ms']} | "
              f"{row['rows_store']} / {row['rows_pyoxigraph']} |")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
