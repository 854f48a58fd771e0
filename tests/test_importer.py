"""kg import: tables as cities publish them → the project's plan table, with provenance; bad input → exit 2."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from conftest import ROOT, make_project
from kg.cli import main
from kg.errors import LoadError
from kg.importer import import_table
from kg.namespaces import LGDX
from kg.project import Project

PLAN = """
- id: plan/new-plan
  type: Plan
  label: {ja: 新しい計画, en: New plan}
  publisher: org/132209
  derivedFrom: source/mini-doc-1
"""
HEADINGS = ["No.", "施策名", "概要", "目標", "実施内容", "評価", "方向性"]
ROWS = [["１", "電子申請の拡充", "手続を\nオンライン化する。", "実施", "①申請を追加した。\n②周知した。", "◎", "拡充"],
        ["2", "AI-OCR の導入", "帳票を\n読み取る。", "検討", "実証した。", "△", "継続"]]
MAPPING = "values:\n  達成状況: {◎: 達成, ○: 一部達成, △: 一部達成, ×: 未達成}\n  今後の方向性: {拡充: 継続, 縮小: 継続, 廃止: 取組終了}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path)
    with (root / "data" / "city.yaml").open("a", encoding="utf-8") as handle:
        handle.write(PLAN)
    (root / "data" / "new-plan.import.yaml").write_text(MAPPING, encoding="utf-8")
    return root


def xlsx(path: Path, rows: list[list], merge: tuple[str, ...] = (), title: str | None = None, sheet: str = "Sheet") -> Path:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merge:
        ws.merge_cells(cells)
    book.save(path)
    return path


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), "-q", "import", *args], catch_exceptions=False)


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def table_rows(project: Path) -> list[dict[str, str]]:
    return csv_rows(project / "data" / "new-plan.measures.csv")


def test_xlsx_with_title_and_heading_variants_becomes_the_plan_table(project: Path, tmp_path: Path):
    source = xlsx(tmp_path / "table.xlsx", [["令和4年度 取組状況"], HEADINGS, *ROWS], merge=("A1:G1",))
    result = run(project, str(source), "--plan", "plan/new-plan")
    assert result.exit_code == 0, result.output
    rows = table_rows(project)
    assert [r["項番"] for r in rows] == ["1", "2"]  # full-width １ read as 1
    first = rows[0]
    assert first["項目"] == "電子申請の拡充" and first["内容"] == "手続をオンライン化する。"
    assert first["取組目標"] == "実施" and first["取組内容"] == "①申請を追加した。 ②周知した。"
    assert first["達成状況"] == "達成" and first["今後の方向性"] == "継続"
    assert "評価（表の記載）: ◎" in first["注記"] and "方向性（表の記載）: 拡充" in first["注記"]
    assert first["出典"] == "source/new-plan-table-r3"
    assert rows[1]["項目"] == "AI-OCR の導入" and rows[1]["内容"] == "帳票を読み取る。"
    sources = (project / "data" / "new-plan.sources.yaml").read_text(encoding="utf-8")
    assert "table.xlsx 3行目（項番 1）" in sources and "達成状況 F3" in sources
    loaded = Project(project).load()  # the written files load: ①② split into two progress notes
    notes = [str(o) for o in loaded.graph.objects(predicate=None) if "周知した" in str(o)]
    assert notes == ["②周知した。"]


def test_two_heading_rows_under_a_merged_heading(project: Path, tmp_path: Path):
    rows = [["項番", "事業名", "評価", None], [None, None, "達成状況", "今後の方向性"], ["1", "事業A", "○", "縮小"]]
    source = xlsx(tmp_path / "two.xlsx", rows, merge=("A1:A2", "B1:B2", "C1:D1"))
    assert run(project, str(source), "--plan", "new-plan").exit_code == 0
    row = table_rows(project)[0]
    assert (row["達成状況"], row["今後の方向性"]) == ("一部達成", "継続")


def test_three_heading_rows_under_merged_headings(project: Path, tmp_path: Path):
    rows = [["項番", "事業名", "評価", None], [None, None, "令和4年度末", None], [None, None, "達成状況", "今後の方向性"],
            ["1", "事業A", "×", "廃止"]]
    source = xlsx(tmp_path / "three.xlsx", rows, merge=("A1:A3", "B1:B3", "C1:D1", "C2:D2"))
    assert run(project, str(source), "--plan", "new-plan").exit_code == 0
    row = table_rows(project)[0]
    assert (row["項番"], row["項目"], row["達成状況"], row["今後の方向性"]) == ("1", "事業A", "未達成", "取組終了")
    assert "source/new-plan-table-r4" == row["出典"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_encodings_are_detected(project: Path, tmp_path: Path, encoding: str):
    out = io.StringIO()
    csv.writer(out).writerows([HEADINGS, *ROWS])
    source = tmp_path / "table.csv"
    source.write_bytes(out.getvalue().encode(encoding))
    result = import_table(project / "data", source, "new-plan")
    assert result.measures == 2 and result.encoding == ("cp932" if encoding == "cp932" else "utf-8-sig")


def test_tsv_sheet_and_columns_options(project: Path, tmp_path: Path):
    source = tmp_path / "table.tsv"
    source.write_text("番号\t取組\t担当課\t状況\n3\t窓口の改善\t市民課\t×\n", encoding="utf-8")
    result = run(project, str(source), "--plan", "new-plan", "--columns", "状況=achievementStatus")
    assert result.exit_code == 0, result.output
    row = table_rows(project)[0]
    assert row["達成状況"] == "未達成" and "担当課: 市民課" in row["注記"]  # unmapped column kept as a note
    book = tmp_path / "two-sheets.xlsx"
    wb = Workbook()
    wb.active.append(["ignored"])
    wb.create_sheet("計画").append(HEADINGS)
    wb["計画"].append(ROWS[1])
    wb.save(book)
    assert run(project, str(book), "--plan", "new-plan", "--sheet", "計画").exit_code == 0
    assert [r["項番"] for r in table_rows(project)] == ["2"]
    missing = run(project, str(book), "--plan", "new-plan", "--sheet", "無い")
    assert missing.exit_code == 2 and "計画" in missing.output


def test_reimport_keeps_what_the_clerk_added(project: Path, tmp_path: Path):
    source = xlsx(tmp_path / "table.xlsx", [HEADINGS, *ROWS])
    run(project, str(source), "--plan", "new-plan")
    path = project / "data" / "new-plan.measures.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",,,,,source/new-plan-table-r2",
                                                             ",Online applications,,,,source/new-plan-table-r2 source/mini-doc-1"),
                    encoding="utf-8")
    run(project, str(source), "--plan", "new-plan")
    row = table_rows(project)[0]
    assert row["項目(英語)"] == "Online applications"
    assert row["出典"] == "source/new-plan-table-r2 source/mini-doc-1"


def bad_inputs(tmp: Path) -> dict[str, tuple[Path, str, str]]:
    """name → (file, text the message must hold, place it must name)."""
    cases = {}
    cases["no heading"] = (xlsx(tmp / "nohead.xlsx", [["a", "b"], ["1", "x"]]), "no heading row", "nohead.xlsx:1")
    cases["two columns, one term"] = (xlsx(tmp / "twice.xlsx", [["項番", "施策名", "事業名"], ["1", "a", "b"]]),
                                      "two columns map to 項目", "twice.xlsx:1:C")
    cases["empty 項番"] = (xlsx(tmp / "empty.xlsx", [HEADINGS, ROWS[0], ["", "x", "y"]]), "empty 項番", "empty.xlsx:3:A")
    cases["duplicate 項番"] = (xlsx(tmp / "dup.xlsx", [HEADINGS, ROWS[0], ["1", "x"]]), "duplicate 項番 1 (first in row 2)",
                              "dup.xlsx:3:A")
    cases["merged across rows"] = (xlsx(tmp / "merged.xlsx", [HEADINGS, ROWS[0], ROWS[1]], merge=("G2:G3",)),
                                   "merged across rows 2–3", "merged.xlsx:2:G")
    cases["unmapped status"] = (xlsx(tmp / "word.xlsx", [HEADINGS, [*ROWS[0][:5], "済", "継続"]]),
                                "達成状況 `済` is not mapped", "word.xlsx:2:F")
    cases["formula"] = (xlsx(tmp / "formula.xlsx", [HEADINGS, [*ROWS[0][:6], "=A1"]]), "formula cell", "formula.xlsx:2:G")
    cases["bad date"] = (xlsx(tmp / "date.xlsx", [[*HEADINGS, "目標時期"], [*ROWS[0], "令和4年13月"]]), "目標時期",
                         "date.xlsx:2:H")
    encrypted = tmp / "locked.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    cases["password-protected"] = (encrypted, "password-protected", "locked.xlsx")
    corrupt = tmp / "corrupt.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    cases["corrupt"] = (corrupt, "not a readable .xlsx", "corrupt.xlsx")
    no_sheet = tmp / "zip.xlsx"
    with zipfile.ZipFile(no_sheet, "w") as z:
        z.writestr("hello.txt", "hi")
    cases["zip without a workbook"] = (no_sheet, "not a readable .xlsx", "zip.xlsx")
    old = tmp / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    cases[".xls"] = (old, "save it as .xlsx", "old.xls")
    utf16 = tmp / "utf16.csv"
    utf16.write_text("項番,項目\n1,a\n", encoding="utf-16")
    cases["neither encoding"] = (utf16, "neither UTF-8 nor Shift_JIS", "utf16.csv")
    return cases


BAD_CASES = ["no heading", "two columns, one term", "empty 項番", "duplicate 項番", "merged across rows",
             "unmapped status", "formula", "bad date", "password-protected", "corrupt", "zip without a workbook", ".xls",
             "neither encoding"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_exits_2_naming_the_cell_and_writes_nothing(project: Path, tmp_path: Path, case: str):
    source, text, place = bad_inputs(tmp_path)[case]
    result = run(project, str(source), "--plan", "new-plan")
    assert result.exit_code == 2
    assert text in result.output and place in result.output and "fix:" in result.output
    assert not (project / "data" / "new-plan.measures.csv").exists()
    assert not (project / "data" / "new-plan.sources.yaml").exists()


def test_unknown_plan_and_unused_mapping(project: Path, tmp_path: Path):
    source = xlsx(tmp_path / "t.xlsx", [["項番", "項目"], ["1", "a"]])
    result = run(project, str(source), "--plan", "plan/nothing")
    assert result.exit_code == 2 and "plan/nothing is not defined" in result.output
    said = []
    import_table(project / "data", source, "new-plan", log=said.append)
    assert any("words for 今後の方向性, but no column" in line for line in said)


def test_the_shipped_kawasaki_tables_import_to_the_committed_files(tmp_path: Path):
    """The second real city's tables, as transcribed from its sheets, give exactly the files in data/."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    for plan, table in (("kawasaki-action-plan-2005", "kawasaki-action-plan-2005.xlsx"),
                        ("kawasaki-action-plan-2008", "kawasaki-action-plan-2008.csv")):
        for suffix in (".measures.csv", ".sources.yaml"):
            (data / "kawasaki" / f"{plan}{suffix}").unlink()
        import_table(data, data / "kawasaki" / "source" / table, plan)
        for suffix in (".sources.yaml", ".measures.csv"):
            written = (data / "kawasaki" / f"{plan}{suffix}").read_text(encoding="utf-8")
            committed = (ROOT / "data" / "kawasaki" / f"{plan}{suffix}").read_text(encoding="utf-8")
            if suffix == ".measures.csv":  # English, technology and the sheets' passages were added by hand
                committed_rows = list(csv.DictReader(io.StringIO(committed, newline="")))
                written_rows = list(csv.DictReader(io.StringIO(written, newline="")))
                for before, after in zip(committed_rows, written_rows, strict=True):
                    for column in ("項目(英語)", "内容(英語)", "関連技術"):
                        before[column] = ""
                    before["出典"] = before["出典"].split()[0]
                    assert before == after
            else:
                assert written == committed


