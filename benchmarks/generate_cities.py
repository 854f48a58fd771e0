"""Synthetic city folders for data/: many cities in one project, each the size of the seed's city.

Each city is started with ``kg init`` (``kg.init.init_city``, so its code, 法人番号 and e-Stat area
are real checks of real rules), then gets a source document, two plans (one ended, with every
measure's status and direction; one whose period runs to FY2026 in every second city and ended with FY2024 in the others) and a plan
table of MEASURES rows per plan in the project's CSV layout. Names are synthetic (テスト市1 …).

    python benchmarks/generate_cities.py --cities 50 --data /tmp/project/data
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from pathlib import Path

try:
    from kg.identifiers import local_government_check_digit
    from kg.init import init_city
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from kg.identifiers import local_government_check_digit
    from kg.init import init_city

MEASURES = 25  # two plans of 25: about the seed city's 51 measures
STATUSES, DIRECTIONS, GOALS = ("達成", "一部達成", "未達成"), ("継続", "取組終了"), ("検討", "実施")
TECHNOLOGIES = ("technology/ai", "technology/rpa", "technology/iot", "technology/cloud-computing", "")
HEADER = ["項番", "項目", "内容", "取組目標", "取組内容", "達成状況", "今後の方向性", "項目(英語)", "関連技術", "出典"]


def city_code(index: int) -> str:
    """A valid 6-digit code for synthetic city ``index`` (prefectures 01-47, city numbers 201 up)."""
    base = f"{index % 47 + 1:02d}{201 + index // 47:03d}"
    return base + local_government_check_digit(base)


def write_city(data_dir: Path, index: int, rng: random.Random) -> str:
    """Write city ``index`` to ``data_dir/gen-city-INDEX/``; return its slug."""
    slug = f"gen-city-{index}"
    code = city_code(index)
    init_city(data_dir, code, slug, f"テスト市{index}", f"Test City {index}")
    folder = data_dir / slug
    doc = f"source/{slug}-plan"
    with (folder / "sources.yaml").open("a", encoding="utf-8") as out:
        out.write(f"- {{id: {doc}, type: SourceDocument, label: {{ja: テスト市{index}情報化推進計画, "
                  f"en: Test City {index} IT plan}}}}\n")
        out.write(f"- {{id: {doc}-s1, type: SourcePassage, section: '1', isPartOf: {doc}, "
                  f"label: {{ja: 第1章, en: Chapter 1}}}}\n")
    plans = [("1", "平成31年度", "令和3年度", True)]
    plans.append(("2", "令和4年度", "令和8年度" if index % 2 == 0 else "令和6年度", False))
    lines = []
    for ordinal, start, end, finished in plans:
        plan = f"{slug}-it-plan-{ordinal}"
        lines.append(
            f"- id: plan/{plan}\n  type: Plan\n  label: {{ja: 第{ordinal}次テスト市{index}情報化推進計画, "
            f"en: Test City {index} IT Plan {ordinal}}}\n  publisher: org/{code}\n  ordinal: {ordinal}\n"
            f"  periodStart: {start}\n  periodEnd: {end}\n"
            + (f"  succeeds: plan/{slug}-it-plan-1\n" if ordinal == "2" else "")
            + ("  basedOn: [law/428AC1000000103]\n" if index % 3 == 0 else "")
            + f"  derivedFrom: {doc}-s1\n")
        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(HEADER)
        for n in range(1, MEASURES + 1):
            writer.writerow([n, f"施策{n}の推進", f"施策{n}を進める。", rng.choice(GOALS), "①調査した。 ②実施した。",
                             rng.choice(STATUSES) if finished else "", rng.choice(DIRECTIONS) if finished else "",
                             f"Measure {n}", rng.choice(TECHNOLOGIES), f"{doc}-s1"])
        (folder / f"{plan}.measures.csv").write_text(table.getvalue(), encoding="utf-8")
    (folder / "plans.yaml").write_text("\n".join(lines), encoding="utf-8")
    return slug


def generate(data_dir: Path, cities: int, seed: int = 42) -> list[str]:
    """``cities`` synthetic city folders in ``data_dir``; the same seed gives the same files."""
    rng = random.Random(seed)
    return [write_city(data_dir, i, rng) for i in range(cities)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, required=True)
    parser.add_argument("--data", type=Path, required=True, help="the project's data/ folder")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    print("\n".join(generate(args.data, args.cities, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
