"""Assets of the workplace inspections. Thin: each calls one plain step of ``warehouse`` and reports on it."""

import dagster as dg
from sqlalchemy import case, func, select

from dagster_project.messages import describe, labelled, md_table, step_sentence
from dagster_project.metadata import quarantine_metadata, table_metadata
from dagster_project.raw_assets import raw_submissions_asset
from dagster_project.resources import WarehouseResource
from warehouse import programme_steps
from warehouse.answers import Context
from warehouse.classification import load_rules
from warehouse.classify import classify_young_workers
from warehouse.inspection import FORM_ID
from warehouse.models import Inspection, YoungWorker, YoungWorkerClassification

GROUP = "inspections"

raw_workplace_inspection = raw_submissions_asset(FORM_ID, GROUP)


@dg.multi_asset(
    group_name=GROUP,
    specs=[
        dg.AssetSpec("inspections", group_name=GROUP, deps=[raw_workplace_inspection], kinds={"python"},
                     description=describe("inspections")),
        dg.AssetSpec("young_workers", group_name=GROUP, deps=["inspections"], kinds={"python"},
                     description=describe("young_workers")),
        dg.AssetSpec("inspection_quarantine", group_name=GROUP, deps=[raw_workplace_inspection], kinds={"python"},
                     description=describe("inspection_quarantine")),
    ],
)
def inspection_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    engine = warehouse.engine()
    stats = programme_steps.clean_inspections(engine, Context.of_form(warehouse.pseudonymizer, FORM_ID))
    context.log.info(step_sentence("cleaned", stats))
    i, yw = Inspection, YoungWorker
    yield dg.MaterializeResult(asset_key="inspections", metadata=labelled({
        **table_metadata(engine, i.__table__, select(
            i.inspection_id, i.inspection_date, i.commune_code, i.establishment_type, i.n_young_workers,
            i.violations, i.actions, i.fine_amount).order_by(i.change_seq.desc())),
        "step/processed": stats.processed, "step/deleted": stats.deleted, "step/loaded": stats.loaded["inspection"]}))
    yield dg.MaterializeResult(asset_key="young_workers", metadata=labelled({
        **table_metadata(engine, yw.__table__, select(
            yw.worker_id, yw.sex, yw.age, yw.work_kinds, yw.workplaces, yw.hours_day, yw.hours_week, yw.hazards,
            yw.in_register).order_by(yw.change_seq.desc())),
        "step/loaded": stats.loaded["young_worker"]}))
    yield dg.MaterializeResult(asset_key="inspection_quarantine", metadata=labelled(
        quarantine_metadata(engine, FORM_ID, stats.quarantined)))


@dg.asset(group_name=GROUP, deps=["young_workers"], kinds={"python"},
          description=describe("young_worker_classification"))
def young_worker_classification(context: dg.AssetExecutionContext,
                                warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    rules = load_rules()
    stats = classify_young_workers(engine, rules)
    context.log.info(step_sentence("classified", stats))
    yc = YoungWorkerClassification
    with engine.connect() as conn:
        summary = conn.execute(
            select(yc.rule_set, func.count(), func.sum(case((yc.child_labour, 1), else_=0)),
                   func.sum(case((yc.hazardous, 1), else_=0)), func.sum(case((yc.at_risk, 1), else_=0)))
            .group_by(yc.rule_set).order_by(yc.rule_set)
        ).all()
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, yc.__table__, select(yc.worker_id, yc.rule_set, yc.age_band, yc.child_labour,
                                                     yc.hazardous, yc.at_risk, yc.reasons)
                         .where(yc.child_labour).order_by(yc.worker_id, yc.rule_set)),
        "rules_version": rules.version,
        "step/workers_classified": stats.processed,
        "summary": dg.MetadataValue.md(md_table(
            ["rule_set", "young_workers", "child_labour", "hazardous", "at_risk"], summary)),
    }))
