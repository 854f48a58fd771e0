"""A located table → measure rows in the project's plan-table columns, every value checked.

Status and direction words differ between cities: a per-plan mapping file turns them into the
concepts of the project's schemes. A value the mapping does not know is an error naming its cell;
the words as written, and columns the project has no place for, are kept as notes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg import dates
from kg.errors import DateError, LoadError, Location
from kg.importer.headers import Layout, item_number, normal, parse_columns
from kg.importer.read import Grid, column_letter

#: Plan-table columns whose values are concepts, and their schemes.
SCHEME_COLUMNS = {"取組目標": "goal-type", "達成状況": "achievement-status", "今後の方向性": "direction"}


@dataclass
class Mapping:
    """A plan's import settings: extra column headings and the words for each scheme's concepts."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)   # column → normalised word → concept name
    path: Path | None = None

    @property
    def hint_path(self) -> str:
        return str(self.path) if self.path else "the plan's PLAN-SLUG.import.yaml"


def read_mapping(path: Path, cli_columns: list[str]) -> Mapping:
    """The mapping file at ``path`` (if it exists) with ``--columns`` pairs on top."""
    mapping = Mapping(path=path)
    if path.exists():
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise LoadError(f"malformed YAML: {getattr(exc, 'problem', exc)}",
                            Location(str(path), mark.line + 1 if mark else None),
                            "check indentation, colons and quotes") from None
        if not isinstance(raw, dict) or set(raw) - {"columns", "values"}:
            raise LoadError("an import mapping has two keys, `columns` and `values`", Location(str(path)),
                            "write `columns: {HEADING: COLUMN}` and `values: {達成状況: {WORD: 達成}}`")
        mapping.columns = parse_columns({str(k): str(v) for k, v in (raw.get("columns") or {}).items()},
                                        Location(str(path)))
        for column, words in (raw.get("values") or {}).items():
            if column not in SCHEME_COLUMNS or not isinstance(words, dict):
                raise LoadError(f"`values` has `{column}`", Location(str(path)),
                                f"`values` maps the words of {', '.join(SCHEME_COLUMNS)}, each as {{WORD: CONCEPT}}")
            mapping.values[column] = {normal(str(word)): str(concept) for word, concept in words.items()}
    mapping.columns.update(parse_columns(cli_columns, Location("--columns")))
    return mapping


@dataclass
class Row:
    """One measure: its number, the table row it came from, its cells by column, notes, cell refs."""

    number: int
    row: int
    cells: dict[str, str]
    notes: list[str]
    refs: dict[str, str]


@dataclass
class Converted:
    """The rows, and what was kept as notes (column heading → number of cells)."""

    rows: list[Row]
    kept: dict[str, int]


def convert(grid: Grid, layout: Layout, mapping: Mapping, concepts: dict[str, dict[str, str]]) -> Converted:
    """Every data row of ``grid`` as a Row; LoadError at the first cell that cannot be used.

    ``concepts`` holds, per scheme column, the scheme's own names (labels, notations) → Japanese label.
    """
    _refuse_row_merges(grid, layout.first_data_row)
    lookups = {column: _lookup(column, concepts, mapping) for column in SCHEME_COLUMNS}
    number_col = layout.by_key["項番"]
    width = max((len(r) for r in grid.rows), default=0)
    rows: list[Row] = []
    seen: dict[int, int] = {}
    kept: dict[str, int] = {}
    unmapped: dict[tuple[str, str], tuple[int, int]] = {}  # (column, word) → its first (row, column)
    for r in range(layout.first_data_row, len(grid.rows) + 1):
        if not any(grid.cell(r, c).strip() for c in range(1, width + 1)):
            continue
        raw_number = grid.cell(r, number_col)
        number = item_number(raw_number)
        if number is None:
            problem = "empty 項番" if not raw_number.strip() else f"項番 `{raw_number}` is not a number of 1 or more"
            raise LoadError(problem, grid.place(r, number_col),
                            "give every row its item number (1, 2, 3 …); delete rows that are headings or totals")
        if number in seen:
            raise LoadError(f"duplicate 項番 {number} (first in row {seen[number]})", grid.place(r, number_col),
                            "give each item its own number")
        seen[number] = r
        rows.append(_row(grid, layout, r, number, width, lookups, unmapped, kept))
    if unmapped:
        _refuse_unmapped(grid, unmapped, lookups, mapping)
    return Converted(rows, kept)


