"""Finding a table's heading rows and mapping its columns to the project's plan-table columns."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kg.errors import LoadError
from kg.importer.read import Grid, column_letter
from kg.load import COLUMNS

#: Column of the project's plan table (kg.load.COLUMNS) → headings cities use for it.
ALIASES: dict[str, tuple[str, ...]] = {
    "項番": ("項番", "No", "No.", "NO.", "番号", "通番", "項目番号", "整理番号", "#"),
    "項目": ("項目", "施策名", "事業名", "取組名", "取組項目", "施策", "事業", "取組", "個別計画"),
    "内容": ("内容", "概要", "事業概要", "事業の概要", "施策の概要", "取組の概要", "事業内容", "施策内容"),
    "取組目標": ("取組目標", "目標", "取組の目標"),
    "取組内容": ("取組内容", "実施内容", "取組状況", "取組実績", "実績", "実施状況"),
    "達成状況": ("達成状況", "進捗状況", "評価", "達成度", "進捗", "達成度評価"),
    "今後の方向性": ("今後の方向性", "方向性", "今後の方針", "今後の取組方針", "方針"),
    "項目(英語)": ("項目(英語)", "項目(英)", "Title"),
    "内容(英語)": ("内容(英語)", "内容(英)", "Description"),
    "関連システム": ("関連システム",),
    "関連技術": ("関連技術",),
    "出典": ("出典",),
    "注記": ("注記", "備考"),
    "目標時期": ("目標時期", "目標年度", "完了予定", "実施時期"),
}
#: Term names accepted by --columns besides the column names (e.g. 評価=achievementStatus).
TERM_NAMES = {"itemNumber": "項番", "label": "項目", "description": "内容", "goalType": "取組目標",
              "progressNote": "取組内容", "achievementStatus": "達成状況", "direction": "今後の方向性",
              "note": "注記", "targetDate": "目標時期"}
_HEADER_SCAN = 30  # rows searched for the heading row
_NUMBER = re.compile(r"[(（]?([0-9]+)[)）.．]?")


def normal(text: str) -> str:
    """A heading or value as compared: NFKC, no spaces or line breaks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_VARIANTS = sorted(((normal(v), key) for key, names in ALIASES.items() for v in names), key=lambda p: -len(p[0]))


def column_for(heading: str, extra: dict[str, str]) -> str | None:
    """The plan-table column a heading stands for: given by the user, the same, or ending with a variant."""
    text = normal(heading)
    if not text:
        return None
    if text in extra:
        return extra[text]
    for variant, key in _VARIANTS:
        if text == variant or (len(variant) >= 2 and text.endswith(variant)):
            return key
    return None


def parse_columns(pairs: list[str] | dict[str, str], where) -> dict[str, str]:
    """``HEADING=COLUMN`` pairs (COLUMN a plan-table column or a term name) as a lookup by heading."""
    items = pairs.items() if isinstance(pairs, dict) else [p.partition("=")[::2] for p in pairs]
    found = {}
    for heading, column in items:
        column = TERM_NAMES.get(str(column).strip(), str(column).strip())
        if not heading or column not in COLUMNS:
            raise LoadError(f"bad column mapping `{heading}={column}`", where,
                            f"write HEADING=COLUMN with COLUMN one of: {', '.join(COLUMNS)} (or a term name "
                            f"such as achievementStatus)")
        found[normal(str(heading))] = column
    return found


@dataclass
class Layout:
    """Where the heading rows end and which column holds what (1-based columns)."""

    first_data_row: int
    columns: dict[int, str]     # column → plan-table column
    headings: dict[int, str]    # column → its heading as written (joined over heading rows)

    @property
    def by_key(self) -> dict[str, int]:
        return {key: col for col, key in self.columns.items()}


