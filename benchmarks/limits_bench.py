"""What the input checks of ``kg.limits`` cost against parsing the same file.

A generated corpus (``benchmarks/generate.py``) is written as N-Triples, Turtle, JSON-LD
and RDF/XML; for each, ``kg.limits.check_rdf`` and pyoxigraph's parse are timed in this
process (best of ``--runs``), and the ratio check/parse is reported: the checks run before
every parse of an input file, whichever engine validates it.

    python benchmarks/limits_bench.py                  # 100k triples
    python benchmarks/limits_bench.py --municipalities 580 --runs 1   # 1M
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg import limits

HERE = Path(__file__).resolve().parent
FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".jsonld": ox.RdfFormat.JSON_LD,
           ".rdf": ox.RdfFormat.RDF_XML}


def best(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", "-n", type=int, default=58, help="corpus size (58: about 100k triples)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement; the best is kept")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import generate
    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "corpus.nt"
        with nt.open("w", encoding="utf-8") as out:
            triples, _ = generate.generate(args.municipalities, out)
        graph = list(ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES))
        print(f"{triples:,} triples\n\n| format | size | check | parse | check / parse |\n|---|--:|--:|--:|--:|")
        for suffix, fmt in FORMATS.items():
            path = nt.with_suffix(suffix)
            if suffix != ".nt":
                path.write_bytes(ox.serialize(graph, format=fmt))
            check = best(args.runs, lambda: limits.check_rdf(path))
            parse = best(args.runs, lambda: sum(1 for _ in ox.parse(path=str(path), format=fmt)))
            print(f"| {suffix} | {path.stat().st_size / 2**20:.0f} MiB | {check:.2f} s | {parse:.2f} s "
                  f"| {check / parse:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
