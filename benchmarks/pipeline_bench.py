"""Load, validation, query and export times and peak memory, rdflib/pySHACL against pyoxigraph.

Sizes: the project's own data (``seed``, loaded from data/ as ``kg build`` does) and
generated corpora of about 100k and 1M triples (``benchmarks/generate.py``). Every
measurement runs in a fresh Python process, one after the other, and reports the
stage's wall time (``time.perf_counter``) and the process's peak resident memory
(``VmHWM``), which includes the load the stage needs. The command-line times
(``kg --help``, ``kg build``) include interpreter start and come from hyperfine when it
is installed (else the median of repeated runs).

    python benchmarks/pipeline_bench.py                       # seed, 100k, 1m
    python benchmarks/pipeline_bench.py --sizes seed,100k --runs 3
    python benchmarks/pipeline_bench.py --sizes 1m --pyshacl-timeout 900

The markdown table goes to standard output; ``--json`` also writes the figures
(default ``benchmarks/out/pipeline.json``; benchmarks/out/ is not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
#: Corpus sizes: name → municipalities (about 1,718 triples each plus 540 shared).
SIZES = {"100k": 58, "1m": 580, "3m": 1741}
FORMATS = ("ttl", "nt", "jsonld")
#: Named queries of queries/ timed on both engines, with the parameters used on corpora.
QUERIES = {
    "measures-by-status": {"plan": "PLAN4"},
    "label-search": {"text": "文書管理"},
    "plan-generations": {},
    "missing-english-descriptions": {},
    "observations": {},
}


# --- measuring inside a worker process ---------------------------------------------

def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    def __init__(self):
        self.times: dict[str, float] = {}

    def __call__(self, name: str, fn, *args, **kwargs):
        start = time.perf_counter()
        value = fn(*args, **kwargs)
        self.times[name] = time.perf_counter() - start
        return value


def _digest(report) -> dict:
    keys = sorted((str(r.focus), str(r.path), r.constraint, r.severity) for r in report.results)
    import hashlib

    return {"results": len(keys), "violations": len(report.violations), "warnings": len(report.warnings),
            "digest": hashlib.sha256(repr(keys).encode()).hexdigest()[:16]}


def _project():
    from kg.project import Project

    return Project.find(ROOT)


def _rdflib_graph(corpus: str | None, clock: Clock):
    if corpus is None:
        return clock("load", lambda: _project().load()).graph
    from rdflib import Graph

    return clock("load", lambda: Graph().parse(corpus, format="nt"))


def _fast_graph(corpus: str | None, clock: Clock):
    from kg import fastvalidate

    if corpus is None:
        loaded = clock("load", lambda: _project().load())
        return clock("to store", fastvalidate.from_graph, loaded.graph), loaded
    return clock("load", fastvalidate.load_files, [Path(corpus)]), None


def _queries(corpus: str | None) -> list:
    from kg.query import bind_params, find_query, with_bindings

    project = _project()
    plan = "plan/higashiyamato-it-plan-4"
    if corpus is not None:
        sys.path.insert(0, str(HERE))
        from generate import Municipality

        plan = Municipality(0, 42).plan(4).split("/id/", 1)[1]
    out = []
    for name, params in QUERIES.items():
        try:
            query = find_query(project.queries_dir, name)
        except Exception:  # the query was renamed or removed: time the others
            continue
        declared = {p.name for p in query.params}
        # on the project's data the queries' own defaults apply; on a corpus, its first municipality
        given = {} if corpus is None else {k: (plan if v == "PLAN4" else v) for k, v in params.items()
                                           if k in declared}
        out.append((name, with_bindings(query.text, bind_params(query, given))))
    return out


#: Seconds one rdflib query may run in the query measurement (``--query-timeout``).
QUERY_TIMEOUT = int(os.environ.get("KG_BENCH_QUERY_TIMEOUT", "120"))


def _within(seconds: int, clock: Clock, name: str, fn):
    """``clock(name, fn)``, interrupted with TimeoutError after ``seconds`` (rdflib is pure Python)."""
    import signal

    def expire(*_):
        raise TimeoutError(name)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        return clock(name, fn)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def worker(task: str, corpus: str | None) -> dict:
    """One measurement; returns the figures as a dict."""
    clock = Clock()
    extra: dict = {}
    if task == "load-rdflib":
        graph = _rdflib_graph(corpus, clock)
        extra["triples"] = len(graph)
    elif task == "load-oxigraph":
        import pyoxigraph as ox

        if corpus is None:  # the data files are read into rdflib, then copied into a store
            from kg.query import store_of

            store = clock("to store", store_of, _rdflib_graph(None, clock))
        else:
            store = ox.Store()
            clock("load", lambda: store.bulk_load(path=corpus, format=ox.RdfFormat.N_TRIPLES))
        extra["triples"] = len(store)
    elif task == "load-fast":
        fast, _ = _fast_graph(corpus, clock)
        extra["triples"] = len(fast)
    elif task == "validate-pyshacl":
        from kg.validate import validate

        project = _project()
        shapes, ontology = project.shapes, project.ontology
        graph = _rdflib_graph(corpus, clock)
        extra.update(_digest(clock("validate", validate, graph, shapes, ontology)))
    elif task == "validate-fast":
        from kg import fastvalidate

        project = _project()
        shapes, ontology = project.shapes, project.ontology
        fast, _ = _fast_graph(corpus, clock)
        extra.update(_digest(clock("validate", fastvalidate.validate, fast, shapes, ontology)))
    elif task == "query-rdflib":
        from kg.namespaces import PREFIXES

        graph = _rdflib_graph(corpus, clock)
        namespaces = {k: str(v) for k, v in PREFIXES.items()}
        for name, text in _queries(corpus):
            try:
                rows = _within(QUERY_TIMEOUT, clock, f"query {name}", lambda: list(graph.query(text, initNs=namespaces)))
                extra[f"rows {name}"] = len(rows)
            except TimeoutError:
                extra[f"timeout query {name}"] = QUERY_TIMEOUT
    elif task == "query-oxigraph":
        from kg.query import run

        fast, _ = _fast_graph(corpus, clock)
        for name, text in _queries(corpus):
            rows = clock(f"query {name}", lambda: list(run(fast.store, text)))
            extra[f"rows {name}"] = len(rows)
    elif task == "export-rdflib":
        from kg.export import serialize

        graph = _rdflib_graph(corpus, clock)
        for fmt in FORMATS:
            extra[f"bytes {fmt}"] = len(clock(f"export {fmt}", serialize, graph, fmt))
    elif task == "export-oxigraph":
        from kg import fastvalidate

        fast, _ = _fast_graph(corpus, clock)
        for fmt in FORMATS:
            extra[f"bytes {fmt}"] = len(clock(f"export {fmt}", fastvalidate.serialize, fast, fmt))
    elif task == "pipeline-fast":
        # the whole fast path in one process: load, validate, write the three dumps
        from kg import fastvalidate

        start = time.perf_counter()
        project = _project()
        shapes, ontology = project.shapes, project.ontology
        fast, _ = _fast_graph(corpus, clock)
        report = clock("validate", fastvalidate.validate, fast, shapes, ontology)
        with tempfile.TemporaryDirectory() as folder:
            for fmt in FORMATS:
                data = clock(f"export {fmt}", fastvalidate.serialize, fast, fmt)
                Path(folder, f"kg.{fmt}").write_bytes(data)
        clock.times["total"] = time.perf_counter() - start
        extra.update(_digest(report))
    elif task in ("build-seed", "build-seed-fast"):
        # kg build in-process, its steps timed from its progress messages; "-fast" swaps in the
        # fast validator for pySHACL
        from kg.build import build
        from kg.project import Project

        if task == "build-seed-fast":
            from kg import fastvalidate

            Project.validate = lambda self, loaded: fastvalidate.validate(
                loaded.graph, self.shapes, self.ontology, loaded.index)
        marks = [("start", time.perf_counter())]
        with tempfile.TemporaryDirectory() as folder:
            build(_project(), Path(folder) / "dist", log=lambda m: marks.append((m.split()[0], time.perf_counter())))
        steps = {"loaded": "load", "validated:": "validate", "wrote": "catalogue and write",
                 "serialised": "dumps and frames (rest, after validate)"}
        for (_, before), (name, after) in zip(marks, marks[1:]):
            clock.times[steps.get(name, name)] = after - before
        clock.times["total"] = marks[-1][1] - marks[0][1]
    else:
        raise SystemExit(f"unknown task {task}")
    return {"times": clock.times, "peak_rss_mb": round(peak_rss_mb(), 1), **extra}


# --- the driver -------------------------------------------------------------------------

def run_worker(task: str, corpus: Path | None, timeout: float, runs: int, query_timeout: float = 120) -> dict:
    """``task`` in fresh processes, ``runs`` times; the median of each time, the largest peak."""
    results = []
    for _ in range(runs):
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", task]
        if corpus is not None:
            command += ["--corpus", str(corpus)]
        started = time.perf_counter()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                                  env={**os.environ, "KG_BENCH_QUERY_TIMEOUT": str(int(query_timeout))})
        except subprocess.TimeoutExpired:
            return {"timeout": timeout}
        if done.returncode != 0:
            return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else str(done.returncode)}
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures["process_s"] = time.perf_counter() - started
        results.append(figures)
    merged = dict(results[0])
    merged["times"] = {k: statistics.median(r["times"][k] for r in results if k in r["times"])
                       for k in results[0]["times"]}
    merged["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
    merged["runs"] = runs
    return merged


def cli_times(runs: int) -> dict:
    """Wall times of ``kg --help`` and ``kg build`` (interpreter start included)."""
    kg = Path(sys.executable).parent / "kg"
    if not kg.exists():
        kg = Path(shutil.which("kg") or "kg")
    out_dir = Path(tempfile.mkdtemp(prefix="kg-bench-build-"))
    commands = {
        "python -c pass": f"{sys.executable} -c pass",
        "kg --help": f"{kg} --help",
        "kg build": f"{kg} -q build --out {out_dir / 'dist'}",
    }
    found = {}
    try:
        if shutil.which("hyperfine"):
            for name, command in commands.items():
                export = out_dir / "hyperfine.json"
                subprocess.run(["hyperfine", "--warmup", "1", "--runs", str(runs), "--ignore-failure", "--style",
                                "none", "--export-json", str(export), command], cwd=ROOT, check=True,
                               capture_output=True)
                data = json.loads(export.read_text())["results"][0]
                found[name] = {"median": data["median"], "min": data["min"], "max": data["max"], "tool": "hyperfine",
                               "exit_codes": sorted(set(data.get("exit_codes", [])))}
        else:
            for name, command in commands.items():
                times, codes = [], set()
                subprocess.run(command.split(), cwd=ROOT, capture_output=True)  # warm-up
                for _ in range(runs):
                    start = time.perf_counter()
                    codes.add(subprocess.run(command.split(), cwd=ROOT, capture_output=True).returncode)
                    times.append(time.perf_counter() - start)
                found[name] = {"median": statistics.median(times), "min": min(times), "max": max(times),
                               "tool": "subprocess", "exit_codes": sorted(codes)}
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return found


def ensure_corpus(size: str, folder: Path) -> Path:
    path = folder / f"corpus-{size}.nt"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--municipalities", str(SIZES[size]),
                        "--out", str(path)], check=True)
    return path


PAIRS = [  # (stage, baseline task, candidate task, time keys)
    ("load", "load-rdflib", "load-oxigraph", ["load", "to store"]),
    ("load (fast path: store + literals as written)", "load-rdflib", "load-fast", ["load", "to store"]),
    ("validate", "validate-pyshacl", "validate-fast", ["validate"]),
    ("query", "query-rdflib", "query-oxigraph", None),
    ("export", "export-rdflib", "export-oxigraph", None),
]


def measure_size(size: str, corpus: Path | None, args) -> dict:
    tasks = ["load-rdflib", "load-oxigraph", "load-fast", "validate-fast", "validate-pyshacl", "query-rdflib",
             "query-oxigraph", "export-rdflib", "export-oxigraph", "pipeline-fast"]
    if corpus is None:
        tasks += ["build-seed", "build-seed-fast"]
    figures = {}
    for task in tasks:
        timeout = args.pyshacl_timeout if task == "validate-pyshacl" else args.timeout
        print(f"[{size}] {task} …", file=sys.stderr, flush=True)
        figures[task] = run_worker(task, corpus, timeout, args.runs, args.query_timeout)
    return figures


def _fmt_s(value) -> str:
    return "—" if value is None else (f"{value:.3f}" if value < 10 else f"{value:.1f}")


def _stage_time(fig: dict, keys) -> float | None:
    if "times" not in fig:
        return None
    wanted = keys or [k for k in fig["times"] if k.startswith(("query ", "export "))]
    return sum(fig["times"][k] for k in wanted if k in fig["times"])


def _note(fig: dict) -> str:
    if "timeout" in fig:
        return f"not finished in {fig['timeout']:.0f} s"
    if "error" in fig:
        return f"failed: {fig['error']}"
    return ""


def markdown(report: dict) -> str:
    lines = [f"# Pipeline benchmark ({report['when']})", "",
             f"{report['machine']}. One fresh process per measurement, run one after the other; "
             f"times are medians of {report['runs']} run(s), peak RSS is the largest. These machines are "
             "shared and noisy (±10 % or more): compare ratios more than absolute seconds.", ""]
    cli = report.get("cli")
    if cli:
        lines += ["## Command line (wall time, interpreter start included)", "",
                  "| command | median s | min s | max s | × `python -c pass` | exit | tool |", "|---|--:|--:|--:|--:|--:|---|"]
        base = cli.get("python -c pass", {}).get("median")
        for name, f in cli.items():
            ratio = f"{f['median'] / base:.1f}" if base else "—"
            lines.append(f"| `{name}` | {f['median']:.3f} | {f['min']:.3f} | {f['max']:.3f} | {ratio} | "
                         f"{','.join(map(str, f['exit_codes']))} | {f['tool']} |")
        lines.append("")
    for size, data in report["sizes"].items():
        figs = data["figures"]
        triples = figs.get("load-fast", {}).get("triples") or figs.get("load-rdflib", {}).get("triples")
        lines += [f"## {size} ({triples:,} triples)" if triples else f"## {size}", "",
                  "| stage | rdflib / pySHACL s | pyoxigraph / fast s | speed-up | peak RSS MB (rdflib) | "
                  "peak RSS MB (pyoxigraph) | note |", "|---|--:|--:|--:|--:|--:|---|"]
        for stage, base_task, cand_task, keys in PAIRS:
            base, cand = figs.get(base_task, {}), figs.get(cand_task, {})
            if stage == "query" and any(k.startswith("timeout query") for k in base):
                finished = [k for k in base.get("times", {}) if k.startswith("query ")]
                bt, ct = _stage_time(base, finished), _stage_time(cand, finished)
                lines.append(f"| query (the queries rdflib finished) | {_fmt_s(bt)} | {_fmt_s(ct)} | "
                             f"{f'{bt / ct:.1f}×' if bt and ct else '—'} | {base.get('peak_rss_mb', '—')} | "
                             f"{cand.get('peak_rss_mb', '—')} | see below |")
                continue
            if size == "seed" and keys and "load" in keys:
                if cand_task != "load-oxigraph":
                    continue  # both read the data files with the same rdflib loader
                stage, keys = "load (data files → rdflib; pyoxigraph: + copy into a store)", ["load"]
                bt, ct = _stage_time(base, keys), _stage_time(cand, ["to store"])
                lines.append(f"| {stage} | {_fmt_s(bt)} | +{_fmt_s(ct)} | — | {base.get('peak_rss_mb', '—')} | "
                             f"{cand.get('peak_rss_mb', '—')} | |")
                continue
            bt, ct = _stage_time(base, keys), _stage_time(cand, keys)
            ratio = f"{bt / ct:.1f}×" if bt and ct else "—"
            note = "; ".join(n for n in (_note(base), _note(cand)) if n)
            lines.append(f"| {stage} | {_fmt_s(bt)} | {_fmt_s(ct)} | {ratio} | {base.get('peak_rss_mb', '—')} | "
                         f"{cand.get('peak_rss_mb', '—')} | {note} |")
        for stage, base_task, cand_task, prefix in (("query", "query-rdflib", "query-oxigraph", "query "),
                                                    ("export", "export-rdflib", "export-oxigraph", "export ")):
            base, cand = figs.get(base_task, {}), figs.get(cand_task, {})
            names = [k for k in {**base.get("times", {}), **cand.get("times", {})} if k.startswith(prefix)]
            names += [k[len("timeout "):] for k in base if k.startswith("timeout " + prefix)
                      and k[len("timeout "):] not in names]
            for key in names:
                bt, ct = base.get("times", {}).get(key), cand.get("times", {}).get(key)
                ratio = f"{bt / ct:.1f}×" if bt and ct else "—"
                if bt is None and f"timeout {key}" in base:
                    lines.append(f"| &nbsp;&nbsp;{key} | > {base[f'timeout {key}']} | {_fmt_s(ct)} | > "
                                 f"{base[f'timeout {key}'] / ct:.0f}× | | | rdflib stopped after "
                                 f"{base[f'timeout {key}']} s |")
                    continue
                rows = cand.get(f"rows {key[len(prefix):]}")
                base_rows = base.get(f"rows {key[len(prefix):]}")
                extra = "" if rows is None else (f"{rows} rows" if base_rows in (None, rows)
                                                 else f"rows differ: {base_rows} vs {rows}")
                lines.append(f"| &nbsp;&nbsp;{key} | {_fmt_s(bt)} | {_fmt_s(ct)} | {ratio} | | | {extra} |")
        pipe = figs.get("pipeline-fast", {})
        if "times" in pipe:
            t = pipe["times"]
            lines += ["", f"Fast path in one process (load → validate → write {', '.join(FORMATS)}): "
                      f"**{t['total']:.1f} s**, peak RSS **{pipe['peak_rss_mb']:.0f} MB** "
                      f"(load {t.get('load', 0) + t.get('to store', 0):.1f} s, validate {t['validate']:.1f} s, "
                      f"export {sum(v for k, v in t.items() if k.startswith('export')):.1f} s)."]
        elif pipe:
            lines += ["", f"Fast path in one process: {_note(pipe)}."]
        build, build_fast = figs.get("build-seed", {}), figs.get("build-seed-fast", {})
        if "times" in build:
            steps = [k for k in build["times"] if k != "total"]
            lines += ["", "`kg build` in one process, by step (s; from its progress messages; interpreter start and "
                      "imports before the first step not included):", "",
                      "| step | with pySHACL | with the fast validator |", "|---|--:|--:|"]
            for step in steps + ["total"]:
                lines.append(f"| {step} | {_fmt_s(build['times'].get(step))} | "
                             f"{_fmt_s(build_fast.get('times', {}).get(step))} |")
        ref, fast = figs.get("validate-pyshacl", {}), figs.get("validate-fast", {})
        if "digest" in ref and "digest" in fast:
            same = ref["digest"] == fast["digest"]
            lines += ["", f"pySHACL and the fast validator: {ref['results']} vs {fast['results']} results "
                      f"({ref['violations']} vs {fast['violations']} violations, {ref['warnings']} vs "
                      f"{fast['warnings']} warnings); (focus, path, component, severity) sets "
                      f"{'identical' if same else 'DIFFER'}."]
        elif "digest" in fast:
            lines += ["", f"Fast validator: {fast['results']} results ({fast['violations']} violations, "
                      f"{fast['warnings']} warnings); pySHACL: {_note(ref) or 'not run'}."]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,100k,1m", help="comma-separated: seed, 100k, 1m, 3m")
    parser.add_argument("--runs", type=int, default=1, help="runs per stage measurement (median)")
    parser.add_argument("--cli-runs", type=int, default=5, help="runs of kg --help / kg build (median)")
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line timings")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a measurement is given up")
    parser.add_argument("--pyshacl-timeout", type=float, default=600,
                        help="seconds pySHACL may take on one corpus before it is reported as not finished")
    parser.add_argument("--query-timeout", type=float, default=120,
                        help="seconds one rdflib query may take before it is reported as not finished")
    parser.add_argument("--corpora", type=Path, default=OUT / "corpora", help="where generated corpora are kept")
    parser.add_argument("--json", type=Path, nargs="?", const=OUT / "pipeline.json", default=None,
                        help="also write the figures as JSON (default path: benchmarks/out/pipeline.json)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.corpus)))
        return 0

    report = {"when": time.strftime("%Y-%m-%d %H:%M"), "runs": args.runs,
              "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, {_versions()}",
              "sizes": {}}
    if not args.no_cli:
        print("[cli] kg --help, kg build …", file=sys.stderr, flush=True)
        report["cli"] = cli_times(args.cli_runs)
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        if size != "seed" and size not in SIZES:
            parser.error(f"unknown size {size}")
        corpus = None if size == "seed" else ensure_corpus(size, args.corpora)
        report["sizes"][size] = {"corpus": str(corpus) if corpus else "data/", "figures": measure_size(size, corpus, args)}
    print(markdown(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


def _versions() -> str:
    from importlib.metadata import version

    parts = []
    for name in ("rdflib", "pyshacl", "pyoxigraph"):
        try:
            parts.append(f"{name} {version(name)}")
        except Exception:
            pass
    return ", ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
