"""Named queries on a large graph: ``kg query NAME --data FILE`` end to end, and every named query.

1. ``kg query NAME --data corpus-1m.nt`` as a fresh process, against the store's own bulk load
   of the same file followed by the same query text, in a fresh process of its own (the
   baseline; both pay the interpreter's start and exit): the command should cost at most 1.5
   times that.
2. Every named query of ``queries/`` (not the rules, not the federated ones) on the corpus with
   the derived triples added, as ``kg query --data`` sees it: once with its parameters' defaults
   and once with its parameters left open (no value bound). Each run happens in a forked child
   that is stopped at ``--limit`` seconds, so a query that runs away is reported, not waited for.

    python benchmarks/queries_bench.py                  # 1m, measures-by-status
    python benchmarks/queries_bench.py --size 100k --limit 30

The markdown tables go to standard output; the script exits 1 if a target is missed
(command ≤ 1.5× the baseline; each query ≤ 1 s with its defaults, ≤ 5 s left open).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from build_bench import CORPORA, SIZES  # noqa: E402  (the corpora are shared)
from pipeline_bench import ensure_corpus  # noqa: E402


#: The baseline: a fresh process that bulk-loads the file into pyoxigraph and runs the query text.
BASELINE = """
import sys, pyoxigraph as ox
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
for row in store.query(sys.stdin.read()):
    pass
"""


def command_against_baseline(path: Path, name: str, param: str, runs: int) -> dict:
    """Median wall seconds of ``kg query NAME --data`` and of the baseline process, taking turns."""
    from kg import query as q
    from kg.project import Project
    from kg.sparql import with_bindings, with_prefixes

    named = q.find_query(Project.find(ROOT).queries_dir, name)
    key, _, value = param.partition("=")
    text = with_prefixes(with_bindings(named.text, q.bind_params(named, {key: value} if param else {})))
    command, baseline = [], []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kg.cli", "query", name, "--data", str(path), "--format", "csv",
                        *(["--param", param] if param else [])], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        command.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", BASELINE, str(path)], input=text.encode("utf-8"), check=True)
        baseline.append(time.perf_counter() - started)
    return {"command": statistics.median(command), "baseline": statistics.median(baseline)}


def _timed(store: ox.Store, text: str, bindings: dict, answer) -> None:
    from kg import query as q

    started = time.perf_counter()
    result = q.run(store, text, bindings)
    rows = sum(1 for _ in result) if not isinstance(result, bool) else 1
    answer.send((time.perf_counter() - started, rows))


def timed(store: ox.Store, text: str, bindings: dict, limit: float) -> tuple[float | None, int]:
    """Seconds and rows of one query in a forked child; (None, 0) past ``limit``."""
    context = multiprocessing.get_context("fork")
    answers, sending = context.Pipe(duplex=False)
    child = context.Process(target=_timed, args=(store, text, bindings, sending), daemon=True)
    child.start()
    sending.close()
    if answers.poll(limit):
        seconds, rows = answers.recv()
        child.join()
        return seconds, rows
    child.terminate()
    child.join()
    return None, 0


def every_query(path: Path, limit: float) -> list[dict]:
    from kg import query as q
    from kg.project import Project
    from kg.rules import RULE_GLOB

    project = Project.find(ROOT)
    store = project.store([path]).store
    rules = {p.stem for p in project.queries_dir.glob(RULE_GLOB)}
    rows = []
    for name, named in sorted(q.named_queries(project.queries_dir).items()):
        if name in rules or "SERVICE" in named.text.upper():
            continue
        defaults = timed(store, named.text, q.bind_params(named, {}), limit)
        open_ = timed(store, named.text, {}, limit) if named.params else defaults
        rows.append({"name": name, "params": len(named.params), "defaults": defaults, "open": open_})
    return rows


def seconds(value: float | None, limit: float) -> str:
    return f"> {limit:.0f} s" if value is None else f"{value:.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1m", choices=sorted(SIZES))
    parser.add_argument("--query", default="measures-by-status", help="The named query the command runs.")
    parser.add_argument("--param", "-p", default="plan=plan/higashiyama-072010-it-plan-4", metavar="NAME=VALUE",
                        help="Its parameter (one of the generated corpus's plans by default).")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=float, default=60.0, help="Seconds after which a query is stopped.")
    args = parser.parse_args()
    path = ensure_corpus(args.size, CORPORA)
    missed = False

    first = command_against_baseline(path, args.query, args.param, args.runs)
    ratio = first["command"] / first["baseline"]
    missed |= ratio > 1.5
    print(f"`kg query {args.query} --data corpus-{args.size}.nt --param {args.param}`, median of {args.runs}\n")
    print("| kg query --data | bulk load + query (baseline) | ratio | target |\n|--:|--:|--:|---|")
    print(f"| {first['command']:.2f} s | {first['baseline']:.2f} s | {ratio:.2f}× | ≤ 1.5× "
          f"{'met' if ratio <= 1.5 else 'MISSED'} |\n")

    print(f"Every named query on corpus-{args.size} with the derived triples\n")
    print("| query | parameters | defaults | left open | target |\n|---|--:|--:|--:|---|")
    for row in every_query(path, args.limit):
        (d, _), (o, _) = row["defaults"], row["open"]
        ok = d is not None and d <= 1.0 and o is not None and o <= 5.0
        missed |= not ok
        print(f"| {row['name']} | {row['params']} | {seconds(d, args.limit)} | "
              f"{seconds(o, args.limit) if row['params'] else '–'} | {'met' if ok else 'MISSED'} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
