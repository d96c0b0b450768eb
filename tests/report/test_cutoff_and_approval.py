"""Reports with a data cut-off date, and what a report says of its figures (provisional, approved, reopened), on
SQLite and PostgreSQL, and through the ``progress_report`` asset's config.

Hand-worked on the household fixture (tests/pipeline/household_fixture.py): H<n> was submitted on 2026-11-<n> at
08:00 UTC (15:00 in Vietnam), but H6 here at 18:30 UTC on 11-05, which is 01:30 on 11-06 in Vietnam.
- Lạng Sơn (province 20): children informed (2.2) are H5's six children by the end of 11-05 (6/6), with H6's c14
  by the end of 11-06 (7/7), with H9's c16 when everything counts (8/8).
- Hà Nội (province 01): vn_law 1.1 is 4/6 (H1, H2: suppressed, 4 < 5) by the end of 11-02, 5/8 by 11-03 (with H3)
  and with everything. Approved with everything: a report cut off on 11-04 holds the same data (H4 came on 11-04)
  and says approved; one cut off on 11-03 lacks H4 and says provisional.
"""

from __future__ import annotations

import copy
from datetime import date

import dagster as dg
import pytest
from openpyxl import load_workbook

from connectors.odk_central import record_from_odata_row
from dagster_project.defs.reports.assets import progress_report
from dagster_project.resources import WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.pipeline.household_fixture import PROVINCE_A, PROVINCE_B, fixture_rows
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.answers import Context
from warehouse.clean.household import FORM_ID
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.indicators import approval, indicators
from warehouse.indicators.cutoff import end_of
from warehouse.raw import raw_store
from warehouse.reference import reference_data as ref
from warehouse.report import ReportArea, gather_report
from warehouse.report.formatting import Formatter
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade

VERSION = load_admin_units().code_list_version
HANOI, LANG_SON = ReportArea("province", PROVINCE_A, VERSION), ReportArea("province", PROVINCE_B, VERSION)
PSEUDONYMIZER = Pseudonymizer(TEST_PSEUDONYM_KEY)


def build(url: str):
    engine = make_engine(url)
    upgrade(engine)
    units, legacy = load_admin_units(), ref.load_legacy_units()
    ref.store_area_communes(engine, ref.area_communes(units, legacy, set()))
    rows = fixture_rows()
    rows[5] = copy.deepcopy(rows[5])
    rows[5]["__system"]["submissionDate"] = "2026-11-05T18:30:00.000Z"
    rules = load_rules()
    raw_store.store_records(engine, [record_from_odata_row(r, "7", FORM_ID) for r in rows])
    steps.clean_households(engine, Context.of_form(PSEUDONYMIZER, FORM_ID))
    classify_children(engine, rules)
    indicators.refresh(engine, indicators.load_settings(), rules.version)
    return engine


@pytest.fixture
def engine(warehouse_url):
    engine = build(warehouse_url)
    yield engine
    engine.dispose()


def figures(engine, area: ReportArea, indicator_id: str, cutoff: date | None) -> tuple:
    report = gather_report(engine, area, 2026, cutoff=cutoff)
    [result] = [r for r in report.indicators if r.indicator_id == indicator_id and r.source == "household_survey"]
    return result.cell.numerator, result.cell.denominator, result.cell.status


def test_the_cutoff_is_the_end_of_the_day_in_vietnam():
    assert end_of(date(2026, 11, 5)).isoformat() == "2026-11-06T00:00:00+07:00"


def test_only_what_was_submitted_by_the_cutoff_counts(engine):
    assert figures(engine, LANG_SON, "2.2", date(2026, 11, 4))[2] == "no_data"
    assert figures(engine, LANG_SON, "2.2", date(2026, 11, 5))[:2] == (6, 6)
    assert figures(engine, LANG_SON, "2.2", date(2026, 11, 6))[:2] == (7, 7)
    assert figures(engine, LANG_SON, "2.2", None)[:2] == (8, 8)
    assert figures(engine, HANOI, "1.1", date(2026, 11, 2)) == (None, None, "suppressed")
    # 5/8, hidden: Hà Nội is commune A alone, and the nation less Lạng Sơn (commune B, small) would give it
    assert figures(engine, HANOI, "1.1", None) == (None, None, "suppressed")


def test_a_report_says_whether_its_figures_are_approved(engine):
    assert gather_report(engine, HANOI, 2026).approval.state == "provisional"
    with engine.begin() as conn:
        approval.approve(conn, approval.AreaPeriod("province", PROVINCE_A, VERSION, "2026"), "Lê Văn Duyệt", None,
                         PSEUDONYMIZER, at="2026-11-25T03:00:00+00:00")
    report = gather_report(engine, HANOI, 2026)
    assert report.approval.state == "approved"
    assert Formatter.for_report(report, "vi").data_state(report) == ["Số liệu đã được phê duyệt ngày 25/11/2026"]
    assert gather_report(engine, HANOI, 2026, cutoff=date(2026, 11, 4)).approval.state == "approved"
    cut = gather_report(engine, HANOI, 2026, cutoff=date(2026, 11, 3))
    assert cut.approval.state == "provisional"
    assert Formatter.for_report(cut, "en").data_state(cut) == [
        "Provisional figures, not approved", "Data cut-off 03 November 2026 (Vietnam time): only what was submitted "
                                             "by then"]
    assert gather_report(engine, LANG_SON, 2026).approval.state == "provisional"


def test_the_report_asset_takes_a_cutoff_date(tmp_path):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    build(url).dispose()
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("report_area", ["province-20"])
    instance.add_dynamic_partitions("report_year", ["2026"])
    config = {"output_folder": str(tmp_path / "reports"), "cutoff_date": "2026-11-05"}
    result = dg.materialize(
        [progress_report], instance=instance,
        resources={"warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY)},
        partition_key=dg.MultiPartitionKey({"area": "province-20", "year": "2026"}),
        run_config={"ops": {"progress_report": {"config": config}}})
    assert result.success
    metadata = result.asset_materializations_for_node("progress_report")[0].metadata
    assert (metadata["data_cutoff"].value, metadata["figures"].value) == ("2026-11-05", "provisional")
    assert metadata["data_state"].value == ("Số liệu tạm thời, chưa được phê duyệt · Số liệu tính đến hết ngày "
                                            "05/11/2026 (giờ Việt Nam): chỉ các bản nộp đến thời điểm đó")
    workbook = load_workbook(tmp_path / "reports" / "province-20" / "2026" /
                             "bao-cao-province-20-2026-vi-den-2026-11-05.xlsx")
    assert workbook["Tổng hợp"]["A4"].value == metadata["data_state"].value
    indicators_sheet = workbook["Chỉ tiêu"]
    [row] = [r for r in indicators_sheet.iter_rows(values_only=True) if r[:3:2] == ("2.2", "Khảo sát hộ gia đình")]
    assert row[3:5] == (6, 6)
