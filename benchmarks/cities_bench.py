"""``kg build`` of the project with N generated cities beside the real ones: time against city count.

Each generated city is seed-sized (two plans of 25 measures, written by generate_cities.py, which
starts each with kg init). The baseline is the build of the project as it is (0 extra cities), in
the same process; the per-city cost is the slope between consecutive sizes.

    python benchmarks/cities_bench.py                     # 0, 10, 25, 50 cities
    python benchmarks/cities_bench.py --cities 0 5 50 100
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kg.build import build  # noqa: E402
from kg.project import Project  # noqa: E402


def generator():
    spec = importlib.util.spec_from_file_location("generate_cities", ROOT / "benchmarks" / "generate_cities.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_with(cities: int, tmp: Path) -> tuple[float, int, int]:
    """Seconds, triples and files of a build with ``cities`` generated cities."""
    root = tmp / f"project-{cities}"
    for folder in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    generator().generate(root / "data", cities)
    started = time.perf_counter()
    result = build(Project(root), root / "dist")
    return time.perf_counter() - started, result.triples, len(result.files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, nargs="+", default=[0, 10, 25, 50])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = [(n, *build_with(n, Path(tmp))) for n in args.cities]
    baseline = results[0][1]
    print(f"{'cities':>6} {'triples':>8} {'files':>5} {'build s':>8} {'× base':>7} {'s/city since previous':>22}")
    previous = None
    for n, seconds, triples, files in results:
        slope = f"{(seconds - previous[1]) / (n - previous[0]):.3f}" if previous and n > previous[0] else ""
        print(f"{n:>6} {triples:>8} {files:>5} {seconds:>8.2f} {seconds / baseline:>7.2f} {slope:>22}")
        previous = (n, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
