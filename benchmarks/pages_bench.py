"""``kg serve``'s class listings, facets and search on a large graph (a build of 1M triples).

The server is started on a build of the generated corpus (``kg build`` of a project whose
data/ holds it, made once under ``benchmarks/out``); the start-up is timed from launch to the
first answer. Each page is then asked once (the first answer of a worker reads the members and
their order, or runs the search), and by 8 concurrent clients (``ab``) for ``--requests``
requests: requests/s and p50/p99 in ms.

    python benchmarks/pages_bench.py                    # 1m
    python benchmarks/pages_bench.py --size 3m --requests 2000

The markdown table goes to standard output; the script exits 1 if a target is missed (p50 ≤
50 ms and ≥ 100 requests/s for each page; start-up ≤ 10.5 s at 1M).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from build_bench import project_for  # noqa: E402
from serve_bench import free_port, run_ab, start_ours, stop  # noqa: E402

PAGES = {
    "class listing": "/class/Measure",
    "facet": "/class/Measure?achievementStatus=concept/achievement-status-achieved",
    "listing, page 3": "/class/Measure?page=3",
    "search": "/search?q=" + quote("計画"),
}
STARTUP = {"1m": 10.5}


def built(size: str) -> Path:
    """The dist of ``kg build`` on the project of ``size``, made once."""
    dist = HERE / "out" / f"dist-{size}"
    if not (dist / "kg.nt").exists():
        folder = HERE / "out" / "projects"
        folder.mkdir(parents=True, exist_ok=True)
        project = project_for(size, folder)
        shutil.rmtree(dist, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "kg.cli", "-q", "build", "--out", str(dist)], cwd=project, check=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    return dist


def first_answer(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1m")
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    if shutil.which("ab") is None:
        raise SystemExit("needs ab (apt install apache2-utils)")
    dist = built(args.size)
    port = free_port()
    process, startup = start_ours(dist, port)
    missed = startup > STARTUP.get(args.size, float("inf"))
    try:
        print(f"kg serve on {dist.name}: start-up {startup:.2f} s (launch to first answer; target at 1M ≤ 10.5 s)\n")
        print("| page | first answer | req/s | p50 | p99 | target |\n|---|--:|--:|--:|--:|---|")
        for name, path in PAGES.items():
            url = f"http://127.0.0.1:{port}{path}"
            first = first_answer(url)
            run = run_ab(url, "text/html", args.requests, 8)
            ok = run.p50 <= 50 and run.rps >= 100 and run.failed == 0
            missed |= not ok
            print(f"| {name} | {first:.2f} s | {run.rps:.0f} | {run.p50:.0f} ms | {run.p99:.0f} ms | "
                  f"{'met' if ok else 'MISSED'} |")
    finally:
        stop(process)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
