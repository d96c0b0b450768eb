"""The demo's reporting faults: Phường Ngọc Hà (00008) sends its activity reports of 2026-Q2 on 20 July, after the
deadline of 15 July; Phường Giảng Võ (00025) sends none. Every other expected report of the demo's expectation file
(activity reports each quarter, the first survey round's 20 households, three inspections in 2025, in each of the
twelve communes) comes in time. The completeness asset, its metadata, the report's sheet and page say exactly so."""

from datetime import date, datetime
from io import BytesIO

import dagster as dg
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from connectors.demo import demo_communes
from connectors.demo_programme import activity_rows
from connectors.forms import FORMS_DIR
from connectors.sources import DemoData
from dagster_project.defs.completeness.assets import reporting_completeness
from dagster_project.defs.jobs import reference_uploads
from dagster_project.defs.reference.assets import expected_reporting
from dagster_project.demo import seed_reference_uploads
from dagster_project.resources import ReferenceFiles, WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.clean import programme_steps, steps
from warehouse.clean.activity import FORM_ID as ACTIVITY
from warehouse.clean.answers import Context
from warehouse.clean.household import FORM_ID as SURVEY
from warehouse.clean.inspection import FORM_ID as INSPECTION
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw import raw_store
from warehouse.reference import expected_reporting as er
from warehouse.reference import reference_data as ref
from warehouse.report import ReportArea, build_workbook, gather_report, render_html
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import ReportingExpectation

