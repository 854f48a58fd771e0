"""Imported rows → the project's own files: PLAN.measures.csv and PLAN.sources.yaml (provenance)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from kg.importer.read import Grid
from kg.importer.rows import Row
from kg.load import COLUMNS

#: The columns of a written plan table, in the project's order.
OUTPUT_COLUMNS = list(COLUMNS)
#: The provenance file an import writes beside PLAN.measures.csv.
SOURCES_SUFFIX = ".sources.yaml"
#: Columns a clerk fills in after an import; a new import of the same plan keeps them.
KEPT_ON_REIMPORT = ("項目(英語)", "内容(英語)", "関連システム", "関連技術")


def table_csv(plan: str, rows: list[Row], existing: Path) -> bytes:
    """The plan table, keeping what a clerk added to ``existing`` (same 項番) that the import has no value for."""
    before = _existing_rows(existing)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for row in sorted(rows, key=lambda r: r.number):
        old = before.get(str(row.number), {})
        cells = dict(row.cells)
        for column in KEPT_ON_REIMPORT:
            if not cells.get(column) and old.get(column):
                cells[column] = old[column]
        own = passage_id(plan, row)
        sources = [own] + [s for s in old.get("出典", "").split() if s != own and not s.startswith(f"{doc_id(plan)}-r")]
        cells["出典"] = " ".join(dict.fromkeys(sources + cells.get("出典", "").split()))
        cells["注記"] = "\n".join(row.notes)
        writer.writerow([cells.get(column, "") for column in OUTPUT_COLUMNS])
    return out.getvalue().encode("utf-8")


def sources_yaml(plan: str, grid: Grid, headings: dict[str, str], rows: list[Row]) -> bytes:
    """The imported table as a SourceDocument and one SourcePassage per row, naming the cells."""
    where = f"{grid.name}（シート「{grid.sheet}」）" if grid.sheet else grid.name
    where_en = f"{grid.name} (sheet {grid.sheet})" if grid.sheet else grid.name
    columns = [f"{letter} {heading}" for letter, heading in headings.items()]
    entries = [{
        "id": doc_id(plan), "type": "SourceDocument",
        "label": {"ja": f"{where} の表", "en": f"The table in {where_en}"},
        "note": {"ja": [f"kg import で取り込んだ表。列: {'、'.join(columns)}"],
                 "en": [f"Table read by kg import. Columns: {', '.join(columns)}"]},
    }]
    for row in sorted(rows, key=lambda r: r.number):
        cells = "、".join(f"{key} {ref}" for key, ref in row.refs.items())
        entries.append({
            "id": passage_id(plan, row), "type": "SourcePassage", "section": f"row {row.row}",
            "isPartOf": doc_id(plan),
            "label": {"ja": f"{grid.name} {row.row}行目（項番 {row.number}）",
                      "en": f"{grid.name} row {row.row} (item {row.number})"},
            "note": {"ja": [f"セル: {cells}"]},
        })
    header = (f"# Provenance of {plan}.measures.csv: the table it was imported from, one passage per row.\n"
              "# Written by kg import; a new import of the plan replaces this file.\n")
    return (header + yaml_text(entries)).encode("utf-8")


def yaml_text(entries: list[dict]) -> str:
    """Resources as YAML a clerk reads and edits (libyaml's emitter where installed: many times faster)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(entries, Dumper=dumper, allow_unicode=True, sort_keys=False, width=110)


def doc_id(plan: str) -> str:
    return f"source/{plan}-table"


def passage_id(plan: str, row: Row) -> str:
    return f"{doc_id(plan)}-r{row.row}"


def _existing_rows(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8-sig")
    return {r.get("項番", ""): r for r in csv.DictReader(io.StringIO(text, newline=""))}
