"""Approval of an area's figures for a period, and its reopening when the data under it changes, on SQLite and
PostgreSQL; the ``area_approval`` asset and the indicator step's report of what it reopened.

Hand-worked on the household fixture (tests/pipeline/household_fixture.py), before H9's edit:
- province 01 (Hà Nội), 2026: commune A's households H1–H4 (H4 without consent), children c1–c7, c15: vn_law 1.1
  is 5/8 (c2, c3, c4, c6, c15), suppressed (complementary: the nation's 6/16 less Lạng Sơn's 1/8, small, would
  give it); the fingerprint counts 4 households.
- commune B (05977), 2026-Q2: H5 (04-01) and H9 (06-15), 7 children; 1.1 is 1/7, suppressed. H6 (10-10) is in Q4.
H5's edit (its household size, in no indicator) changes no published cell, yet the household's newer change
reopens commune B's Q2, and nothing of Hà Nội. Then c15 of H2 edited to no work: Hà Nội's 1.1 becomes 4/8
(suppressed: 4 < 5 in commune A), and its approval reopens with its cells (their figures before disclosure
control); approved again, a new household there: 4 → 5.
"""

from __future__ import annotations

import copy
import importlib
import logging

import dagster as dg
import pytest
from sqlalchemy import select

from connectors.odk_central import record_from_odata_row
from dagster_project.defs.indicators.assets import indicator_values
from dagster_project.defs.reports.approval import approval_sheets, area_approval
from dagster_project.messages import label
from dagster_project.resources import ReferenceFiles, WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.pipeline.household_fixture import COMMUNE_A, COMMUNE_B, PROVINCE_A, fixture_rows, household
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.answers import Context
from warehouse.clean.household import FORM_ID
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.indicators import approval, indicators
from warehouse.raw import raw_store
from warehouse.reference import reference_data as ref
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import WarehouseBusy, make_engine, upgrade, warehouse_lock
from warehouse.schema.models import Approval, IndicatorValue, RestrictedApproval

PSEUDONYMIZER = Pseudonymizer(TEST_PSEUDONYM_KEY)
RULES = load_rules()
VERSION = load_admin_units().code_list_version
HANOI = approval.AreaPeriod("province", PROVINCE_A, VERSION, "2026")
COMMUNE_B_Q2 = approval.AreaPeriod("commune", COMMUNE_B, VERSION, "2026-Q2")
APPROVER = "Trần Thị Phê Duyệt"


@pytest.fixture
def engine(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    units, legacy = load_admin_units(), ref.load_legacy_units()
    ref.store_area_communes(engine, ref.area_communes(units, legacy, set()))
    yield engine
    engine.dispose()


def run(engine, rows: list[dict]) -> indicators.Refreshed:
    """The household survey's steps as the job runs them: store, clean, classify, indicators."""
    raw_store.store_records(engine, [record_from_odata_row(r, "7", FORM_ID) for r in rows])
    steps.clean_households(engine, Context.of_form(PSEUDONYMIZER, FORM_ID))
    classify_children(engine, RULES)
    return indicators.refresh(engine, indicators.load_settings(), RULES.version)


def labour(engine, area: approval.AreaPeriod) -> tuple:
    """vn_law 1.1 of ``area``: numerator, denominator, suppressed, and what the cell says of its approval."""
    iv = IndicatorValue
    with engine.connect() as conn:
        return tuple(conn.execute(select(iv.numerator, iv.denominator, iv.suppressed, iv.approval).where(
            area.cells(), iv.indicator_id == "1.1", iv.rule_set == "vn_law", iv.dimension == "total")).one())


def approvals(engine) -> list[tuple]:
    a = Approval
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(a.area_code, a.period, a.status, a.reopened_because)
                                               .order_by(a.approval_id))]


