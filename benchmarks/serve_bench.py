"""Throughput and latency of ``kg serve`` against rdflib-endpoint on the same data, same machine.

Both servers run on 127.0.0.1 under uvicorn; 8 concurrent clients (``ab`` when installed,
else an asyncio + httpx client) send each workload in turn, interleaved over several rounds;
the report gives the median round's requests/s, p50 and p99 for each, the ratio of the
medians, and the lowest and highest ratio of a single round.

    python benchmarks/serve_bench.py                  # on dist/ (built first if missing)
    python benchmarks/serve_bench.py --dist DIR --requests 4000 --rounds 5
    python benchmarks/serve_bench.py --startup-corpus benchmarks/out/corpora/corpus-1m.nt

Needs the ``bench`` extra (rdflib-endpoint): ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """PREFIX lgdx: <https://w3id.org/lgdx/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
ENTITY = "https://w3id.org/lgdx/id/org/132209"


@dataclass(frozen=True)
class Workload:
    """One kind of request: a query for both servers, or a page of ours against its query."""

    name: str
    query: str
    target: float  # required ratio of throughputs, ours / rdflib-endpoint
    our_path: str | None = None  # a page of ours instead of the query
    accept: str = "application/sparql-results+json"
    requests_share: float = 1.0
    our_accept: str | None = None  # what we ask ours for, when it differs (the page: HTML)


WORKLOADS = (
    Workload("simple SELECT (LIMIT 10)", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10", 3),
    Workload("GROUP BY over all measures", PREFIXES + """SELECT ?plan ?status (COUNT(?m) AS ?n) WHERE {
  ?m a lgdx:Measure ; lgdx:partOf ?plan . OPTIONAL { ?m lgdx:achievementStatus ?status }
} GROUP BY ?plan ?status ORDER BY ?plan ?status""", 10, requests_share=0.5),
    Workload("regex on Japanese labels", PREFIXES + """SELECT ?s ?label WHERE {
  ?s rdfs:label ?label FILTER (lang(?label) = "ja" && REGEX(?label, "システム|情報|計画"))
}""", 10, requests_share=0.5),
    Workload("3-hop join", PREFIXES + """SELECT ?measure ?plan ?org ?name WHERE {
  ?measure lgdx:partOf ?plan . ?plan dcterms:publisher ?org . ?org rdfs:label ?name
}""", 10, requests_share=0.5),
    # what an entity page shows: the resource's triples, the labels of what it links to, and
    # what links to it; rdflib-endpoint answers it as one CONSTRUCT, kg serve renders the page
    Workload("entity page", f"""CONSTRUCT {{ <{ENTITY}> ?p ?o . ?o ?lp ?ol . ?s ?ip <{ENTITY}> . ?s ?sp ?sl }}
WHERE {{ {{ <{ENTITY}> ?p ?o OPTIONAL {{ ?o ?lp ?ol FILTER (?lp = <http://www.w3.org/2000/01/rdf-schema#label>) }} }}
  UNION {{ ?s ?ip <{ENTITY}> OPTIONAL {{ ?s ?sp ?sl FILTER (?sp = <http://www.w3.org/2000/01/rdf-schema#label>) }} }} }}""",
             10, our_path="/id/org/132209", accept="text/turtle", requests_share=0.5, our_accept="text/html"),
)


@dataclass
class Run:
    """One measured run: throughput, latency percentiles, failures."""

    rps: float
    p50: float
    p99: float
    failed: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, accept: str = "*/*", limit: float = 120) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if process.poll() is not None:
            raise SystemExit(f"server ended early: {process.args}")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=5) as r:
                if r.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.02)
    raise SystemExit(f"no answer from {url}")


def start_ours(dist: Path, port: int) -> tuple[subprocess.Popen, float]:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "-q", "serve", "--dist", str(dist),
                                "--port", str(port)], stderr=subprocess.DEVNULL)
    wait_until_up(f"http://127.0.0.1:{port}/sparql", process, "text/turtle")
    return process, time.perf_counter() - started


RDFLIB_ENDPOINT = """
import sys, uvicorn
from rdflib import Graph
from rdflib_endpoint import SparqlEndpoint
graph = Graph()
graph.parse(sys.argv[1], format="nt")
uvicorn.run(SparqlEndpoint(graph=graph), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            access_log=False)
"""


def start_rdflib(dist: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", RDFLIB_ENDPOINT, str(dist / "kg.nt"), str(port)],
                               stderr=subprocess.DEVNULL)
    wait_until_up(f"http://127.0.0.1:{port}/?query={quote('ASK {}')}", process, "application/sparql-results+json")
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- clients ------------------------------------------------------------------

def run_ab(url: str, accept: str, requests: int, concurrency: int) -> Run:
    out = subprocess.run(["ab", "-q", "-n", str(requests), "-c", str(concurrency), "-H", f"Accept: {accept}", url],
                         capture_output=True, text=True, check=True).stdout

    def number(pattern: str) -> float:
        match = re.search(pattern, out, re.MULTILINE)
        return float(match.group(1)) if match else 0.0

    failed = int(number(r"^Failed requests:\s+(\d+)") + number(r"^Non-2xx responses:\s+(\d+)"))
    return Run(number(r"^Requests per second:\s+([\d.]+)"), number(r"^\s+50%\s+(\d+)"),
               number(r"^\s+99%\s+(\d+)"), failed)


