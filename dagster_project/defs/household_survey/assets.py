"""Assets of the household survey. Thin: each calls one plain step of ``warehouse`` and reports on it."""


import dagster as dg
from sqlalchemy import case, func, select

from dagster_project.messages import describe, labelled, md_table, step_sentence
from dagster_project.metadata import quarantine_metadata, table_metadata
from dagster_project.raw_assets import raw_submissions_asset
from dagster_project.resources import WarehouseResource
from warehouse import steps
from warehouse.classification import load_rules
from warehouse.classify import classify_children
from warehouse.household import FORM_ID, Context
from warehouse.models import (
    Child,
    ChildClassification,
    Household,
)

GROUP = "household_survey"


raw_household_survey = raw_submissions_asset(FORM_ID, GROUP)


@dg.multi_asset(
    group_name=GROUP,
    specs=[
        dg.AssetSpec("households", group_name=GROUP, deps=[raw_household_survey], kinds={"python"},
                     description=describe("households")),
        dg.AssetSpec("children", group_name=GROUP, deps=["households"], kinds={"python"},
                     description=describe("children")),
        dg.AssetSpec("household_quarantine", group_name=GROUP, deps=[raw_household_survey],
                     kinds={"python"}, description=describe("household_quarantine")),
    ],
)
def household_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    engine = warehouse.engine()
    ctx = Context.of_form(warehouse.pseudonymizer, FORM_ID)
    stats = steps.clean_households(engine, ctx)
    context.log.info(step_sentence("cleaned", stats))
    step = {"step/processed": stats.processed, "step/deleted": stats.deleted}
    yield dg.MaterializeResult(asset_key="households", metadata=labelled({
        **table_metadata(engine, Household.__table__, select(
            Household.household_id, Household.interview_date, Household.province_code, Household.commune_code,
            Household.consent, Household.hh_size, Household.poverty_status).order_by(Household.change_seq.desc())),
        **step, "step/loaded": stats.loaded["household"]}))
    yield dg.MaterializeResult(asset_key="children", metadata=labelled({
        **table_metadata(engine, Child.__table__, select(
            Child.child_id, Child.sex, Child.age, Child.school_status, Child.working, Child.hours_week,
            Child.work_kinds, Child.hazards).order_by(Child.change_seq.desc())),
        "step/loaded": stats.loaded["child"]}))
    yield dg.MaterializeResult(asset_key="household_quarantine", metadata=labelled(
        quarantine_metadata(engine, FORM_ID, stats.quarantined)))


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
