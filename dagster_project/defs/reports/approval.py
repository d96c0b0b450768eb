"""A data manager approves an area's figures for a period: a launch of ``area_approval`` with its config, or a sheet
dropped into the reference uploads folder's ``approvals/`` (``approval_sheets``)."""

from contextlib import contextmanager
from datetime import date
from typing import Literal

import dagster as dg
from pydantic import Field
from sqlalchemy import func, select

from dagster_project.defs.reference.assets import refused
from dagster_project.messages import area, describe, labelled, md_list, named_area, text
from dagster_project.resources import ReferenceFiles, WarehouseResource
from warehouse.indicators import approval, approval_sheet
from warehouse.reference.reference_data import NATIONAL, ReferenceDataError
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import warehouse_lock
from warehouse.schema.models import Approval, IndicatorValue


class ApprovalConfig(dg.Config):
    approver: str = Field(description="Họ tên người phê duyệt / the approver's name (kept in a restricted table; "
                                      "analyst tables and this asset's metadata show a pseudonymous id).")
    area_level: Literal["national", "province", "commune"] = Field(description="national, province or commune.")
    area_code: str = Field(description="Mã địa bàn / area code: VN, a province (20) or a commune (05977).")
    code_list_version: str = Field(default="", description="vn-legacy for an old (pre-July-2025) territory; empty: "
                                                           "the current code list (national for VN).")
    period: str = Field(description="Kỳ / period: a year (2026) or a quarter (2026-Q3).")
    note: str = Field(default="", description="Ghi chú / note (restricted table only).")


@dg.asset(group_name="reports", deps=["indicator_values"], kinds={"python"}, description=describe("area_approval"))
def area_approval(context: dg.AssetExecutionContext, config: ApprovalConfig,
                  warehouse: WarehouseResource) -> dg.MaterializeResult:
    version = config.code_list_version or (NATIONAL if config.area_level == "national"
                                           else load_admin_units().code_list_version)
    area = approval.AreaPeriod(config.area_level, config.area_code.strip(), version, config.period.strip())
    engine = warehouse.engine()
    with indicators_held(context, warehouse), engine.begin() as conn:
        approval_id = approval.approve(conn, area, config.approver, config.note, warehouse.pseudonymizer)
        name = approval.area_name(conn, area)
        row = conn.execute(select(Approval).where(Approval.approval_id == approval_id)).one()
        cells = conn.execute(select(func.count()).where(area.cells(), IndicatorValue.approval == approval.APPROVED)
                             ).scalar()
    named = named_area(name, area.code, area.code_list_version == approval.LEGACY)
    context.log.info(text("log.approved", area=named, period=approval.period_words(area.period),
                          cells=cells))
    return dg.MaterializeResult(metadata=labelled({
        "area": named,
        "period": area.period,
        "approval_id": approval_id,
        "approver_id": row.approver_id,
        "approved_at": row.approved_at,
        "cells_approved": cells,
        "fingerprint": dg.MetadataValue.json(row.fingerprint),
    }))


@dg.asset(group_name="reports", deps=["indicator_values"], kinds={"csv"}, description=describe("approval_sheets"))
def approval_sheets(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                    reference_files: ReferenceFiles) -> dg.MaterializeResult:
    files = reference_files.files("approvals")
    engine = warehouse.engine()
    with indicators_held(context, warehouse), engine.begin() as conn:
        try:
            recorded, skipped = approval_sheet.record_sheets(conn, files, warehouse.pseudonymizer,
                                                             load_admin_units().code_list_version, date.today())
        except ReferenceDataError as exc:
            raise refused("approvals", exc.problems) from None
        rows = conn.execute(select(Approval.area_level, Approval.area_code, Approval.code_list_version,
                                   Approval.period).where(Approval.approval_id.in_(recorded))
                            .order_by(Approval.approval_id)).all()
    context.log.info(text("log.approval_sheets", recorded=len(recorded), skipped=skipped))
    return dg.MaterializeResult(metadata=labelled({
        "files": dg.MetadataValue.md(md_list(p.name for p in files)),
        "approvals_recorded": len(recorded),
        "rows_already_recorded": skipped,
        "recorded": dg.MetadataValue.md(md_list(
            f"{area(r.area_level, r.area_code, r.code_list_version)}, {approval.period_words(r.period)}"
            for r in rows)),
    }))


@contextmanager
def indicators_held(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Hold the indicator step's lock: an approval marks cells the indicator step rewrites, and reads the data the
    step reviews approvals against (on PostgreSQL the two would otherwise collide, and one fail)."""
    wait = warehouse.lock_wait_minutes
    with warehouse_lock(warehouse.engine(), "step-indicator_values", wait_seconds=wait * 60,
                        on_wait=lambda: context.log.info(text("log.waiting_indicators", minutes=f"{wait:g}"))):
        yield
