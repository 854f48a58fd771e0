"""``kg build`` end to end: wall time (interpreter start included) and peak memory, against a baseline.

Sizes: the project's own data (``seed``) and projects whose data/ holds a generated corpus
(``benchmarks/generate.py``) of about 1M (``1m``, 580 municipalities) or 3M triples (``3m``,
1,741) beside the repository's ontology, shapes and queries. Each build is a fresh
``kg -q build`` process; its peak resident memory comes from the kernel's accounting of that
process (``wait4``). ``kg --help`` is timed the same way.

The baseline is another version of kg (by default the ``main`` branch, extracted with
``git archive``) run by the same interpreter in the same run, its builds taking turns with
this checkout's so that a busy moment of the machine hits both alike. Older versions do not
read RDF files in data/, so the baseline runs on the sizes of ``--baseline-sizes``
(default: the seed only).

    python benchmarks/build_bench.py                          # seed and 1m
    python benchmarks/build_bench.py --sizes seed,1m,3m --runs 5
    python benchmarks/build_bench.py --baseline-ref v0.1 --baseline-sizes seed

The markdown table goes to standard output; the script exits 1 if a target is missed:
seed ≤ 0.8 s, ``kg --help`` ≤ 0.2 s, 1m ≤ 20 s and 2 GiB, 3m ≤ 60 s and 4 GiB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPORA = HERE / "out" / "corpora"
#: Generated sizes: name → municipalities.
SIZES = {"100k": 58, "1m": 580, "3m": 1741}
#: Targets: name → (seconds, MiB of peak memory or None).
TARGETS = {"kg --help": (0.2, None), "seed": (0.8, None), "1m": (20.0, 2048), "3m": (60.0, 4096)}


def run(command: list[str], cwd: Path, env: dict) -> tuple[float, float, int]:
    """Wall seconds, peak resident MiB and exit code of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    if process.returncode != 0:
        print(f"exit {process.returncode}: {' '.join(command)}\n{stderr[-2000:]}", file=sys.stderr)
    return seconds, usage.ru_maxrss / 1024, process.returncode


def project_for(size: str, folder: Path) -> Path:
    """The project a build of ``size`` runs in: the repository, or a copy with a corpus as data/."""
    if size == "seed":
        return ROOT
    corpus = CORPORA / f"corpus-{size}.nt"
    if not corpus.exists():
        CORPORA.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--municipalities", str(SIZES[size]),
                        "--out", str(corpus)], check=True)
    root = folder / f"project-{size}"
    if not root.exists():
        for part in ("ontology", "shapes", "queries"):
            shutil.copytree(ROOT / part, root / part)
        (root / "data").mkdir()
        os.symlink(corpus, root / "data" / "corpus.nt")
    return root


def baseline_checkout(ref: str, folder: Path) -> Path:
    """The source of ``ref`` extracted to ``folder`` (its ``src/`` goes on PYTHONPATH)."""
    target = folder / "baseline"
    target.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def versions(baseline: Path | None) -> dict[str, dict]:
    """How to run each version: the environment that makes ``python -m kg.cli`` import it."""
    env = dict(os.environ)
    out = {"this checkout": {**env, "PYTHONPATH": str(ROOT / "src")}}
    if baseline is not None:
        out["baseline"] = {**env, "PYTHONPATH": str(baseline / "src")}
    return out


def measure(args) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-build-bench-") as tmp:
        folder = Path(tmp)
        baseline = baseline_checkout(args.baseline_ref, folder) if args.baseline_ref else None
        envs = versions(baseline)
        kg = [sys.executable, "-m", "kg.cli"]
        times = {name: [run(kg + ["--help"], ROOT, env)[0] for _ in range(args.runs)] for name, env in envs.items()}
        rows.append({"size": "kg --help", **{name: (statistics.median(t), None) for name, t in times.items()}})
        for size in args.sizes:
            project = project_for(size, folder)
            runs = args.runs if size == "seed" else args.large_runs
            chosen = {n: e for n, e in envs.items() if n == "this checkout" or size in args.baseline_sizes}
            # each version builds the seed of its own checkout (its data, shapes and queries)
            projects = {name: baseline if name == "baseline" and size == "seed" else project for name in chosen}
            found: dict[str, list] = {name: [] for name in chosen}
            for i in range(runs):
                for name, env in chosen.items():  # the versions take turns
                    out = folder / f"dist-{size}-{i}-{name.replace(' ', '-')}"
                    seconds, peak, code = run(kg + ["--project", str(projects[name]), "-q", "build", "--out", str(out)],
                                              projects[name], env)
                    found[name].append((seconds, peak) if code == 0 else (float("nan"), peak))
                    shutil.rmtree(out, ignore_errors=True)
            row = {"size": size}
            for name, figures in found.items():
                row[name] = (statistics.median(s for s, _ in figures), max(p for _, p in figures))
            rows.append(row)
    return rows


def table(rows: list[dict]) -> tuple[str, bool]:
    """The markdown table, and whether every target was met."""
    lines = ["| size | this checkout | peak | baseline | peak | ratio | target |", "|---|--:|--:|--:|--:|--:|---|"]
    met = True
    for row in rows:
        seconds, peak = row["this checkout"]
        base = row.get("baseline")
        limit, memory = TARGETS.get(row["size"], (None, None))
        ok = (limit is None or seconds <= limit) and (memory is None or peak is None or peak <= memory)
        met = met and ok
        target = "" if limit is None else f"≤ {limit:g} s" + (f", ≤ {memory / 1024:g} GiB" if memory else "")
        lines.append("| {} | {:.2f} s | {} | {} | {} | {} | {} |".format(
            row["size"], seconds, f"{peak:,.0f} MiB" if peak else "",
            f"{base[0]:.2f} s" if base else "–", f"{base[1]:,.0f} MiB" if base and base[1] else "",
            f"{base[0] / seconds:.2f}×" if base else "", f"{target} {'met' if ok else 'MISSED'}" if target else ""))
    return "\n".join(lines), met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,1m", help="comma-separated: seed, 100k, 1m, 3m (default seed,1m)")
    parser.add_argument("--runs", type=int, default=5, help="runs of the seed build and of kg --help (median)")
    parser.add_argument("--large-runs", type=int, default=1, help="runs of each generated size (median)")
    parser.add_argument("--baseline-ref", default="main", help="git ref of the baseline ('' for none)")
    parser.add_argument("--baseline-sizes", default="seed", help="sizes the baseline builds too")
    args = parser.parse_args(argv)
    args.sizes = [s for s in args.sizes.split(",") if s]
    args.baseline_sizes = set(args.baseline_sizes.split(","))
    unknown = [s for s in args.sizes if s != "seed" and s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)}")
    text, met = table(measure(args))
    print(f"kg build, {os.cpu_count()} cores, Python {sys.version.split()[0]}; baseline: {args.baseline_ref or 'none'}\n")
    print(text)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