def edit_c15(row: dict, at: str) -> dict:
    """H2 edited on the server: c15 (12, handicraft 1 h a day) no longer works."""
    edited = copy.deepcopy(row)
    c15 = edited["child"][3]
    c15.update(econ_activity="no", temp_absent="no", worked_12m="no",
               work={k: None for k in c15["work"]})
    edited["__system"].update(updatedAt=at, reviewState="edited")
    return edited


def test_approval_holds_until_the_data_under_it_changes(engine):
    rows = fixture_rows()
    run(engine, rows)
    assert labour(engine, HANOI) == (None, None, True, "provisional")
    with engine.begin() as conn:
        hanoi = approval.approve(conn, HANOI, APPROVER, "đã đối chiếu với báo cáo xã", PSEUDONYMIZER,
                                 at="2026-11-25T02:00:00+00:00")
        approval.approve(conn, COMMUNE_B_Q2, APPROVER, None, PSEUDONYMIZER, at="2026-11-25T02:05:00+00:00")
        recorded = conn.execute(select(Approval).where(Approval.approval_id == hanoi)).one()
        restricted = conn.execute(select(RestrictedApproval.approver_name, RestrictedApproval.note)
                                  .where(RestrictedApproval.approval_id == hanoi)).one()
    assert labour(engine, HANOI) == (None, None, True, "approved")
    assert labour(engine, COMMUNE_B_Q2) == (None, None, True, "approved")
    assert labour(engine, approval.AreaPeriod("province", PROVINCE_A, VERSION, "2026-Q2"))[3] == "provisional"
    assert recorded.approver_id == PSEUDONYMIZER.recurring_id("approver", APPROVER)  # no name in the analyst table
    assert APPROVER not in repr(tuple(recorded))
    assert tuple(restricted) == (APPROVER, "đã đối chiếu với báo cáo xã")
    assert recorded.fingerprint["household"][0] == 4 and recorded.fingerprint["inspection"] == [0, 0]

    # H5's household size edited: no cell changes
    h5 = copy.deepcopy(rows[4])
    h5["household"]["hh_size"] += 1
    h5["__system"].update(updatedAt="2026-11-25T09:00:00.000Z", reviewState="edited")
    refreshed = run(engine, [h5])
    assert labour(engine, COMMUNE_B_Q2) == (None, None, True, "provisional")
    assert labour(engine, HANOI) == (None, None, True, "approved")
    assert approvals(engine) == [(PROVINCE_A, "2026", "approved", None),
                                 (COMMUNE_B, "2026-Q2", "reopened", "household")]
    [reopened] = refreshed.reopened
    assert reopened.message("vi") == ("Phường Đông Kinh, quý II/2026: số liệu đã thay đổi sau khi phê duyệt ngày "
                                  "2026-11-25 (household); số liệu trở lại tạm thời cho đến khi được phê duyệt lại")
    assert reopened.message("en").startswith("Phường Đông Kinh, Q2 2026: the data changed after the approval")

    # c15 of H2 no longer works: Hà Nội's 1.1 becomes 4/8, suppressed for its own small count, the same four
    # households
    refreshed = run(engine, [edit_c15(rows[1], "2026-11-26T09:00:00.000Z")])
    assert labour(engine, HANOI) == (None, None, True, "provisional")
    assert [r.area for r in refreshed.reopened] == [HANOI]
    assert approvals(engine)[0] == (PROVINCE_A, "2026", "reopened", "cells; household")
    assert run(engine, []).reopened == ()  # reopened once, not at every refresh

    # approved again, then a fifth household in commune A: 4 → 5
    with engine.begin() as conn:
        approval.approve(conn, HANOI, APPROVER, None, PSEUDONYMIZER)
    assert labour(engine, HANOI)[3] == "approved"
    run(engine, [household(10, COMMUNE_A, PROVINCE_A, "11-02", [], consent="no")])
    assert [a[2:] for a in approvals(engine)] == [("superseded", "cells; household"), ("reopened", "household"),
                                                  ("reopened", "household 4 → 5")]
    assert labour(engine, HANOI)[3] == "provisional"


