"""Who has reported, who is late and who is missing, in the report of an area and year (rows in
``warehouse_state``): gathered on both backends, the workbook's sheet read back, the page's section."""

from datetime import date, datetime

from openpyxl import load_workbook

from tests.report.conftest import PRODUCED_ON, PROVINCE
from warehouse.report import gather_report, render_html, write_workbook

STATUS_COLUMN = 12


def test_the_area_s_communes_for_periods_ending_in_the_year(report_engine):
    c = gather_report(report_engine, PROVINCE, 2026, generated_on=PRODUCED_ON).completeness
    assert [(r.commune_code, r.form_id, r.period, r.status) for r in c.rows] == [
        ("06001", "activity_report", "2026-Q3", "missing"),
        ("05983", "activity_report", "2026-Q3", "late"),
        ("06001", "activity_report", "2026-Q4", "not_due"),
        ("05977", "activity_report", "2026-Q3", "on_time"),
        ("05977", "household_survey", "2026-06-01/2026-07-31", "on_time"),
    ]
    assert c.counts() == [("missing", 1), ("late", 1), ("not_due", 1), ("on_time", 2)]
    assert c.as_of == date(2026, 11, 20)
    assert gather_report(report_engine, PROVINCE, 2025, generated_on=PRODUCED_ON).completeness.counts() == [
        ("missing", 1), ("late", 0), ("not_due", 0), ("on_time", 0)]


def test_the_sheet_names_each_commune_with_its_status(province_report, tmp_path):
    sheet = load_workbook(write_workbook(province_report, tmp_path / "report.xlsx"))["Tình hình báo cáo"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Biểu mẫu", "Kỳ", "Mã xã", "Xã, phường", "Số cần nộp", "Đã nhận", "Nhận đúng hạn",
                       "Nhận sau hạn", "Còn thiếu", "Hạn nộp", "Ngày nhận đủ", "Tình trạng")
    assert rows[1] == ("Báo cáo hoạt động", "Quý 3/2026", "06001", "Xã Đoàn Kết", 1, 0, 0, 0, 1,
                       datetime(2026, 10, 15), None, "Chưa nộp đủ")
    assert rows[2] == ("Báo cáo hoạt động", "Quý 3/2026", "05983", "Phường Lương Văn Tri", 1, 3, 0, 3, 0,
                       datetime(2026, 10, 15), datetime(2026, 10, 20), "Nộp muộn")
    assert rows[3][1:4] + rows[3][11:] == ("Quý 4/2026", "06001", "Xã Đoàn Kết", "Chưa đến hạn")
    assert rows[4][2:4] + rows[4][11:] == ("05977", "Phường Đông Kinh", "Đúng hạn")
    assert rows[5] == ("Khảo sát hộ gia đình", "Đợt 01/06/2026–31/07/2026", "05977", "Phường Đông Kinh", 40, 42, 40,
                       2, 0, datetime(2026, 8, 15), datetime(2026, 8, 1), "Đúng hạn")
    assert rows[6] == (None,) * STATUS_COLUMN
    assert rows[7][0].startswith("Tình hình đến ngày 20/11/2026.")
    assert len(rows) == 8
    assert sheet["J2"].number_format == "dd/mm/yyyy" and sheet.auto_filter.ref == "A1:L6"


def test_the_page_names_late_and_missing_communes(province_report):
    page = render_html(province_report)
    section = page[page.index('<section id="completeness">'):page.index("</section>",
                                                                       page.index('<section id="completeness">'))]
    assert ("<ul class=\"late\"><li>Phường Lương Văn Tri (mã 05983): Báo cáo hoạt động, Quý 3/2026, hạn 15/10/2026, "
            "nhận đủ ngày 20/10/2026</li></ul>") in section
    assert ("<ul class=\"missing\"><li>Xã Đoàn Kết (mã 06001): Báo cáo hoạt động, Quý 3/2026, hạn 15/10/2026, "
            "mới nhận 0/1</li></ul>") in section
    assert "Phường Ba Đình" not in section and "Quý 4/2025" not in section


def test_english_and_a_year_without_expected_reporting(sqlite_engine, province_report):
    page = render_html(province_report, "en")
    assert "Xã Đoàn Kết (code 06001): Activity report, Q3 2026, due 15 October 2026, 0 of 1 received" in page
    quiet = render_html(gather_report(sqlite_engine, PROVINCE, 2024, generated_on=PRODUCED_ON))
    assert "Chưa có kế hoạch báo cáo của các xã, phường trên địa bàn cho kỳ này." in quiet