def _refuse_unmapped(grid: Grid, unmapped: dict, lookups: dict, mapping: Mapping) -> None:
    """One error for every word no mapping knows: its first cell, the others, and the lines to add."""
    (column, word), (r, c) = next(iter(unmapped.items()))
    others = [f"{w} ({column_letter(cc)}{rr})" for (_, w), (rr, cc) in list(unmapped.items())[1:]]
    lines = []
    for key in SCHEME_COLUMNS:
        words = [w for (k, w) in unmapped if k == key]
        if words:
            known = ", ".join(sorted(set(lookups[key].values())))
            lines.append(f"  {key}:   # one of: {known}\n" + "".join(f"    {w}: CONCEPT\n" for w in words))
    message = f"{column} `{word}` is not mapped to a concept" + (
        f"; nor are {', '.join(others)}" if others else "")
    raise LoadError(message, grid.place(r, c), f"add under `values:` in {mapping.hint_path}:\n" + "".join(lines).rstrip())


def _row(grid, layout, r, number, width, lookups, unmapped, kept) -> Row:
    cells: dict[str, str] = {}
    notes: list[str] = []
    refs: dict[str, str] = {}
    for c in range(1, width + 1):
        raw = grid.cell(r, c)
        key = layout.columns.get(c)
        text = clean(raw, key)
        if not text:
            continue
        ref = f"{column_letter(c)}{r}"
        if key is None or key == "注記":
            heading = normal(layout.headings.get(c, "")) or f"列{column_letter(c)}"
            notes.append(text if heading in ("注記", "備考") else f"{heading}: {text}")
            if key is None:
                kept[heading] = kept.get(heading, 0) + 1
            refs[heading] = ref
            continue
        if key == "項番":
            text = str(number)
        elif key in SCHEME_COLUMNS:
            concept = lookups[key].get(normal(text))
            if concept is None:
                unmapped.setdefault((key, normal(text)), (r, c))  # all of them are reported at the end
                continue
            if concept != text:
                notes.append(f"{normal(layout.headings.get(c, key))}（表の記載）: {text}")
            text = concept
        elif key == "目標時期":
            try:
                dates.parse(text)
            except DateError as exc:
                raise LoadError(f"目標時期 `{text}`: {exc.message}", grid.place(r, c), exc.fix) from None
        cells[key] = text
        refs[key] = ref
    return Row(number, r, cells, notes, refs)


def _lookup(column: str, concepts: dict[str, dict[str, str]], mapping: Mapping) -> dict[str, str]:
    """Normalised word → Japanese concept label, for one scheme column."""
    own = concepts.get(column, {})
    lookup = {normal(name): label for name, label in own.items()}
    for word, target in mapping.values.get(column, {}).items():
        label = own.get(target) or own.get(normal(target))
        if label is None:
            raise LoadError(f"`{word}: {target}`: {target} is no concept of {SCHEME_COLUMNS[column]}",
                            Location(mapping.hint_path), f"use one of: {', '.join(sorted(set(own.values())))}")
        lookup[word] = label
    return lookup


def _refuse_row_merges(grid: Grid, first_data_row: int) -> None:
    for min_row, min_col, max_row, _ in sorted(grid.merged):
        if max_row > min_row and max_row >= first_data_row:
            raise LoadError(f"a cell merged across rows {min_row}–{max_row}", grid.place(min_row, min_col),
                            "unmerge it (セルの結合を解除) and write the value in each row it belongs to")


_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def clean(text: str, key: str | None) -> str:
    """A cell's text on one line: NFC, lines joined (with a space between Latin words), trimmed."""
    lines = [line.strip() for line in unicodedata.normalize("NFC", text).splitlines() if line.strip()]
    if key == "取組内容":
        return " ".join(lines)  # ①②③ items: the loader splits them again
    joined = ""
    for line in lines:
        if joined and _ASCII_WORD.match(line[0]) and _ASCII_WORD.match(joined[-1]):
            joined += " "
        joined += line
    return joined