def find_layout(grid: Grid, extra: dict[str, str]) -> Layout:
    """The heading row(s) of ``grid`` and the mapping of its columns; LoadError if none is recognisable."""
    for row in range(1, min(len(grid.rows), _HEADER_SCAN) + 1):
        headings = {c: _merged_text(grid, row, c) for c in range(1, _width(grid) + 1)}
        keys = {c: column_for(h, extra) for c, h in headings.items()}
        if len({k for k in keys.values() if k}) >= 2 and ("項番" in keys.values() or "項目" in keys.values()):
            return _with_subheadings(grid, row, headings, keys, extra)
    raise LoadError(f"no heading row found in the first {_HEADER_SCAN} rows", grid.place(1),
                    "the table needs a heading row naming its columns (項番, 項目, 内容, 達成状況 …); "
                    "name other headings with --columns HEADING=COLUMN")


def _with_subheadings(grid: Grid, row: int, headings: dict, keys: dict, extra: dict) -> Layout:
    """Take the rows below as heading rows: all those the 項番 heading is merged down over (a workbook),
    or else the next row where it names columns the first left open."""
    number_col = next((c for c, k in keys.items() if k == "項番"), None)
    last = _merged_down_to(grid, row, number_col) if number_col else row
    if last == row:
        below = {c: grid.cell(row + 1, c) for c in headings}
        is_data = number_col is not None and _NUMBER.fullmatch(normal(below.get(number_col, "")))
        if not is_data and any(column_for(t, extra) for t in below.values()):
            last = row + 1
    for sub in range(row + 1, last + 1):
        for c in headings:
            text = grid.cell(sub, c)
            if text.strip():
                joined = f"{headings[c]}／{text}" if headings[c].strip() else text
                keys[c] = column_for(text, extra) or column_for(joined, extra)
                headings[c] = joined
            elif _merged_across(grid, sub - 1, c):
                keys[c] = None  # under a heading merged across several columns: not that heading's column
        row = sub
    columns = {c: k for c, k in keys.items() if k}
    seen: dict[str, int] = {}
    for c, key in columns.items():
        if key in seen:
            raise LoadError(f"two columns map to {key}: {column_letter(seen[key])} ({headings[seen[key]]}) and "
                            f"{column_letter(c)} ({headings[c]})", grid.place(row, c),
                            f"map one of them elsewhere with --columns \"{headings[c].strip()}=COLUMN\" "
                            "(注記 keeps it as a note)")
        seen[key] = c
    if "項番" not in seen:
        raise LoadError("the table has no 項番 (item number) column", grid.place(row),
                        "add a column of item numbers (項番 1, 2, 3 …), or name it with --columns HEADING=項番")
    return Layout(row + 1, columns, {c: h for c, h in headings.items() if h.strip()})


def _merged_text(grid: Grid, row: int, column: int) -> str:
    """The cell's text, or that of the merged range it lies in (headings are often merged across)."""
    text = grid.cell(row, column)
    if text:
        return text
    for min_row, min_col, max_row, max_col in grid.merged:
        if min_row <= row <= max_row and min_col <= column <= max_col:
            return grid.cell(min_row, min_col)
    return ""


def _merged_down_to(grid: Grid, row: int, column: int) -> int:
    """The last row of a range merged down from (row, column), or ``row``."""
    return next((max_row for min_row, min_col, max_row, max_col in grid.merged
                 if min_row == row and min_col <= column <= max_col), row)


def _merged_across(grid: Grid, row: int, column: int) -> bool:
    """Whether (row, column) lies in a range merged across more than one column."""
    return any(min_row <= row <= max_row and min_col <= column <= max_col and max_col > min_col
               for min_row, min_col, max_row, max_col in grid.merged)


def _width(grid: Grid) -> int:
    return max((len(r) for r in grid.rows[:_HEADER_SCAN + 1]), default=0)


def item_number(text: str) -> int | None:
    """The item number in a 項番 cell (full-width digits, ①, (1) and 1. accepted), or None."""
    match = _NUMBER.fullmatch(normal(text))
    return int(match.group(1)) if match and int(match.group(1)) >= 1 else None
