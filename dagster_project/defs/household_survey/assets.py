"""Assets of the household survey. Thin: each calls one plain step of ``warehouse`` and reports on it."""


import dagster as dg
from sqlalchemy import case, func, select

from dagster_project.clean_assets import CleanTable, clean_assets
from dagster_project.messages import describe, labelled, md_table, step_sentence
from dagster_project.metadata import table_metadata
from dagster_project.raw_assets import raw_submissions_asset
from dagster_project.resources import WarehouseResource
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.household import FORM_ID
from warehouse.schema.models import (
    Child,
    ChildClassification,
    Household,
)

GROUP = "household_survey"


raw_household_survey = raw_submissions_asset(FORM_ID, GROUP)


household_tables = clean_assets(
    "household_tables", FORM_ID, GROUP, raw_household_survey, steps.clean_households,
    [CleanTable("households", Household, (
        Household.household_id, Household.interview_date, Household.province_code, Household.commune_code,
        Household.consent, Household.hh_size, Household.poverty_status)),
     CleanTable("children", Child, (
         Child.child_id, Child.sex, Child.age, Child.school_status, Child.working, Child.hours_week,
         Child.work_kinds, Child.hazards))],
    "household_quarantine")


@dg.asset(group_name=GROUP, deps=["children"], kinds={"python"},
          description=describe("child_classification"))
def child_classification(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    rules = load_rules()
    stats = classify_children(engine, rules)
    context.log.info(step_sentence("classified", stats))
    cc = ChildClassification
    with engine.connect() as conn:
        summary = conn.execute(
            select(cc.rule_set, func.count(), func.sum(case((cc.child_labour, 1), else_=0)),
                   func.sum(case((cc.hazardous, 1), else_=0)))
            .group_by(cc.rule_set).order_by(cc.rule_set)
        ).all()
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, cc.__table__, select(cc.child_id, cc.rule_set, cc.age_band, cc.child_labour,
                                                     cc.hazardous, cc.at_risk, cc.reasons)
                         .where(cc.child_labour).order_by(cc.child_id, cc.rule_set)),
        "rules_version": rules.version,
        "step/children_classified": stats.processed,
        "summary": dg.MetadataValue.md(md_table(["rule_set", "children", "child_labour", "hazardous"], summary)),
    }))
