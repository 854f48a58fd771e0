"""Commands that start and fill a city's data: ``init``, ``import``."""

from __future__ import annotations

import time
from pathlib import Path

import click

from kg.cli.app import Context, main, pass_ctx


@main.command()
@click.option("--code", required=True, metavar="CODE",
              help="The 6-digit local government code (全国地方公共団体コード) with its check digit, e.g. 141305.")
@click.option("--slug", metavar="SLUG", help="Folder and id prefix in data/ (lowercase ASCII; default city-CODE).")
@click.option("--name", "name_ja", metavar="NAME", help="The official Japanese name, e.g. 川崎市 (never looked up).")
@click.option("--name-en", metavar="NAME", help="The English name, e.g. \"Kawasaki City\".")
@pass_ctx
def init(c: Context, code: str, slug: str | None, name_ja: str | None, name_en: str | None):
    """Start a new city's folder in data/: city.yaml, sources.yaml, a plans.yaml to fill, open questions.

    The code's check digit is verified; the 法人番号, prefecture and e-Stat area follow from the code.
    Names are taken as given and listed in open-questions.yaml to be checked.
    """
    from kg.init import init_city

    result = init_city(c.project.data_dir, code, slug, name_ja, name_en)
    c.log(f"wrote {', '.join(result.files)} to {result.folder}; {result.questions} open question(s) to check")

@main.command("import")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plan", required=True, metavar="PLAN_ID", help="The plan the table's measures belong to (plan/SLUG).")
@click.option("--sheet", metavar="NAME", help="The workbook sheet to read (default: the first).")
@click.option("--encoding", metavar="ENC", help="Encoding of a .csv/.tsv (default: detect UTF-8 or Shift_JIS).")
@click.option("--columns", "columns", multiple=True, metavar="HEADING=COLUMN",
              help="Map a heading to a plan-table column (項番, 項目, 達成状況 … or a term name); repeatable.")
@pass_ctx
def import_(c: Context, table: Path, plan: str, sheet: str | None, encoding: str | None, columns: tuple[str, ...]):
    """Turn a measure table as a city published it (.xlsx, .csv, .tsv) into PLAN.measures.csv.

    The file goes beside the plan's definition, with PLAN.sources.yaml naming the table, row and
    cells of every measure. Status and direction words are mapped to the project's concepts by the
    plan's PLAN.import.yaml; an unmapped word, an empty or repeated 項番 and other unusable input stop
    the import with file:row:column and a fix (exit 2), and nothing is written.
    """
    from kg.importer import import_table

    started = time.perf_counter()
    result = import_table(c.project.data_dir, table, plan, sheet, encoding, list(columns), log=c.log)
    c.log(f"imported {result.measures} measures in {time.perf_counter() - started:.2f} s")