def test_import_error_is_a_load_error(project: Path, tmp_path: Path):
    with pytest.raises(LoadError) as info:
        import_table(project / "data", xlsx(tmp_path / "x.xlsx", [["x"]]), "new-plan")
    assert str(info.value.where) == "x.xlsx:1"


def test_named_encoding_and_japanese_dates(project: Path, tmp_path: Path):
    source = tmp_path / "sjis.csv"
    source.write_bytes("項番,項目,目標時期\n1,窓口,令和4年度末\n2,申請,2025年3月\n".encode("cp932"))
    wrong = run(project, str(source), "--plan", "new-plan", "--encoding", "utf-8")
    assert wrong.exit_code == 2 and "not utf-8 text (byte 0)" in wrong.output and "sjis.csv:1" in wrong.output
    assert run(project, str(source), "--plan", "new-plan", "--encoding", "shift_jis").exit_code == 0
    assert [r["目標時期"] for r in table_rows(project)] == ["令和4年度末", "2025年3月"]
    loaded = Project(project).load()
    dates = sorted(str(o) for s, o in loaded.graph.subject_objects(LGDX.targetDate) if "new-plan" in str(s))
    assert dates == ["2023-03-31", "2025-03"]


def test_the_projects_own_table_layout_round_trips(tmp_path: Path):
    """A table already in the project's layout (Higashiyamato's fourth plan) imports to itself, plus provenance."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    table = tmp_path / "plan-4.csv"
    shutil.copy(ROOT / "data" / "higashiyamato" / "higashiyamato-it-plan-4.measures.csv", table)
    assert import_table(data, table, "higashiyamato-it-plan-4").measures == 17
    before, after = csv_rows(table), csv_rows(data / "higashiyamato" / "higashiyamato-it-plan-4.measures.csv")
    for old, new in zip(before, after, strict=True):
        assert new.pop("出典") == f"source/higashiyamato-it-plan-4-table-r{int(old['項番']) + 1} {old.pop('出典')}"
        assert {k: v for k, v in new.items() if k in old} == old and not new["注記"]


def test_every_unmapped_word_is_named_at_once(project: Path, tmp_path: Path):
    rows = [HEADINGS, [*ROWS[0][:5], "済", "継続"], [*ROWS[1][:5], "済", "新規"], ["3", "x", "y", "実施", "z", "未着手", "継続"]]
    result = run(project, str(xlsx(tmp_path / "words.xlsx", rows)), "--plan", "new-plan")
    assert result.exit_code == 2
    assert "words.xlsx:2:F: 達成状況 `済` is not mapped to a concept; nor are 新規 (G3), 未着手 (F4)" in result.output
    assert "    済: CONCEPT\n    未着手: CONCEPT" in result.output and "  今後の方向性:" in result.output
    assert not (project / "data" / "new-plan.measures.csv").exists()