def run_httpx(url: str, accept: str, requests: int, concurrency: int) -> Run:
    import httpx

    async def main() -> Run:
        latencies: list[float] = []
        failed = 0
        remaining = iter(range(requests))
        async with httpx.AsyncClient(headers={"Accept": accept}, timeout=60) as client:
            async def worker():
                nonlocal failed
                for _ in remaining:
                    t = time.perf_counter()
                    response = await client.get(url)
                    latencies.append((time.perf_counter() - t) * 1000)
                    failed += response.status_code != 200

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
        latencies.sort()
        return Run(requests / elapsed, latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1],
                   failed)

    return asyncio.run(main())


# --- the benchmark ------------------------------------------------------------

def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.rps)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="folder written by kg build")
    parser.add_argument("--requests", type=int, default=4000, help="requests per run of the simple query")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the median is reported")
    parser.add_argument("--startup-corpus", type=Path, metavar="NT",
                        help="also time the start-up on this N-Triples file (served with the dist's other files)")
    parser.add_argument("--client", choices=("auto", "ab", "httpx"), default="auto")
    args = parser.parse_args()

    dist = args.dist
    if not (dist / "kg.nt").is_file():
        dist = Path(tempfile.mkdtemp(prefix="kg-bench-")) / "dist"
        print(f"building the graph into {dist} …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "kg.cli", "-q", "--project", str(ROOT), "build", "--out", str(dist)],
                       check=True)
    client = args.client if args.client != "auto" else ("ab" if shutil.which("ab") else "httpx")
    measure = run_ab if client == "ab" else run_httpx
    triples = sum(1 for _ in (dist / "kg.nt").open(encoding="utf-8"))

    startups = []
    for _ in range(3):
        process, seconds = start_ours(dist, free_port())
        startups.append(seconds)
        stop(process)

    our_port, their_port = free_port(), free_port()
    ours, _ = start_ours(dist, our_port)
    theirs = start_rdflib(dist, their_port)
    results: dict[str, dict[str, list[Run]]] = {w.name: {"ours": [], "theirs": []} for w in WORKLOADS}
    try:
        for w in WORKLOADS:  # warm-up: imports, caches, first queries
            measure(our_url(w, our_port), w.our_accept or w.accept, 50, args.concurrency)
            measure(their_url(w, their_port), w.accept, 20, args.concurrency)
        for _ in range(args.rounds):
            for w in WORKLOADS:
                n = max(100, int(args.requests * w.requests_share))
                results[w.name]["ours"].append(measure(our_url(w, our_port), w.our_accept or w.accept, n,
                                                       args.concurrency))
                their_n = max(50, n // 4) if w.target > 3 else n  # rdflib is slow on these: fewer requests
                results[w.name]["theirs"].append(measure(their_url(w, their_port), w.accept, their_n,
                                                         args.concurrency))
    finally:
        stop(ours)
        stop(theirs)

    print(f"\nkg serve vs rdflib-endpoint — {triples:,} triples, {args.concurrency} concurrent clients ({client}), "
          f"median of {args.rounds} interleaved rounds\n")
    print("| workload | kg serve req/s | p50 ms | p99 ms | rdflib-endpoint req/s | p50 ms | p99 ms | ratio "
          "| rounds' ratios | target |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    ok = True
    for w in WORKLOADS:
        ours, theirs = results[w.name]["ours"], results[w.name]["theirs"]
        a, b = median_run(ours), median_run(theirs)
        ratio = a.rps / b.rps if b.rps else float("inf")
        rounds = [x.rps / y.rps for x, y in zip(ours, theirs) if y.rps]
        failed = sum(r.failed for r in ours)
        passed = ratio >= w.target and failed == 0
        ok &= passed
        failures = f" ({failed} failed)" if failed else ""
        print(f"| {w.name} | {a.rps:,.0f}{failures} | {a.p50:.0f} | {a.p99:.0f} | {b.rps:,.0f} | {b.p50:.0f} | "
              f"{b.p99:.0f} | {ratio:.1f}× | {min(rounds):.1f}–{max(rounds):.1f}× | "
              f"≥{w.target:g}× {'ok' if passed else 'MISSED'} |")
    ok &= report_startup(f"{triples:,} triples", startups, 2)
    if args.startup_corpus:
        ok &= report_startup(*startup_on_corpus(dist, args.startup_corpus), 30)
    sys.exit(0 if ok else 1)


def report_startup(what: str, seconds: list[float], target: float) -> bool:
    startup = statistics.median(seconds)
    passed = startup <= target
    print(f"\nstart-up of kg serve on {what} (launch to first answer), median of {len(seconds)}: {startup:.2f} s "
          f"(target ≤ {target:g} s {'ok' if passed else 'MISSED'})")
    return passed


def startup_on_corpus(dist: Path, corpus: Path, runs: int = 3) -> tuple[str, list[float]]:
    """Start-up times on ``corpus``, served in place of the dist's graph."""
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        big = Path(tmp) / "dist"
        shutil.copytree(dist, big)
        (big / "kg.nt").unlink()
        (big / "kg.nt").symlink_to(corpus.resolve())
        triples = sum(1 for _ in corpus.open(encoding="utf-8"))
        seconds = []
        for _ in range(runs):
            process, took = start_ours(big, free_port())
            seconds.append(took)
            stop(process)
    return f"{triples:,} triples", seconds


def our_url(w: Workload, port: int) -> str:
    return f"http://127.0.0.1:{port}{w.our_path}" if w.our_path else \
        f"http://127.0.0.1:{port}/sparql?query={quote(w.query)}"


def their_url(w: Workload, port: int) -> str:
    return f"http://127.0.0.1:{port}/?query={quote(w.query)}"


if __name__ == "__main__":
    main()
