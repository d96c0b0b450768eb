"""Data-quality checks the clean tables of every form get: raw rows accounted for, unique ids, official communes,
plausible ages, every subject classified. Each takes the key of its description in ``messages.toml``."""

from __future__ import annotations

import dagster as dg
from sqlalchemy import distinct, func, or_, select

from dagster_project.messages import describe, labelled
from dagster_project.resources import WarehouseResource
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import Subject
from warehouse.clean.answers import load_plausibility
from warehouse.clean.household import UNKNOWN_AREA
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.models import Quarantine, RawSubmission


def scalar(warehouse: WarehouseResource, query):
    with warehouse.engine().connect() as conn:
        return conn.execute(query).scalar_one()


def raw_accounted_for(asset: str, form_id: str, model: type, entity: str,
                      message: str = "raw_accounted_for") -> dg.AssetChecksDefinition:
    """Every live raw submission of ``form_id`` is a row of ``model`` or is quarantined as ``entity``."""

    @dg.asset_check(asset=asset, name=f"{asset}_accounted_for", description=describe(message))
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


def ids_unique(asset: str, column, message: str = "ids_unique") -> dg.AssetChecksDefinition:
    """The values of ``column`` (a primary key) are unique."""

    @dg.asset_check(asset=asset, name=f"{asset}_ids_unique", description=describe(message))
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        total = scalar(warehouse, select(func.count(column)))
        unique = scalar(warehouse, select(func.count(distinct(column))))
        return dg.AssetCheckResult(passed=total == unique, metadata=labelled({"rows": total, "unique_ids": unique}))

    return _check


def communes_valid(asset: str, column, message: str = "communes_valid") -> dg.AssetChecksDefinition:
    """Every commune code in ``column`` is in the official code list (a row that gives none, e.g. a household
    without consent, is left out)."""

    @dg.asset_check(asset=asset, name=f"{asset}_communes_valid", description=describe(message))
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        units = load_admin_units()
        with warehouse.engine().connect() as conn:
            codes = conn.execute(select(column).distinct().where(column != UNKNOWN_AREA)).scalars().all()
        unknown = sorted(set(codes) - set(units.communes))
        return dg.AssetCheckResult(passed=not unknown, metadata=labelled({
            "communes": len(codes), "unknown": dg.MetadataValue.json(unknown[:50]),
            "code_list_version": units.code_list_version}))

    return _check


def ages_plausible(asset: str, column, message: str) -> dg.AssetChecksDefinition:
    """Every age in ``column`` is within the surveyed ages (``plausibility.toml``)."""

    @dg.asset_check(asset=asset, name=f"{asset}_ages_plausible", description=describe(message))
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        first, last = load_plausibility().surveyed_ages
        out_of_range = scalar(warehouse, select(func.count()).select_from(column.class_)
                              .where(or_(column < first, column > last)))
        return dg.AssetCheckResult(passed=out_of_range == 0, metadata=labelled({"ages_out_of_range": out_of_range}))

    return _check


def classified(asset: str, subject: Subject, counted_as: str, message: str) -> dg.AssetChecksDefinition:
    """Each of ``subject``'s rows has as many classifications as the subject's kind gives
    (:meth:`~warehouse.classify.classify.Subject.classifications_each`), all under the current rules version
    (``counted_as``: the metadata label of their number)."""

    @dg.asset_check(asset=asset, name=f"{asset}_complete", description=describe(message))
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        rules = load_rules()
        c = subject.model
        count = scalar(warehouse, select(func.count()).select_from(subject.subject))
        current = scalar(warehouse, select(func.count()).select_from(c).where(c.rules_version == rules.version))
        stale = scalar(warehouse, select(func.count()).select_from(c).where(
            or_(c.rules_version != rules.version, c.rules_version.is_(None))))
        expected = count * subject.classifications_each(rules)
        return dg.AssetCheckResult(passed=current == expected and stale == 0, metadata=labelled({
            counted_as: count, "classifications": current, "expected": expected, "stale": stale,
            "rules_version": rules.version}))

    return _check
