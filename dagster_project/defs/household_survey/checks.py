"""Data-quality checks of the household survey, next to its assets."""


import dagster as dg
from sqlalchemy import distinct, func, or_, select

from dagster_project.messages import describe, labelled
from dagster_project.resources import WarehouseResource
from warehouse.admin_units import load_admin_units
from warehouse.answers import load_plausibility
from warehouse.classification import load_rules
from warehouse.clean_links import orphans
from warehouse.household import FORM_ID, UNKNOWN_AREA
from warehouse.models import Child, ChildClassification, Household, Quarantine, RawSubmission


def _scalar(warehouse: WarehouseResource, query):
    with warehouse.engine().connect() as conn:
        return conn.execute(query).scalar_one()


@dg.asset_check(asset="households", description=describe("raw_rows_accounted_for"))
def raw_rows_accounted_for(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    live = _scalar(warehouse, select(func.count()).select_from(RawSubmission)
                   .where(RawSubmission.form_id == FORM_ID, RawSubmission.deleted_at.is_(None)))
    clean = _scalar(warehouse, select(func.count()).select_from(Household).where(Household.form_id == FORM_ID))
    quarantined = _scalar(warehouse, select(func.count(distinct(Quarantine.raw_submission_id)))
                          .where(Quarantine.form_id == FORM_ID, Quarantine.entity == "household"))
    return dg.AssetCheckResult(
        passed=live == clean + quarantined,
        metadata=labelled({"live_raw": live, "households": clean, "quarantined_households": quarantined}),
    )


@dg.asset_check(asset="households", description=describe("household_ids_unique"))
def household_ids_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    total = _scalar(warehouse, select(func.count()).select_from(Household))
    unique = _scalar(warehouse, select(func.count(distinct(Household.household_id))))
    return dg.AssetCheckResult(passed=total == unique, metadata=labelled({"rows": total, "unique_ids": unique}))


@dg.asset_check(asset="households", description=describe("commune_codes_valid"))
def commune_codes_valid(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    units = load_admin_units()
    with warehouse.engine().connect() as conn:
        codes = conn.execute(select(Household.commune_code).distinct()
                             .where(Household.commune_code != UNKNOWN_AREA)).scalars().all()
    unknown = sorted(set(codes) - set(units.communes))
    return dg.AssetCheckResult(passed=not unknown, metadata=labelled({
        "communes": len(codes), "unknown": dg.MetadataValue.json(unknown[:50]),
        "code_list_version": units.code_list_version}))


@dg.asset_check(asset="children", description=describe("children_ids_and_ages"))
def children_ids_and_ages(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    total = _scalar(warehouse, select(func.count()).select_from(Child))
    unique = _scalar(warehouse, select(func.count(distinct(Child.child_id))))
    first, last = load_plausibility().surveyed_ages
    out_of_range = _scalar(warehouse, select(func.count()).select_from(Child)
                           .where(or_(Child.age < first, Child.age > last)))
    return dg.AssetCheckResult(passed=total == unique and out_of_range == 0,
                               metadata=labelled({"rows": total, "unique_ids": unique,
                                                  "ages_out_of_range": out_of_range}))


@dg.asset_check(asset="children", description=describe("household_rows_linked"))
def household_rows_linked(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.engine().connect() as conn:
        missing = orphans(conn)
    return dg.AssetCheckResult(passed=not any(missing.values()),
                               metadata=labelled({f"orphans: {link}": count for link, count in missing.items()}))


@dg.asset_check(asset="child_classification", description=describe("every_child_classified"))
def every_child_classified(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rules = load_rules()
    children = _scalar(warehouse, select(func.count()).select_from(Child))
    current = _scalar(warehouse, select(func.count()).select_from(ChildClassification)
                      .where(ChildClassification.rules_version == rules.version))
    stale = _scalar(warehouse, select(func.count()).select_from(ChildClassification)
                    .where(ChildClassification.rules_version != rules.version))
    expected = children * len(rules.rule_sets)
    return dg.AssetCheckResult(passed=current == expected and stale == 0,
                               metadata=labelled({"children": children, "classifications": current,
                                                  "expected": expected, "stale": stale,
                                                  "rules_version": rules.version}))