PSEUDONYMIZER = Pseudonymizer(TEST_PSEUDONYM_KEY)
HANOI = ReportArea("province", "01", "vn-2025-07")
# 00008's activities dated in 2026-Q2, as the generator makes them (all sent on 20 July)
LATE_REPORTS = sum(r["location"]["commune"] == "00008" and "2026-04-01" <= r["activity_date"] <= "2026-06-30"
                   for r in activity_rows(demo_communes(FORMS_DIR / "media" / "communes.csv"), 2026))


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory):
    """The default demo's activity reports, households and inspections, cleaned, with the demo's expected
    reporting dropped into the uploads folder as ``make demo`` does, and both assets materialized."""
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'warehouse.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    source = DemoData(case_list_csv=folder / "cases.csv")
    for form_id in (ACTIVITY, SURVEY, INSPECTION):
        raw_store.store_records(engine, source.open_sync(form_id, None))
    steps.clean_households(engine, Context.of_form(PSEUDONYMIZER, SURVEY))
    programme_steps.clean_inspections(engine, Context.of_form(PSEUDONYMIZER, INSPECTION))
    programme_steps.clean_activities(engine, Context.of_form(PSEUDONYMIZER, ACTIVITY))
    units, legacy = load_admin_units(), ref.load_legacy_units()
    ref.store_area_communes(engine, ref.area_communes(units, legacy, set()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLMS_REFERENCE_DIR", str(folder / "uploads"))
        patch.delenv("CLMS_LANGUAGE", raising=False)
        seed_reference_uploads()
        result = dg.materialize([expected_reporting, reporting_completeness], resources={
            "warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY),
            "reference_files": ReferenceFiles(folder=str(folder / "uploads"))})
    assert result.success
    yield engine, result
    engine.dispose()


def test_the_asset_names_the_late_and_the_missing_commune(demo_warehouse):
    _, result = demo_warehouse
    [loaded] = result.asset_materializations_for_node("expected_reporting")
    assert loaded.metadata["dagster/row_count"].value == 12 * 5 + 12 + 12  # 5 quarters, one round, one year
    [materialization] = result.asset_materializations_for_node("reporting_completeness")
    metadata = materialization.metadata
    assert metadata["số kỳ báo cáo theo tình trạng"].value == {"Chưa nộp đủ": 1, "Nộp muộn": 1, "Chưa đến hạn": 0,
                                                             "Đúng hạn": 82}
    assert metadata["nộp muộn"].value == ("- Phường Ngọc Hà (mã 00008): Báo cáo hoạt động, Quý 2/2026, "
                                          "hạn 15/07/2026, nhận đủ ngày 20/07/2026")
    assert metadata["chưa nộp đủ, đã quá hạn"].value == ("- Phường Giảng Võ (mã 00025): Báo cáo hoạt động, Quý 2/2026, "
                                                         "hạn 15/07/2026, mới nhận 0/1")


def test_the_completeness_sheet_names_exactly_them(demo_warehouse):
    engine, _ = demo_warehouse
    report = gather_report(engine, HANOI, 2026, generated_on=date(2026, 12, 1))
    sheet = load_workbook_from(build_workbook(report))["Tình hình báo cáo"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:4] == ("Biểu mẫu", "Kỳ", "Mã xã", "Xã, phường") and header[11] == "Tình trạng"
    table = [row for row in rows if row[11]]  # then a note of the day assessed
    by_status = {}
    for row in table:
        by_status.setdefault(row[11], []).append(row[:4])
    assert by_status["Chưa nộp đủ"] == [("Báo cáo hoạt động", "Quý 2/2026", "00025", "Phường Giảng Võ")]
    assert by_status["Nộp muộn"] == [("Báo cáo hoạt động", "Quý 2/2026", "00008", "Phường Ngọc Hà")]
    assert set(by_status) == {"Chưa nộp đủ", "Nộp muộn", "Đúng hạn"}
    # three communes: activity reports of 2026-Q1 to Q3 and the survey round (the 2025 inspections are not in 2026)
    assert len(table) == 3 * 4
    late = next(row for row in table if row[11] == "Nộp muộn")
    assert late[4:11] == (1, LATE_REPORTS, 0, LATE_REPORTS, 0, date_cell(2026, 7, 15), date_cell(2026, 7, 20))
    missing = next(row for row in table if row[11] == "Chưa nộp đủ")
    assert missing[4:11] == (1, 0, 0, 0, 1, date_cell(2026, 7, 15), None)


def test_with_a_cut_off_before_the_late_reports_came_both_are_missing(demo_warehouse):
    """On 19 July Phường Ngọc Hà's reports, sent on the 20th, had not come: at that cut-off it is missing too."""
    engine, _ = demo_warehouse
    report = gather_report(engine, HANOI, 2026, generated_on=date(2026, 12, 1), cutoff=date(2026, 7, 19))
    c = report.completeness
    assert [(r.commune_code, r.period, r.received) for r in c.of_status("missing")] == [
        ("00008", "2026-Q2", 0), ("00025", "2026-Q2", 0)]
    assert (c.of_status("late"), c.as_of) == ((), date(2026, 7, 19))
    assert {r.status for r in c.rows if r.period == "2026-Q3"} <= {"not_due", "on_time"}  # due 15 October
    assert len(c.rows) == 3 * 4


def test_the_page_names_them_under_their_headings(demo_warehouse):
    engine, _ = demo_warehouse
    page = render_html(gather_report(engine, HANOI, 2026, generated_on=date(2026, 12, 1)))
    section = page[page.index('<section id="completeness">'):]
    late = section[section.index("Xã, phường nộp muộn"):section.index("Xã, phường chưa nộp đủ")]
    missing = section[section.index("Xã, phường chưa nộp đủ"):section.index("<table")]
    assert late.count("<li>") == 1 and "Phường Ngọc Hà (mã 00008): Báo cáo hoạt động, Quý 2/2026" in late
    assert missing.count("<li>") == 1 and "Phường Giảng Võ (mã 00025): Báo cáo hoạt động, Quý 2/2026" in missing


def refusal(result: dg.ExecuteInProcessResult) -> list[str]:
    """The lines of a refused upload's failure, as the UI shows them."""
    (event,) = [e for e in result.all_events if e.is_step_failure]
    return event.step_failure_data.user_failure_data.description.splitlines()


def load_workbook_from(workbook):
    """The workbook as a reader sees it: saved, then opened with openpyxl."""
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def date_cell(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day)  # openpyxl reads a date cell back as a datetime


def test_a_file_with_mistakes_is_refused_row_by_row_and_the_last_good_one_stays(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    uploads = tmp_path / "uploads"
    resources = {"warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY),
                 "reference_files": ReferenceFiles(folder=str(uploads))}
    monkeypatch.setenv("CLMS_REFERENCE_DIR", str(uploads))
    monkeypatch.delenv("CLMS_LANGUAGE")
    seed_reference_uploads()
    assert dg.materialize([expected_reporting], resources=resources).success
    (uploads / "expected_reporting" / "more.csv").write_text(
        ",".join(er.COLUMNS) + "\nactivity_report,00004,vn-2025-07,quarterly,2026-Q4,2026-Q4,15,1,\n"
        "activity_report,00004,vn-2025-07,monthly,2026-12,2026-12,15,1,\n", encoding="utf-8")
    assert refusal(dg.materialize([expected_reporting], resources=resources, raise_on_error=False)) == [
        "Kế hoạch báo cáo: không nạp tệp nào, kho dữ liệu giữ nguyên số liệu cũ. Sửa các lỗi dưới đây rồi lưu lại tệp "
        "vào thư mục tải lên:", "- more.csv: dòng 3: frequency phải là một trong quarterly, yearly, once"]
    (uploads / "expected_reporting" / "more.csv").write_text(
        ",".join(er.COLUMNS) + "\nactivity_report,00004,vn-2025-07,quarterly,2026-Q3,2026-Q4,15,1,\n",
        encoding="utf-8")
    overlap = refusal(dg.materialize([expected_reporting], resources=resources, raise_on_error=False))
    assert overlap[1:] == ["- expected_reporting_demo.csv dòng 2 và more.csv dòng 2 cùng yêu cầu activity_report của xã "
                           "00004 trong cùng những ngày (2026-Q3, 2026-Q3): chỉ giữ một"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ReportingExpectation)).scalar() == 84
    engine.dispose()


def test_a_new_expectations_file_starts_the_reference_job(tmp_path):
    folder = tmp_path / "expected_reporting"
    folder.mkdir()
    files = ReferenceFiles(folder=str(tmp_path))
    with dg.build_sensor_context(resources={"reference_files": files}) as context:
        reference_uploads(context)  # the first look
        assert isinstance(reference_uploads(context), dg.SkipReason)
        (folder / "plan.csv").write_text(",".join(er.COLUMNS) + "\n", encoding="utf-8")
        assert isinstance(reference_uploads(context), dg.RunRequest)