def test_an_unknown_area_or_period_is_refused(engine):
    with engine.begin() as conn:
        with pytest.raises(ValueError, match="the warehouse has no area province 77"):
            approval.approve(conn, approval.AreaPeriod("province", "77", VERSION, "2026"), APPROVER, None,
                             PSEUDONYMIZER)
        with pytest.raises(ValueError, match="the approver's name is required"):
            approval.approve(conn, HANOI, "  ", None, PSEUDONYMIZER)
    with pytest.raises(ValueError, match="period '2026-Q5': expected a year"):
        approval.AreaPeriod("province", PROVINCE_A, VERSION, "2026-Q5")


def test_approve_from_dagster_and_the_indicator_step_says_what_it_reopened(tmp_path, monkeypatch):
    monkeypatch.delenv("CLMS_LANGUAGE")  # Vietnamese, the default
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    units, legacy = load_admin_units(), ref.load_legacy_units()
    ref.store_area_communes(engine, ref.area_communes(units, legacy, set()))
    rows = fixture_rows()
    run(engine, rows)
    resources = {"warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY)}
    config = {"approver": APPROVER, "area_level": "province", "area_code": PROVINCE_A, "period": "2026",
              "note": "ghi chú"}
    result = dg.materialize([area_approval], resources=resources,
                            run_config={"ops": {"area_approval": {"config": config}}})
    assert result.success
    metadata = {key: value.value for key, value in result.asset_materializations_for_node("area_approval")[0]
                .metadata.items()}
    assert metadata[label("area")] == "Thành phố Hà Nội (mã 01)"
    assert metadata[label("approver_id")] == PSEUDONYMIZER.recurring_id("approver", APPROVER)
    assert metadata[label("cells_approved")] == labour_cells(engine, HANOI)
    assert APPROVER not in repr(dict(metadata))
    assert labour(engine, HANOI) == (None, None, True, "approved")

    raw_store.store_records(engine, [record_from_odata_row(edit_c15(rows[1], "2026-11-26T09:00:00.000Z"), "7",
                                                           FORM_ID)])
    steps.clean_households(engine, Context.of_form(PSEUDONYMIZER, FORM_ID))
    classify_children(engine, RULES)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([indicator_values], resources=resources, instance=instance)
    assert result.success
    metadata = result.asset_materializations_for_node("indicator_values")[0].metadata
    assert metadata[label("approvals_reopened")].value.startswith(
        "- Thành phố Hà Nội, năm 2026: số liệu đã thay đổi sau khi phê duyệt ngày ")
    assert metadata[label("cells_approved")].value == 0
    warnings = [e.user_message for e in instance.all_logs(result.run_id) if e.level == logging.WARNING]
    assert any(m.startswith("Thành phố Hà Nội, năm 2026: số liệu đã thay đổi sau khi phê duyệt") for m in warnings)
    assert labour(engine, HANOI) == (None, None, True, "provisional")
    engine.dispose()


def labour_cells(engine, area: approval.AreaPeriod) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(IndicatorValue.indicator_id).where(area.cells())).all())


def test_in_the_code_location_and_never_in_the_scheduled_job(monkeypatch):
    monkeypatch.setenv("CLMS_SOURCE", "demo")
    import dagster_project.definitions as module

    defs = importlib.reload(module).defs
    node = defs.resolve_asset_graph().get(dg.AssetKey("area_approval"))
    assert node.group_name == "reports" and dg.AssetKey("indicator_values") in node.parent_keys
    assert dg.AssetKey("area_approval") not in defs.resolve_job_def("monitoring_job").asset_layer.asset_graph \
        .executable_asset_keys


SHEET_HEADER = "approver,area_level,area_code,code_list_version,period,approved_on,note\n"


