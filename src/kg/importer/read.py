"""Tables as cities publish them (.xlsx, .csv, .tsv) → a grid of cell texts with their places."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import LoadError, Location

#: A compound-document header: an old .xls, or an .xlsx saved with a password (encrypted).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Encodings tried in turn when none is given: UTF-8 (with or without BOM), then cp932 (Shift_JIS).
ENCODINGS = ("utf-8-sig", "cp932")


@dataclass(frozen=True)
class CellPlace(Location):
    """A cell of a table: ``file:row:column`` (column as a spreadsheet letter)."""

    column: int | None = None

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}" if self.line else self.file
        return f"{text}:{column_letter(self.column)}" if self.column else text


def column_letter(number: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Grid:
    """A sheet's cell texts (row 1 first, "" where empty), its merged ranges and where it came from."""

    name: str
    sheet: str | None
    rows: list[list[str]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    encoding: str | None = None

    def place(self, row: int, column: int | None = None) -> CellPlace:
        return CellPlace(self.name, row, column)

    def cell(self, row: int, column: int) -> str:
        line = self.rows[row - 1] if row <= len(self.rows) else []
        return line[column - 1] if column <= len(line) else ""


def read_grid(path: Path, sheet: str | None = None, encoding: str | None = None) -> Grid:
    """The table in ``path``: the first (or the named) sheet of an .xlsx, or a .csv/.tsv."""
    suffix = path.suffix.lower()
    try:
        head = path.read_bytes()[:8]
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror}", Location(path.name), "check the path") from None
    if suffix == ".xls":
        raise LoadError("an old-format Excel file (.xls) cannot be read", Location(path.name),
                        "open it in Excel and save it as .xlsx (Excel ブック), then import the .xlsx")
    if suffix == ".xlsx":
        if head == OLE_MAGIC:
            raise LoadError("this workbook is password-protected (encrypted), or an old .xls renamed",
                            Location(path.name), "open it in Excel, remove any password (ファイル → 情報 → "
                            "ブックの保護), save it as .xlsx (Excel ブック) and import again")
        return _read_xlsx(path, sheet)
    if suffix in (".csv", ".tsv"):
        if sheet:
            raise LoadError("--sheet applies to .xlsx workbooks only", Location(path.name), "leave out --sheet")
        return _read_delimited(path, "\t" if suffix == ".tsv" else ",", encoding)
    raise LoadError(f"cannot import a `{suffix or path.name}` file", Location(path.name),
                    "save the table as .xlsx, .csv or .tsv")


def _read_xlsx(path: Path, sheet: str | None) -> Grid:
    from openpyxl import load_workbook  # imported here: only imports of .xlsx need it

    try:
        book = load_workbook(path, data_only=False, read_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise LoadError(f"not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})", Location(path.name),
                        "open it in Excel and save it again as .xlsx; if it will not open, get a fresh copy") from None
    if sheet is None:
        ws = book.worksheets[0]
    elif sheet in book.sheetnames:
        ws = book[sheet]
    else:
        raise LoadError(f"no sheet `{sheet}` in this workbook", Location(path.name),
                        f"--sheet takes one of: {', '.join(book.sheetnames)}")
    grid = Grid(path.name, ws.title, [], [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges])
    for row in ws.iter_rows():
        texts = []
        for cell in row:
            if cell.data_type == "f":
                raise LoadError(f"a formula cell ({cell.value})", grid.place(cell.row, cell.column),
                                "replace formulas by their values (copy, then paste as values / 値の貼り付け)")
            texts.append(_text(cell.value))
        grid.rows.append(texts)
    return grid


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_delimited(path: Path, delimiter: str, encoding: str | None) -> Grid:
    data = path.read_bytes()
    text, used = _decode(data, path.name, encoding)
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        raise LoadError(f"malformed {path.suffix[1:].upper()}: {exc}", Location(path.name, reader.line_num),
                        "check the quotes of this row: a cell with a quote, comma or line break is quoted") from None
    return Grid(path.name, None, rows, encoding=used)


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    for candidate in (encoding,) if encoding else ENCODINGS:
        try:
            text = data.decode(candidate)
        except LookupError:
            raise LoadError(f"unknown encoding `{candidate}`", Location("--encoding"),
                            "use utf-8, utf-8-sig, cp932 or shift_jis") from None
        except UnicodeDecodeError as exc:
            if encoding:
                line = data[:exc.start].count(b"\n") + 1
                raise LoadError(f"not {encoding} text (byte {exc.start})", Location(name, line),
                                "leave out --encoding to detect UTF-8 or Shift_JIS, or name the right one") from None
            continue
        bad = next((i for i, ch in enumerate(text) if ord(ch) < 32 and ch not in "\t\r\n"), None)
        if bad is None:
            return text, candidate
        if encoding:
            raise LoadError(f"control character U+{ord(text[bad]):04X} in {encoding} text",
                            Location(name, text[:bad].count("\n") + 1), "save the file as UTF-8 or Shift_JIS text")
    raise LoadError("the file is neither UTF-8 nor Shift_JIS (cp932) text", Location(name),
                    "save it from Excel as 'CSV UTF-8' or 'CSV (コンマ区切り)', or name its encoding with --encoding")
