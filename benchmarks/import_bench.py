"""``kg import`` of a 300-row measure table: .xlsx against the same rows as UTF-8 .csv (the baseline).

The workbook is laid out as cities publish them: a title row merged across, two heading rows
under a merged 評価 heading, cells with line breaks and ①②③ items, full-width item numbers,
status words mapped by the plan's import mapping. Medians of ``--repeat`` runs, in one process.

    python benchmarks/import_bench.py            # 300 rows
    python benchmarks/import_bench.py --rows 3000
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from openpyxl import Workbook  # noqa: E402

from kg.importer import import_table  # noqa: E402

PLAN = """- id: plan/bench-plan
  type: Plan
  label: {ja: 計測用の計画, en: Benchmark plan}
  publisher: org/132209
  derivedFrom: source/higashiyamato-it-plan-5-ch2-s4
"""
MAPPING = "values:\n  達成状況: {◎: 達成, ○: 一部達成, ×: 未達成}\n  今後の方向性: {拡充: 継続, 廃止: 取組終了}\n"
HEADINGS = ["No.", "施策名", "概要", "目標", "実施内容", "担当課", "達成状況", "今後の方向性"]


def rows(n: int) -> list[list[str]]:
    out = []
    for i in range(1, n + 1):
        number = str(i).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        out.append([number, f"施策{i}の推進", f"施策{i}を\n計画的に進める。", "実施" if i % 2 else "検討",
                    f"①調査を実施した。\n②試行した。\n③令和{i % 5 + 1}年度に導入した。", f"情報政策課{i % 7}",
                    "◎○×"[i % 3], "拡充" if i % 4 else "廃止"])
    return out


def write_tables(folder: Path, n: int) -> tuple[Path, Path]:
    book = Workbook()
    ws = book.active
    ws.append(["令和5年度 情報化施策の取組状況"])
    ws.append([*HEADINGS[:6], "評価", None])
    ws.append([None] * 6 + HEADINGS[6:])
    for cells in ("A1:H1", "G2:H2", *(f"{c}2:{c}3" for c in "ABCDEF")):
        ws.merge_cells(cells)
    for row in rows(n):
        ws.append(row)
    xlsx = folder / "table.xlsx"
    book.save(xlsx)
    csv_path = folder / "table.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADINGS)
        writer.writerows(rows(n))
    return xlsx, csv_path


def timed(data: Path, table: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = import_table(data, table, "bench-plan")
        times.append(time.perf_counter() - started)
    assert result.measures > 0
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", data)
        (data / "higashiyamato" / "bench.yaml").write_text(PLAN, encoding="utf-8")
        (data / "higashiyamato" / "bench-plan.import.yaml").write_text(MAPPING, encoding="utf-8")
        xlsx, csv_path = write_tables(Path(tmp), args.rows)
        baseline = timed(data, csv_path, args.repeat)
        workbook = timed(data, xlsx, args.repeat)
    print(f"kg import, {args.rows} rows, median of {args.repeat}")
    print(f"  .csv (baseline)  {baseline:6.3f} s")
    print(f"  .xlsx            {workbook:6.3f} s   ({workbook / baseline:.2f}× the .csv; target ≤ 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
