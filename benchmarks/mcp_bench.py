"""Latency of the ``kg mcp`` tools ``describe`` and ``find``, on the project's graph and on a 1M-triple corpus.

An MCP client of the SDK calls each tool on a sample of resources and texts, over stdio
(the way an assistant's client runs ``kg mcp``) and in process; each call is timed from the
client. The baseline is the worker read the tool rests on (``entity`` for describe, ``search``
for find), called in the same process on the same server: the ratio is the tools' own cost
(citations, labels, the protocol). Targets: describe and find answer in 50 ms on the project's
graph and in 200 ms on 1M triples (median and 95th percentile are reported).

    python benchmarks/mcp_bench.py                          # the project's graph and a 1M corpus
    python benchmarks/mcp_bench.py --sizes seed --calls 200
    python benchmarks/mcp_bench.py --corpus benchmarks/out/corpora/corpus-1m.nt
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"seed": 0.050, "1m": 0.200}
TEXTS = ("計画", "システム", "マイナンバー", "クラウド", "情報", "plan", "system", "cloud", "AI", "東京", "市",
         "measure", "ﾃﾞｼﾞﾀﾙ", "セキュリティ", "data")
SAMPLE = """SELECT ?s WHERE { ?s a ?c FILTER(?c IN (lgdx:Measure, lgdx:Plan, lgdx:LocalGovernment, lgdx:Law,
  lgdx:InformationSystem, lgdx:Technology, lgdx:Observation)) } LIMIT 2000"""


def build_seed(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "kg.cli", "--project", str(ROOT), "--quiet", "build", "--out", str(out)],
                   check=True)
    return out


def corpus_dist(seed: Path, corpus: Path, out: Path) -> Path:
    """The seed's dist folder with ``corpus`` in place of its graph (the catalogue and ontology are kept)."""
    shutil.copytree(seed, out)
    (out / "kg.nt").unlink()
    (out / "kg.nt").symlink_to(corpus.resolve())
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(client: Client, backend, iris: list[str], calls: int) -> dict[str, list[float]]:
    """Seconds per call of each tool and of its baseline, interleaved call by call."""
    times: dict[str, list[float]] = {k: [] for k in ("describe", "entity", "find", "search")}
    for i in range(calls):
        iri, text = iris[i % len(iris)], TEXTS[i % len(TEXTS)]
        for name, call in (("describe", lambda: client.call_tool("describe", {"resource": iri})),
                           ("entity", lambda: backend.call("entity", [iri]) if backend else None),
                           ("find", lambda: client.call_tool("find", {"text": text})),
                           ("search", lambda: backend.call("search", text, None, 0, 10) if backend else None)):
            if backend is None and name in ("entity", "search"):
                continue
            started = time.perf_counter()
            result = await call()
            times[name].append(time.perf_counter() - started)
            if name in ("describe", "find") and result.is_error:
                raise SystemExit(f"{name} failed: {result.content[0].text}")
    return times


def report(label: str, times: dict[str, list[float]], target: float) -> bool:
    ok = True
    for tool, base in (("describe", "entity"), ("find", "search")):
        median, p95 = statistics.median(times[tool]), percentile(times[tool], 0.95)
        line = f"  {label:<10} {tool:<9} median {median * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms"
        if times.get(base):
            ratio = median / statistics.median(times[base])
            line += f"  (worker read {statistics.median(times[base]) * 1000:6.2f} ms, ratio {ratio:4.1f}x)"
        passed = p95 <= target
        ok &= passed
        print(line + f"  target {target * 1000:.0f} ms: {'ok' if passed else 'MISSED'}")
    return ok


async def run(dist: Path, name: str, calls: int) -> bool:
    from kg.mcp.backend import Backend
    from kg.mcp.server import create_server
    from kg.serve.config import Settings

    settings = Settings(dist=dist, queries_dir=ROOT / "queries", workers=2)
    backend = Backend(settings)
    started = time.perf_counter()
    ok = True
    async with Client(create_server(backend)) as client:
        print(f"\n{name}: {backend.pool.info.get('triples', 0):,} triples, workers ready in "
              f"{time.perf_counter() - started:.1f} s")
        rows = await backend.call("sparql", SAMPLE, None, "json", None)
        import json

        iris = [b["s"]["value"] for b in json.loads(rows[2])["results"]["bindings"]]
        first = time.perf_counter()
        await client.call_tool("find", {"text": "計画"})
        print(f"  first find (builds the label index): {(time.perf_counter() - first) * 1000:.0f} ms")
        await measure(client, backend, iris, 10)  # warm-up
        ok &= report("in process", await measure(client, backend, iris, calls), TARGETS[name])
    params = StdioServerParameters(command=sys.executable, args=["-m", "kg.cli", "mcp", "--dist", str(dist)],
                                   cwd=str(ROOT))
    async with Client(params, read_timeout_seconds=600) as client:
        await client.call_tool("find", {"text": "計画"})
        await measure(client, None, iris, 10)
        ok &= report("stdio", await measure(client, None, iris, calls), TARGETS[name])
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,1m", help="seed and/or 1m (default: both)")
    parser.add_argument("--calls", type=int, default=100, help="calls of each tool per run (default 100)")
    parser.add_argument("--corpus", type=Path, help="a 1M-triple corpus of generate.py (made if not given)")
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    ok = True
    with tempfile.TemporaryDirectory(prefix="kg-mcp-bench-") as tmp:
        seed = build_seed(Path(tmp) / "seed")
        if "seed" in sizes:
            ok &= anyio.run(run, seed, "seed", args.calls)
        if "1m" in sizes:
            corpus = args.corpus
            if corpus is None:
                corpus = Path(tmp) / "corpus-1m.nt"
                subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--municipalities", "580",
                                "--out", str(corpus)], check=True)
            ok &= anyio.run(run, corpus_dist(seed, corpus, Path(tmp) / "1m"), "1m", args.calls)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
