"""Data-quality checks every clean table of a form gets: raw rows accounted for, unique ids, official communes."""

from __future__ import annotations

import dagster as dg
from sqlalchemy import distinct, func, select

from dagster_project.messages import describe, labelled
from dagster_project.resources import WarehouseResource
from warehouse.admin_units import load_admin_units
from warehouse.models import Quarantine, RawSubmission


def scalar(warehouse: WarehouseResource, query):
    with warehouse.engine().connect() as conn:
        return conn.execute(query).scalar_one()


def raw_accounted_for(asset: str, form_id: str, model: type, entity: str) -> dg.AssetChecksDefinition:
    """Every live raw submission of ``form_id`` is a row of ``model`` or is quarantined as ``entity``."""

    @dg.asset_check(asset=asset, name=f"{asset}_accounted_for",
                    description=describe("raw_accounted_for", form_id=form_id, table=model.__tablename__))
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        live = scalar(warehouse, select(func.count()).select_from(RawSubmission)
                      .where(RawSubmission.form_id == form_id, RawSubmission.deleted_at.is_(None)))
        clean = scalar(warehouse, select(func.count()).select_from(model))
        quarantined = scalar(warehouse, select(func.count(distinct(Quarantine.raw_submission_id))).where(
            Quarantine.form_id == form_id, Quarantine.entity == entity,
            Quarantine.raw_submission_id.not_in(select(model.raw_submission_id))))
        return dg.AssetCheckResult(passed=live == clean + quarantined,
                                   metadata=labelled({"live_raw": live, "clean": clean, "quarantined": quarantined}))

    return _check


def ids_unique(asset: str, column) -> dg.AssetChecksDefinition:
    """The values of ``column`` (a primary key) are unique."""

    @dg.asset_check(asset=asset, name=f"{asset}_ids_unique", description=describe("ids_unique", column=column.key))
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        total = scalar(warehouse, select(func.count(column)))
        unique = scalar(warehouse, select(func.count(distinct(column))))
        return dg.AssetCheckResult(passed=total == unique, metadata=labelled({"rows": total, "unique_ids": unique}))

    return _check


def communes_valid(asset: str, column) -> dg.AssetChecksDefinition:
    """Every commune code in ``column`` is in the official code list."""

    @dg.asset_check(asset=asset, name=f"{asset}_communes_valid",
                    description=describe("communes_valid"))
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        units = load_admin_units()
        with warehouse.engine().connect() as conn:
            codes = conn.execute(select(column).distinct()).scalars().all()
        unknown = sorted(set(codes) - set(units.communes))
        return dg.AssetCheckResult(passed=not unknown, metadata=labelled({
            "communes": len(codes), "unknown": dg.MetadataValue.json(unknown[:50]),
            "code_list_version": units.code_list_version}))

    return _check
