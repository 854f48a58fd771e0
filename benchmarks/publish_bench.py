"""``kg publish``: a build written as a static site, timed, with its peak memory.

Each size is a build (``seed``: the project's own data; ``1m``: the generated corpus of about a
million triples, built once under ``benchmarks/out`` as pages_bench.py does). ``kg publish`` runs
as a command, ``--runs`` times; the fastest run and the peak memory are reported. On the seed
the baseline is the other way to a static copy: the same files (each resource's page and its
four RDF formats, and the other pages) fetched from ``kg serve`` over HTTP by 8 clients.

    python benchmarks/publish_bench.py                    # seed and 1m
    python benchmarks/publish_bench.py --sizes seed --runs 5

The markdown table goes to standard output; the script exits 1 if a target is missed (seed
≤ 3 s; 1m ≤ 120 s and ≤ 2 GiB).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from pages_bench import built  # noqa: E402
from serve_bench import free_port, start_ours, stop  # noqa: E402

TARGETS = {"seed": (3.0, None), "1m": (120.0, 2048.0)}
EXTENSIONS = ("", ".ttl", ".jsonld", ".nt", ".rdf")


def dist_for(size: str) -> Path:
    if size != "seed":
        return built(size)
    dist = HERE / "out" / "dist-seed"
    subprocess.run([sys.executable, "-m", "kg.cli", "-q", "build", "--out", str(dist)], cwd=ROOT, check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    return dist


def publish(dist: Path, out: Path) -> tuple[float, float]:
    """Seconds and peak MiB of one ``kg publish``."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg.cli", "publish", "--dist", str(dist), "--out", str(out), "-v"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stderr)
    peak = float(re.search(r"peak memory ([\d,]+) MiB", done.stderr).group(1).replace(",", ""))
    return seconds, peak


def crawl(dist: Path, site: Path) -> float:
    """Seconds to fetch every file of ``site`` that kg serve answers, from kg serve, with 8 clients."""
    paths = []
    for page in site.rglob("*.html"):
        relative = "/" + page.relative_to(site).as_posix()[: -len(".html")]
        if relative.startswith("/id/"):
            paths += [relative + ext for ext in EXTENSIONS]
        elif relative not in ("/404", "/index") and not relative.startswith("/class/"):
            paths.append(relative)
    port = free_port()
    process, _ = start_ours(dist, port)
    try:
        def get(path: str) -> None:
            quoted = urllib.request.quote(path)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{quoted}", timeout=60) as response:
                response.read()

        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(get, paths))
        return time.perf_counter() - started
    finally:
        stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="seed,1m")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    missed = False
    print("| size | resources | files | site size | kg publish | peak | baseline: fetched from kg serve | ratio | target |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|---|")
    for size in args.sizes.split(","):
        dist = dist_for(size)
        with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
            out = Path(tmp) / "site"
            runs = [publish(dist, out) for _ in range(args.runs if size == "seed" else 1)]
            seconds, peak = min(r[0] for r in runs), max(r[1] for r in runs)
            record = json.loads((out / ".server" / "published.json").read_text())
            files = sum(len(f) for _, _, f in os.walk(out))
            megabytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
            baseline = crawl(dist, out) if size == "seed" else None
            limit, memory = TARGETS.get(size, (float("inf"), None))
            ok = seconds <= limit and (memory is None or peak <= memory)
            missed |= not ok
            ratio = f"{baseline / seconds:.1f}×" if baseline else ""
            print(f"| {size} | {record['resources']:,} | {files:,} | {megabytes:,.0f} MB | {seconds:.2f} s | "
                  f"{peak:,.0f} MiB | {f'{baseline:.2f} s' if baseline else ''} | {ratio} | "
                  f"{'met' if ok else 'MISSED'} |", flush=True)
            shutil.rmtree(out, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