def test_approval_sheets_are_recorded_once_and_a_wrong_one_is_refused_whole(tmp_path):
    """Two rows signed on 11-24 and 11-25; read again, nothing new. A second sheet with four wrong rows (an unknown
    province, a fifth quarter, a day after today, no name) refuses both sheets; then, corrected away, the first
    sheet's rows are recorded and a later reading records none."""
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    units, legacy = load_admin_units(), ref.load_legacy_units()
    ref.store_area_communes(engine, ref.area_communes(units, legacy, set()))
    run(engine, fixture_rows())
    folder = tmp_path / "uploads" / "approvals"
    folder.mkdir(parents=True)
    (folder / "ky-duyet.csv").write_text(
        SHEET_HEADER + f"{APPROVER},province,{PROVINCE_A},,2026,2026-11-25,đã ký\n"
        f"{APPROVER},commune,{COMMUNE_B},,2026-Q2,2026-11-24,\n", encoding="utf-8")
    (folder / "sai.csv").write_text(
        SHEET_HEADER + f"{APPROVER},province,77,,2026,2026-11-25,\n{APPROVER},province,{PROVINCE_A},,2026-Q5,"
        f"2026-11-25,\n{APPROVER},province,{PROVINCE_A},,2026,2099-01-01,\n,province,{PROVINCE_A},,2026,2026-11-25,\n",
        encoding="utf-8")
    resources = {"warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY),
                 "reference_files": ReferenceFiles(folder=str(tmp_path / "uploads"))}
    with pytest.raises(dg.Failure) as refused:
        dg.materialize([approval_sheets], resources=resources)
    message = refused.value.description
    assert message.startswith("Approval sheets: nothing was loaded, the warehouse keeps what it had.")
    assert "\n- sai.csv: row 2: the warehouse has no area province 77" in message
    assert all(f"\n- sai.csv: row {n}: " in message for n in (3, 4, 5)) and APPROVER not in message
    assert "approved_on 2099-01-01 is after today" in message and "period '2026-Q5': expected" in message
    assert approvals(engine) == []

    (folder / "sai.csv").unlink()
    result = dg.materialize([approval_sheets], resources=resources)
    metadata = result.asset_materializations_for_node("approval_sheets")[0].metadata
    assert (metadata["approvals_recorded"].value, metadata["rows_already_recorded"].value) == (2, 0)
    assert approvals(engine) == [(COMMUNE_B, "2026-Q2", "approved", None), (PROVINCE_A, "2026", "approved", None)]
    assert labour(engine, HANOI) == (None, None, True, "approved")
    with engine.connect() as conn:
        assert conn.execute(select(Approval.approved_at).order_by(Approval.approval_id)).scalars().all() == [
            "2026-11-24", "2026-11-25"]
    result = dg.materialize([approval_sheets], resources=resources)
    metadata = result.asset_materializations_for_node("approval_sheets")[0].metadata
    assert (metadata["approvals_recorded"].value, metadata["rows_already_recorded"].value) == (0, 2)
    assert len(approvals(engine)) == 2
    engine.dispose()


def test_an_approval_waits_while_the_indicators_are_refreshed(tmp_path):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    units, legacy = load_admin_units(), ref.load_legacy_units()
    ref.store_area_communes(engine, ref.area_communes(units, legacy, set()))
    impatient = WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY, lock_wait_minutes=0.005)
    config = {"approver": APPROVER, "area_level": "province", "area_code": PROVINCE_A, "period": "2026"}
    with warehouse_lock(make_engine(url), "step-indicator_values"), pytest.raises(WarehouseBusy):
        dg.materialize([area_approval], resources={"warehouse": impatient},
                       run_config={"ops": {"area_approval": {"config": config}}})
    assert approvals(engine) == []
    assert dg.materialize([area_approval], resources={"warehouse": impatient},
                          run_config={"ops": {"area_approval": {"config": config}}}).success
    assert [a[:3] for a in approvals(engine)] == [(PROVINCE_A, "2026", "approved")]
    engine.dispose()
